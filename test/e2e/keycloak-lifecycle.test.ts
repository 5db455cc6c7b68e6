// Issue 5 end to end (spawned CLI, Keycloak and Kubernetes emulators, the real directories):
// preflight, the username mapper kept consistent, Keycloak's own test after apply, undo, status drift.
// Fault injection between writes and token expiry live in faults.test.ts; verify in verify.test.ts.
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSandbox, type Sandbox } from './harness.js';

const world = inject('world');
const d = world.openldap;
const other = { DIRLINK_VENDOR: 'other' };
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

describe('preflight: nothing is written unless the realm is there, the account may manage it, and the federation is unambiguous', () => {
  let sb: Sandbox;
  const run = (args: string[], env: Record<string, string | undefined> = {}) => sb.run(args, d, { env: { ...other, ...env } });
  beforeAll(async () => {
    sb = await startSandbox({
      keycloak: {
        realms: ['runai', 'runai-staging'],
        serviceClients: [
          { clientId: 'dirlink-viewer', secret: 'viewer-Secr3t', roles: ['view-realm'] },
          { clientId: 'dirlink-none', secret: 'none-Secr3t', roles: [] },
          { clientId: 'dirlink-manager', secret: 'manager-Secr3t' },
        ],
      },
    });
  });
  afterAll(async () => sb?.close());

  it('a realm that does not exist: exit 4 with the similar names', async () => {
    const r = await run(['setup', '--json', '--realm', 'runia']);
    expect(r.code).toBe(4);
    const out = json(r.stdout);
    expect(out.error).toMatchObject({ code: 'keycloak.realm-missing', field: 'realm' });
    expect(out.error.hint).toContain('did you mean "runai"');
    expect(out.error.data.realms).toEqual(expect.arrayContaining(['master', 'runai', 'runai-staging']));
    expect(sb.kc.writes()).toEqual([]);
  });

  it('an admin user Keycloak does not know: exit 4, rejected credentials (400 from the token endpoint)', async () => {
    const r = await run(['check', '--json', '--keycloak-user', 'no-such-admin']);
    expect(r.code).toBe(4);
    expect(json(r.stdout).error).toMatchObject({ code: 'keycloak.unauthorized', field: 'keycloakPassword' });
  });

  const asClient = (id: string, secret: string) => ({ DIRLINK_KEYCLOAK_CLIENT_ID: id, DIRLINK_KEYCLOAK_CLIENT_SECRET: secret, DIRLINK_KEYCLOAK_PASSWORD: undefined });

  it('a service account with view-realm only: exit 4 before any write, naming manage-realm', async () => {
    sb.kc.resetRequests();
    const r = await run(['setup', '--json'], asClient('dirlink-viewer', 'viewer-Secr3t'));
    expect(r.code).toBe(4);
    const out = json(r.stdout);
    expect(out.error).toMatchObject({ code: 'keycloak.cannot-manage', data: { missingRole: 'manage-realm', status: 403 } });
    expect(out.error.hint).toContain('manage-realm of client "runai-realm"');
    expect(sb.kc.writes()).toEqual([]);
    expect(sb.kc.requests.some((q) => q.status === 403 && q.path.endsWith('/testLDAPConnection'))).toBe(true);
    expect(sb.federation()).toBeUndefined();
    expect(r.stdout + r.stderr).not.toContain('viewer-Secr3t');
  });

  it('a service account without realm-management roles: exit 4 at the first read', async () => {
    const r = await run(['setup', '--json'], asClient('dirlink-none', 'none-Secr3t'));
    expect(r.code).toBe(4);
    expect(json(r.stdout).error).toMatchObject({ code: 'keycloak.cannot-read', data: { missingRole: 'view-realm' } });
    expect(sb.kc.writes()).toEqual([]);
  });

  it('other LDAP providers in the realm: a warning naming them; dirlink changes only its own', async () => {
    const realm = sb.kc.state.realms.get('runai')!;
    realm.components.set('corp-ldap-id', {
      id: 'corp-ldap-id', name: 'corp-ldap', providerId: 'ldap', providerType: 'org.keycloak.storage.UserStorageProvider', parentId: realm.id,
      config: { connectionUrl: [d.url], enabled: ['false'], editMode: ['READ_ONLY'] },
    });
    const r = await run(['setup', '--no-restart'], asClient('dirlink-manager', 'manager-Secr3t'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/another LDAP federation "corp-ldap" \(ldap:\/\/127\.0\.0\.1:3890\): it answers user searches too/);
    expect(sb.federation()).toBeDefined();
    expect(realm.components.get('corp-ldap-id')!.config).toEqual({ connectionUrl: [d.url], enabled: ['false'], editMode: ['READ_ONLY'] });
  });

  it('more than one federation with the chosen name: exit 4 listing ids, names and URLs, nothing written', async () => {
    const realm = sb.kc.state.realms.get('runai')!;
    const mine = sb.federation()!;
    realm.components.set('dup-id', {
      id: 'dup-id', name: 'ldap', providerId: 'ldap', providerType: 'org.keycloak.storage.UserStorageProvider', parentId: realm.id,
      config: { connectionUrl: ['ldaps://old-dc.example:636'], usersDn: ['ou=old,dc=example,dc=org'], editMode: ['READ_ONLY'] },
    });
    try {
      sb.kc.resetRequests();
      const r = await run(['setup', '--json']);
      expect(r.code).toBe(4);
      const out = json(r.stdout);
      expect(out.error.code).toBe('keycloak.duplicate-federations');
      expect(out.error.message).toContain(`id ${mine.id}  "ldap"  ${d.url}`);
      expect(out.error.message).toContain('id dup-id  "ldap"  ldaps://old-dc.example:636');
      expect(sb.kc.writes()).toEqual([]);
    } finally {
      realm.components.delete('dup-id');
    }
  });
});

describe('snapshot and undo', () => {
  let sb: Sandbox;
  const run = (args: string[], env: Record<string, string | undefined> = {}) => sb.run(args, d, { env: { ...other, ...env } });
  const generation = () => (sb.kube.getDeployment('runai-backend', 'runai-backend-deployment') as { metadata: { generation: number } }).metadata.generation;
  const stored = () => sb.kc.state.realms.get('runai')!.components.get(sb.federation()!.id)!;
  const snapshots: Record<string, string> = {};
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => sb?.close());

  it('setup reports where it wrote the snapshot; undo after create deletes the federation and restarts', async () => {
    const r = await run(['setup', '--json']);
    expect(r.code, r.stderr).toBe(0);
    snapshots.create = json(r.stdout).snapshot;
    expect(snapshots.create).toMatch(new RegExp(`^${sb.dir}/state/snapshots/runai/.+-ldap\\.json$`));
    expect(r.stderr).toContain(`snapshot of the federation as it was: ${snapshots.create}`);
    const gen = generation();
    const u = await run(['undo', '--json']);
    expect(u.code, u.stderr).toBe(0);
    const out = json(u.stdout);
    expect(out.snapshot).toBe(snapshots.create);
    expect(out.undo.kind).toBe('delete');
    expect(u.stderr).toMatch(/- delete federation "ldap" \(.+\) that setup created, with its mappers/);
    expect(sb.federation()).toBeUndefined();
    expect(generation()).toBe(gen + 1);
    expect(out.rollout).toMatchObject({ done: true });
  });

  it('undo again: nothing to change, no write, no restart', async () => {
    sb.kc.resetRequests();
    const gen = generation();
    const u = await run(['undo', '--json']);
    expect(u.code, u.stderr).toBe(0);
    expect(json(u.stdout).changed).toBe(false);
    expect(u.stderr).toMatch(/already gone/);
    expect(sb.kc.writes()).toEqual([]);
    expect(generation()).toBe(gen);
  });

  it('undo after an update restores config and mappers key by key; the stored bind password is kept, never replaced', async () => {
    expect((await run(['setup'])).code).toBe(0);
    const before = structuredClone(sb.federation()!);
    const r = await run(['setup', '--json', '--users-dn', d.baseDn, '--username-attribute', 'cn']);
    expect(r.code, r.stderr).toBe(0);
    snapshots.update = json(r.stdout).snapshot;
    expect(sb.federation()!.config).toMatchObject({ usersDn: [d.baseDn], usernameLDAPAttribute: ['cn'] });
    const gen = generation();
    sb.kc.resetRequests();
    // a bind password given to undo is NOT sent while URL and bind DN stay: Keycloak keeps its own
    const u = await run(['undo', '--json'], { DIRLINK_BIND_PASSWORD: 'not-the-stored-one' });
    expect(u.code, u.stderr).toBe(0);
    expect(u.stderr).toContain(`usersDn: ${d.baseDn} → ${d.usersDn}`);
    expect(u.stderr).toContain('usernameLDAPAttribute: cn → uid');
    expect(u.stderr).toContain('bind password: kept as currently stored');
    expect(u.stderr).toMatch(/~ restore mapper "username"\n\s+ldap\.attribute: cn → uid/);
    const after = sb.federation()!;
    expect(after.config).toEqual(before.config);
    expect(after.config.bindCredential).toEqual([d.bindPassword]);
    expect(after.mappers).toEqual(before.mappers);
    const put = sb.kc.writes().find((w) => w.method === 'PUT' && w.path.endsWith(`/components/${after.id}`))!;
    expect((put.body as { config: Record<string, string[]> }).config.bindCredential).toEqual(['**********']);
    expect(generation()).toBe(gen + 1);
    // the snapshot holds the state before and after setup, secrets masked in both
    const text = readFileSync(snapshots.update!, 'utf8');
    const snap = JSON.parse(text);
    expect(snap.before.federation.config.bindCredential).toEqual(['**********']);
    expect(snap.after.federation.config).toMatchObject({ bindCredential: ['**********'], usersDn: [d.baseDn] });
    expect(snap.after.mappers.find((m: { name: string }) => m.name === 'username').config['ldap.attribute']).toEqual(['cn']);
    expect(text).not.toContain(d.bindPassword);
    expect(statSync(snapshots.update!).mode & 0o777).toBe(0o600);
  });

  it('someone changed the federation after setup: undo warns with the diff, then restores the snapshot', async () => {
    const r = await run(['setup', '--json', '--users-dn', d.baseDn]);
    expect(r.code, r.stderr).toBe(0);
    const fed = stored();
    fed.config.pagination = ['false'];
    const email = [...sb.kc.state.realms.get('runai')!.components.values()].find((c) => c.parentId === fed.id && c.name === 'email')!;
    email.config['ldap.attribute'] = ['cn'];
    const u = await run(['undo', '--json']);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stderr).toMatch(/was changed after setup by someone else; undo overwrites these changes:\n\s+federation pagination: true → false\n\s+mapper "email" ldap\.attribute: mail → cn/);
    expect(json(u.stdout).undo.changedSince).toEqual(['federation pagination: true → false', 'mapper "email" ldap.attribute: mail → cn']);
    expect(stored().config.pagination).toEqual(['true']);
    expect(sb.federation()!.mappers.find((m) => m.name === 'email')!.config['ldap.attribute']).toEqual(['mail']);
    expect(stored().config.usersDn).toEqual([d.usersDn]);
  });

  it('undo --snapshot FILE restores that one; --json lists the snapshots, newest first', async () => {
    const u = await run(['undo', '--json', '--snapshot', snapshots.create!]);
    expect(u.code, u.stderr).toBe(0);
    const out = json(u.stdout);
    expect(out.snapshot).toBe(snapshots.create);
    expect(out.snapshots.length).toBeGreaterThanOrEqual(4);
    expect(out.snapshots.at(-1)).toMatchObject({ path: snapshots.create, kind: 'delete' });
    expect(out.snapshots.map((x: { takenAt: string }) => x.takenAt)).toEqual([...out.snapshots.map((x: { takenAt: string }) => x.takenAt)].sort().reverse());
    // that snapshot recorded the federation setup created then, long deleted: nothing to do
    expect(out.changed).toBe(false);
  });

  it('a snapshot with another URL: undo refuses to re-use the stored password (exit 2) until given the bind password, then sends it', async () => {
    expect((await run(['setup'])).code).toBe(0);
    const local = d.url.replace('127.0.0.1', 'localhost');
    const r = await run(['setup', '--json', '--no-restart'], { DIRLINK_LDAP_URL: local });
    expect(r.code, r.stderr).toBe(0);
    expect(stored().config.connectionUrl).toEqual([local]);
    sb.kc.resetRequests();
    const refused = await run(['undo', '--json'], { DIRLINK_BIND_PASSWORD: undefined });
    expect(refused.code).toBe(2);
    expect(json(refused.stdout).error).toMatchObject({ code: 'undo.bind-password-needed', field: 'bindPassword' });
    expect(sb.kc.writes()).toEqual([]);
    // a wrong one is caught by Keycloak's own test before anything is written
    const wrong = await run(['undo', '--json'], { DIRLINK_BIND_PASSWORD: 'Wrong-bind-Passw0rd' });
    expect(wrong.code).toBe(4);
    expect(json(wrong.stdout).error).toMatchObject({ code: 'undo.ldap-test', field: 'bindPassword', data: { keycloakCode: 'AuthenticationFailure' } });
    expect(sb.kc.writes()).toEqual([]);
    const u = await run(['undo', '--json', '--bind-password-file', sb.files.bindPassword]);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stderr).toContain('bind password: sent: the password you gave');
    const put = sb.kc.writes().find((w) => w.method === 'PUT' && w.path.endsWith(`/components/${stored().id}`))!;
    expect((put.body as { config: Record<string, string[]> }).config).toMatchObject({ connectionUrl: [d.url], bindCredential: [d.bindPassword] });
    expect(u.stdout + u.stderr).not.toContain(d.bindPassword);
  });
});

describe('a changed username attribute keeps the username mapper consistent (older Keycloak versions do not)', () => {
  it('OpenLDAP: uid → cn on a rerun: the plan shows the mapper update, apply makes it, the next rerun writes nothing', async () => {
    const sb = await startSandbox();
    try {
      const run = (args: string[]) => sb.run(args, d, { env: other });
      expect((await run(['setup', '--no-restart'])).code).toBe(0);
      const check = await run(['check', '--username-attribute', 'cn']);
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout).toMatch(/~ update mapper "username"\n\s+ldap\.attribute: uid → cn/);
      const r = await run(['setup', '--json', '--no-restart', '--username-attribute', 'cn']);
      expect(r.code, r.stderr).toBe(0);
      const plan = json(r.stdout).plan;
      expect(plan[0]).toMatchObject({ kind: 'update-federation', changes: expect.arrayContaining([{ key: 'usernameLDAPAttribute', from: ['uid'], to: ['cn'] }]) });
      expect(plan).toContainEqual(expect.objectContaining({ kind: 'update-mapper', name: 'username', changes: [{ key: 'ldap.attribute', from: ['uid'], to: ['cn'] }] }));
      const fed = sb.federation()!;
      expect(fed.config.usernameLDAPAttribute).toEqual(['cn']);
      expect(fed.mappers.find((m) => m.name === 'username')!.config['ldap.attribute']).toEqual(['cn']);
      sb.kc.resetRequests();
      const again = await run(['setup', '--json', '--no-restart', '--username-attribute', 'cn']);
      expect(again.code).toBe(0);
      expect(json(again.stdout).plan).toEqual([]);
      expect(sb.kc.writes()).toEqual([]);
    } finally {
      await sb.close();
    }
  });

  it('Samba AD: sAMAccountName → userPrincipalName: mapper follows, and a login then carries the UPN as preferred_username', async () => {
    const ad = world.ad;
    const sb = await startSandbox();
    try {
      expect((await sb.run(['setup', '--no-restart'], ad)).code).toBe(0);
      const r = await sb.run(['setup', '--json', '--no-restart', '--username-attribute', 'userPrincipalName'], ad);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r.stdout).plan).toContainEqual(expect.objectContaining({ kind: 'update-mapper', name: 'username', changes: [{ key: 'ldap.attribute', from: ['sAMAccountName'], to: ['userPrincipalName'] }] }));
      expect(sb.federation()!.mappers.find((m) => m.name === 'username')!.config['ldap.attribute']).toEqual(['userPrincipalName']);
      sb.kc.resetRequests();
      const again = await sb.run(['setup', '--json', '--no-restart', '--username-attribute', 'userPrincipalName'], ad);
      expect(json(again.stdout).plan).toEqual([]);
      expect(sb.kc.writes()).toEqual([]);
      const v = await sb.run(['verify', '--json', '--verify-user', 'alice@example.test', '--username-attribute', 'userPrincipalName'], ad, { env: { DIRLINK_VERIFY_PASSWORD: ad.userPassword } });
      expect(v.code, v.stdout + v.stderr).toBe(0);
      expect(json(v.stdout).verify.claims.preferred_username).toBe('alice@example.test');
    } finally {
      await sb.close();
    }
  });
});

describe("Keycloak's own test, next to dirlink's: reachable from this machine but not from Keycloak", () => {
  const hostPort = new URL(d.url).host;
  let sb: Sandbox;
  const run = (args: string[], env: Record<string, string | undefined> = {}) => sb.run(args, d, { env: { ...other, ...env } });
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => sb?.close());

  it.each([
    ['127.0.0.1:1', 'ConnectionFailed', /refused.*not reachable from the Keycloak pod/],
    ['unresolvable', 'UnknownHost', /cannot resolve the LDAP host name/],
  ])('Keycloak sees %s: exit 4 before any write, with both verdicts and the advice for %s', async (view, code, advice) => {
    sb.kc.state.network.set(hostPort, view);
    try {
      sb.kc.resetRequests();
      const r = await run(['setup', '--json']);
      expect(r.code).toBe(4);
      const out = json(r.stdout);
      expect(out.error).toMatchObject({ code: 'keycloak.ldap-test', data: { keycloakCode: code } });
      expect(out.error.message).toContain(`the directory works from this machine, but Keycloak's own LDAP test fails: ${code}`);
      expect(out.error.hint).toMatch(advice);
      expect(['ok', 'warn']).toContain(out.steps.find((st: { id: string }) => st.id === 'ldap').status); // this machine: passed (warnings about users aside)
      expect(out.steps.find((st: { id: string }) => st.id === 'keycloak.ldap-test')).toMatchObject({ status: 'fail', message: expect.stringContaining(code) });
      expect(out.keycloakTest).toEqual({ ok: false, code });
      expect(sb.kc.writes()).toEqual([]);
    } finally {
      sb.kc.state.network.clear();
    }
  });

  it("LDAPS whose CA this machine trusts (--ca-file) but Keycloak's truststore lacks: SSLHandshakeFailed, the truststore advice", async () => {
    const r = await run(['setup', '--json'], { DIRLINK_LDAP_URL: d.ldapsUrl });
    expect(r.code).toBe(4);
    const out = json(r.stdout);
    expect(out.error.data.keycloakCode).toBe('SSLHandshakeFailed');
    expect(out.error.hint).toMatch(/add the LDAP CA to Keycloak's truststore/);
    expect(['ok', 'warn']).toContain(out.steps.find((st: { id: string }) => st.id === 'ldap').status); // this machine: passed (warnings about users aside)
    expect(sb.kc.writes()).toEqual([]);
  });

  it('after apply: testAuthentication of the saved federation, with its id and the mask (one request when it binds)', async () => {
    sb.kc.resetRequests();
    const r = await run(['setup', '--json', '--no-restart']);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r.stdout);
    expect(out.keycloakTestSaved).toEqual({ ok: true, connection: { ok: true }, authentication: { ok: true } });
    expect(out.steps.find((st: { id: string }) => st.id === 'keycloak.test-saved').message).toBe(`Keycloak connects to ${d.url} and binds as ${d.bindDn} with the stored password`);
    const tests = sb.kc.requests.filter((q) => q.path.endsWith('/testLDAPConnection')).map((q) => q.body as Record<string, string>);
    const id = sb.federation()!.id;
    expect(tests.filter((t) => t.componentId === id)).toEqual([
      expect.objectContaining({ action: 'testAuthentication', componentId: id, bindCredential: '**********' }),
    ]);
  });

  it("Keycloak's real error body after apply: exit 4, what was applied, no restart, the advice and how to finish", async () => {
    const gen = (sb.kube.getDeployment('runai-backend', 'runai-backend-deployment') as { metadata: { generation: number } }).metadata.generation;
    sb.kc.faults.add({
      method: 'POST', path: /\/testLDAPConnection$/, status: 400, body: { errorMessage: 'CommunicationError' }, times: 2, after: 1,
      when: (b) => typeof (b as { componentId?: string })?.componentId === 'string',
    });
    const r = await run(['setup', '--json', '--users-dn', d.baseDn]);
    expect(r.code).toBe(4);
    const out = json(r.stdout);
    expect(out.error.code).toBe('keycloak.ldap-test-after');
    expect(out.error.message).toMatch(/Keycloak cannot connect to .*: CommunicationError; the directory works from this machine\. Applied: update federation "ldap" \(usersDn\)\. Not applied: restart/);
    expect(out.error.hint).toMatch(/from the Keycloak pod.*dirlink undo.*run dirlink setup again: .*restarts the backend/);
    expect(out.error.data.notApplied).toEqual([expect.stringMatching(/^restart/)]);
    expect(out.keycloakTestSaved).toEqual({ ok: false, connection: { ok: false, code: 'CommunicationError' } });
    expect((sb.kube.getDeployment('runai-backend', 'runai-backend-deployment') as { metadata: { generation: number } }).metadata.generation).toBe(gen);
    expect(sb.federation()!.config.usersDn).toEqual([d.baseDn]);
  });
});

describe('status on Samba AD: the federation and mappers masked, drift from the Run:AI settings, the last restart and rollout', () => {
  const ad = world.ad;
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
    const r = await sb.run(['setup'], ad);
    if (r.code !== 0) throw new Error(`setup failed: ${r.stdout}${r.stderr}`);
  });
  afterAll(async () => sb?.close());

  it('after setup: no drift, the secret masked, mappers listed, the restart and the rollout state shown', async () => {
    const h = await sb.run(['status'], ad);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toMatch(/bindCredential\s+\*{10}/);
    expect(h.stdout).toMatch(/email\s+user-attribute-ldap-mapper\s+email ← userPrincipalName/);
    expect(h.stdout).toMatch(/username\s+user-attribute-ldap-mapper\s+username ← sAMAccountName/);
    expect(h.stdout).toMatch(/rollout: deployment "runai-backend-deployment" successfully rolled out \(\d+ of \d+ updated/);
    expect(h.stdout).toMatch(/last restart \(kubectl\.kubernetes\.io\/restartedAt\): \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    expect(h.stdout + h.stderr).not.toContain(ad.bindPassword);
    const j = await sb.run(['status', '--json'], ad);
    const out = json(j.stdout);
    expect(out.drift).toEqual([]);
    expect(out.federation.config.bindCredential).toEqual(['**********']);
    expect(out.federation.mappers.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['username', 'email', 'full name', 'MSAD account controls']));
    expect(out.deployment).toMatchObject({ done: true, restartedAt: expect.stringMatching(/Z$/) });
    expect(j.stdout).not.toContain(ad.bindPassword);
  });

  it('someone turned Import Users on, edit mode to WRITABLE and the email mapper back to mail: each is shown; status writes nothing', async () => {
    const realm = sb.kc.state.realms.get('runai')!;
    const fed = realm.components.get(sb.federation()!.id)!;
    fed.config.importEnabled = ['true'];
    fed.config.editMode = ['WRITABLE'];
    const email = [...realm.components.values()].find((c) => c.parentId === fed.id && c.name === 'email')!;
    email.config['ldap.attribute'] = ['mail'];
    sb.kc.resetRequests();
    sb.kube.resetRequests();
    const j = await sb.run(['status', '--json'], ad);
    expect(j.code, j.stderr).toBe(0);
    expect(json(j.stdout).drift).toEqual([
      'editMode is WRITABLE, Run:AI expects READ_ONLY',
      'importEnabled is true, Run:AI expects false',
      'email mapper reads mail, expected userPrincipalName',
    ]);
    expect(json(j.stdout).steps.find((st: { id: string }) => st.id === 'keycloak.federation').status).toBe('warn');
    const h = await sb.run(['status'], ad);
    expect(h.stdout).toMatch(/! editMode is WRITABLE, Run:AI expects READ_ONLY/);
    expect(h.stdout).toMatch(/! importEnabled is true, Run:AI expects false/);
    expect(h.stdout).toMatch(/! email mapper reads mail, expected userPrincipalName/);
    expect(h.stdout).toContain('dirlink setup puts the Run:AI settings back');
    expect(sb.kc.writes()).toEqual([]);
    expect(sb.kube.writes()).toEqual([]);
  });

  it('a username mapper left behind by a changed username attribute is drift too; setup repairs everything and status is clean again', async () => {
    const realm = sb.kc.state.realms.get('runai')!;
    const fed = realm.components.get(sb.federation()!.id)!;
    const username = [...realm.components.values()].find((c) => c.parentId === fed.id && c.name === 'username')!;
    username.config['ldap.attribute'] = ['cn'];
    const j = await sb.run(['status', '--json'], ad);
    expect(json(j.stdout).drift).toContain("username mapper reads cn, but the federation's username attribute is sAMAccountName");
    const fix = await sb.run(['setup', '--json', '--no-restart'], ad);
    expect(fix.code, fix.stderr).toBe(0);
    expect(json(fix.stdout).plan.map((a: { kind: string; name?: string }) => `${a.kind} ${a.name}`)).toEqual(['update-federation ldap', 'update-mapper email', 'update-mapper username']);
    const again = await sb.run(['status', '--json'], ad);
    expect(json(again.stdout).drift).toEqual([]);
  });
});

describe('the bind password, which Keycloak only shows masked', () => {
  it("OpenLDAP: kept while Keycloak's stored one authenticates (the plan says so), sent again once it stops working", async () => {
    const sb = await startSandbox();
    try {
      const run = (args: string[]) => sb.run(args, d, { env: other });
      expect((await run(['setup', '--no-restart'])).code).toBe(0);
      const keep = await run(['check']);
      expect(keep.stdout).toContain(`= federation "ldap" matches (Keycloak's stored password still authenticates)`);
      // the service account's password was changed in the directory: Keycloak's stored copy is stale
      sb.kc.state.realms.get('runai')!.components.get(sb.federation()!.id)!.config.bindCredential = ['stale-Passw0rd'];
      sb.kc.resetRequests();
      const check = await run(['check']);
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout).toMatch(/~ update User Federation "ldap"\n\s+bindCredential: sent again \(Keycloak's stored password no longer authenticates\)/);
      expect(sb.kc.writes()).toEqual([]);
      const r = await run(['setup', '--json', '--no-restart']);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r.stdout).plan[0]).toMatchObject({ kind: 'update-federation', changes: [], credential: { action: 'send' } });
      expect(sb.federation()!.config.bindCredential).toEqual([d.bindPassword]);
      expect(r.stdout + r.stderr).not.toContain(d.bindPassword);
    } finally {
      await sb.close();
    }
  });

  it.skipIf(!world.ad.bindUpn)('Samba AD: a changed bind DN (the DN → the UPN) sends the real password, never the mask (Keycloak issue 47295)', async () => {
    const ad = world.ad;
    const sb = await startSandbox();
    try {
      expect((await sb.run(['setup', '--no-restart'], ad)).code).toBe(0);
      sb.kc.resetRequests();
      const r = await sb.run(['setup', '--json', '--no-restart'], ad, { env: { DIRLINK_BIND_DN: ad.bindUpn } });
      expect(r.code, r.stderr).toBe(0);
      const plan = json(r.stdout).plan;
      expect(plan[0]).toMatchObject({
        kind: 'update-federation', changes: [{ key: 'bindDn', from: [ad.bindDn], to: [ad.bindUpn] }],
        credential: { action: 'send', reason: 'connection URL or bind DN changed: a stored password is never re-used for another server' },
      });
      // Keycloak's test before the write used the real password too: the mask is only valid for the stored bind DN
      const tests = sb.kc.requests.filter((q) => q.path.endsWith('/testLDAPConnection')).map((q) => q.body as Record<string, string>);
      expect(tests[0]).toMatchObject({ action: 'testAuthentication', bindDn: ad.bindUpn, bindCredential: ad.bindPassword });
      expect(tests[0]).not.toHaveProperty('componentId');
      const put = sb.kc.writes().find((w) => w.method === 'PUT')!;
      expect((put.body as { config: Record<string, string[]> }).config).toMatchObject({ bindDn: [ad.bindUpn], bindCredential: [ad.bindPassword] });
    } finally {
      await sb.close();
    }
  });
});
