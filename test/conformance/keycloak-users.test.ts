// Federated users (import off) and directory-user login through the Keycloak emulator (keycloak.md §7, §10.6).
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startKeycloakEmulator, type KeycloakEmulator } from '../world/keycloak/index.js';
import { adPayload, adminClient, decodeJwt, directoryLogin, failure, openldapPayload } from '../world/keycloak/testkit.js';

const MAPPER = 'org.keycloak.storage.ldap.mappers.LDAPStorageMapper';
const world = inject('world');
const dir = world.openldap;
const normal = dir.users.normal;
let emu: KeycloakEmulator;
let kc: KcAdminClient;
let ldapId: string;

beforeAll(async () => {
  emu = await startKeycloakEmulator({ truststore: [dir.caFile] });
  kc = await adminClient(emu);
  ldapId = (await kc.components.create(openldapPayload(dir))).id;
});
afterAll(() => emu.close());

async function setEmailAttribute(attr: string) {
  const [email] = await kc.components.find({ parent: ldapId, type: MAPPER, name: 'email' });
  await kc.components.update({ id: email!.id! }, { config: { 'ldap.attribute': [attr] } });
}

describe('federated user search (import off)', () => {
  it('username + exact=true: id f:<componentId>:<username>, LDAP_ID / LDAP_ENTRY_DN, no federationLink', async () => {
    const users = await kc.users.find({ username: normal, exact: true });
    expect(users).toHaveLength(1);
    const u = users[0]!;
    expect(u.id).toBe(`f:${ldapId}:${normal}`);
    expect(u.username).toBe(normal);
    expect(u.federationLink).toBeUndefined();
    expect(u.attributes!.LDAP_ENTRY_DN).toEqual([`uid=${normal},${dir.usersDn}`]);
    expect(u.attributes!.LDAP_ID![0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(u.emailVerified).toBe(true); // trustEmail
    expect(emu.requests.at(-1)!.path).toBe('/admin/realms/runai/users/');
    const one = await kc.users.findOne({ id: u.id! });
    expect(one!.username).toBe(normal);
    expect(await kc.users.findOne({ id: `f:${ldapId}:nobody-here` })).toBeNull();
  });

  it('search=prefix finds users through the mapped attributes; first/max paginate', async () => {
    const page = await kc.users.find({ search: 'user0000', max: 5 });
    expect(page).toHaveLength(5);
    expect(page.every((x) => x.username!.startsWith('user0000'))).toBe(true);
    expect(await kc.users.find({ search: `"${normal}"` })).toHaveLength(1);
    expect(await kc.users.find({ username: 'no-such-user-xyz', exact: true })).toEqual([]);
  });

  it('no query parameters lists no federated users', async () => {
    expect(await kc.users.find({})).toEqual([]);
  });

  it('duplicate emails among results fail the search (500 unknown_error, chosen per #30040)', async () => {
    await setEmailAttribute('objectClass'); // every entry shares "inetOrgPerson": guaranteed duplicates
    try {
      const f = await failure(kc.users.find({ search: 'user0000' }));
      expect(f.status).toBe(500);
      expect(f.data).toEqual({ error: 'unknown_error', error_description: 'For more on this error consult the server log.' });
      expect(await kc.users.find({ username: normal, exact: true })).toHaveLength(1); // one result: no duplicate
    } finally {
      await setEmailAttribute('mail');
    }
  });

  it('a provider with a wrong bind password fails the whole search (#41083)', async () => {
    await kc.components.update({ id: ldapId }, { config: { bindCredential: ['wrong'] } });
    try {
      expect((await failure(kc.users.find({ search: 'user' }))).status).toBe(500);
    } finally {
      await kc.components.update({ id: ldapId }, { config: { bindCredential: [dir.bindPassword] } });
    }
  });
});

describe('password login of a directory user', () => {
  it('200 with claims from the mappers (uid/uid: first name ← cn)', async () => {
    const { status, json } = await directoryLogin(emu, normal, dir.userPassword);
    expect(status).toBe(200);
    const claims = decodeJwt(json.access_token as string);
    expect(claims.preferred_username).toBe(normal);
    expect(claims.iss).toBe(`${emu.url}/realms/runai`);
    expect(claims.azp).toBe('admin-cli');
    expect(claims.sub).toBe(`f:${ldapId}:${normal}`);
    const [u] = await kc.users.find({ username: normal, exact: true });
    expect(claims.email).toBe(u!.email);
    expect(claims.given_name).toBe(u!.firstName);
    expect(claims.family_name).toBe(u!.lastName);
    expect(typeof json.refresh_token).toBe('string');
  });

  it('bad password → 401, unknown user → 400: both invalid_grant "Invalid user credentials" (ValidatePassword / ValidateUsername)', async () => {
    for (const [u, p, status] of [[normal, 'wrong', 401], [normal, '', 401], ['no-such-user-xyz', 'x', 400]] as const) {
      const { status: got, json } = await directoryLogin(emu, u, p);
      expect([u, p, got]).toEqual([u, p, status]);
      expect(json).toEqual({ error: 'invalid_grant', error_description: 'Invalid user credentials' });
    }
  });

  it('missing email in the mapped entry → 400 "Account is not fully set up"', async () => {
    await setEmailAttribute('description'); // absent on the seeded users
    try {
      const { status, json } = await directoryLogin(emu, normal, dir.userPassword);
      expect(status).toBe(400);
      expect(json).toEqual({ error: 'invalid_grant', error_description: 'Account is not fully set up' });
    } finally {
      await setEmailAttribute('mail');
    }
  });

  it.skipIf(dir.users.noMail.length === 0)('world noMail user → "Account is not fully set up"', async () => {
    const { status, json } = await directoryLogin(emu, dir.users.noMail[0]!, dir.userPassword);
    expect([status, json.error_description]).toEqual([400, 'Account is not fully set up']);
  });

  it('admin-cli without direct grants → 400 unauthorized_client; an unknown client → 401 invalid_client', async () => {
    const cli = emu.state.realms.get('runai')!.clients.find((c) => c.clientId === 'admin-cli')!;
    cli.directAccessGrantsEnabled = false;
    try {
      const { status, json } = await directoryLogin(emu, normal, dir.userPassword);
      expect(status).toBe(400);
      expect(json).toEqual({ error: 'unauthorized_client', error_description: 'Client not allowed for direct access grants' });
    } finally {
      cli.directAccessGrantsEnabled = true;
    }
    expect((await directoryLogin(emu, normal, dir.userPassword, 'runai', 'nope')).json.error).toBe('invalid_client');
  });

  it('a directory user token cannot administer the realm (403)', async () => {
    const { json } = await directoryLogin(emu, normal, dir.userPassword);
    const res = await fetch(`${emu.url}/admin/realms/runai`, { headers: { authorization: `Bearer ${json.access_token as string}` } });
    expect(res.status).toBe(403);
  });
});

// Active Directory specifics: run once the Samba AD test world is in place (world.ad.kind === 'samba-ad').
describe.skipIf(world.ad.kind !== 'samba-ad')('Samba AD (Run:AI configuration)', () => {
  const ad = world.ad;
  let emuAd: KeycloakEmulator;
  let kcAd: KcAdminClient;
  let adId: string;
  beforeAll(async () => {
    emuAd = await startKeycloakEmulator({ truststore: [ad.caFile] });
    kcAd = await adminClient(emuAd);
    adId = (await kcAd.components.create(adPayload(ad))).id;
    const [email] = await kcAd.components.find({ parent: adId, type: MAPPER, name: 'email' });
    await kcAd.components.update({ id: email!.id! }, { config: { 'ldap.attribute': ['userPrincipalName'] } });
  });
  afterAll(() => emuAd?.close());

  it('search by sAMAccountName; LDAP_ID is the objectGUID string; full name split from cn', async () => {
    const [u] = await kcAd.users.find({ username: ad.users.normal, exact: true });
    expect(u!.username).toBe(ad.users.normal.toLowerCase());
    expect(u!.attributes!.LDAP_ID![0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(u!.email).toMatch(/@/);
    expect(u!.lastName).toBeTruthy();
  });

  it('login: email claim = userPrincipalName (lower-cased)', async () => {
    const { status, json } = await directoryLogin(emuAd, ad.users.normal, ad.userPassword);
    expect(status).toBe(200);
    const claims = decodeJwt(json.access_token as string);
    expect(claims.preferred_username).toBe(ad.users.normal.toLowerCase());
    expect(String(claims.email)).toMatch(/@/);
  });

  it.skipIf(!ad.users.disabled)('disabled account (userAccountControl & 2) → 400 "Account disabled"', async () => {
    const { status, json } = await directoryLogin(emuAd, ad.users.disabled!, ad.userPassword);
    expect(status).toBe(400);
    expect(json).toEqual({ error: 'invalid_grant', error_description: 'Account disabled' });
  });

  it.skipIf(!ad.users.mustChangePassword)('must change password (pwdLastSet=0): READ_ONLY → 401 invalid credentials, WRITABLE → "Account is not fully set up"', async () => {
    // the MSAD mapper handles data 773 / pwdLastSet=0 only in WRITABLE mode (processAuthErrorCode)
    const readOnly = await directoryLogin(emuAd, ad.users.mustChangePassword!, ad.userPassword);
    expect([readOnly.status, readOnly.json.error_description]).toEqual([401, 'Invalid user credentials']);
    await kcAd.components.update({ id: adId }, { config: { editMode: ['WRITABLE'] } });
    try {
      const writable = await directoryLogin(emuAd, ad.users.mustChangePassword!, ad.userPassword);
      expect([writable.status, writable.json.error_description]).toEqual([400, 'Account is not fully set up']);
    } finally {
      await kcAd.components.update({ id: adId }, { config: { editMode: ['READ_ONLY'] } });
    }
  });
});
