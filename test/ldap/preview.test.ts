// Pure parts of discovery and of the user preview: the vendor from recorded rootDSEs (servers the
// test world does not run: 389-ds, RHDS, AD LDS, eDirectory, IBM), names as Keycloak's default
// mappers fill them, and the duplicate / missing-email / disabled detectors.
import type { Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { who } from '../../src/ldap/attributes.js';
import { dataContexts, detectVendor } from '../../src/ldap/rootdse.js';
import type { Shared } from '../../src/ldap/problems.js';
import type { ProblemCheck } from '../../src/ldap/types.js';
import { EXAMPLES, keycloakNames, shownUsers, shownValues, UserAccumulator, userStats } from '../../src/ldap/users.js';

// rootDSEs as the servers answer a base search of "" for these attributes (values shortened)
const ROOT_DSE = {
  '389-ds': {
    dn: '', objectClass: ['top'], namingContexts: ['dc=example,dc=com', 'o=netscaperoot'],
    supportedControl: ['2.16.840.1.113730.3.4.2', '1.2.840.113556.1.4.319', '1.2.840.113556.1.4.473'],
    vendorName: '389 Project', vendorVersion: '389-Directory/2.4.5 B2024.017.0000',
  },
  rhds: {
    dn: '', objectClass: ['top'], namingContexts: ['dc=corp,dc=example', 'o=NetscapeRoot'],
    supportedControl: ['1.2.840.113556.1.4.319'], vendorName: 'Red Hat, Inc.', vendorVersion: 'Red Hat-Directory/11.7.0.6',
  },
  ad: {
    dn: '', defaultNamingContext: 'DC=corp,DC=example',
    namingContexts: ['DC=corp,DC=example', 'CN=Configuration,DC=corp,DC=example', 'CN=Schema,CN=Configuration,DC=corp,DC=example', 'DC=DomainDnsZones,DC=corp,DC=example', 'DC=ForestDnsZones,DC=corp,DC=example'],
    supportedCapabilities: ['1.2.840.113556.1.4.800', '1.2.840.113556.1.4.1670', '1.2.840.113556.1.4.1791'],
    supportedControl: ['1.2.840.113556.1.4.319'],
  },
  adLds: { dn: '', namingContexts: ['O=App'], supportedCapabilities: ['1.2.840.113556.1.4.1851', '1.2.840.113556.1.4.1670'] },
  openldap: { dn: '', objectClass: ['top', 'OpenLDAProotDSE'], namingContexts: ['dc=example,dc=org'], supportedControl: ['1.2.840.113556.1.4.319'] },
  edirectory: { dn: '', namingContexts: [''], vendorName: 'NetIQ Corporation', vendorVersion: 'LDAP Agent for NetIQ eDirectory 9.2.4' },
  ibm: { dn: '', namingContexts: ['o=sample'], vendorName: 'International Business Machines (IBM)', vendorVersion: '6.4' },
  unknown: { dn: '', namingContexts: ['dc=x'] },
};

describe('vendor from the rootDSE', () => {
  it.each([
    ['389-ds', 'rhds', '389 Project'],
    ['rhds', 'rhds', 'Red Hat, Inc.'],
    ['ad', 'ad', 'Active Directory'],
    ['adLds', 'ad', 'Active Directory'],
    ['openldap', 'other', 'OpenLDAP'],
    ['edirectory', 'edirectory', 'NetIQ Corporation'],
    ['ibm', 'tivoli', 'International Business Machines (IBM)'],
  ] as const)('%s → %s (%s)', (server, vendor, vendorName) => {
    expect(detectVendor(ROOT_DSE[server])).toEqual({ vendor, vendorName });
  });

  it('a server that says nothing about itself has no vendor (the caller falls back to ad)', () => {
    expect(detectVendor(ROOT_DSE.unknown)).toEqual({});
  });

  it('data naming contexts: AD\'s default one; 389\'s without o=NetscapeRoot', () => {
    expect(dataContexts({ namingContexts: ROOT_DSE.ad.namingContexts, defaultNamingContext: ROOT_DSE.ad.defaultNamingContext, supportsPaging: true })).toEqual(['DC=corp,DC=example']);
    expect(dataContexts({ namingContexts: ROOT_DSE['389-ds'].namingContexts, supportsPaging: true })).toEqual(['dc=example,dc=com']);
    expect(dataContexts({ namingContexts: ['DC=DomainDnsZones,DC=corp,DC=example', 'cn=config', 'dc=corp,dc=example'], supportsPaging: true })).toEqual(['dc=corp,dc=example']);
  });
});

describe('names as Keycloak\'s default mappers fill them (keycloak.md §5)', () => {
  const e = { cn: ['Normal, Alice (IT)'], givenName: ['Alice'], sn: ['Normal'] };
  it('RDN cn, username sAMAccountName (the Run:AI AD case): cn split at its last space, sn as last name', () => {
    expect(keycloakNames(e, 'cn', 'sAMAccountName')).toEqual({ firstName: 'Normal, Alice', lastName: 'Normal' });
    expect(keycloakNames({ cn: ['Bob Smith'] }, 'cn', 'sAMAccountName')).toEqual({ firstName: 'Bob', lastName: 'Smith' });
    expect(keycloakNames({ cn: ['svc-backup'] }, 'cn', 'sAMAccountName')).toEqual({ lastName: 'svc-backup' });
  });
  it('RDN cn, username cn: givenName and sn', () => {
    expect(keycloakNames(e, 'cn', 'cn')).toEqual({ firstName: 'Alice', lastName: 'Normal' });
  });
  it('any other RDN (uid): the whole cn as first name, sn as last name', () => {
    expect(keycloakNames(e, 'uid', 'uid')).toEqual({ firstName: 'Normal, Alice (IT)', lastName: 'Normal' });
    expect(keycloakNames({ sn: ['Only'] }, 'uid', 'uid')).toEqual({ lastName: 'Only' });
  });
  it('the accumulator uses the RDN Keycloak derives: cn on AD, the username attribute elsewhere', () => {
    const entry = { dn: 'CN=Normal\\, Alice,OU=People,DC=x', sAMAccountName: ['alice'], uid: ['alice'], ...e } as unknown as Entry;
    const ad = new UserAccumulator('sAMAccountName', 'mail', 'ad', 5);
    ad.add(entry);
    expect(ad.sample[0]).toMatchObject({ username: 'alice', firstName: 'Normal, Alice', lastName: 'Normal' });
    const other = new UserAccumulator('uid', 'mail', 'other', 5);
    other.add(entry);
    expect(other.sample[0]).toMatchObject({ firstName: 'Normal, Alice (IT)', lastName: 'Normal' });
  });
});

describe('the preview\'s detectors', () => {
  const user = (dn: string, a: Record<string, string | string[]>) => ({ dn, ...Object.fromEntries(Object.entries(a).map(([k, v]) => [k, [v].flat()])) }) as unknown as Entry;
  const none = (filter: string): ProblemCheck => ({ filter, scope: 'directory', count: 0, capped: false, limit: EXAMPLES, users: [] });
  const clean = { withoutEmail: none('(x)'), withoutUsername: none('(y)') };

  it('duplicate usernames and emails among the users read, compared as Keycloak stores them (lower-case); not the unique ones', () => {
    const acc = new UserAccumulator('uid', 'mail', 'other', 2);
    acc.add(user('uid=a,o=x', { uid: 'Ann', mail: 'team@x.test' }));
    acc.add(user('uid=b,o=x', { uid: 'bob', mail: 'TEAM@x.test' }));
    acc.add(user('cn=ann2,o=x', { uid: 'ann', mail: 'ann2@x.test' }));
    acc.add(user('uid=c,o=x', { uid: 'cid', mail: 'cid@x.test' }));
    const r = userStats({ count: 4, capped: false, cap: 100 }, acc, clean, undefined);
    expect(r.duplicateUsernames).toEqual([{ username: 'ann', dns: ['uid=a,o=x', 'cn=ann2,o=x'], scope: 'window', capped: false }]);
    expect(r.duplicateEmails).toEqual([{ email: 'team@x.test', dns: ['uid=a,o=x', 'uid=b,o=x'], scope: 'window', capped: false }]);
    expect(r.duplicatesChecked).toEqual({ usersRead: 4, valuesSearched: 0 });
    expect(r.sample).toHaveLength(2);
    expect(r.window).toBe(4);
  });

  it('a value the preview shows, searched across the users DN, replaces what the users read said about it', () => {
    const acc = new UserAccumulator('uid', 'mail', 'other', 1);
    acc.add(user('uid=a,o=x', { uid: 'a', mail: 'team@x.test' }));
    acc.add(user('uid=b,o=x', { uid: 'b', mail: 'team@x.test' }));
    const emails: Shared = { groups: new Map([['team@x.test', ['uid=a,o=x', 'uid=b,o=x', 'uid=far,ou=elsewhere,o=x']]]), capped: false };
    const r = userStats({ count: 1000, capped: true, cap: 1000 }, acc, clean, { emails, usernames: { groups: new Map(), capped: false }, searched: 2 });
    expect(r.duplicateEmails).toEqual([{ email: 'team@x.test', dns: ['uid=a,o=x', 'uid=b,o=x', 'uid=far,ou=elsewhere,o=x'], scope: 'directory', capped: false }]);
    expect(r.duplicatesChecked).toEqual({ usersRead: 2, valuesSearched: 2 });
  });

  it('the users shown (sample rows and problem accounts) give the values to look for, once each', () => {
    const sample = [{ dn: 'a', username: 'a', email: 'same@x' }, { dn: 'b', username: 'b', email: 'same@x' }];
    const problems = { withoutEmail: { ...none('(x)'), count: 1, users: [{ dn: 'c', username: 'c' }] }, withoutUsername: none('(y)'), disabled: { ...none('(z)'), count: 1, users: [{ dn: 'd', username: 'd', email: 'd@x', disabled: true }] } };
    const shown = shownUsers(sample, problems);
    expect(shownValues(shown, 'email')).toEqual(['same@x', 'd@x']);
    expect(shownValues(shown, 'username')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('the targeted searches give the counts and the names; a search the server refused falls back to the users read', () => {
    const acc = new UserAccumulator('sAMAccountName', 'mail', 'ad', 0);
    for (let i = 0; i < EXAMPLES + 5; i++) acc.add(user(`CN=U${i},DC=x`, { sAMAccountName: `u${i}`, userAccountControl: i % 2 ? '514' : '512' }));
    const far = (n: number) => Array.from({ length: n }, (_, k) => ({ dn: `CN=F${k},OU=Far,DC=x`, username: `f${k}` }));
    const found = {
      withoutEmail: { ...none('(&(a)(!(mail=*)))'), count: EXAMPLES, capped: true, users: far(EXAMPLES) },
      withoutUsername: none('(&(a)(!(sAMAccountName=*)))'),
      disabled: { ...none(`(&(a)(userAccountControl:1.2.840.113556.1.4.803:=2))`), scope: 'window' as const, error: 'unknown matching rule (LDAP 18)' },
    };
    const r = userStats({ count: 1000, capped: true, cap: 1000 }, acc, found, undefined);
    expect(r.withoutEmail).toBe(EXAMPLES);
    expect(r.problems.withoutEmail).toMatchObject({ scope: 'directory', capped: true });
    expect(r.withoutEmailUsers[0]).toEqual({ dn: 'CN=F0,OU=Far,DC=x', username: 'f0' });
    // refused: what the users read say, marked as such
    expect(r.problems.disabled).toMatchObject({ scope: 'window', count: 12, error: 'unknown matching rule (LDAP 18)' });
    expect(r.disabled).toBe(12);
    expect(r.disabledUsers.map((u) => u.username)).toEqual(Array.from({ length: 12 }, (_, k) => `u${2 * k + 1}`));
    expect(who(r.disabledUsers, r.disabled)).toBe('e.g. u1, u3, u5, u7, u9');
    expect(who(r.disabledUsers.slice(0, 2), 2)).toBe('u1, u3');
    expect(who(r.withoutEmailUsers.slice(0, 2), 2, true)).toBe('e.g. f0, f1');
  });

  it('userAccountControl means nothing outside AD', () => {
    const acc = new UserAccumulator('uid', 'mail', 'other', 1);
    acc.add(user('uid=a,o=x', { uid: 'a', mail: 'a@x', userAccountControl: '514' }));
    expect(acc.fromWindow('disabled')).toEqual({ count: 0, users: [] });
    expect(acc.sample[0]!.disabled).toBeUndefined();
  });
});
