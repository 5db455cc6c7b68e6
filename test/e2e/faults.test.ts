// The fault matrix (issue 7): one table of failures of the directory, of Keycloak and of
// Kubernetes, each injected into a sandbox of its own. Every row runs the built CLI the way CI
// would, then checks, against the emulators' state rather than dirlink's word for it:
//   1. the exit code, the JSON's error.code, a message naming the cause and a hint naming the fix;
//   2. what was applied and what was not (federation, email mapper, restart);
//   3. with the fault removed, a rerun exits 0 and converges (one federation, the email mapper on
//      the right attribute, the backend restarted after the last Keycloak change, a directory user
//      logs in), and a second rerun sends no write at all;
//   4. no secret of the row (bind, Keycloak admin, client and verify passwords, and the wrong ones
//      a row sends) in any stdout, stderr or file dirlink wrote.
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect as globalExpect, inject, it } from 'vitest';
import { rolloutState, type DeploymentJson } from '../../src/kubernetes/status.js';
import type { ComponentModel } from '../world/keycloak/index.js';
import { createComponent, deleteComponent } from '../world/keycloak/components.js';
import { adPayload } from '../world/keycloak/testkit.js';
import { DEFAULT_DEPLOYMENT } from '../world/kubernetes/index.js';
import type { DirectoryInfo } from '../world/types.js';
import { KC_ADMIN_PASSWORD, closedPort, filesUnder, findLeaks, silentServer, startSandbox, type RunResult, type Sandbox } from './harness.js';

const world = inject('world');

type Expect = typeof globalExpect;
type Env = Record<string, string | undefined>;

const CLIENT_ID = 'dirlink-ci';
const CLIENT_SECRET = 'cl1ent-Secr3t-7q';
const WRONG_BIND = 'Wr0ng-bind-Passw0rd';
const WRONG_KC = 'Wr0ng-kc-Passw0rd';
const WRONG_CLIENT_SECRET = 'Wr0ng-cl1ent-Secr3t';
const FROZEN_MS = 1e9; // a controller step that never comes: the rollout waits until the test lets it go
const clientAuth: Env = { DIRLINK_KEYCLOAK_CLIENT_ID: CLIENT_ID, DIRLINK_KEYCLOAK_CLIENT_SECRET: CLIENT_SECRET };

interface Ctx {
  sb: Sandbox;
  d: DirectoryInfo;
  expect: Expect;
  /** run after the row, whatever happened (servers the row started) */
  cleanup: (() => Promise<void>)[];
}

interface Out {
  ok: boolean;
  exitCode: number;
  error?: { code: string; message: string; hint?: string; field?: string; data?: Record<string, unknown> };
  plan?: { kind: string }[];
  applied?: string[];
  changed?: boolean;
  verify?: { ok: boolean };
  steps: { id: string; status: string; message: string }[];
}

interface Row {
  name: string;
  /** the directory of the row (default: the Samba AD DC) */
  dir?: 'ad' | 'openldap';
  sandbox?: Parameters<typeof startSandbox>[0];
  /** environment of every run of the row (the fault run adds the fault's own) */
  env?: Env;
  /** injects the fault; may return the environment of the failing run */
  fault?: (c: Ctx) => Promise<Env | void> | Env | void;
  /** acts on the world while the failing run goes on, once its output matches `marker` */
  during?: { marker: RegExp; act: (c: Ctx) => Promise<void> | void };
  code: number;
  /** the JSON's error.code; absent when the row must succeed */
  error?: string;
  /** must match error.message: the cause */
  cause?: RegExp;
  /** must match error.hint: the fix */
  fix?: RegExp;
  /** what was and was not applied, against the emulators' state */
  state: (c: Ctx, out: Out) => void;
  /** removes the fault before the rerun */
  repair?: (c: Ctx) => Promise<void> | void;
  /** environment of the reruns, over `env` (e.g. the fixed input) */
  rerunEnv?: Env;
  /** the LDAP URL the converged federation must have (default: the directory's ldap:// URL) */
  convergedUrl?: (d: DirectoryInfo) => string;
  /** wrong secrets this row sends: scanned for too */
  secrets?: string[];
}

// ---------------------------------------------------------------- what the emulators hold

const realmOf = (sb: Sandbox) => sb.kc.state.realms.get('runai')!;
const ldapProviders = (sb: Sandbox): ComponentModel[] => {
  const r = realmOf(sb);
  return [...r.components.values()].filter((c) => c.providerId === 'ldap' && c.parentId === r.id);
};
const emailMappers = (sb: Sandbox, fedId: string) =>
  [...realmOf(sb).components.values()].filter((m) => m.parentId === fedId && m.config['user.model.attribute']?.[0] === 'email');
/** Keycloak requests that changed something (a write the emulator answered 2xx) */
const kcChanges = (sb: Sandbox) => sb.kc.writes().filter((w) => w.status >= 200 && w.status < 300);
/** restarts the cluster accepted */
const restarts = (sb: Sandbox) => sb.kube.writes().filter((w) => w.method === 'PATCH' && w.status === 200);
const deployment = (sb: Sandbox) => sb.kube.getDeployment('runai-backend', 'runai-backend-deployment') as unknown as DeploymentJson;
const collection = '/apis/apps/v1/namespaces/runai-backend/deployments';
const watches = (sb: Sandbox) => sb.kube.requests.filter((q) => q.path === collection && q.query.watch === 'true');
const lists = (sb: Sandbox) => sb.kube.requests.filter((q) => q.path === collection && q.query.watch !== 'true' && q.query.fieldSelector !== undefined);
const emailAttribute = (d: DirectoryInfo) => (d.kind === 'samba-ad' ? 'userPrincipalName' : 'mail');

function nothingChanged({ sb, expect }: Ctx): void {
  expect(kcChanges(sb)).toEqual([]);
  expect(ldapProviders(sb)).toEqual([]);
  expect(restarts(sb)).toEqual([]);
}

/** The fault stopped dirlink before it asked Keycloak anything. */
function keycloakUntouched(c: Ctx): void {
  c.expect(c.sb.kc.requests).toEqual([]);
  nothingChanged(c);
}

/** The federation and its email mapper were written; the backend was not restarted. */
function keycloakAppliedNoRestart(c: Ctx, out: Out): void {
  const { sb, d, expect } = c;
  expect(out.error!.data!.applied).toEqual(['create federation "ldap"', `set mapper "email" to ${emailAttribute(d)}`]);
  expect(out.error!.data!.notApplied).toEqual(['restart runai-backend/runai-backend-deployment']);
  const feds = ldapProviders(sb);
  expect(feds).toHaveLength(1);
  expect(emailMappers(sb, feds[0]!.id)[0]!.config['ldap.attribute']).toEqual([emailAttribute(d)]);
  expect(restarts(sb)).toEqual([]);
}

/** Keycloak changed and the restart was sent, but the rollout did not finish. */
function restartedNotRolledOut(c: Ctx, out: Out): void {
  const { sb, expect } = c;
  expect(out.changed).toBe(true);
  expect(ldapProviders(sb)).toHaveLength(1);
  expect(restarts(sb)).toHaveLength(1);
  expect(out.error!.data!.applied).toEqual(expect.arrayContaining(['create federation "ldap"', 'restart runai-backend/runai-backend-deployment']));
  expect(out.error!.data!.state).toMatchObject({ done: false });
}

/** A kubeconfig of its own for a fault run (another server or another token). */
function kubeconfigFor(c: Ctx, name: string, server: string | { token: string }): string {
  if (typeof server === 'object') return c.sb.kube.writeKubeconfig(join(c.sb.dir, name), { token: server.token });
  const file = join(c.sb.dir, `${name}.kubeconfig`);
  const cfg = {
    apiVersion: 'v1', kind: 'Config', 'current-context': 'x',
    clusters: [{ name: 'x', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'x', user: { token: 'admin-token' } }],
    contexts: [{ name: 'x', context: { cluster: 'x', user: 'x', namespace: 'default' } }],
  };
  writeFileSync(file, JSON.stringify(cfg), { mode: 0o600 });
  return file;
}

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const freeze = (sb: Sandbox) => (sb.kube.controller.stepMs = FROZEN_MS);
const thaw = (sb: Sandbox) => (sb.kube.controller.stepMs = 20);

// ---------------------------------------------------------------- the matrix

const ROWS: Row[] = [
  // ------------------------------------------------------------ the directory (exit 3)
  {
    name: 'LDAP: connection refused (nothing listens on the port)',
    fault: async () => ({ DIRLINK_LDAP_URL: `ldap://127.0.0.1:${await closedPort()}` }),
    code: 3, error: 'ldap.tcp.refused', cause: /refused/, fix: /port in the LDAP URL/,
    state: keycloakUntouched,
  },
  {
    name: 'LDAP: a server that accepts and never answers',
    fault: async (c) => {
      const silent = await silentServer();
      c.cleanup.push(silent.close);
      return { DIRLINK_LDAP_URL: `ldap://127.0.0.1:${silent.port}`, DIRLINK_LDAP_TIMEOUT: '1s' };
    },
    code: 3, error: 'ldap.bind.timeout', cause: /did not answer .* within 1 s/, fix: /--ldap-timeout/,
    state: keycloakUntouched,
  },
  {
    name: 'LDAP: LDAPS certificate not trusted (no --ca-file)',
    fault: (c) => ({ DIRLINK_LDAP_URL: c.d.ldapsUrl, DIRLINK_CA_FILE: undefined }),
    code: 3, error: 'ldap.tls.untrusted-ca', cause: /a CA this machine does not trust/, fix: /--ca-file/,
    state: keycloakUntouched,
    // the fix: the CA for dirlink (--ca-file) and for Keycloak's truststore
    repair: (c) => void c.sb.kc.state.truststore.push(readFileSync(c.d.caFile, 'utf8')),
    rerunEnv: { DIRLINK_LDAP_URL: world.ad.ldapsUrl },
    convergedUrl: (d) => d.ldapsUrl,
  },
  {
    name: 'LDAP: wrong bind password',
    fault: () => ({ DIRLINK_BIND_PASSWORD: WRONG_BIND }),
    code: 3, error: 'ldap.bind.invalid-credentials', cause: /invalid password for the bind DN \(AD data 52e\)/, fix: /Check the bind password/,
    state: keycloakUntouched,
    secrets: [WRONG_BIND],
  },
  {
    name: 'LDAP: users DN that does not exist',
    fault: () => ({ DIRLINK_USERS_DN: 'OU=Nobody,DC=example,DC=test' }),
    code: 3, error: 'ldap.users-dn.not-found', cause: /OU=Nobody,DC=example,DC=test/, fix: /OU=People,DC=example,DC=test/,
    state: keycloakUntouched,
  },
  {
    name: 'LDAP: users lack the email attribute',
    fault: () => ({ DIRLINK_EMAIL_ATTRIBUTE: 'pager' }),
    code: 3, error: 'ldap.attributes.email-missing', cause: /email attribute "pager"/, fix: /userPrincipalName/,
    state: keycloakUntouched,
  },
  {
    name: 'LDAP: wrong bind password on OpenLDAP (LDAP 49)',
    dir: 'openldap',
    env: { DIRLINK_VENDOR: 'other' },
    fault: () => ({ DIRLINK_BIND_PASSWORD: WRONG_BIND }),
    code: 3, error: 'ldap.bind.invalid-credentials', cause: /invalid credentials \(LDAP 49\)/, fix: /bind password/,
    state: keycloakUntouched,
    secrets: [WRONG_BIND],
  },

  // ------------------------------------------------------------ Keycloak (exit 4)
  {
    name: 'Keycloak: connection refused',
    fault: async () => ({ DIRLINK_KEYCLOAK_URL: `http://127.0.0.1:${await closedPort()}` }),
    code: 4, error: 'keycloak.unreachable', cause: /connection refused/, fix: /--keycloak-url/,
    state: keycloakUntouched,
  },
  {
    name: 'Keycloak: a server that accepts and never answers',
    fault: async (c) => {
      const silent = await silentServer();
      c.cleanup.push(silent.close);
      return { DIRLINK_KEYCLOAK_URL: `http://127.0.0.1:${silent.port}` };
    },
    code: 4, error: 'keycloak.unreachable', cause: /no answer within 15 s/, fix: /accepted the connection but never answered.*--keycloak-url/,
    state: keycloakUntouched,
  },
  {
    name: 'Keycloak: 401, wrong admin password',
    fault: () => ({ DIRLINK_KEYCLOAK_PASSWORD: WRONG_KC }),
    code: 4, error: 'keycloak.unauthorized', cause: /rejected the credentials/, fix: /--keycloak-user and the password/,
    state: nothingChanged,
    secrets: [WRONG_KC],
  },
  {
    name: 'Keycloak: 401, wrong client secret (client credentials)',
    sandbox: { keycloak: { serviceClients: [{ clientId: CLIENT_ID, secret: CLIENT_SECRET }] } },
    env: clientAuth,
    fault: () => ({ DIRLINK_KEYCLOAK_CLIENT_SECRET: WRONG_CLIENT_SECRET }),
    code: 4, error: 'keycloak.unauthorized', cause: /rejected the credentials/, fix: /client id and secret/,
    state: nothingChanged,
    secrets: [WRONG_CLIENT_SECRET],
  },
  {
    name: 'Keycloak: 403, a client without manage-realm',
    sandbox: { keycloak: { serviceClients: [{ clientId: CLIENT_ID, secret: CLIENT_SECRET, roles: ['view-realm'] }] } },
    env: clientAuth,
    code: 4, error: 'keycloak.cannot-manage', cause: /may not manage realm "runai": 403/, fix: /manage-realm of client "runai-realm"/,
    state: nothingChanged,
    repair: (c) => void c.sb.kc.state.realms.get('master')!.clients.find((x) => x.clientId === CLIENT_ID)!.roles.push('manage-realm'),
  },
  {
    name: 'Keycloak: realm missing',
    fault: () => ({ DIRLINK_REALM: 'runia' }),
    code: 4, error: 'keycloak.realm-missing', cause: /realm "runia" does not exist/, fix: /did you mean "runai"/,
    state: nothingChanged,
  },
  {
    name: 'Keycloak: 404, URL with a wrong path',
    fault: (c) => ({ DIRLINK_KEYCLOAK_URL: `${c.sb.kc.url}/auth` }),
    code: 4, error: 'keycloak.not-found', cause: /404/, fix: /--keycloak-url/,
    state: nothingChanged,
  },
  {
    name: 'Keycloak: 500 on the federation create',
    fault: (c) => c.sb.kc.faults.add({ method: 'POST', path: '/admin/realms/runai/components', status: 500, body: { error: 'unknown_error' } }),
    code: 4, error: 'keycloak.server-error', cause: /HTTP 500.*create component "ldap".*Nothing was changed/, fix: /a rerun of dirlink resumes/,
    state: (c, out) => {
      nothingChanged(c);
      c.expect(out.error!.data).toMatchObject({ applied: [], notApplied: ['create federation "ldap"', 'set mapper "email" to userPrincipalName', 'restart runai-backend/runai-backend-deployment'] });
    },
  },
  {
    name: 'Keycloak: 500 on the mapper update after the federation was created',
    fault: (c) => c.sb.kc.faults.add({ method: 'PUT', path: /\/components\/[^/]+$/, status: 500, body: { error: 'unknown_error' } }),
    code: 4, error: 'keycloak.server-error', cause: /HTTP 500.*update component "email"/, fix: /setup again/,
    state: ({ sb, expect }, out) => {
      expect(out.error!.data).toMatchObject({ applied: ['create federation "ldap"'], notApplied: ['set mapper "email" to userPrincipalName', 'restart runai-backend/runai-backend-deployment'] });
      const feds = ldapProviders(sb);
      expect(feds).toHaveLength(1);
      expect(emailMappers(sb, feds[0]!.id).map((m) => m.config['ldap.attribute'])).toEqual([['mail']]);
      expect(restarts(sb)).toEqual([]);
    },
  },
  {
    name: "Keycloak: 500 on Keycloak's LDAP test, before any change",
    fault: (c) => c.sb.kc.faults.add({ method: 'POST', path: '/admin/realms/runai/testLDAPConnection', status: 500, body: { error: 'unknown_error' } }),
    code: 4, error: 'keycloak.server-error', cause: /HTTP 500.*LDAP connection test/, fix: /a rerun of dirlink resumes/,
    state: nothingChanged,
  },
  {
    name: "Keycloak: 500 on Keycloak's test of the saved federation",
    fault: (c) => c.sb.kc.faults.add({ method: 'POST', path: '/admin/realms/runai/testLDAPConnection', status: 500, after: 1, body: { error: 'unknown_error' } }),
    code: 4, error: 'keycloak.server-error', cause: /HTTP 500.*LDAP connection test/, fix: /setup again/,
    state: keycloakAppliedNoRestart,
  },
  {
    name: "Keycloak: its truststore lacks the directory's CA (LDAPS works from here, not from Keycloak)",
    env: { DIRLINK_LDAP_URL: world.ad.ldapsUrl },
    code: 4, error: 'keycloak.ldap-test', cause: /SSLHandshakeFailed/, fix: /truststore/,
    state: nothingChanged,
    repair: (c) => void c.sb.kc.state.truststore.push(readFileSync(c.d.caFile, 'utf8')),
    convergedUrl: (d) => d.ldapsUrl,
  },
  {
    name: 'Keycloak: two federations with the chosen name',
    fault: ({ sb, d }) => {
      for (let i = 0; i < 2; i++) createComponent(sb.kc.state, realmOf(sb), { ...adPayload(d), parentId: realmOf(sb).id });
    },
    code: 4, error: 'keycloak.duplicate-federations', cause: /2 LDAP federations named "ldap":\n {2}- id \S+ .*\n {2}- id \S+ /, fix: /will not guess which one to change: delete or rename the extra ones/,
    state: ({ sb, expect }, out) => {
      expect(kcChanges(sb)).toEqual([]);
      expect(out.error!.data!.ids).toEqual(ldapProviders(sb).map((f) => f.id));
      expect(restarts(sb)).toEqual([]);
    },
    repair: ({ sb }) => deleteComponent(realmOf(sb), ldapProviders(sb)[1]!.id),
  },
  {
    name: 'Keycloak: tokens revoked during a slow rollout; verify re-authenticates',
    fault: ({ sb }) => void freeze(sb),
    during: {
      marker: /Rollout: /,
      act: ({ sb }) => {
        sb.kc.expireTokens();
        thaw(sb);
      },
    },
    code: 0,
    state: ({ sb, expect }, out) => {
      expect(out.verify).toMatchObject({ ok: true });
      // the verify step's first admin call met the revoked token, logged in again and went on
      const afterRollout = sb.kc.requests.filter((q) => q.at >= restarts(sb)[0]!.at);
      expect(afterRollout.some((q) => q.status === 401 && q.path.startsWith('/admin/'))).toBe(true);
      expect(afterRollout.filter((q) => q.path === '/realms/master/protocol/openid-connect/token' && q.status === 200).length).toBeGreaterThanOrEqual(1);
    },
  },
  {
    name: 'Keycloak: the admin token runs out (by time) during a slow rollout; the next call gets a fresh one',
    // 11 s tokens: dirlink renews a token with less than 10 s left, so 1 s of rollout is enough
    sandbox: { keycloak: { tokenLifespanSeconds: 11 } },
    fault: ({ sb }) => void freeze(sb),
    during: {
      marker: /Rollout: /,
      act: async ({ sb }) => {
        const issued = Math.max(...sb.kc.requests.filter((q) => q.path === '/realms/master/protocol/openid-connect/token').map((q) => q.at));
        await until('the token has less than 10 s left', () => Date.now() > issued + 1_200);
        thaw(sb);
      },
    },
    code: 0,
    state: ({ sb, expect }, out) => {
      expect(out.verify).toMatchObject({ ok: true });
      const afterRollout = sb.kc.requests.filter((q) => q.at >= restarts(sb)[0]!.at);
      // renewed before use: no request was refused
      expect(afterRollout.filter((q) => q.path === '/realms/master/protocol/openid-connect/token' && q.status === 200).length).toBeGreaterThanOrEqual(1);
      expect(sb.kc.requests.filter((q) => q.status === 401)).toEqual([]);
    },
  },

  // ------------------------------------------------------------ Kubernetes (exit 5)
  {
    name: 'Kubernetes: API server unreachable',
    fault: async (c) => ({ KUBECONFIG: kubeconfigFor(c, 'refused', `http://127.0.0.1:${await closedPort()}`) }),
    code: 5, error: 'kube.unreachable', cause: /cannot reach the Kubernetes API server/, fix: /kubeconfig/,
    state: nothingChanged,
  },
  {
    name: 'Kubernetes: API server accepts and never answers',
    fault: async (c) => {
      const silent = await silentServer();
      c.cleanup.push(silent.close);
      return { KUBECONFIG: kubeconfigFor(c, 'silent', `http://127.0.0.1:${silent.port}`) };
    },
    code: 5, error: 'kube.unreachable', cause: /no answer within/, fix: /kubeconfig/,
    state: nothingChanged,
  },
  {
    name: 'Kubernetes: 401, credentials rejected',
    sandbox: { kube: { tls: true, requireAuth: true } },
    fault: (c) => ({ KUBECONFIG: kubeconfigFor(c, 'expired', { token: 'expired-token' }) }),
    code: 5, error: 'kube.unauthorized', cause: /rejected the credentials/, fix: /log in to the cluster again/,
    state: nothingChanged,
  },
  {
    name: 'Kubernetes: 403 on the restart after Keycloak was changed',
    sandbox: { kube: { tls: true, requireAuth: true } },
    fault: (c) => ({ KUBECONFIG: kubeconfigFor(c, 'readonly', { token: 'readonly-token' }) }),
    code: 5, error: 'kube.forbidden', cause: /not allowed to restart/, fix: /verbs \["get", "patch"\]/,
    state: keycloakAppliedNoRestart,
  },
  {
    name: 'Kubernetes: deployment not found (404)',
    fault: () => ({ DIRLINK_DEPLOYMENT: 'runai-backend' }),
    code: 5, error: 'kube.not-found', cause: /deployment runai-backend not found/, fix: /Deployments in namespace runai-backend: runai-backend-deployment/,
    state: nothingChanged,
  },
  {
    name: 'Kubernetes: deployment paused',
    fault: ({ sb }) => sb.kube.setPaused('runai-backend', 'runai-backend-deployment', true),
    code: 5, error: 'kube.paused', cause: /is paused/, fix: /kubectl rollout resume/,
    state: nothingChanged,
    repair: ({ sb }) => sb.kube.setPaused('runai-backend', 'runai-backend-deployment', false),
  },
  {
    name: 'Kubernetes: ProgressDeadlineExceeded',
    fault: ({ sb }) => void (sb.kube.controller.mode = 'deadline'),
    code: 5, error: 'kube.deadline', cause: /exceeded its progress deadline/, fix: /kubectl describe deployment runai-backend-deployment/,
    state: (c, out) => {
      restartedNotRolledOut(c, out);
      c.expect(out.error!.data!.state).toMatchObject({ deadlineExceeded: true });
    },
    repair: ({ sb }) => void (sb.kube.controller.mode = 'ok'),
  },
  {
    name: 'Kubernetes: --rollout-timeout exceeded',
    fault: ({ sb }) => {
      freeze(sb);
      return { DIRLINK_ROLLOUT_TIMEOUT: '1s' };
    },
    code: 5, error: 'kube.timeout', cause: /did not finish rolling out within 1s: Waiting for deployment spec update to be observed/, fix: /--rollout-timeout/,
    state: restartedNotRolledOut,
    repair: ({ sb }) => void thaw(sb),
  },
  {
    name: 'Kubernetes: the watch is dropped mid-rollout; the wait resumes',
    fault: ({ sb }) => void freeze(sb),
    during: {
      marker: /Rollout: /,
      act: async ({ sb }) => {
        await until('the rollout watch is open', () => watches(sb).length >= 1);
        sb.kube.dropWatches();
        await until('the watch is opened again', () => watches(sb).length >= 2);
        thaw(sb);
      },
    },
    code: 0,
    state: ({ sb, expect }, out) => {
      expect(out.changed).toBe(true);
      expect(watches(sb).length).toBeGreaterThanOrEqual(2);
      expect(rolloutState(deployment(sb), 'runai-backend-deployment').done).toBe(true);
    },
  },
  {
    name: 'Kubernetes: the watch is dropped after the history was compacted (410 Gone); the wait lists again',
    sandbox: { kube: { deployments: [DEFAULT_DEPLOYMENT, { name: 'metrics', namespace: 'runai-backend' }] } },
    fault: ({ sb }) => void freeze(sb),
    during: {
      marker: /Rollout: /,
      act: async ({ sb }) => {
        await until('the rollout watch is open', () => watches(sb).length >= 1);
        // another object moves the resourceVersion on, then etcd compacts: resuming from the old one is 410 Gone
        sb.kube.setPaused('runai-backend', 'metrics', true);
        sb.kube.compact();
        sb.kube.dropWatches();
        await until('the deployment is listed again', () => lists(sb).length >= 2);
        thaw(sb);
      },
    },
    code: 0,
    state: ({ sb, expect }, out) => {
      expect(out.changed).toBe(true);
      expect(lists(sb).length).toBeGreaterThanOrEqual(2);
      expect(rolloutState(deployment(sb), 'runai-backend-deployment').done).toBe(true);
    },
  },
];

// ---------------------------------------------------------------- running a row

/** Rows run concurrently (each in its own sandbox), a few at a time: the machine has two cores. */
const SLOTS = 3;
let free = SLOTS;
const queue: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (free === 0) await new Promise<void>((r) => queue.push(r));
  else free--;
  try {
    return await fn();
  } finally {
    const next = queue.shift();
    if (next) next();
    else free++;
  }
}

const parse = (r: RunResult, what: string): Out => {
  try {
    return JSON.parse(r.stdout) as Out;
  } catch {
    throw new Error(`${what}: stdout is not one JSON object (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
};
const STACK = /\n\s+at .+:\d+:\d+/;

async function runRow(row: Row, expect: Expect): Promise<void> {
  const d = row.dir === 'openldap' ? world.openldap : world.ad;
  const sb = await startSandbox(row.sandbox);
  const c: Ctx = { sb, d, expect, cleanup: [] };
  const outputs: { name: string; text: string }[] = [];
  const keep = (name: string, r: RunResult) => outputs.push({ name: `${name}: stdout`, text: r.stdout }, { name: `${name}: stderr`, text: r.stderr });
  const env = (extra: Env = {}): Env => ({
    DIRLINK_VERIFY_USER: d.users.normal,
    DIRLINK_VERIFY_PASSWORD: d.userPassword,
    ...row.env,
    ...extra,
  });
  try {
    // ---- 1. the failing run
    const faultEnv = (await row.fault?.(c)) ?? {};
    sb.env(d); // writes the secret files: inputs, not output
    const inputs = new Set(filesUnder(sb.dir));
    const run = sb.start(['setup', '--json', '--verbose'], d, { env: env(faultEnv), timeoutMs: 90_000 });
    if (row.during) {
      await run.waitFor(row.during.marker);
      await row.during.act(c);
    }
    const r = await run.done;
    keep('failing run', r);
    expect(r.signal, 'dirlink was killed: it hung').toBeNull();
    const out = parse(r, 'failing run');
    expect(r.code, r.stderr).toBe(row.code);
    expect(out.exitCode).toBe(row.code);
    expect(r.stderr).not.toMatch(STACK);
    if (row.error) {
      expect(out.ok).toBe(false);
      expect(out.error!.code).toBe(row.error);
      expect(out.error!.message).toMatch(row.cause!);
      expect(out.error!.hint ?? '').toMatch(row.fix!);
      // the steps say where it stopped
      expect(out.steps.filter((s) => s.status === 'fail'), JSON.stringify(out.steps)).not.toEqual([]);
    } else {
      expect(out.ok, JSON.stringify(out.error)).toBe(true);
    }
    row.state(c, out);

    // ---- 2. the fault removed: a rerun converges
    await row.repair?.(c);
    sb.kc.faults.clear();
    const again = await sb.run(['setup', '--verbose'], d, { env: env(row.rerunEnv), timeoutMs: 90_000 });
    keep('rerun', again);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const feds = ldapProviders(sb);
    expect(feds.map((f) => f.name)).toEqual(['ldap']);
    expect(feds[0]!.config.connectionUrl).toEqual([row.convergedUrl?.(d) ?? d.url]);
    const emails = emailMappers(sb, feds[0]!.id);
    expect(emails).toHaveLength(1);
    expect(emails[0]!.config['ldap.attribute']).toEqual([emailAttribute(d)]);
    // the backend restarted after the last change in Keycloak, and its rollout finished
    const lastChange = Math.max(...kcChanges(sb).map((w) => w.at));
    const lastRestart = Math.max(...restarts(sb).map((w) => w.at));
    expect(lastRestart).toBeGreaterThanOrEqual(lastChange);
    expect(rolloutState(deployment(sb), 'runai-backend-deployment').done).toBe(true);
    expect(again.stdout).toMatch(/Login of "[^"]+" through realm "runai": preferred_username=/);

    // ---- 3. and a second rerun has nothing to do
    sb.kc.resetRequests();
    sb.kube.resetRequests();
    const third = await sb.run(['setup', '--json'], d, { env: env(row.rerunEnv), timeoutMs: 90_000 });
    keep('second rerun', third);
    expect(third.code, third.stderr).toBe(0);
    const o3 = parse(third, 'second rerun');
    expect(o3.plan).toEqual([]);
    expect(o3.verify).toMatchObject({ ok: true });
    expect(sb.kc.writes()).toEqual([]);
    expect(sb.kube.writes()).toEqual([]);

    // ---- 4. no secret anywhere dirlink wrote
    const written = filesUnder(sb.dir).filter((f) => !inputs.has(f));
    const secrets = [d.bindPassword, KC_ADMIN_PASSWORD, CLIENT_SECRET, d.userPassword, ...(row.secrets ?? [])];
    expect(findLeaks(secrets, outputs, written)).toEqual([]);
    expect(written.some((f) => f.includes(join('state', 'snapshots')))).toBe(true);
  } finally {
    for (const f of c.cleanup) await f();
    await sb.close();
  }
}

describe('fault matrix', () => {
  it('has at least 25 rows with distinct names', () => {
    globalExpect(ROWS.length).toBeGreaterThanOrEqual(25);
    globalExpect(new Set(ROWS.map((r) => r.name)).size).toBe(ROWS.length);
  });
  for (const row of ROWS) {
    it.concurrent(row.name, { timeout: 300_000 }, async ({ expect }) => slot(() => runRow(row, expect)));
  }
});
