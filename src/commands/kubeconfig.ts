// `dirlink kubeconfig`: the kubeconfig user researchers' kubectl and Run:AI CLI log in with,
// through the same realm. With Keycloak credentials the realm and the client are checked first
// (exit 4 when either is missing, so nothing is written that cannot work); then the user is
// printed, or merged into a kubeconfig with --write.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { KeycloakError, UsageError, isDirlinkError } from '../errors.js';
import type { Settings } from '../inputs/resolve.js';
import { findRealm } from '../keycloak/observe.js';
import { clientProblems } from '../researcher/client-check.js';
import { kubeconfigChain, mergeUser, writeKubeconfig, writeTarget } from '../researcher/kubeconfig-file.js';
import { researcherUser, type KubeconfigUser } from '../researcher/template.js';
import type { Deps } from './context.js';
import { loginKeycloak } from './steps.js';

export interface KubeconfigOptions {
  /** true: the usual kubeconfig (--kubeconfig, KUBECONFIG, ~/.kube/config); a string: that file */
  write?: string | true;
  /** with write: point this context at the user */
  context?: string;
  /** --json: the user goes into the JSON object, not onto stdout as YAML */
  json?: boolean;
}

const hasCredentials = (s: Settings) => (s.keycloak.auth.kind === 'password' ? s.keycloak.auth.password !== '' : s.keycloak.auth.clientSecret !== '');

/** The realm and the researchers' client, as Keycloak has them; skipped without credentials. */
async function checkKeycloak(s: Settings, deps: Deps, redirectUri: string | undefined): Promise<Record<string, unknown>> {
  const r = deps.reporter;
  const { clientId, authFlow } = s.researcher;
  if (!hasCredentials(s)) {
    r.record('keycloak.client', `Realm "${s.keycloak.realm}" and client "${clientId}"`, 'skipped',
      'not checked: no Keycloak credentials (give --keycloak-password-file or DIRLINK_KEYCLOAK_PASSWORD, or a service client, to check them)');
    return { checked: false };
  }
  const kc = await loginKeycloak(s, deps);
  const step = r.step('keycloak.client', `Realm "${s.keycloak.realm}" and client "${clientId}"`);
  try {
    const realm = await findRealm(kc, s.keycloak.realm);
    const client = await kc.findClient(realm, clientId);
    if (!client) {
      const ids = await kc.listClientIds(realm).catch(() => [] as string[]);
      const likely = ids.filter((id) => /cli|runai/i.test(id) && !['admin-cli', 'security-admin-console'].includes(id));
      throw new KeycloakError('keycloak.client-missing', `realm "${realm.name}" has no client "${clientId}"`, {
        field: 'cliClientId',
        hint: `${likely.length ? `did you mean ${likely.map((i) => `"${i}"`).join(' or ')}? ` : ''}pass the client researchers log in through with --client-id (clients of the realm: ${ids.join(', ') || 'none visible'})`,
        data: { clients: ids },
      });
    }
    if (!client.enabled) {
      throw new KeycloakError('keycloak.client-disabled', `client "${clientId}" of realm "${realm.name}" is disabled: nobody can log in through it`, {
        field: 'cliClientId',
        hint: 'enable it in the admin console (Clients → the client → Enabled), or pass another with --client-id',
      });
    }
    const problems = clientProblems(client, clientId, authFlow, redirectUri);
    step.done(problems.length ? 'warn' : 'ok', `${client.publicClient ? 'public' : 'confidential'} client, ${authFlow} login ${problems.length ? 'may fail' : 'allowed'}`);
    for (const p of problems) r.warn(p);
    return { checked: true, client: { id: client.id, publicClient: client.publicClient, standardFlowEnabled: client.standardFlowEnabled, directAccessGrantsEnabled: client.directAccessGrantsEnabled, redirectUris: client.redirectUris }, problems };
  } catch (e) {
    step.done('fail', isDirlinkError(e) ? e.message : 'failed');
    throw e;
  }
}

/** A kubeconfig holding only the user: valid on its own (kubectl config view), mergeable through KUBECONFIG. */
function printable(entry: KubeconfigUser, realm: string): string {
  const body = stringify({ apiVersion: 'v1', kind: 'Config', users: [entry] }, { lineWidth: 0, indentSeq: false });
  return `# the Run:AI researcher login for realm "${realm}" (dirlink kubeconfig); merge it with --write,\n# then point a context at it: kubectl config set-context NAME --user=${entry.name}\n${body}`;
}

export async function kubeconfig(s: Settings, o: KubeconfigOptions, deps: Deps, out: Record<string, unknown>): Promise<void> {
  const r = deps.reporter;
  const rs = s.researcher;
  if (o.context && o.write === undefined) {
    throw new UsageError('input.conflict', '--context changes a kubeconfig file, so it needs --write', {
      hint: `add --write (or --write FILE), or point the context yourself: kubectl config set-context ${o.context} --user=${rs.userName}`,
    });
  }
  if (rs.authFlow === 'cli' && rs.redirectUri) r.warn('--redirect-uri is left out: only the remote-browser flow uses it');

  const entry = researcherUser({ userName: rs.userName, realm: s.keycloak.realm, clientId: rs.clientId, authFlow: rs.authFlow, keycloakUrl: s.keycloak.url, redirectUri: rs.redirectUri });
  const config = entry.user['auth-provider'].config;
  const result: Record<string, unknown> = { user: entry };
  out.kubeconfig = result;
  // what the cluster side needs so that kube-apiserver accepts these tokens (Run:AI "Cluster authentication")
  result.apiServerFlags = [`--oidc-issuer-url=${config['idp-issuer-url']}`, `--oidc-client-id=${rs.clientId}`, '--oidc-username-prefix=-'];

  result.keycloak = await checkKeycloak(s, deps, config['redirect-uri']);
  r.info(`kube-apiserver must trust these tokens: ${(result.apiServerFlags as string[]).join(' ')}`);

  if (o.write === undefined) {
    if (!o.json) (deps.print ?? ((t: string) => process.stdout.write(t)))(printable(entry, s.keycloak.realm));
    return;
  }

  const file = o.write === true ? writeTarget(kubeconfigChain(s.kube.kubeconfig, deps.env), rs.userName) : o.write;
  const step = r.step('kubeconfig.write', `Kubeconfig ${file}`);
  try {
    const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    const merged = mergeUser(before, entry, { file, context: o.context });
    result.file = resolve(file);
    result.changed = merged.changed;
    result.replaced = merged.replaced;
    if (merged.context) result.context = merged.context;
    if (!merged.changed) {
      step.done('ok', `user "${rs.userName}" is already up to date${o.context ? ` and context "${o.context}" uses it` : ''}: nothing written`);
      return;
    }
    const w = writeKubeconfig(file, merged.text, deps.now());
    result.file = w.file;
    if (w.backup) result.backup = w.backup;
    const ctx = merged.context
      ? `; context "${merged.context.name}" now uses it${merged.context.previousUser && merged.context.previousUser !== rs.userName ? ` (was "${merged.context.previousUser}")` : ''}`
      : '';
    step.done('ok', `${merged.replaced ? 'replaced' : before === undefined ? 'created with' : 'added'} user "${rs.userName}"${ctx}`);
    if (w.backup) r.info(`the previous file is kept as ${w.backup}`);
    if (!o.context) r.info(`point a context at it: kubectl config set-context NAME --user=${rs.userName} (or rerun with --context NAME)`);
  } catch (e) {
    step.done('fail', isDirlinkError(e) ? e.message : 'failed');
    throw e;
  }
}
