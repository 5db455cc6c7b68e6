// Researcher authentication end to end: `dirlink kubeconfig` printing and merging the kubeconfig
// user (checked against the Keycloak emulator, accepted by a real kubectl), and the Auth0
// connector leftovers `check` and `status` warn about — until `kubeconfig --write` replaces them.
import { randomUUID } from 'node:crypto';
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findKubectls, runKubectl } from '../world/kubernetes/kubectl.js';
import { KC_ADMIN_PASSWORD, runCli, startSandbox, type Sandbox } from './harness.js';

const world = inject('world');

/** kubectl's own view of a kubeconfig (a real binary of the machine image, not the dispatcher). */
async function kubectlView(file: string): Promise<{ users: { name: string; user: Record<string, unknown> }[]; contexts: { name: string; context: { user: string } }[] }> {
  const kubectl = findKubectls().at(-1);
  expect(kubectl, 'a kubectl binary on this machine').toBeDefined();
  const r = await runKubectl(kubectl!, file, ['config', 'view', '-o', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

// An Auth0-era researcher profile as Run:AI support handed it out with the LDAP connector.
const AUTH0_USER = {
  'auth-provider': {
    config: { 'auth-flow': 'remote-browser', realm: 'acme', 'client-id': 'AbCdEf123', 'idp-issuer-url': 'https://runai-prod.auth0.com/', 'redirect-uri': 'https://app.run.ai/auth' },
    name: 'oidc',
  },
};

const RESEARCHER_KUBECONFIG = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: QUJD
    server: https://10.0.0.1:6443
  name: prod
contexts:
- context:
    cluster: prod
    namespace: team-a
    user: admin
  name: prod
current-context: prod
kind: Config
preferences: {}
users:
# handed out by Run:AI support with the LDAP connector
- name: runai-authenticated-user
  user:
${stringify(AUTH0_USER, { indentSeq: false }).replace(/^/gm, '    ').trimEnd()}
- name: admin
  user:
    client-certificate-data: QUJD
    client-key-data: REVG
`;

describe('dirlink kubeconfig', () => {
  let sb: Sandbox;
  let env: Record<string, string | undefined>;
  let issuer: string;
  let redirect: string;
  const run = (args: string[], extra: Record<string, string | undefined> = {}) => runCli(['kubeconfig', ...args], { env: { ...env, ...extra } });
  const withCredentials = { DIRLINK_KEYCLOAK_PASSWORD: KC_ADMIN_PASSWORD };
  const seedClient = (redirectUris: string[], more: { enabled?: boolean; publicClient?: boolean } = {}) => {
    const realm = sb.kc.state.realms.get('runai')!;
    realm.clients = realm.clients.filter((c) => c.clientId !== 'runai-cli');
    realm.clients.push({
      id: randomUUID(), clientId: 'runai-cli', enabled: more.enabled ?? true, publicClient: more.publicClient ?? true, directAccessGrantsEnabled: false,
      standardFlowEnabled: true, serviceAccountsEnabled: false, roles: [], redirectUris,
    });
  };

  beforeAll(async () => {
    sb = await startSandbox();
    env = { CI: 'true', NO_COLOR: '1', HOME: sb.dir, KUBECONFIG: undefined, DIRLINK_KEYCLOAK_URL: sb.kc.url, DIRLINK_KEYCLOAK_PASSWORD: undefined, DIRLINK_KEYCLOAK_CLIENT_ID: undefined };
    issuer = `${sb.kc.url}/realms/runai`;
    redirect = `${new URL(sb.kc.url).origin}/oauth-code`;
  });
  afterAll(async () => sb?.close());

  it('prints a kubeconfig holding the user on stdout (progress on stderr), kubectl accepts it; without credentials the check is skipped', async () => {
    sb.kc.resetRequests();
    const r = await run([]);
    expect(r.code, r.stderr).toBe(0);
    const printed = parse(r.stdout);
    expect(printed).toMatchObject({ apiVersion: 'v1', kind: 'Config' });
    const expected = {
      name: 'runai-authenticated-user',
      user: { 'auth-provider': { name: 'oidc', config: { airgapped: 'true', 'auth-flow': 'remote-browser', realm: 'runai', 'client-id': 'runai-cli', 'idp-issuer-url': issuer, 'redirect-uri': redirect } } },
    };
    expect(printed.users).toEqual([expected]);
    expect(r.stderr).toContain('not checked: no Keycloak credentials');
    expect(r.stderr).toContain(`--oidc-issuer-url=${issuer} --oidc-client-id=runai-cli`);
    expect(sb.kc.requests).toEqual([]);
    const f = join(sb.dir, 'printed.yaml');
    writeFileSync(f, r.stdout);
    expect((await kubectlView(f)).users).toEqual([expected]);
  });

  it('--json: one JSON object with the user and the check skipped; the cli flow has no redirect-uri', async () => {
    const r = await run(['--json', '--auth-flow', 'cli', '--user-name', 'researcher', '--realm', 'team']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, command: 'kubeconfig', kubeconfig: { keycloak: { checked: false } } });
    expect(out.kubeconfig.user.name).toBe('researcher');
    expect(out.kubeconfig.user.user['auth-provider'].config).toEqual({
      airgapped: 'true', 'auth-flow': 'cli', realm: 'team', 'client-id': 'runai-cli', 'idp-issuer-url': `${sb.kc.url}/realms/team`,
    });
    expect(out.steps.find((s: { id: string }) => s.id === 'keycloak.client')).toMatchObject({ status: 'skipped' });
  });

  it('a realm that does not exist: exit 4, a suggestion, nothing printed', async () => {
    const r = await run(['--json', '--realm', 'runia'], withCredentials);
    expect(r.code).toBe(4);
    const out = JSON.parse(r.stdout);
    expect(out.error).toMatchObject({ code: 'keycloak.realm-missing', field: 'realm', hint: expect.stringContaining('"runai"') });
    const human = await run(['--realm', 'runia'], withCredentials);
    expect(human.code).toBe(4);
    expect(human.stdout).toBe('');
    expect(human.stderr).toContain('did you mean "runai"');
  });

  it('a client that does not exist: exit 4 naming the realm\'s clients', async () => {
    const r = await run(['--json'], withCredentials);
    expect(r.code).toBe(4);
    const out = JSON.parse(r.stdout);
    expect(out.error).toMatchObject({ code: 'keycloak.client-missing', field: 'cliClientId', hint: expect.stringContaining('--client-id') });
    expect(out.error.data.clients).toContain('admin-cli');
    expect(r.stdout + r.stderr).not.toContain(KC_ADMIN_PASSWORD);
  });

  it('an existing client is checked: a redirect URI it does not allow is a warning, one it allows passes, a disabled one is exit 4', async () => {
    seedClient(['https://elsewhere.example.com/*'], { publicClient: false });
    const warn = await run([], withCredentials);
    expect(warn.code, warn.stderr).toBe(0);
    expect(warn.stderr).toContain(`does not allow the redirect URI ${redirect}`);
    expect(warn.stderr).toContain('is confidential');
    expect(parse(warn.stdout).users[0].name).toBe('runai-authenticated-user');

    seedClient([`${new URL(sb.kc.url).origin}/*`]);
    const ok = await run(['--json'], withCredentials);
    expect(ok.code, ok.stderr).toBe(0);
    const out = JSON.parse(ok.stdout);
    expect(out.steps.find((s: { id: string }) => s.id === 'keycloak.client')).toMatchObject({ status: 'ok' });
    expect(out.kubeconfig.keycloak).toMatchObject({ checked: true, problems: [] });

    seedClient([redirect], { enabled: false });
    const disabled = await run(['--json'], withCredentials);
    expect(disabled.code).toBe(4);
    expect(JSON.parse(disabled.stdout).error.code).toBe('keycloak.client-disabled');
    seedClient([redirect]);
  });

  it('--write merges into an existing kubeconfig: backup, mode and every other entry kept, kubectl accepts it, a rerun writes nothing', async () => {
    const f = join(sb.dir, 'researcher.yaml');
    writeFileSync(f, RESEARCHER_KUBECONFIG);
    chmodSync(f, 0o640);
    const r = await run(['--kubeconfig', f, '--write', '--context', 'prod', '--json'], withCredentials);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout).kubeconfig;
    expect(out).toMatchObject({ file: f, changed: true, replaced: true, context: { name: 'prod', previousUser: 'admin' } });
    expect(basename(out.backup)).toMatch(/^researcher\.yaml\.dirlink-backup-\d{8}T\d{6}Z$/);
    expect(readFileSync(out.backup, 'utf8')).toBe(RESEARCHER_KUBECONFIG);
    expect(statSync(f).mode & 0o777).toBe(0o640);

    const text = readFileSync(f, 'utf8');
    // the clusters, the comment and the admin user are byte-for-byte the same; only the merged parts differ
    const head = (t: string) => t.slice(0, t.indexOf('- name: runai-authenticated-user'));
    expect(head(text).replace('    user: runai-authenticated-user\n', '    user: admin\n')).toBe(head(RESEARCHER_KUBECONFIG));
    expect(text.endsWith(RESEARCHER_KUBECONFIG.slice(RESEARCHER_KUBECONFIG.indexOf('- name: admin')))).toBe(true);

    const view = await kubectlView(f);
    // kubectl lists users sorted by name
    expect(view.users.map((u) => u.name)).toEqual(['admin', 'runai-authenticated-user']);
    expect(view.users.find((u) => u.name === 'runai-authenticated-user')!.user).toEqual(out.user.user);
    expect(view.contexts[0]!.context.user).toBe('runai-authenticated-user');

    // the rerun finds the file through KUBECONFIG (a missing file first, as kubectl allows), changes nothing
    const backups = () => readdirSync(dirname(f)).filter((x) => x.startsWith('researcher.yaml.dirlink-backup-'));
    expect(backups()).toHaveLength(1);
    const again = await run(['--write', '--context', 'prod'], { ...withCredentials, KUBECONFIG: `${join(sb.dir, 'absent')}${delimiter}${f}` });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('already up to date');
    expect(again.stdout).toContain(`Nothing to change: ${f} already has the researcher login.`);
    expect(readFileSync(f, 'utf8')).toBe(text);
    expect(backups()).toHaveLength(1);
  });

  it('--write without a file creates ~/.kube/config; --context without --write is a usage error', async () => {
    const r = await run(['--write']);
    expect(r.code, r.stderr).toBe(0);
    const created = join(sb.dir, '.kube', 'config');
    expect(statSync(created).mode & 0o777).toBe(0o600);
    expect((await kubectlView(created)).users.map((u) => u.name)).toEqual(['runai-authenticated-user']);
    const bad = await run(['--context', 'prod']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--context changes a kubeconfig file, so it needs --write');
    const missingContext = await run(['--write', created, '--context', 'nope']);
    expect(missingContext.code).toBe(2);
    expect(missingContext.stderr).toContain('has no context named "nope"');
  });
});

describe('Auth0 connector leftovers in check and status', () => {
  let sb: Sandbox;
  let auth0Kubeconfig: string;
  const d = world.ad;
  beforeAll(async () => {
    sb = await startSandbox();
    // the admin's kubeconfig (the emulator's cluster and user) plus a researcher user of the Auth0 era
    const cfg = JSON.parse(readFileSync(sb.kubeconfig, 'utf8'));
    cfg.users.push({ name: 'researcher', user: AUTH0_USER });
    auth0Kubeconfig = join(sb.dir, 'auth0-era.yaml');
    writeFileSync(auth0Kubeconfig, stringify(cfg), { mode: 0o600 });
  });
  afterAll(async () => sb?.close());

  it('check warns with what changes, and about a --verify-user in the <TENANT>/<user> form; the exit code stays 0', async () => {
    const r = await sb.run(['check', '--verify-user', `EXAMPLE/${d.users.normal}`], d, { env: { KUBECONFIG: auth0Kubeconfig, DIRLINK_VERIFY_PASSWORD: d.userPassword } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('! Auth0 connector leftovers: 1 kubeconfig user still logs in through the Auth0 connector; a login name in the <TENANT>/<user> form');
    expect(r.stdout).toContain(`user "researcher" in ${auth0Kubeconfig}: idp-issuer-url https://runai-prod.auth0.com/ is Auth0; redirect-uri https://app.run.ai/auth is the Auth0 connector's`);
    expect(r.stdout).toContain(`with Keycloak the login name is "${d.users.normal}"`);
    expect(r.stdout).toContain('logins are the plain sAMAccountName value');
    expect(r.stdout).toContain('roles are still assigned in the Run:AI UI');
    expect(r.stdout).toContain(`dirlink kubeconfig --keycloak-url ${sb.kc.url} --write --user-name researcher`);
    expect(r.stdout).toContain('Check complete: nothing was changed.');
  });

  it('a clean kubeconfig gives no warning', async () => {
    const r = await sb.run(['check', '--json'], d);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.migration).toEqual({ kubeconfigs: [sb.kubeconfig], findings: [] });
    expect(r.stderr).not.toContain('Auth0');
    const status = await sb.run(['status'], d);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).not.toContain('Auth0');
  });

  it('status warns too, and kubeconfig --write switches the researcher so the warning goes away', async () => {
    const before = await sb.run(['status', '--json'], d, { env: { KUBECONFIG: auth0Kubeconfig } });
    expect(before.code, before.stderr).toBe(0);
    const findings = JSON.parse(before.stdout).migration.findings;
    expect(findings).toEqual([expect.objectContaining({ kind: 'kubeconfig-user', name: 'researcher', file: auth0Kubeconfig })]);
    expect(before.stderr).toContain('! Auth0 connector leftovers');

    // without Keycloak credentials: this sandbox has no researchers' client to check
    const write = await sb.run(['kubeconfig', '--write', '--user-name', 'researcher'], d, { env: { KUBECONFIG: auth0Kubeconfig, DIRLINK_KEYCLOAK_PASSWORD: undefined } });
    expect(write.code, write.stdout + write.stderr).toBe(0);
    expect(write.stdout).toContain('replaced user "researcher"');

    const after = await sb.run(['status', '--json'], d, { env: { KUBECONFIG: auth0Kubeconfig } });
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout).migration.findings).toEqual([]);
    expect(JSON.parse(after.stdout).deployment).toMatchObject({ done: true });
  });
});
