// Keycloak's testLDAPConnection codes mapped to advice, and the after-apply test of the saved
// federation (testAuthentication with componentId and the mask; testConnection only when it fails).
import { describe, expect, it } from 'vitest';
import type { FederationSettings } from '../../src/keycloak/federation.js';
import { KEYCLOAK_TEST_CODES, adviceFor } from '../../src/keycloak/test-codes.js';
import type { TestLdapRequest } from '../../src/keycloak/types.js';
import { testSavedFederation } from '../../src/keycloak/vantage.js';
import { fakeKeycloak } from './fake-keycloak.js';

// what each piece of advice must point the admin at
const POINTS_AT: Record<(typeof KEYCLOAK_TEST_CODES)[number], RegExp> = {
  NamingError: /LDAP error.*connectionTimeout|Keycloak log/,
  AuthenticationFailure: /--bind-dn and the bind password/,
  CommunicationError: /from the Keycloak pod/,
  ServiceUnavailable: /unavailable/,
  InvalidName: /DN Keycloak sent.*--users-dn/,
  InvalidBindDN: /bind DN/,
  NameNotFound: /does not exist/,
  GroupsMultipleParents: /group mappers/,
  MalformedURL: /connection URL/,
  NoRouteToHost: /no network route/,
  ConnectionFailed: /refused.*not reachable from the Keycloak pod/,
  UnknownHost: /cannot resolve the LDAP host name/,
  SSLHandshakeFailed: /Keycloak's truststore/,
  SocketReset: /ldaps:\/\/ against port 389/,
  UnknownError: /unclassified/,
};

describe('adviceFor', () => {
  it.each(KEYCLOAK_TEST_CODES)('%s has advice of its own', (code) => {
    const a = adviceFor(code);
    expect(a).not.toMatch(/^Keycloak reported/);
    expect(a).toMatch(POINTS_AT[code]);
  });

  it('the codes are all distinct pieces of advice', () => {
    expect(new Set(KEYCLOAK_TEST_CODES.map(adviceFor)).size).toBe(KEYCLOAK_TEST_CODES.length);
  });

  it('an unknown code or none falls back to the server log, naming the code', () => {
    expect(adviceFor('SomethingNew')).toBe('Keycloak reported SomethingNew; see the Keycloak server log');
    expect(adviceFor(undefined)).toBe('Keycloak reported an error; see the Keycloak server log');
  });
});

describe('testSavedFederation', () => {
  const s: FederationSettings = {
    name: 'ldap', vendor: 'ad', url: 'ldaps://dc1:636', startTls: false, bindDn: 'CN=svc,DC=x', usersDn: 'OU=People,DC=x',
    usernameAttribute: 'sAMAccountName', emailAttribute: 'userPrincipalName', timeoutMs: 10000,
  };
  const run = async (answer: (r: TestLdapRequest) => { ok: true } | { ok: false; code: string }) => {
    const kc = fakeKeycloak();
    const sent: TestLdapRequest[] = [];
    kc.testResult = (r) => (sent.push(r), answer(r));
    return { verdict: await testSavedFederation(kc, kc.realms[0]!, s, 'fed1'), sent };
  };

  it('the bind passes: one request, testAuthentication with componentId and the mask only (a bind implies the connection)', async () => {
    const { verdict, sent } = await run(() => ({ ok: true }));
    expect(verdict).toMatchObject({ ok: true, connection: { ok: true }, authentication: { ok: true } });
    expect(sent.map((r) => r.action)).toEqual(['testAuthentication']);
    for (const r of sent) expect(r).toMatchObject({ componentId: 'fed1', bindCredential: '**********', connectionUrl: s.url, bindDn: s.bindDn, useTruststoreSpi: 'always' });
  });

  it('Keycloak cannot connect: the bind fails, testConnection tells why, with the code and its advice', async () => {
    const { verdict, sent } = await run(() => ({ ok: false, code: 'UnknownHost' }));
    expect(sent.map((r) => r.action)).toEqual(['testAuthentication', 'testConnection']);
    for (const r of sent) expect(r).toMatchObject({ componentId: 'fed1', bindCredential: '**********' });
    expect(verdict).toMatchObject({ ok: false, connection: { ok: false, code: 'UnknownHost' }, code: 'UnknownHost', advice: adviceFor('UnknownHost') });
    expect(verdict.authentication).toBeUndefined();
    expect(verdict.summary).toBe('Keycloak cannot connect to ldaps://dc1:636: UnknownHost');
  });

  it('connects but the bind fails (an untrusted LDAPS certificate shows only here)', async () => {
    const { verdict, sent } = await run((r) => (r.action === 'testConnection' ? { ok: true } : { ok: false, code: 'SSLHandshakeFailed' }));
    expect(sent.map((r) => r.action)).toEqual(['testAuthentication', 'testConnection']);
    expect(verdict).toMatchObject({ ok: false, connection: { ok: true }, authentication: { ok: false, code: 'SSLHandshakeFailed' } });
    expect(verdict.advice).toMatch(/truststore/);
  });
});
