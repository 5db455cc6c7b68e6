// `dirlink verify` and `setup --verify-user` end to end: a directory user logs in through the realm
// (emulator token endpoint, real LDAP bind), the token's claims are checked against the entry's
// values of the mappers' attributes, and every refusal is exit 6 with Keycloak's own reason.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSandbox, type Sandbox } from './harness.js';

const world = inject('world');
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

describe('verify on Samba AD (email = userPrincipalName)', () => {
  const ad = world.ad;
  let sb: Sandbox;
  const verify = (user: string, env: Record<string, string | undefined> = {}) =>
    sb.run(['verify', '--verify-user', user, '--json'], ad, { env: { DIRLINK_VERIFY_PASSWORD: ad.userPassword, ...env } });
  const realm = () => sb.kc.state.realms.get('runai')!;
  const adminCli = () => realm().clients.find((c) => c.clientId === 'admin-cli')!;

  beforeAll(async () => {
    sb = await startSandbox();
    const r = await sb.run(['setup', '--no-restart'], ad);
    if (r.code !== 0) throw new Error(`setup failed: ${r.stdout}${r.stderr}`);
  });
  afterAll(async () => sb?.close());

  it('alice: logged in, preferred_username and email are the entry\'s sAMAccountName and userPrincipalName', async () => {
    const r = await verify(ad.users.normal);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const v = json(r.stdout).verify;
    expect(v.claims).toMatchObject({ preferred_username: 'alice', email: 'alice@example.test' });
    expect(v.expected).toMatchObject({
      preferred_username: 'alice', email: 'alice@example.test', usernameAttribute: 'sAMAccountName', emailAttribute: 'userPrincipalName',
      from: 'the mappers of federation "ldap"', dn: expect.stringMatching(/^CN=Alice Normal,OU=People,DC=example,DC=test$/i),
    });
    expect(r.stderr).toContain('as the mappers promise');
  });

  it('bob, whose mail differs: the email claim is his userPrincipalName, not his mail', async () => {
    const r = await verify(ad.users.mailDiffers!);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).verify.claims.email).toBe('bob@example.test');
  });

  it('carol has no mail: on AD she still logs in, because email maps to userPrincipalName', async () => {
    const r = await verify(ad.users.noMail[0]!);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).verify.claims.email).toBe('carol@example.test');
  });

  it('wrong password: exit 6, "Invalid user credentials" (HTTP 401)', async () => {
    const r = await verify(ad.users.normal, { DIRLINK_VERIFY_PASSWORD: 'Not-the-Passw0rd' });
    expect(r.code).toBe(6);
    const e = json(r.stdout).error;
    expect(e).toMatchObject({ code: 'verify.invalid-credentials', field: 'verifyUser', data: { status: 401, keycloakReason: 'Invalid user credentials' } });
    expect(e.message).toContain('Invalid user credentials');
    expect(e.hint).toMatch(/verify password/);
    expect(r.stdout + r.stderr).not.toContain('Not-the-Passw0rd');
  });

  it('a user Keycloak cannot find: exit 6, told apart from a wrong password by the 400', async () => {
    const r = await verify('no-such-person');
    expect(r.code).toBe(6);
    const e = json(r.stdout).error;
    expect(e).toMatchObject({ code: 'verify.user-not-found', data: { status: 400, keycloakReason: 'Invalid user credentials' } });
    expect(e.hint).toMatch(/--users-dn and --username-attribute/);
  });

  it('a disabled AD account (gina): exit 6, "Account disabled"', async () => {
    const r = await verify(ad.users.disabled!);
    expect(r.code).toBe(6);
    const e = json(r.stdout).error;
    expect(e).toMatchObject({ code: 'verify.disabled', data: { keycloakReason: 'Account disabled' } });
    expect(e.hint).toMatch(/userAccountControl/);
  });

  it('must change password at next logon (hank) with a READ_ONLY federation: Keycloak says invalid credentials, the hint says why', async () => {
    const r = await verify(ad.users.mustChangePassword!);
    expect(r.code).toBe(6);
    const e = json(r.stdout).error;
    expect(e.code).toBe('verify.invalid-credentials');
    expect(e.hint).toMatch(/data 773/);
  });

  it('a second mapper writing email (Keycloak issue 35194): logged in, but the claim is not what the email mapper promises → exit 6', async () => {
    const fedId = sb.federation()!.id;
    realm().components.set('second-email', {
      id: 'second-email', name: 'mail copy', providerId: 'user-attribute-ldap-mapper', providerType: 'org.keycloak.storage.ldap.mappers.LDAPStorageMapper', parentId: fedId,
      config: { 'user.model.attribute': ['email'], 'ldap.attribute': ['mail'], 'read.only': ['true'], 'always.read.value.from.ldap': ['false'], 'is.mandatory.in.ldap': ['false'] },
    });
    try {
      const r = await verify(ad.users.mailDiffers!);
      expect(r.code).toBe(6);
      const e = json(r.stdout).error;
      expect(e.code).toBe('verify.claims');
      expect(e.message).toMatch(/email is "robert\.builder@mail\.example\.test", but the email mapper promises userPrincipalName = "bob@example\.test"/i);
      expect(r.stderr).toMatch(/2 mappers write email/);
    } finally {
      realm().components.delete('second-email');
    }
  });

  it('admin-cli with direct access grants off: exit 6 saying so (with admin credentials, before any login)', async () => {
    adminCli().directAccessGrantsEnabled = false;
    try {
      sb.kc.resetRequests();
      const r = await verify(ad.users.normal);
      expect(r.code).toBe(6);
      expect(json(r.stdout).error).toMatchObject({ code: 'verify.client', message: expect.stringContaining('direct access grants off') });
      expect(sb.kc.requests.some((q) => q.path === '/realms/runai/protocol/openid-connect/token')).toBe(false);
      // without admin credentials the token endpoint itself says it (400 unauthorized_client)
      const bare = await verify(ad.users.normal, { DIRLINK_KEYCLOAK_PASSWORD: undefined });
      expect(bare.code).toBe(6);
      expect(json(bare.stdout).error).toMatchObject({ code: 'verify.client', data: { status: 400, keycloakError: 'unauthorized_client' } });
    } finally {
      adminCli().directAccessGrantsEnabled = true;
    }
  });

  it('admin-cli missing from the realm: exit 6 saying so, with and without admin credentials', async () => {
    const saved = realm().clients;
    realm().clients = saved.filter((c) => c.clientId !== 'admin-cli');
    try {
      const r = await verify(ad.users.normal);
      expect(r.code).toBe(6);
      expect(json(r.stdout).error).toMatchObject({ code: 'verify.client', message: expect.stringContaining('has no admin-cli client') });
      const bare = await verify(ad.users.normal, { DIRLINK_KEYCLOAK_PASSWORD: undefined });
      expect(bare.code).toBe(6);
      expect(json(bare.stdout).error).toMatchObject({ code: 'verify.client', data: { status: 401, keycloakError: 'invalid_client' } });
    } finally {
      realm().clients = saved;
    }
  });
});

describe('verify on OpenLDAP (email = mail)', () => {
  const d = world.openldap;
  let sb: Sandbox;
  const env = { DIRLINK_VENDOR: 'other', DIRLINK_VERIFY_PASSWORD: d.userPassword };
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => sb?.close());

  it('setup --verify-user runs the login proof as its last step', async () => {
    const r = await sb.run(['setup', '--verify-user', d.users.normal, '--json'], d, { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = json(r.stdout);
    expect(out.steps.at(-1)).toMatchObject({ id: 'verify', status: 'ok' });
    const ids = out.steps.map((st: { id: string }) => st.id);
    expect(ids.indexOf('verify')).toBeGreaterThan(ids.indexOf('kubernetes.rollout'));
    expect(out.verify.claims).toMatchObject({ preferred_username: 'alice', email: expect.stringMatching(/@/) });
  });

  it.each(d.users.noMail)('%s has no mail: exit 6, "Account is not fully set up"', async (user) => {
    const r = await sb.run(['verify', '--verify-user', user, '--json'], d, { env });
    expect(r.code).toBe(6);
    const e = json(r.stdout).error;
    expect(e).toMatchObject({ code: 'verify.not-fully-set-up', data: { status: 400, keycloakReason: 'Account is not fully set up' } });
    expect(e.hint).toMatch(/email/);
  });

  it('setup --verify-user with a user who cannot log in: the changes are applied and reported, then exit 6', async () => {
    const r = await sb.run(['setup', '--verify-user', d.users.noMail[0]!, '--ldap-timeout', '9s', '--json'], d, { env });
    expect(r.code).toBe(6);
    const out = json(r.stdout);
    expect(out.changed).toBe(true);
    expect(out.applied).toEqual(['update federation "ldap" (connectionTimeout)']);
    expect(out.steps.at(-1)).toMatchObject({ id: 'verify', status: 'fail' });
    expect(out.error.code).toBe('verify.not-fully-set-up');
    expect(sb.federation()!.config.connectionTimeout).toEqual(['9000']);
  });
});
