// Token endpoint and admin-API authorization of the Keycloak emulator, driven by @keycloak/keycloak-admin-client.
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeycloakEmulator, type KeycloakEmulator } from '../world/keycloak/index.js';
import { adminClient, decodeJwt, failure } from '../world/keycloak/testkit.js';

let emu: KeycloakEmulator;
beforeAll(async () => {
  emu = await startKeycloakEmulator({
    adminPassword: 'p w&d',
    serviceClients: [
      { clientId: 'dirlink', secret: 's3cr:et&', roles: ['manage-realm', 'view-realm'] },
      { clientId: 'viewer', secret: 'v', roles: ['view-realm'] },
      { clientId: 'nobody', secret: 'n', roles: [] },
    ],
  });
});
afterAll(() => emu.close());

const kcFor = () => new KcAdminClient({ baseUrl: emu.url, realmName: 'master' });

describe('token endpoint', () => {
  it('password grant for the master admin via admin-cli: JWT with exp/iat/iss/azp/preferred_username and a refresh token', async () => {
    const kc = kcFor();
    await kc.auth({ grantType: 'password', clientId: 'admin-cli', username: 'admin', password: 'p w&d' });
    const claims = decodeJwt(kc.accessToken!);
    expect(claims.iss).toBe(`${emu.url}/realms/master`);
    expect(claims.azp).toBe('admin-cli');
    expect(claims.preferred_username).toBe('admin');
    expect((claims.exp as number) - (claims.iat as number)).toBe(60);
    expect(kc.refreshToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const tokenReq = emu.requests.find((r) => r.path === '/realms/master/protocol/openid-connect/token')!;
    expect(tokenReq.body).toEqual({ username: 'admin', password: '[redacted]', grant_type: 'password', client_id: 'admin-cli' });
  });

  it('bad admin password → 401 invalid_grant "Invalid user credentials"', async () => {
    const f = await failure(kcFor().auth({ grantType: 'password', clientId: 'admin-cli', username: 'admin', password: 'nope' }));
    expect(f.status).toBe(401);
    expect(f.data).toEqual({ error: 'invalid_grant', error_description: 'Invalid user credentials' });
  });

  it('unknown admin user → 400 invalid_grant "Invalid user credentials" (ValidateUsername)', async () => {
    const f = await failure(kcFor().auth({ grantType: 'password', clientId: 'admin-cli', username: 'nobody', password: 'p w&d' }));
    expect(f.status).toBe(400);
    expect(f.data).toEqual({ error: 'invalid_grant', error_description: 'Invalid user credentials' });
  });

  it('client_credentials with Basic auth (url-encoded secret) gives no refresh token', async () => {
    const kc = kcFor();
    await kc.auth({ grantType: 'client_credentials', clientId: 'dirlink', clientSecret: 's3cr:et&' });
    expect(kc.refreshToken).toBeUndefined();
    expect(decodeJwt(kc.accessToken!).azp).toBe('dirlink');
    expect(emu.requests.at(-1)!.headers.authorization).toBe('[redacted]');
    kc.setConfig({ realmName: 'runai' });
    expect((await kc.realms.findOne({ realm: 'runai' }))!.realm).toBe('runai');
  });

  it('client_credentials with client_secret in the form works too', async () => {
    const res = await fetch(`${emu.url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'viewer', client_secret: 'v' }),
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as Record<string, unknown>;
    expect(json.token_type).toBe('Bearer');
    expect(json.expires_in).toBe(60);
    expect(json.refresh_token).toBeUndefined();
  });

  it('bad client secret → 401 invalid_client', async () => {
    const f = await failure(kcFor().auth({ grantType: 'client_credentials', clientId: 'dirlink', clientSecret: 'wrong' }));
    expect(f.status).toBe(401);
    expect(f.data).toEqual({ error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' });
  });

  it('refresh_token grant returns a new access token; a garbage refresh token is invalid_grant', async () => {
    const kc = kcFor();
    await kc.auth({ grantType: 'password', clientId: 'admin-cli', username: 'admin', password: 'p w&d' });
    const before = kc.accessToken;
    await kc.auth({ grantType: 'refresh_token', clientId: 'admin-cli', refreshToken: kc.refreshToken! });
    expect(kc.accessToken).not.toBe(before);
    const f = await failure(kcFor().auth({ grantType: 'refresh_token', clientId: 'admin-cli', refreshToken: 'x.y.z' }));
    expect(f.status).toBe(400);
    expect(f.data).toEqual({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
  });
});

describe('admin API authorization', () => {
  it('no bearer token → 401', async () => {
    const res = await fetch(`${emu.url}/admin/realms/runai`);
    expect(res.status).toBe(401);
  });

  it('an expired token → 401 (short lifespan emulator)', async () => {
    const short = await startKeycloakEmulator({ tokenLifespanSeconds: 1 });
    try {
      const res = await fetch(`${short.url}/realms/master/protocol/openid-connect/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }),
      });
      const { access_token: token, expires_in: ttl } = (await res.json()) as { access_token: string; expires_in: number };
      expect(ttl).toBe(1);
      const ok = await fetch(`${short.url}/admin/realms/runai`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      const late = await fetch(`${short.url}/admin/realms/runai`, { headers: { authorization: `Bearer ${token}` } });
      expect(late.status).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('expireTokens(): the admin client, still trusting its token, gets 401', async () => {
    const kc = await adminClient(emu);
    await kc.realms.findOne({ realm: 'runai' });
    emu.expireTokens();
    expect((await failure(kc.realms.findOne({ realm: 'runai' }))).status).toBe(401);
  });

  it('a service client without manage-realm gets 403 on writes; without view-realm 403 on reads', async () => {
    const viewer = kcFor();
    await viewer.auth({ grantType: 'client_credentials', clientId: 'viewer', clientSecret: 'v' });
    viewer.setConfig({ realmName: 'runai' });
    expect(Array.isArray(await viewer.components.find({}))).toBe(true);
    const w = await failure(viewer.components.create({ name: 'x', providerId: 'ldap', providerType: 'org.keycloak.storage.UserStorageProvider', config: { editMode: ['READ_ONLY'] } }));
    expect(w.status).toBe(403);
    const t = await failure(viewer.realms.testLDAPConnection({ realm: 'runai' }, { action: 'testConnection', connectionUrl: 'ldap://127.0.0.1:1' }));
    expect(t.status).toBe(403);
    const nobody = kcFor();
    await nobody.auth({ grantType: 'client_credentials', clientId: 'nobody', clientSecret: 'n' });
    expect((await failure(nobody.realms.findOne({ realm: 'runai' }))).status).toBe(403);
  });
});

describe('realms and admin-cli', () => {
  it('realm id differs from its name; list and 404', async () => {
    const kc = await adminClient(emu);
    const r = await kc.realms.findOne({ realm: 'runai' });
    expect(r!.realm).toBe('runai');
    expect(r!.id).toBe(emu.state.realms.get('runai')!.id);
    expect(r!.id).not.toBe('runai');
    expect(r!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await kc.realms.find()).map((x) => x.realm).sort()).toEqual(['master', 'runai']);
    expect(await kc.realms.findOne({ realm: 'nope' })).toBeNull();
    const res = await fetch(`${emu.url}/admin/realms/nope`, { headers: { authorization: `Bearer ${kc.accessToken}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Realm not found.' });
  });

  it('admin-cli exists per realm, public, direct grants on; state can turn them off', async () => {
    const kc = await adminClient(emu);
    const [cli] = await kc.clients.find({ clientId: 'admin-cli' });
    expect(cli).toMatchObject({ clientId: 'admin-cli', publicClient: true, directAccessGrantsEnabled: true, standardFlowEnabled: false });
    emu.state.realms.get('runai')!.clients.find((c) => c.clientId === 'admin-cli')!.directAccessGrantsEnabled = false;
    const [after] = await kc.clients.find({ clientId: 'admin-cli' });
    expect(after!.directAccessGrantsEnabled).toBe(false);
    emu.state.realms.get('runai')!.clients.find((c) => c.clientId === 'admin-cli')!.directAccessGrantsEnabled = true;
  });

  it('serverinfo reports the configured version', async () => {
    const kc = await adminClient(emu);
    expect((await kc.serverInfo.find()).systemInfo?.version).toBe('26.4.0');
  });
});
