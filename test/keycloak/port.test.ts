// dirlink's Keycloak port (src/keycloak/admin.ts on node:http) against the emulator, checked
// against @keycloak/keycloak-admin-client, which it replaced: every call sends the request that
// client sent, and every failure is the KeycloakError the pipeline expects.
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectKeycloak } from '../../src/keycloak/admin.js';
import { LDAP_MAPPER_TYPE, LDAP_PROVIDER_TYPE, type Component, type KeycloakPort } from '../../src/keycloak/types.js';
import { startEcho } from '../kubernetes/echo.js';
import { startKeycloakEmulator, type KeycloakEmulator, type RecordedRequest } from '../world/keycloak/index.js';
import { openldapPayload } from '../world/keycloak/testkit.js';

const world = inject('world');
const PASSWORD = 'port-admin';
const failure = async (p: Promise<unknown>): Promise<any> => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e);
/**
 * What identifies a request on the wire (the token itself differs between clients). Two differences
 * Keycloak ignores are left out: the admin client ends collection paths with "/" and sends "{}" with
 * a DELETE.
 */
const wire = (r: RecordedRequest) => ({
  method: r.method, path: r.path.replace(/(.)\/$/, '$1'), query: r.query, status: r.status,
  ...(r.method === 'DELETE' ? {} : { contentType: r.headers['content-type']?.split(';')[0], body: r.body }),
});

describe('the port sends what @keycloak/keycloak-admin-client sent', () => {
  let emu: KeycloakEmulator;
  beforeAll(async () => { emu = await startKeycloakEmulator({ adminPassword: PASSWORD }); });
  afterAll(async () => { await emu?.close(); });

  it('login, realm reads, federation and mapper lists, component create/read/update/delete, LDAP test, client lookups', async () => {
    const fed = openldapPayload(world.openldap) as unknown as Component;
    // dirlink's port
    emu.resetRequests();
    const port = await connectKeycloak({ baseUrl: emu.url, auth: { kind: 'password', user: 'admin', password: PASSWORD } });
    const realm = (await port.getRealm('runai'))!;
    expect(await port.getRealm('no-such-realm')).toBeUndefined();
    expect(await port.listRealms()).toEqual(['master', 'runai']);
    expect(await port.listLdapProviders(realm)).toEqual([]);
    const id = await port.createComponent(realm, { ...fed, parentId: realm.id });
    expect((await port.getComponent(realm, id))?.name).toBe('ldap');
    const mappers = await port.listMappers(realm, id);
    expect(mappers.length).toBeGreaterThan(0);
    await port.updateComponent(realm, id, { ...fed, id, parentId: realm.id, config: { ...fed.config, pagination: ['false'] } });
    expect(await port.testLdapConnection(realm, { action: 'testAuthentication', connectionUrl: world.openldap.url, bindDn: world.openldap.bindDn, bindCredential: 'wrong', authType: 'simple', useTruststoreSpi: 'always', connectionTimeout: '5000', startTls: 'false' }))
      .toEqual({ ok: false, code: 'AuthenticationFailure' });
    expect(await port.findClient(realm, 'admin-cli')).toMatchObject({ enabled: true, publicClient: true, directAccessGrantsEnabled: true });
    expect(await port.listClientIds(realm)).toContain('admin-cli');
    await port.deleteComponent(realm, id);
    expect(await port.getComponent(realm, id)).toBeUndefined();
    const ours = emu.requests.map(wire);
    expect(port.requestCount).toBe(ours.length);

    // the same calls through the admin client
    emu.resetRequests();
    const kc = new KcAdminClient({ baseUrl: emu.url, realmName: 'master' });
    await kc.auth({ grantType: 'password', clientId: 'admin-cli', username: 'admin', password: PASSWORD });
    const r = (await kc.realms.findOne({ realm: 'runai' }))!;
    await kc.realms.findOne({ realm: 'no-such-realm' });
    await kc.realms.find();
    await kc.components.find({ realm: 'runai', parent: r.id, type: LDAP_PROVIDER_TYPE });
    const created = await kc.components.create({ realm: 'runai', ...fed, parentId: r.id });
    await kc.components.findOne({ realm: 'runai', id: created.id });
    await kc.components.find({ realm: 'runai', parent: created.id, type: LDAP_MAPPER_TYPE });
    await kc.components.update({ realm: 'runai', id: created.id }, { ...fed, id: created.id, parentId: r.id, config: { ...fed.config, pagination: ['false'] } });
    await kc.realms.testLDAPConnection({ realm: 'runai' }, { action: 'testAuthentication', connectionUrl: world.openldap.url, bindDn: world.openldap.bindDn, bindCredential: 'wrong', authType: 'simple', useTruststoreSpi: 'always', connectionTimeout: '5000', startTls: 'false' }).catch(() => {});
    await kc.clients.find({ realm: 'runai', clientId: 'admin-cli' });
    await kc.clients.find({ realm: 'runai' });
    await kc.components.del({ realm: 'runai', id: created.id });
    await kc.components.findOne({ realm: 'runai', id: created.id });
    const theirs = emu.requests.map(wire);

    // ids differ between the two runs; everything else is the same request with the same answer
    const sameIds = (list: ReturnType<typeof wire>[], realmId: string, compId: string) => JSON.parse(JSON.stringify(list).replaceAll(realmId, 'REALM').replaceAll(compId, 'COMP'));
    expect(sameIds(ours, realm.id, id)).toEqual(sameIds(theirs, r.id!, created.id));
  });

  it('client credentials: the secret goes in a Basic header, form-encoded as the admin client does it', async () => {
    const e = await startKeycloakEmulator({ adminPassword: PASSWORD, serviceClients: [{ clientId: 'dir link', secret: 's3cr+t &x' }] });
    try {
      const port = await connectKeycloak({ baseUrl: e.url, auth: { kind: 'client', clientId: 'dir link', clientSecret: 's3cr+t &x' } });
      expect(await port.getRealm('runai')).toBeDefined();
      const ours = e.requests[0]!;
      e.resetRequests();
      await new KcAdminClient({ baseUrl: e.url, realmName: 'master' }).auth({ grantType: 'client_credentials', clientId: 'dir link', clientSecret: 's3cr+t &x' });
      const theirs = e.requests[0]!;
      expect(ours.headers.authorization).toBe(theirs.headers.authorization);
      expect(wire(ours)).toEqual(wire(theirs));
    } finally {
      await e.close();
    }
  });
});

describe('failures become the KeycloakError that says what to do', () => {
  let emu: KeycloakEmulator;
  let port: KeycloakPort;
  beforeAll(async () => {
    emu = await startKeycloakEmulator({ adminPassword: PASSWORD });
    port = await connectKeycloak({ baseUrl: emu.url, auth: { kind: 'password', user: 'admin', password: PASSWORD }, timeoutMs: 1000 });
  });
  afterAll(async () => { await emu?.close(); });

  it('a wrong password is keycloak.unauthorized; nothing listening is keycloak.unreachable', async () => {
    expect(await failure(connectKeycloak({ baseUrl: emu.url, auth: { kind: 'password', user: 'admin', password: 'nope' } })))
      .toMatchObject({ code: 'keycloak.unauthorized', field: 'keycloakPassword', exitCode: 4 });
    expect(await failure(connectKeycloak({ baseUrl: 'http://127.0.0.1:1', auth: { kind: 'password', user: 'admin', password: 'x' } })))
      .toMatchObject({ code: 'keycloak.unreachable', message: expect.stringContaining('connection refused') });
  });

  it('an untrusted certificate is keycloak.unreachable with the NODE_EXTRA_CA_CERTS hint', async () => {
    const tls = await startEcho(true);
    try {
      const e = await failure(connectKeycloak({ baseUrl: tls.url, auth: { kind: 'password', user: 'admin', password: 'x' } }));
      expect(e).toMatchObject({ code: 'keycloak.unreachable', message: expect.stringContaining('TLS error'), hint: expect.stringContaining('NODE_EXTRA_CA_CERTS') });
    } finally {
      await tls.close();
    }
  });

  it('an expired token is renewed and the request retried once; a hung request ends at the timeout', async () => {
    const realm = (await port.getRealm('runai'))!;
    emu.expireTokens();
    const before = port.requestCount;
    expect(await port.listLdapProviders(realm)).toEqual([]);
    expect(port.requestCount - before).toBe(3); // the 401, the login, the retry
    emu.faults.add({ path: /\/components$/, hang: true, times: 1 });
    expect(await failure(port.listLdapProviders(realm))).toMatchObject({ code: 'keycloak.unreachable', message: expect.stringMatching(/no answer within \d+ m?s/) });
  });

  it('403 is keycloak.forbidden, 500 keycloak.server-error, 400 on a write keycloak.rejected with Keycloak\'s message', async () => {
    const realm = (await port.getRealm('runai'))!;
    emu.faults.add({ path: /\/components$/, status: 403, body: { error: 'HTTP 403 Forbidden' }, times: 1 });
    expect(await failure(port.listLdapProviders(realm))).toMatchObject({ code: 'keycloak.forbidden' });
    emu.faults.add({ path: /\/components$/, status: 500, body: { error: 'unknown_error' }, times: 1 });
    expect(await failure(port.listLdapProviders(realm))).toMatchObject({ code: 'keycloak.server-error', data: { status: 500 } });
    emu.faults.add({ method: 'POST', path: /\/components$/, status: 400, body: { errorMessage: 'Invalid config' }, times: 1 });
    expect(await failure(port.createComponent(realm, { name: 'x', providerId: 'ldap', providerType: LDAP_PROVIDER_TYPE, parentId: realm.id, config: {} })))
      .toMatchObject({ code: 'keycloak.rejected', message: expect.stringContaining('Invalid config') });
  });
});
