// `dirlink undo`: put the federation back as the newest (or a given) snapshot recorded it, or
// delete the federation setup created; then restart the backend like setup does. The plan is shown
// key by key first, with what happens to the bind password and what others changed since setup.
import { CancelledError, KeycloakError, UsageError, isDirlinkError } from '../errors.js';
import type { Settings } from '../inputs/resolve.js';
import { findRealm } from '../keycloak/observe.js';
import { executeRestore, planRestore, restoreLines } from '../keycloak/restore.js';
import { listSnapshots, readSnapshot, snapshotDir, updateSnapshot } from '../keycloak/snapshot.js';
import { adviceFor } from '../keycloak/test-codes.js';
import type { Deps } from './context.js';
import { connectKube, loginKeycloak, restartAndWait } from './steps.js';

export async function undo(s: Settings, o: { snapshot?: string; yes: boolean }, deps: Deps, out: Record<string, unknown>): Promise<void> {
  const r = deps.reporter;
  const available = listSnapshots(deps.stateDir, s.keycloak.realm, s.keycloak.federationName);
  out.snapshots = available;
  const path = o.snapshot ?? available[0]?.path;
  if (!path) {
    throw new UsageError('undo.no-snapshot', `no snapshot of federation "${s.keycloak.federationName}" in realm "${s.keycloak.realm}" under ${snapshotDir(deps.stateDir, s.keycloak.realm)}`, {
      field: 'snapshot',
      hint: 'pass --snapshot FILE (setup prints the path it wrote), or set DIRLINK_STATE_DIR to where setup ran',
    });
  }
  const snap = readSnapshot(path);
  out.snapshot = path;
  r.info(`snapshot: ${path} (taken ${snap.takenAt}${o.snapshot ? '' : ', the newest'}; ${available.length} for this federation under ${snapshotDir(deps.stateDir, snap.realm)})`);

  const kc = await loginKeycloak(s, deps);
  const realm = await findRealm(kc, snap.realm);
  const id = snap.before?.federation.id ?? snap.createdId;
  const current = id ? await kc.getComponent(realm, id) : undefined;
  if (snap.before && !current) {
    throw new KeycloakError('undo.federation-gone', `federation ${id} no longer exists, and its bind password cannot be restored from a masked snapshot`, {
      hint: 'run dirlink setup with the values recorded in the snapshot instead',
    });
  }
  const mappers = current && id ? await kc.listMappers(realm, id) : [];
  const plan = planRestore(snap, current, mappers, s.ldap.bindPassword);
  out.undo = { kind: plan.kind, federationId: plan.federationId, changes: plan.changes, credential: plan.credential, mappers: plan.mappers.map(({ action, name }) => ({ action, name })), changedSince: plan.changedSince, notes: plan.notes };

  r.blank();
  r.info(`Undo plan for realm "${snap.realm}":`);
  for (const l of restoreLines(plan)) r.info(`  ${l}`);
  for (const n of plan.notes) r.info(`  = ${n}`);
  if (plan.changedSince.length) {
    r.warn(`federation "${snap.federationName}" was changed after setup by someone else; undo overwrites these changes:\n${plan.changedSince.map((c) => `    ${c}`).join('\n')}`);
  }
  r.blank();

  // A password sent to the restored server is first tested by Keycloak there, as setup does.
  if (plan.credential.action === 'send' && snap.before) {
    const c = snap.before.federation.config ?? {};
    const t = await kc.testLdapConnection(realm, {
      action: 'testAuthentication', connectionUrl: c.connectionUrl?.[0] ?? '', bindDn: c.bindDn?.[0] ?? '', bindCredential: s.ldap.bindPassword,
      authType: 'simple', useTruststoreSpi: c.useTruststoreSpi?.[0] ?? 'always', connectionTimeout: c.connectionTimeout?.[0] ?? '10000', startTls: c.startTls?.[0] ?? 'false',
    });
    if (!t.ok) {
      throw new KeycloakError('undo.ldap-test', `Keycloak cannot bind to ${c.connectionUrl?.[0]} as ${c.bindDn?.[0]} with the password you gave: ${t.code}. Nothing was changed`, { hint: adviceFor(t.code), field: 'bindPassword', data: { keycloakCode: t.code } });
    }
  }

  if (!plan.changesKeycloak) {
    r.record('keycloak.undo', 'Restore in Keycloak', 'ok', 'nothing to change');
    out.changed = false;
    return;
  }
  if (deps.prompter && !o.yes && !(await deps.prompter.confirm({ name: 'confirm', message: plan.kind === 'delete' ? 'Delete this federation?' : 'Restore this snapshot?', default: false }))) {
    throw new CancelledError('not restored: you answered no. Nothing was changed');
  }

  const step = r.step('keycloak.undo', 'Restore in Keycloak');
  const done: string[] = [];
  try {
    await executeRestore(kc, realm, plan, snap, s.ldap.bindPassword, done, (t) => step.progress(t));
  } catch (e) {
    step.done('fail', isDirlinkError(e) ? e.message : 'failed');
    out.applied = done;
    throw isDirlinkError(e) ? new KeycloakError(e.code, `${e.message}. Restored so far: ${done.join('; ') || 'nothing'}`, { hint: `${e.hint ? `${e.hint}. ` : ''}Running dirlink undo again completes it`, field: e.field, data: { ...e.data, applied: done }, cause: e }) : e;
  }
  step.done('ok', done.join('; '));
  out.applied = done;
  out.changed = true;
  if (s.kube.restart) {
    const { port } = await connectKube(s, deps);
    out.rollout = await restartAndWait(port, s, deps);
    // the backend now runs with the restored federation: a later setup has no restart to catch up on
    if (snap.restartPending) updateSnapshot(path, { restartPending: false });
  } else {
    r.record('kubernetes.restart', 'Restart', 'skipped', '--no-restart: the backend reads the federation at start-up, restart it yourself');
  }
}
