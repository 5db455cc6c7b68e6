// Pipeline steps shared by several commands. Each reports one step line (with its time) and
// turns a failure into the DirlinkError of its system, so exit codes follow the contract.
import { isDirlinkError } from '../errors.js';
import type { Settings } from '../inputs/resolve.js';
import type { KeycloakPort } from '../keycloak/types.js';
import type { KubePort, RolloutState } from '../kubernetes/index.js';
import { ldapErrorFromReport } from '../ldap/probe.js';
import type { LayerResult, ProbeReport, UserPreview } from '../ldap/types.js';
import type { Deps } from './context.js';

const fmtMs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

function layerLine(l: LayerResult): string {
  const mark = { ok: '✔', warn: '!', fail: '✖', skipped: '-' }[l.status];
  return `${mark} ${l.id.padEnd(10)} ${l.message}${l.status === 'skipped' ? '' : ` (${fmtMs(l.ms)})`}`;
}

/** One user as Keycloak will show it: username, email, first | last name, DN, and what is wrong with it. */
function previewRow(p: UserPreview): string {
  const names = `${p.firstName ?? '-'} | ${p.lastName ?? '-'}`;
  return `    ${(p.username ?? '(no username)').padEnd(20)} ${(p.email ?? '(no email)').padEnd(32)} ${names.padEnd(28)} ${p.dn}${p.disabled ? '  (disabled)' : ''}`;
}

/**
 * The layered directory check from this machine; exit 3 on the first failing layer. The report
 * (every layer with its result and time) goes into `json.ldap` before a failure is thrown, so
 * --json carries the whole ladder either way.
 */
export async function checkDirectory(s: Settings, deps: Deps, json?: Record<string, unknown>): Promise<ProbeReport> {
  const r = deps.reporter;
  const step = r.step('ldap', `Directory ${s.ldap.url}`);
  const report = await deps.ldap.probe(s.ldap, { onLayer: (l) => step.progress(`${l.id} ${l.status}`), signal: deps.signal });
  if (json) json.ldap = report;
  const u = report.users;
  const warned = report.warnings.length || report.layers.some((l) => l.status === 'warn');
  // the size is a fact, not a problem: a warning says what it is about, below
  const warnings = warned ? `; ${report.warnings.length || 1} warning${report.warnings.length === 1 ? '' : 's'} below` : '';
  const summary = u ? `${u.capped ? `more than ${u.count}` : u.count} users under ${s.ldap.usersDn}${warnings}` : 'checked';
  step.done(report.ok ? (warned ? 'warn' : 'ok') : 'fail', report.ok ? summary : 'failed');
  for (const l of report.layers) {
    if (l.status === 'skipped' && report.ok) continue;
    r.info(layerLine(l));
    if (l.status !== 'ok' && l.hint) r.info(`    → ${l.hint}`);
  }
  const shown = new Set(report.layers.map((l) => l.message));
  for (const w of report.warnings) if (!shown.has(w)) r.warn(w);
  if (u && u.sample.length && report.ok) {
    r.info(`users as Keycloak will see them (${Math.min(u.sample.length, 5)} of ${u.capped ? `${u.count}+` : u.count}): username, email, first | last name, DN`);
    for (const p of u.sample.slice(0, 5)) r.info(previewRow(p));
    // the problem accounts the targeted searches found, wherever they are in the directory
    const problems = [u.problems.withoutUsername, u.problems.withoutEmail, u.problems.disabled].filter((c) => c !== undefined);
    const rows = [...new Map(problems.flatMap((c) => c.users).map((p) => [p.dn, p])).values()];
    if (rows.length) {
      const more = problems.some((c) => c.capped) ? ' (more exist: see the warnings)' : '';
      r.info(`accounts to look at (${Math.min(rows.length, 10)} of ${rows.length}${more}):`);
      for (const p of rows.slice(0, 10)) r.info(previewRow(p));
    }
  }
  if (!report.ok) throw ldapErrorFromReport(report)!;
  return report;
}

export async function loginKeycloak(s: Settings, deps: Deps): Promise<KeycloakPort> {
  const who = s.keycloak.auth.kind === 'password' ? `as ${s.keycloak.auth.user}` : `as client ${s.keycloak.auth.clientId}`;
  const step = deps.reporter.step('keycloak.login', `Keycloak ${s.keycloak.url}`);
  try {
    const kc = await deps.keycloak({ baseUrl: s.keycloak.url, auth: s.keycloak.auth });
    step.done('ok', `logged in ${who}`);
    return kc;
  } catch (e) {
    step.done('fail', isDirlinkError(e) ? e.message : 'login failed');
    throw e;
  }
}

export async function connectKube(s: Settings, deps: Deps): Promise<{ port: KubePort; state: RolloutState }> {
  const step = deps.reporter.step('kubernetes.read', `Deployment ${s.kube.namespace}/${s.kube.deployment}`);
  try {
    const port = await deps.kubernetes({ kubeconfig: s.kube.kubeconfig, context: s.kube.context, namespace: s.kube.namespace, deployment: s.kube.deployment });
    const state = await port.readDeployment();
    const d = port.describe();
    step.done(state.paused ? 'warn' : 'ok', `${state.message.trim()} (${d.inCluster ? 'in-cluster' : (d.context ?? 'kubeconfig')}, ${d.server})`);
    return { port, state };
  } catch (e) {
    step.done('fail', isDirlinkError(e) ? e.message : 'failed');
    throw e;
  }
}

/** `onRestarted` runs once the cluster accepted the restart (the rollout may still fail). */
export async function restartAndWait(kube: KubePort, s: Settings, deps: Deps, onRestarted?: () => void): Promise<RolloutState> {
  const r = deps.reporter;
  const step = r.step('kubernetes.restart', `Restart ${s.kube.namespace}/${s.kube.deployment}`);
  let restarted;
  try {
    restarted = await kube.restart(deps.now());
    step.done('ok', `restartedAt ${restarted.restartedAt}`);
    onRestarted?.();
  } catch (e) {
    step.done('fail', isDirlinkError(e) ? e.message : 'failed');
    throw e;
  }
  const wait = r.step('kubernetes.rollout', 'Rollout');
  try {
    const state = await kube.waitForRollout({
      minGeneration: restarted.generation,
      timeoutMs: s.kube.rolloutTimeoutMs,
      signal: deps.signal,
      onProgress: (st) => wait.progress(`${st.updated} of ${st.replicas} updated, ${st.available} available — ${st.message.trim()}`, true),
    });
    wait.done('ok', state.message.trim());
    return state;
  } catch (e) {
    wait.done('fail', isDirlinkError(e) ? e.message : 'failed');
    throw e;
  }
}
