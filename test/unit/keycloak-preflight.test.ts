// Preflight before any write (issue 5): the realm exists (else similar names), the credentials may
// read and manage it, one federation per name, other LDAP providers noticed.
import { describe, expect, it } from 'vitest';
import { KeycloakError } from '../../src/errors.js';
import type { FederationSettings } from '../../src/keycloak/federation.js';
import { findFederation, findRealm, observeKeycloak } from '../../src/keycloak/observe.js';
import { fakeKeycloak, forbidden } from './fake-keycloak.js';

const s: FederationSettings = {
  name: 'ldap', vendor: 'other', url: 'ldap://dir:389', startTls: false, bindDn: 'cn=ro,dc=x', usersDn: 'ou=people,dc=x',
  usernameAttribute: 'uid', emailAttribute: 'mail', timeoutMs: 10000,
};

async function thrown(p: Promise<unknown>): Promise<KeycloakError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KeycloakError);
    return e as KeycloakError;
  }
  throw new Error('expected a KeycloakError');
}

describe('realm', () => {
  it('a missing realm is exit 4 and suggests the realms with a similar name', async () => {
    const kc = fakeKeycloak([{ id: 'm', name: 'master' }, { id: 'r1', name: 'runai' }, { id: 'r2', name: 'runai-test' }, { id: 'r3', name: 'other' }]);
    const e = await thrown(findRealm(kc, 'runia'));
    expect(e.exitCode).toBe(4);
    expect(e.code).toBe('keycloak.realm-missing');
    expect(e.field).toBe('realm');
    expect(e.hint).toBe('did you mean "runai"? (--realm)');
    const e2 = await thrown(findRealm(kc, 'RunAI-Tst'));
    expect(e2.hint).toMatch(/"runai-test"/);
    const e3 = await thrown(findRealm(kc, 'zzz'));
    expect(e3.hint).toBe('existing realms: master, runai, runai-test, other; pass --realm');
  });

  it('403 on reading the realm names view-realm of client "<realm>-realm"', async () => {
    const kc = fakeKeycloak();
    kc.failing.set('getRealm', forbidden());
    const e = await thrown(findRealm(kc, 'runai'));
    expect(e).toMatchObject({ code: 'keycloak.cannot-read', exitCode: 4, data: { missingRole: 'view-realm' } });
    expect(e.hint).toMatch(/view-realm and manage-realm of client "runai-realm"/);
  });
});

describe('federations', () => {
  it('more than one federation with the chosen name: stop and list ids, names and URLs', async () => {
    const kc = fakeKeycloak();
    for (const [id, url] of [['a1', 'ldap://one:389'], ['b2', 'ldaps://two:636']]) {
      kc.components.set(id, { id, name: 'ldap', providerId: 'ldap', parentId: 'realm-id-1', config: { connectionUrl: [url], usersDn: ['ou=people,dc=x'] } });
    }
    const e = await thrown(findFederation(kc, kc.realms[0]!, 'ldap'));
    expect(e.code).toBe('keycloak.duplicate-federations');
    expect(e.message).toContain('id a1  "ldap"  ldap://one:389');
    expect(e.message).toContain('id b2  "ldap"  ldaps://two:636');
    expect(e.data).toMatchObject({ ids: ['a1', 'b2'], federations: [{ id: 'a1', url: 'ldap://one:389' }, { id: 'b2', url: 'ldaps://two:636' }] });
    expect(e.field).toBe('federationName');
  });

  it('other LDAP providers are returned for the warning, the chosen one apart', async () => {
    const kc = fakeKeycloak();
    kc.components.set('a1', { id: 'a1', name: 'ldap', providerId: 'ldap', parentId: 'realm-id-1', config: {} });
    kc.components.set('c3', { id: 'c3', name: 'corp', providerId: 'ldap', parentId: 'realm-id-1', config: { connectionUrl: ['ldap://corp:389'] } });
    const r = await findFederation(kc, kc.realms[0]!, 'ldap');
    expect(r.federation?.id).toBe('a1');
    expect(r.others.map((o) => o.name)).toEqual(['corp']);
  });

  it('403 on the component list is a read-permission error', async () => {
    const kc = fakeKeycloak();
    kc.failing.set('listLdapProviders', forbidden());
    expect(await thrown(findFederation(kc, kc.realms[0]!, 'ldap'))).toMatchObject({ code: 'keycloak.cannot-read' });
  });
});

describe('permission to manage, before any write', () => {
  it("an account that may read but not manage is stopped at Keycloak's LDAP test (manage-realm), with nothing written", async () => {
    const kc = fakeKeycloak();
    kc.failing.set('testLdapConnection', forbidden());
    const e = await thrown(observeKeycloak(kc, s, 'pw', { realm: 'runai', rotate: false }));
    expect(e).toMatchObject({ code: 'keycloak.cannot-manage', exitCode: 4, data: { missingRole: 'manage-realm' } });
    expect(e.message).toMatch(/may not manage realm "runai".*Nothing was changed/);
    expect(e.hint).toMatch(/manage-realm of client "runai-realm"/);
    expect(kc.calls.filter((c) => /create|update|delete/i.test(c))).toEqual([]);
  });

  it('other errors pass through unchanged', async () => {
    const kc = fakeKeycloak();
    const boom = new KeycloakError('keycloak.server-error', 'HTTP 500');
    kc.failing.set('testLdapConnection', boom);
    expect(await thrown(observeKeycloak(kc, s, 'pw', { realm: 'runai', rotate: false }))).toBe(boom);
  });
});
