// Request recording and fault injection of the Keycloak emulator.
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startKeycloakEmulator, type KeycloakEmulator } from '../world/keycloak/index.js';
import { adminClient, failure, openldapPayload } from '../world/keycloak/testkit.js';

const world = inject('world');
let emu: KeycloakEmulator;
let kc: KcAdminClient;
beforeAll(async () => {
  emu = await startKeycloakEmulator({ adminPassword: 'Sup3r-secret' });
  kc = await adminClient(emu);
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.faults.clear();
  emu.resetRequests();
});

describe('recording', () => {
  it('records method, path, query, lower-case headers, parsed body, status; redacts secrets', async () => {
    await kc.components.find({ type: 'org.keycloak.storage.UserStorageProvider', name: 'ldap' });
    const r = emu.requests[0]!;
    expect(r).toMatchObject({ method: 'GET', path: '/admin/realms/runai/components/', status: 200 });
    expect(r.query).toEqual({ type: 'org.keycloak.storage.UserStorageProvider', name: 'ldap' });
    expect(r.headers.authorization).toBe('[redacted]');
    expect(r.headers.accept).toBe('application/json, text/plain, */*');
    expect(typeof r.at).toBe('number');
    await adminClient(emu);
    expect(JSON.stringify(emu.requests)).not.toContain('Sup3r-secret');
  });

  it('a read-only session has zero writes; a create is one', async () => {
    await kc.realms.findOne({ realm: 'runai' });
    await kc.components.find({});
    expect(emu.writes()).toEqual([]);
    await kc.components.create(openldapPayload(world.openldap));
    expect(emu.writes().map((w) => [w.method, w.path, w.status])).toEqual([['POST', '/admin/realms/runai/components/', 201]]);
    expect((emu.writes()[0]!.body as { name: string }).name).toBe('ldap');
  });
});

describe('faults', () => {
  it('500 once on a given call, then normal again', async () => {
    emu.faults.add({ method: 'GET', path: '/admin/realms/runai', status: 500, body: { error: 'boom' } });
    const f = await failure(kc.realms.findOne({ realm: 'runai' }));
    expect([f.status, f.data]).toEqual([500, { error: 'boom' }]);
    expect((await kc.realms.findOne({ realm: 'runai' }))!.realm).toBe('runai');
  });

  it('times and RegExp paths; method filter', async () => {
    emu.faults.add({ path: /\/components\/?$/, method: 'POST', status: 503, times: 2 });
    expect((await failure(kc.components.create(openldapPayload(world.openldap)))).status).toBe(503);
    expect((await failure(kc.components.create(openldapPayload(world.openldap)))).status).toBe(503);
    await kc.components.find({}); // GET not affected
    await kc.components.create(openldapPayload(world.openldap));
  });

  it('delay without status slows the real answer', async () => {
    emu.faults.add({ path: '/admin/realms/runai', delayMs: 300 });
    const t0 = Date.now();
    expect((await kc.realms.findOne({ realm: 'runai' }))!.realm).toBe('runai');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('hang: the client times out (bounded); the token endpoint can fail too', async () => {
    const slow = new KcAdminClient({ baseUrl: emu.url, realmName: 'master', timeout: 300 });
    slow.setAccessToken(kc.accessToken!);
    slow.setConfig({ realmName: 'runai' });
    emu.faults.add({ path: '/admin/realms/runai', hang: true });
    const t0 = Date.now();
    await expect(slow.realms.findOne({ realm: 'runai' })).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(emu.requests.at(-1)!.status).toBe(0); // never answered
    emu.faults.add({ path: '/realms/master/protocol/openid-connect/token', status: 503 });
    expect((await failure(adminClient(emu))).status).toBe(503);
  });

  it('expireTokens(): next admin call is 401, a fresh auth works', async () => {
    emu.expireTokens();
    expect((await failure(kc.components.find({}))).status).toBe(401);
    kc = await adminClient(emu);
    expect(Array.isArray(await kc.components.find({}))).toBe(true);
  });
});
