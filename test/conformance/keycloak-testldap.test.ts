// testLDAPConnection of the Keycloak emulator (keycloak.md §3): real connects/binds against the test directory.
import net from 'node:net';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startKeycloakEmulator, type KeycloakEmulator } from '../world/keycloak/index.js';
import { adminClient, failure, openldapPayload } from '../world/keycloak/testkit.js';

const world = inject('world');
const dir = world.openldap;
let emu: KeycloakEmulator; // its truststore holds the directory CA
let bare: KeycloakEmulator; // empty truststore: LDAPS is untrusted "from Keycloak"
let kc: KcAdminClient;
let kcBare: KcAdminClient;
let blackhole: net.Server;
let blackholePort: number;
const held = new Set<net.Socket>();

beforeAll(async () => {
  emu = await startKeycloakEmulator({ truststore: [dir.caFile] });
  bare = await startKeycloakEmulator();
  kc = await adminClient(emu);
  kcBare = await adminClient(bare);
  // accepts TCP and never answers: the read timeout path
  blackhole = net.createServer((s) => held.add(s));
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()));
  blackholePort = (blackhole.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => blackhole.close(r));
  await emu.close();
  await bare.close();
});

const auth = (extra: Record<string, string> = {}) => ({
  action: 'testAuthentication', connectionUrl: dir.url, bindDn: dir.bindDn, bindCredential: dir.bindPassword,
  authType: 'simple', useTruststoreSpi: 'always', connectionTimeout: '5000', startTls: 'false', ...extra,
});
const code = async (client: KcAdminClient, rep: Record<string, string>) => {
  const f = await failure(client.realms.testLDAPConnection({ realm: 'runai' }, rep));
  expect(f.status).toBe(400);
  expect(f.message).toBe((f.data as { errorMessage: string }).errorMessage);
  return (f.data as { errorMessage: string }).errorMessage;
};

describe('testLDAPConnection', () => {
  it('testConnection and testAuthentication succeed with 204', async () => {
    await kc.realms.testLDAPConnection({ realm: 'runai' }, auth({ action: 'testConnection' }));
    await kc.realms.testLDAPConnection({ realm: 'runai' }, auth());
    expect(emu.requests.filter((r) => r.path === '/admin/realms/runai/testLDAPConnection').map((r) => r.status)).toEqual([204, 204]);
    expect(emu.writes()).toEqual([]); // testing is not a write
  });

  it('wrong password → AuthenticationFailure; testConnection ignores credentials', async () => {
    expect(await code(kc, auth({ bindCredential: 'wrong' }))).toBe('AuthenticationFailure');
    await kc.realms.testLDAPConnection({ realm: 'runai' }, auth({ action: 'testConnection', bindCredential: 'wrong' }));
  });

  it('empty bind DN with simple auth → InvalidBindDN; authType none → anonymous bind succeeds', async () => {
    expect(await code(kc, auth({ bindDn: '' }))).toBe('InvalidBindDN');
    await kc.realms.testLDAPConnection({ realm: 'runai' }, auth({ bindDn: '', bindCredential: '', authType: 'none' }));
  });

  it('connection refused → ConnectionFailed; unknown host → UnknownHost; bad URL → MalformedURL; bad action → NamingError', async () => {
    expect(await code(kc, auth({ connectionUrl: 'ldap://127.0.0.1:1' }))).toBe('ConnectionFailed');
    expect(await code(kc, auth({ connectionUrl: 'ldap://no-such-host.invalid:389' }))).toBe('UnknownHost');
    expect(await code(kc, auth({ connectionUrl: 'http//nope' }))).toBe('MalformedURL');
    expect(await code(kc, auth({ action: 'bogus' }))).toBe('NamingError');
  });

  it('space-separated URLs fail over to the next one', async () => {
    await kc.realms.testLDAPConnection({ realm: 'runai' }, auth({ connectionUrl: `ldap://127.0.0.1:1 ${dir.url}` }));
  });

  it('connectionTimeout bounds a server that never answers', async () => {
    const t0 = Date.now();
    expect(await code(kc, auth({ connectionUrl: `ldap://127.0.0.1:${blackholePort}`, connectionTimeout: '500' }))).toBe('NamingError');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('LDAPS: trusted CA → 204; not in Keycloak truststore → SSLHandshakeFailed, while testConnection still passes (quirk)', async () => {
    await kc.realms.testLDAPConnection({ realm: 'runai' }, auth({ connectionUrl: dir.ldapsUrl }));
    expect(await code(kcBare, auth({ connectionUrl: dir.ldapsUrl }))).toBe('SSLHandshakeFailed');
    await kcBare.realms.testLDAPConnection({ realm: 'runai' }, auth({ action: 'testConnection', connectionUrl: dir.ldapsUrl }));
    expect(await code(kc, auth({ connectionUrl: dir.ldapsUrl, useTruststoreSpi: 'never' }))).toBe('SSLHandshakeFailed');
  });

  it('StartTLS: trusted → 204; untrusted → SSLHandshakeFailed even for testConnection', async () => {
    await kc.realms.testLDAPConnection({ realm: 'runai' }, auth({ startTls: 'true' }));
    expect(await code(kcBare, auth({ startTls: 'true' }))).toBe('SSLHandshakeFailed');
    expect(await code(kcBare, auth({ action: 'testConnection', startTls: 'true' }))).toBe('SSLHandshakeFailed');
  });

  it('componentId + mask: stored secret reused only when URL list and bind DN (case-insensitively) match', async () => {
    const { id } = await kc.components.create(openldapPayload(dir));
    const masked = (x: Record<string, string> = {}) => auth({ componentId: id, bindCredential: '**********', ...x });
    await kc.realms.testLDAPConnection({ realm: 'runai' }, masked({ bindDn: dir.bindDn.toUpperCase() }));
    const other = dir.url.replace('127.0.0.1', 'localhost');
    expect(await code(kc, masked({ connectionUrl: other }))).toBe('AuthenticationFailure');
    expect(await code(kc, masked({ connectionUrl: `${dir.url} ${dir.url}` }))).toBe('AuthenticationFailure');
    expect(await code(kc, masked({ componentId: 'unknown' }))).toBe('AuthenticationFailure');
  });

  it('the deprecated form-encoded variant takes the same fields', async () => {
    const post = (body: Record<string, string>) =>
      fetch(`${emu.url}/admin/realms/runai/testLDAPConnection`, {
        method: 'POST',
        headers: { authorization: `Bearer ${kc.accessToken}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });
    expect((await post(auth())).status).toBe(204);
    const bad = await post(auth({ bindCredential: 'nope' }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ errorMessage: 'AuthenticationFailure' });
  });
});

describe("Keycloak's own view of the network (state.network, a test device)", () => {
  it('a host that is reachable from the test but refused, unresolvable or reached over LDAPS from "Keycloak"', async () => {
    const hostPort = new URL(dir.url).host;
    try {
      emu.state.network.set(hostPort, '127.0.0.1:1');
      expect(await code(kc, auth())).toBe('ConnectionFailed');
      expect(await code(kc, auth({ action: 'testConnection' }))).toBe('ConnectionFailed');
      emu.state.network.set(hostPort, 'unresolvable');
      expect(await code(kc, auth())).toBe('UnknownHost');
      expect(await code(kc, auth({ action: 'testConnection' }))).toBe('UnknownHost');
      // routed elsewhere, TLS still checks the name in the URL: LDAPS to 127.0.0.1 routed to localhost works
      const ldaps = new URL(dir.ldapsUrl);
      emu.state.network.set(ldaps.host, `localhost:${ldaps.port}`);
      await kc.realms.testLDAPConnection({ realm: 'runai' }, auth({ connectionUrl: dir.ldapsUrl }));
    } finally {
      emu.state.network.clear();
    }
    await kc.realms.testLDAPConnection({ realm: 'runai' }, auth());
  });
});
