// Pure pieces: RFC 4515 escaping, DN handling, URL parsing and the AD bind-code decoding.
import { describe, expect, it } from 'vitest';
import { InvalidCredentialsError, StrongAuthRequiredError, InvalidDNSyntaxError, InsufficientAccessError, ConfidentialityRequiredError, FilterParser } from 'ldapts';
import { escapeFilterValue, userByAttributeFilter, userFilter } from '../../src/ldap/filter.js';
import { isUnder, looksLikeDn, normalizeDn, parentDn, splitDn } from '../../src/ldap/dn.js';
import { parseLdapUrl } from '../../src/ldap/transport.js';
import { adDataCode, bindFailure } from '../../src/ldap/bind.js';
import { LayerFailure, redact, scrub } from '../../src/ldap/util.js';

describe('escapeFilterValue (RFC 4515)', () => {
  it('escapes the five special characters and nothing else', () => {
    expect(escapeFilterValue('a*b(c)d\\e\0f')).toBe('a\\2ab\\28c\\29d\\5ce\\00f');
    expect(escapeFilterValue('plain.user-01@corp.example')).toBe('plain.user-01@corp.example');
    expect(escapeFilterValue('Jürgen Müller')).toBe('Jürgen Müller');
    expect(escapeFilterValue('')).toBe('');
  });
  it('an injection attempt stays one assertion value', () => {
    const f = userByAttributeFilter('other', 'uid', '*)(uid=*))(|(uid=*');
    expect(f).toBe('(&(|(objectClass=inetOrgPerson)(objectClass=person))(uid=\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a))');
    // ldapts parses it back into exactly one equality filter on uid with the literal value
    const parsed = FilterParser.parseString(f) as unknown as { filters: { attribute?: string; value?: string }[] };
    expect(parsed.filters[1]).toMatchObject({ attribute: 'uid', value: '*)(uid=*))(|(uid=*' });
  });
  it('refuses an attribute name that is not one', () => {
    expect(() => userByAttributeFilter('ad', 'uid)(x', 'a')).toThrow();
  });
  it('vendor filters', () => {
    expect(userFilter('ad')).toBe('(&(objectCategory=person)(objectClass=user))');
    expect(userFilter('other')).toBe('(|(objectClass=inetOrgPerson)(objectClass=person))');
    expect(userFilter('rhds')).toBe(userFilter(undefined));
  });
});

describe('DN helpers', () => {
  it('splits with escapes and quotes', () => {
    expect(splitDn('CN=Doe\\, John,OU=People,DC=example,DC=test')).toEqual(['CN=Doe\\, John', 'OU=People', 'DC=example', 'DC=test']);
    expect(splitDn('cn="a,b",dc=x')).toEqual(['cn="a,b"', 'dc=x']);
    expect(parentDn('uid=a,ou=people,dc=x')).toBe('ou=people,dc=x');
    expect(parentDn('dc=x')).toBeUndefined();
  });
  it('compares case- and space-insensitively', () => {
    expect(normalizeDn('OU=People, DC=Example,DC=TEST')).toBe('ou=people,dc=example,dc=test');
    expect(isUnder('uid=a,ou=People,dc=x', 'OU=people,DC=x')).toBe(true);
    expect(isUnder('uid=a,ou=peoplex,dc=x', 'ou=people,dc=x')).toBe(false);
  });
  it('recognises things that are not DNs', () => {
    expect(looksLikeDn('example.com')).toBe(false);
    expect(looksLikeDn('people')).toBe(false);
    expect(looksLikeDn('ou=people,dc=example,dc=org')).toBe(true);
  });
});

describe('parseLdapUrl', () => {
  it('defaults ports and accepts a bare host', () => {
    expect(parseLdapUrl('ldap://dc1.corp.example')).toMatchObject({ scheme: 'ldap', host: 'dc1.corp.example', port: 389 });
    expect(parseLdapUrl('ldaps://dc1.corp.example')).toMatchObject({ scheme: 'ldaps', port: 636 });
    expect(parseLdapUrl('dc1:3268')).toMatchObject({ scheme: 'ldap', host: 'dc1', port: 3268, url: 'ldap://dc1:3268' });
    expect(parseLdapUrl('ldaps://[::1]:636')).toMatchObject({ host: '::1', url: 'ldaps://[::1]:636' });
  });
  it('rejects other schemes and lists, naming the URL field', () => {
    for (const bad of ['http://dc1', 'ldap://a ldap://b', '', 'ldap://dc1/ou=x']) {
      try {
        parseLdapUrl(bad);
        expect.unreachable(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(LayerFailure);
        expect((e as LayerFailure).failure).toMatchObject({ code: 'ldap.url.invalid', field: 'ldapUrl' });
      }
    }
  });
});

describe('bind failure decoding', () => {
  const ad = (data: string) => new InvalidCredentialsError(`80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${data}, v1db1`);
  it.each([
    ['525', 'ldap.bind.user-not-found', 'bindDn'],
    ['52e', 'ldap.bind.invalid-credentials', 'bindPassword'],
    ['530', 'ldap.bind.logon-hours', 'bindDn'],
    ['531', 'ldap.bind.workstation', 'bindDn'],
    ['532', 'ldap.bind.password-expired', 'bindPassword'],
    ['533', 'ldap.bind.account-disabled', 'bindDn'],
    ['701', 'ldap.bind.account-expired', 'bindDn'],
    ['773', 'ldap.bind.must-change-password', 'bindPassword'],
    ['775', 'ldap.bind.account-locked', 'bindDn'],
  ])('AD data %s → %s (%s)', (data, code, field) => {
    expect(adDataCode(ad(data).message)).toBe(data);
    const f = bindFailure(ad(data), 'svc@example.test', true);
    expect(f).toMatchObject({ code, field, data: { resultCode: 49, adData: data } });
    expect(f.message).toContain(`AD data ${data}`);
  });
  it('maps LDAP result codes', () => {
    expect(bindFailure(new InvalidCredentialsError(''), 'cn=x', false)).toMatchObject({ code: 'ldap.bind.invalid-credentials', field: 'bindPassword' });
    expect(bindFailure(new StrongAuthRequiredError('BindSimple: Transport encryption required.'), 'cn=x', false)).toMatchObject({ code: 'ldap.bind.strong-auth-required', field: 'startTls' });
    expect(bindFailure(new ConfidentialityRequiredError(''), 'cn=x', false)).toMatchObject({ code: 'ldap.bind.confidentiality-required', field: 'startTls' });
    expect(bindFailure(new InvalidDNSyntaxError(''), 'x', false)).toMatchObject({ code: 'ldap.bind.invalid-dn-syntax', field: 'bindDn' });
    expect(bindFailure(new InsufficientAccessError(''), 'cn=x', false)).toMatchObject({ code: 'ldap.bind.insufficient-rights', field: 'bindDn' });
    expect(bindFailure(new Error('Socket closed'), 'cn=x', false)).toMatchObject({ code: 'ldap.bind.connection-closed', field: 'ldapUrl' });
  });
  it('hint for strongAuthRequired says ldaps:// or StartTLS', () => {
    expect(bindFailure(new StrongAuthRequiredError(''), 'cn=x', false).hint).toMatch(/ldaps:\/\/.*--start-tls/);
  });
});

describe('redaction', () => {
  it('removes the secret from strings, arrays and nested objects', () => {
    expect(redact('pw=hunter2!', 'hunter2!')).toBe('pw=********');
    expect(scrub({ a: ['x hunter2! y'], b: { c: 'hunter2!' }, n: 1 }, 'hunter2!')).toEqual({ a: ['x ******** y'], b: { c: '********' }, n: 1 });
  });
});
