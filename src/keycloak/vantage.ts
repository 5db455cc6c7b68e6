// After apply, the saved federation tested from Keycloak's vantage point, the way the admin
// console's two buttons do it (keycloak.md §3): testAuthentication with componentId and the mask
// (does the stored password bind), and - only when that fails - testConnection (can Keycloak open
// a connection to the URL at all). A bind that succeeds implies the connection, so the success path
// costs one request; on failure the second one splits the diagnosis: "reachable from this machine
// but not from Keycloak" fails both, a CA missing from Keycloak's truststore typically passes the
// connection test (no handshake without a bind on ldaps://) and fails the bind.
import type { FederationSettings } from './federation.js';
import { authenticationTest } from './observe.js';
import { adviceFor } from './test-codes.js';
import { SECRET_MASK, type KeycloakPort, type RealmRef, type TestLdapResult } from './types.js';

export interface KeycloakVerdict {
  ok: boolean;
  connection: { ok: boolean; code?: string };
  /** absent when the connection test failed */
  authentication?: { ok: boolean; code?: string };
  /** the failing code and what it means for the admin */
  code?: string;
  advice?: string;
  /** one line for the step: Keycloak's verdict of each test */
  summary: string;
}

const part = (r: TestLdapResult) => (r.ok ? { ok: true } : { ok: false, code: r.code });

export async function testSavedFederation(kc: KeycloakPort, realm: RealmRef, s: FederationSettings, componentId: string): Promise<KeycloakVerdict> {
  const stored = authenticationTest(s, SECRET_MASK, componentId);
  const authentication = await kc.testLdapConnection(realm, stored);
  if (authentication.ok) {
    return { ok: true, connection: { ok: true }, authentication: { ok: true }, summary: `Keycloak connects to ${s.url} and binds as ${s.bindDn} with the stored password` };
  }
  const connection = await kc.testLdapConnection(realm, { ...stored, action: 'testConnection' });
  if (!connection.ok) {
    return {
      ok: false, connection: part(connection), code: connection.code, advice: adviceFor(connection.code),
      summary: `Keycloak cannot connect to ${s.url}: ${connection.code}`,
    };
  }
  return {
    ok: false, connection: { ok: true }, authentication: part(authentication), code: authentication.code, advice: adviceFor(authentication.code),
    summary: `Keycloak connects to ${s.url}, but binding with the stored password fails: ${authentication.code}`,
  };
}
