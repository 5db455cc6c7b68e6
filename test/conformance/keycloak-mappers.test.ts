// Default LDAP mappers (keycloak.md §5) and validation (§4) of the Keycloak emulator.
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startKeycloakEmulator, type KeycloakEmulator } from '../world/keycloak/index.js';
import { adPayload, adminClient, failure, openldapPayload } from '../world/keycloak/testkit.js';

const MAPPER = 'org.keycloak.storage.ldap.mappers.LDAPStorageMapper';
const world = inject('world');
let emu: KeycloakEmulator;
let kc: KcAdminClient;
beforeAll(async () => {
  emu = await startKeycloakEmulator();
  kc = await adminClient(emu);
});
afterAll(() => emu.close());

async function mappersOf(config: Record<string, string[]>, base = openldapPayload(world.openldap)) {
  const { id } = await kc.components.create({ ...base, config: { ...base.config, ...config } });
  const list = await kc.components.find({ parent: id, type: MAPPER });
  return { id, list, byName: Object.fromEntries(list.map((m) => [m.name!, m])) };
}

describe('default mappers', () => {
  it('Run:AI case (AD, sAMAccountName, rdn cn, READ_ONLY): exactly the documented set', async () => {
    const { id, list, byName } = await mappersOf({}, adPayload(world.ad));
    expect(list.map((m) => m.name)).toEqual([
      'username', 'full name', 'last name', 'email', 'creation date', 'modify date', 'MSAD account controls', 'Kerberos principal attribute mapper',
    ]);
    for (const m of list) expect(m.parentId).toBe(id);
    expect(byName.username!.config).toEqual({
      'user.model.attribute': ['username'], 'ldap.attribute': ['sAMAccountName'], 'read.only': ['true'],
      'always.read.value.from.ldap': ['false'], 'is.mandatory.in.ldap': ['true'],
    });
    expect(byName['full name']!.providerId).toBe('full-name-ldap-mapper');
    expect(byName['full name']!.config).toEqual({ 'ldap.full.name.attribute': ['cn'], 'read.only': ['true'], 'write.only': ['false'] });
    expect(byName.email!.config).toEqual({
      'user.model.attribute': ['email'], 'ldap.attribute': ['mail'], 'read.only': ['true'],
      'always.read.value.from.ldap': ['false'], 'is.mandatory.in.ldap': ['false'],
    });
    expect(byName['creation date']!.config!['ldap.attribute']).toEqual(['whenCreated']);
    expect(byName['modify date']!.config!['ldap.attribute']).toEqual(['whenChanged']);
    expect(byName['MSAD account controls']!.providerId).toBe('msad-user-account-control-mapper');
    expect(byName['MSAD account controls']!.config).toEqual({ 'always.read.enabled.value.from.ldap': ['true'] });
    expect(byName['Kerberos principal attribute mapper']!.providerId).toBe('kerberos-principal-attribute-mapper');
    expect((await kc.components.findOne({ id }))!.config!.krbPrincipalAttribute).toEqual(['userPrincipalName']);
  });

  it('AD, sAMAccountName, WRITABLE: first name + username-cn instead of full name', async () => {
    const { list, byName } = await mappersOf({ editMode: ['WRITABLE'] }, adPayload(world.ad));
    expect(list.map((m) => m.name)).toEqual([
      'username', 'first name', 'username-cn', 'last name', 'email', 'creation date', 'modify date', 'MSAD account controls', 'Kerberos principal attribute mapper',
    ]);
    expect(byName['first name']!.config!['ldap.attribute']).toEqual(['givenName']);
    expect(byName['username-cn']!.config!['ldap.attribute']).toEqual(['cn']);
    expect(byName.username!.config!['read.only']).toEqual(['false']);
  });

  it('username = rdn = cn: "first name" from givenName', async () => {
    const { byName } = await mappersOf({ usernameLDAPAttribute: ['cn'], rdnLDAPAttribute: ['cn'] });
    expect(byName['first name']!.config!['ldap.attribute']).toEqual(['givenName']);
    expect(byName['full name']).toBeUndefined();
  });

  it('OpenLDAP (other, uid/uid): first name from cn, createTimestamp/modifyTimestamp, no MSAD, krb5PrincipalName', async () => {
    const { id, list, byName } = await mappersOf({});
    expect(list.map((m) => m.name)).toEqual([
      'username', 'first name', 'last name', 'email', 'creation date', 'modify date', 'Kerberos principal attribute mapper',
    ]);
    expect(byName['first name']!.config!['ldap.attribute']).toEqual(['cn']);
    expect(byName['creation date']!.config!['ldap.attribute']).toEqual(['createTimestamp']);
    expect(byName['modify date']!.config!['ldap.attribute']).toEqual(['modifyTimestamp']);
    expect((await kc.components.findOne({ id }))!.config!.krbPrincipalAttribute).toEqual(['krb5PrincipalName']);
  });

  it('UNSYNCED: read.only true, always.read false; rhds → krbPrincipalName; explicit krbPrincipalAttribute kept', async () => {
    const { id, byName } = await mappersOf({ editMode: ['UNSYNCED'], vendor: ['rhds'], importEnabled: ['true'] });
    expect(byName['last name']!.config!['read.only']).toEqual(['true']);
    expect(byName['last name']!.config!['always.read.value.from.ldap']).toEqual(['false']);
    expect((await kc.components.findOne({ id }))!.config!.krbPrincipalAttribute).toEqual(['krbPrincipalName']);
    const own = await mappersOf({ krbPrincipalAttribute: ['myPrincipal'] });
    expect((await kc.components.findOne({ id: own.id }))!.config!.krbPrincipalAttribute).toEqual(['myPrincipal']);
  });

  it('non-AD WRITABLE with syncRegistrations + password modify op: "random initial password"', async () => {
    const { byName } = await mappersOf({ editMode: ['WRITABLE'], syncRegistrations: ['true'], usePasswordModifyExtendedOp: ['true'] });
    expect(byName['random initial password']!.config).toEqual({ 'ldap.attribute.name': ['userpassword'], 'ldap.attribute.value': ['RANDOM'] });
  });

  it('the wizard recipe: change only the email mapper via a minimal PUT', async () => {
    const { id } = await mappersOf({}, adPayload(world.ad));
    const [email] = await kc.components.find({ parent: id, type: MAPPER, name: 'email' });
    await kc.components.update({ id: email!.id! }, { config: { 'ldap.attribute': ['userPrincipalName'] } });
    const after = (await kc.components.findOne({ id: email!.id! }))!;
    expect(after.config!['ldap.attribute']).toEqual(['userPrincipalName']);
    expect(after.config!['user.model.attribute']).toEqual(['email']);
    expect(await kc.components.find({ parent: id, type: MAPPER, name: 'email' })).toHaveLength(1);
  });
});

describe('validation (400 {"errorMessage"})', () => {
  const cases: [string, Record<string, string[]>, string][] = [
    ['custom filter', { customUserSearchFilter: ['uid=x'] }, 'Custom configured LDAP filter does not start with "(" or does not end with ")".'],
    ['connectionTimeout', { connectionTimeout: ['5s'] }, 'Connection Timeout must be a number'],
    ['readTimeout', { readTimeout: ['x'] }, 'Read Timeout must be a number'],
    ['editMode missing', { editMode: [''] }, 'ldapErrorEditModeMandatory'],
    ['password policy on READ_ONLY', { validatePasswordPolicy: ['true'] }, 'ldapErrorValidatePasswordPolicyAvailableForWritableOnly'],
    ['UNSYNCED + import off', { editMode: ['UNSYNCED'] }, 'Can not disable Importing users when LDAP provider mode is UNSYNCED'],
  ];
  for (const [what, config, message] of cases) {
    it(`create: ${what}`, async () => {
      const before = emu.state.realms.get('runai')!.components.size;
      const f = await failure(kc.components.create(openldapPayload(world.openldap, config)));
      expect(f.status).toBe(400);
      expect(f.data).toEqual({ errorMessage: message });
      expect(emu.state.realms.get('runai')!.components.size).toBe(before);
    });
  }

  it('update validates the merged model and leaves the component unchanged on failure', async () => {
    const { id } = await kc.components.create(openldapPayload(world.openldap));
    const f = await failure(kc.components.update({ id }, { config: { editMode: ['UNSYNCED'], usersDn: ['ou=changed'] } }));
    expect(f.data).toEqual({ errorMessage: 'Can not disable Importing users when LDAP provider mode is UNSYNCED' });
    expect((await kc.components.findOne({ id }))!.config!.usersDn).toEqual([world.openldap.usersDn]);
  });

  it('26.4: StartTLS + pooling and comma URLs are accepted; 26.7 rejects them', async () => {
    const cfg = { startTls: ['true'], connectionPooling: ['true'] };
    await kc.components.create(openldapPayload(world.openldap, { ...cfg, connectionUrl: ['ldap://a:389,ldap://b:389'] }));
    const newer = await startKeycloakEmulator({ version: '26.7.0' });
    try {
      const k2 = await adminClient(newer);
      const f = await failure(k2.components.create(openldapPayload(world.openldap, cfg)));
      expect(f.data).toEqual({ errorMessage: 'Can not enable both StartTLS and connection pooling.' });
      const c = await failure(k2.components.create(openldapPayload(world.openldap, { connectionUrl: ['ldap://a:389,ldap://b:389'] })));
      expect(c.data).toEqual({ errorMessage: 'ldapErrorConnectionUrlContainsComma' });
      const s = await failure(k2.components.create(openldapPayload(world.openldap, { connectionUrl: ['http://a:389'] })));
      expect(s.data).toEqual({ errorMessage: 'ldapErrorInvalidConnectionUrlScheme' });
    } finally {
      await newer.close();
    }
  });

  it('mapper validation: missing LDAP attribute, binary without always-read', async () => {
    const { id } = await kc.components.create(openldapPayload(world.openldap));
    const base = { name: 'm', providerId: 'user-attribute-ldap-mapper', providerType: MAPPER, parentId: id };
    const a = await failure(kc.components.create({ ...base, config: { 'user.model.attribute': ['x'] } }));
    expect(a.data).toEqual({ errorMessage: "Missing configuration for 'LDAP Attribute'" });
    const b = await failure(kc.components.create({ ...base, config: { 'ldap.attribute': ['x'] } }));
    expect(b.data).toEqual({ errorMessage: "Missing configuration for 'User Model Attribute'" });
    const c = await failure(kc.components.create({ ...base, config: { 'user.model.attribute': ['x'], 'ldap.attribute': ['y'], 'is.binary.attribute': ['true'] } }));
    expect(c.status).toBe(400);
    expect(c.data).toEqual({ errorMessage: "With Binary attribute enabled, the ''Always read value from LDAP'' must be enabled too" });
    const [email] = await kc.components.find({ parent: id, type: MAPPER, name: 'email' });
    const d = await failure(kc.components.update({ id: email!.id! }, { config: { 'ldap.attribute': [''] } }));
    expect(d.data).toEqual({ errorMessage: "Missing configuration for 'LDAP Attribute'" });
  });
});
