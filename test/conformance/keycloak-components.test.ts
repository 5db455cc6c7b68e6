// Components CRUD of the Keycloak emulator (keycloak.md §1.3, §1.4, §6) through the real admin client.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startKeycloakEmulator, type KeycloakEmulator } from '../world/keycloak/index.js';
import { javaHashSetOrder, javaStringHash } from '../world/keycloak/java-order.js';
import { adminClient, failure, openldapPayload } from '../world/keycloak/testkit.js';
import type KcAdminClient from '@keycloak/keycloak-admin-client';

const USP = 'org.keycloak.storage.UserStorageProvider';
const world = inject('world');
let emu: KeycloakEmulator;
let kc: KcAdminClient;
let realmId: string;
beforeAll(async () => {
  emu = await startKeycloakEmulator();
  kc = await adminClient(emu);
  realmId = (await kc.realms.findOne({ realm: 'runai' }))!.id!;
});
afterAll(() => emu.close());
beforeEach(() => emu.resetRequests());

describe('create / find / findOne', () => {
  it('201 + Location; trailing-slash collection URL; parentId defaults to the realm id; 22-char base64url id', async () => {
    const { id } = await kc.components.create(openldapPayload(world.openldap));
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const post = emu.requests.find((r) => r.method === 'POST')!;
    expect(post.path).toBe('/admin/realms/runai/components/');
    expect(post.status).toBe(201);
    const got = await kc.components.findOne({ id });
    expect(got!.parentId).toBe(realmId);
    expect(got!.config!.connectionUrl).toEqual([world.openldap.url]);
    // also without the trailing slash
    const res = await fetch(`${emu.url}/admin/realms/runai/components`, {
      method: 'POST', headers: { authorization: `Bearer ${kc.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...openldapPayload(world.openldap), name: 'noslash' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${emu.url}/admin/realms/runai/components/[A-Za-z0-9_-]{22}$`));
    expect(await res.text()).toBe('');
  });

  it('a client-supplied id is honoured; mappers get UUIDs', async () => {
    const { id } = await kc.components.create({ ...openldapPayload(world.openldap), id: 'my-own-id', name: 'own' });
    expect(id).toBe('my-own-id');
    const mappers = await kc.components.find({ parent: 'my-own-id', type: 'org.keycloak.storage.ldap.mappers.LDAPStorageMapper' });
    expect(mappers.length).toBeGreaterThan(0);
    for (const m of mappers) expect(m.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('duplicate names are allowed (no 409); find by type+name returns both; providerId filter', async () => {
    await kc.components.create({ ...openldapPayload(world.openldap), name: 'dup' });
    await kc.components.create({ ...openldapPayload(world.openldap), name: 'dup' });
    expect(await kc.components.find({ type: USP, name: 'dup' })).toHaveLength(2);
    expect(await kc.components.find({ parent: realmId, type: USP, name: 'dup' })).toHaveLength(2);
    const q = emu.requests.find((r) => r.method === 'GET' && r.query.name === 'dup')!;
    expect(q.path).toBe('/admin/realms/runai/components/');
    const byProvider = await fetch(`${emu.url}/admin/realms/runai/components?type=${USP}&providerId=kerberos`, { headers: { authorization: `Bearer ${kc.accessToken}` } });
    expect(await byProvider.json()).toEqual([]);
    expect((await kc.components.find({ type: USP, name: 'DUP' }))).toHaveLength(0); // exact match
  });

  it('parentId = realm NAME: stored but orphaned — invisible to ?type= with the default parent', async () => {
    const { id } = await kc.components.create({ ...openldapPayload(world.openldap), name: 'orphan', parentId: 'runai' });
    expect((await kc.components.find({ type: USP, name: 'orphan' }))).toHaveLength(0);
    expect((await kc.components.find({ parent: 'runai', type: USP }))).toHaveLength(1);
    expect((await kc.components.findOne({ id }))!.parentId).toBe('runai');
  });

  it('no filter lists every component of the realm, key providers included', async () => {
    const all = await kc.components.find({});
    expect(all.some((c) => c.providerType === 'org.keycloak.keys.KeyProvider')).toBe(true);
  });

  it('unknown id → findOne null; raw 404 "Could not find component"', async () => {
    expect(await kc.components.findOne({ id: 'nope' })).toBeNull();
    const f = await failure(kc.components.update({ id: 'nope' }, { name: 'x' }));
    expect(f.status).toBe(404);
    expect(f.data).toEqual({ error: 'Could not find component' });
  });

  it('invalid provider → 400', async () => {
    const f = await failure(kc.components.create({ name: 'x', providerId: 'nope', providerType: USP, config: {} }));
    expect(f.status).toBe(400);
    expect(f.data).toEqual({ errorMessage: 'Invalid provider type or no such provider' });
  });
});

describe('config representation and secrets', () => {
  it('arrays of strings; unknown keys stored but hidden; bindCredential masked unless a vault reference', async () => {
    const { id } = await kc.components.create(openldapPayload(world.openldap, { madeUpKey: ['x'], relativeCreateDn: [''] }));
    const got = await kc.components.findOne({ id });
    expect(got!.config!.bindCredential).toEqual(['**********']);
    expect(got!.config!.madeUpKey).toBeUndefined();
    expect(got!.config!.relativeCreateDn).toBeUndefined(); // blank dropped on create
    expect(emu.state.realms.get('runai')!.components.get(id)!.config.madeUpKey).toEqual(['x']);
    expect(emu.state.realms.get('runai')!.components.get(id)!.config.bindCredential).toEqual([world.openldap.bindPassword]);
    const listed = (await kc.components.find({ type: USP })).find((c) => c.id === id)!;
    expect(listed.config!.bindCredential).toEqual(['**********']);
    const v = await kc.components.create(openldapPayload(world.openldap, { bindCredential: ['${vault.ldap_pw}'] }));
    expect((await kc.components.findOne({ id: v.id }))!.config!.bindCredential).toEqual(['${vault.ldap_pw}']);
  });

  it('PUT of the GET result (masked credential) keeps the stored secret — also when connectionUrl changed (#47295)', async () => {
    const { id } = await kc.components.create(openldapPayload(world.openldap));
    const got = (await kc.components.findOne({ id }))!;
    await kc.components.update({ id }, { ...got, config: { ...got.config, connectionUrl: ['ldap://elsewhere.invalid:389'] } });
    const stored = emu.state.realms.get('runai')!.components.get(id)!.config;
    expect(stored.bindCredential).toEqual([world.openldap.bindPassword]);
    expect(stored.connectionUrl).toEqual(['ldap://elsewhere.invalid:389']);
    await kc.components.update({ id }, { config: { bindCredential: ['n3w'] } });
    expect(emu.state.realms.get('runai')!.components.get(id)!.config.bindCredential).toEqual(['n3w']);
  });

  it('PUT merges: absent keys untouched, blank first value removes, name changes only when sent', async () => {
    const { id } = await kc.components.create(openldapPayload(world.openldap));
    await kc.components.update({ id }, { config: { usersDn: ['ou=x,dc=example,dc=org'], customUserSearchFilter: [''] } });
    const got = (await kc.components.findOne({ id }))!;
    expect(got.name).toBe('ldap');
    expect(got.config!.usersDn).toEqual(['ou=x,dc=example,dc=org']);
    expect(got.config!.vendor).toEqual(['other']);
    expect(got.config!.customUserSearchFilter).toBeUndefined();
    await kc.components.update({ id }, { name: 'renamed', config: { pagination: [null as unknown as string] } });
    const again = (await kc.components.findOne({ id }))!;
    expect(again.name).toBe('renamed');
    expect(again.config!.pagination).toBeUndefined();
  });

  it('PUT: the first key unknown to the factory (Java HashSet order) stops processing of the rest', async () => {
    expect(javaStringHash('hello')).toBe(99162322); // java "hello".hashCode()
    const keys = ['usersDn', 'zzUnknown', 'bindDn', 'vendor'];
    const order = javaHashSetOrder(keys);
    expect(order).not.toEqual(keys);
    const cut = order.indexOf('zzUnknown');
    const { id } = await kc.components.create(openldapPayload(world.openldap));
    await kc.components.update({ id }, {
      config: { usersDn: ['ou=new,dc=example,dc=org'], zzUnknown: ['1'], bindDn: ['cn=new'], vendor: ['rhds'] },
    });
    const cfg = emu.state.realms.get('runai')!.components.get(id)!.config;
    const expected: Record<string, string> = { usersDn: 'ou=new,dc=example,dc=org', bindDn: 'cn=new', vendor: 'rhds' };
    const before: Record<string, string> = { usersDn: world.openldap.usersDn, bindDn: world.openldap.bindDn, vendor: 'other' };
    for (const [i, k] of order.entries()) {
      if (k === 'zzUnknown') continue;
      expect(cfg[k]).toEqual([i < cut ? expected[k] : before[k]]);
    }
    expect(cfg.zzUnknown).toBeUndefined(); // never stored through PUT
    expect(order.slice(cut + 1).length).toBeGreaterThan(0); // at least one key was really skipped
  });

  it('DELETE cascades to the mappers', async () => {
    const { id } = await kc.components.create(openldapPayload(world.openldap));
    expect((await kc.components.find({ parent: id })).length).toBeGreaterThan(0);
    await kc.components.del({ id });
    expect(await kc.components.findOne({ id })).toBeNull();
    expect(await kc.components.find({ parent: id })).toEqual([]);
    expect((await failure(kc.components.del({ id }))).status).toBe(404);
    expect(emu.writes().map((w) => `${w.method} ${w.status}`)).toEqual(['POST 201', 'DELETE 204', 'DELETE 404']);
  });

  it('sub-component-types lists the LDAP mapper types', async () => {
    const { id } = await kc.components.create(openldapPayload(world.openldap));
    const types = await kc.components.listSubComponents({ id, type: 'org.keycloak.storage.ldap.mappers.LDAPStorageMapper' });
    expect(types.map((t) => t.id)).toContain('user-attribute-ldap-mapper');
  });
});
