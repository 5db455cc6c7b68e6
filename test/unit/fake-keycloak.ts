// A scripted KeycloakPort for unit tests of the Keycloak pipeline pieces (observe, undo planning):
// components live in a map, every call is recorded, and any method can be made to throw.
import { KeycloakError } from '../../src/errors.js';
import type { Component, KeycloakPort, RealmRef, TestLdapRequest, TestLdapResult } from '../../src/keycloak/types.js';

export interface FakeKeycloak extends KeycloakPort {
  realms: RealmRef[];
  components: Map<string, Component>;
  calls: string[];
  /** method name → what it throws instead of answering */
  failing: Map<string, unknown>;
  testResult: (req: TestLdapRequest) => TestLdapResult;
}

export const forbidden = () => new KeycloakError('keycloak.forbidden', 'Keycloak refused: the account lacks the permission', { data: { status: 403 } });

export function fakeKeycloak(realms: RealmRef[] = [{ id: 'realm-id-1', name: 'runai' }]): FakeKeycloak {
  let n = 0;
  const fk: FakeKeycloak = {
    baseUrl: 'http://kc.test',
    realms,
    components: new Map(),
    calls: [],
    failing: new Map(),
    testResult: () => ({ ok: true }),
    get requestCount() {
      return fk.calls.length;
    },
    async getRealm(name) {
      hit('getRealm');
      return fk.realms.find((r) => r.name === name);
    },
    async listRealms() {
      hit('listRealms');
      return fk.realms.map((r) => r.name);
    },
    async listLdapProviders(realm) {
      hit('listLdapProviders');
      return [...fk.components.values()].filter((c) => c.parentId === realm.id && c.providerId === 'ldap');
    },
    async listMappers(_realm, parentId) {
      hit('listMappers');
      return [...fk.components.values()].filter((c) => c.parentId === parentId);
    },
    async getComponent(_realm, id) {
      hit('getComponent');
      const c = fk.components.get(id);
      return c && structuredClone(c);
    },
    async createComponent(_realm, c) {
      hit('createComponent');
      const id = `new-${++n}`;
      fk.components.set(id, { ...structuredClone(c), id });
      return id;
    },
    async updateComponent(_realm, id, c) {
      hit('updateComponent');
      fk.components.set(id, { ...structuredClone(c), id });
    },
    async deleteComponent(_realm, id) {
      hit('deleteComponent');
      fk.components.delete(id);
    },
    async testLdapConnection(_realm, req) {
      hit('testLdapConnection');
      return fk.testResult(req);
    },
    async findClient() {
      hit('findClient');
      return undefined;
    },
    async listComponents() {
      hit('listComponents');
      return [...fk.components.values()];
    },
    async listClientIds() {
      hit('listClientIds');
      return [];
    },
  };
  function hit(method: string) {
    fk.calls.push(method);
    if (fk.failing.has(method)) throw fk.failing.get(method);
  }
  return fk;
}
