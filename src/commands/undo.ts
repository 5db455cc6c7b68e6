// `dirlink undo`: put the federation back as the newest (or a given) snapshot recorded it, or
// delete the federation setup created; then restart the backend like setup does.
import { CancelledError, KeycloakError, UsageError } from '../errors.js';
import type { Settings } from '../inputs/resolve.js';
import { findRealm } from '../keycloak/observe.js';
import { latestSnapshot, readSnapshot, updateSnapshot } from '../keycloak/snapshot.js';
import { SECRET_MASK } from '../keycloak/types.js';
import type { Deps } from './context.js';
import { connectKube, loginKeycloak, restartAndWait } from './steps.js';

export async function undo(s: Settings, o: { snapshot?: string; yes: boolean }, deps: Deps, out: Record<string, unknown>): Promise<void> {
  const r = deps.reporter;
  const path = o.snapshot ?? latestSnapshot(deps.stateDir, s.keycloak.realm, s.keycloak.federationName);
  if (!path) {
    throw new UsageError('undo.no-snapshot', `no snapshot of federation "${s.keycloak.federationName}" in realm "${s.keycloak.realm}" under ${deps.stateDir}`, {
      field: 'snapshot',
      hint: 'pass --snapshot FILE (setup prints the path it wrote), or set DIRLINK_STATE_DIR to where setup ran',
    });
  }
  const snap = readSnapshot(path);
  out.snapshot = path;
  const kc = await loginKeycloak(s, deps);
  const realm = await findRealm(kc, snap.realm);

  const plan: string[] = [];
  if (!snap.before) {
    if (!snap.createdId) throw new UsageError('undo.incomplete-snapshot', `${path} records no federation id: setup stopped before creating it, so there is nothing to undo`);
    plan.push(`delete federation "${snap.federationName}" (${snap.createdId}) that setup created, with its mappers`);
  } else {
    plan.push(`restore federation "${snap.federationName}" (${snap.before.federation.id}) and ${snap.before.mappers.length} mappers as of ${snap.takenAt}`);
  }
  r.info(`undo plan (${path}):`);
  for (const p of plan) r.info(`  ${p}`);
  if (deps.prompter && !o.yes && !(await deps.prompter.confirm({ name: 'confirm', message: 'Restore this snapshot?', default: false }))) {
    throw new CancelledError('not restored: you answered no. Nothing was changed');
  }

  const step = r.step('keycloak.undo', 'Restore in Keycloak');
  if (!snap.before) {
    const existing = await kc.getComponent(realm, snap.createdId!);
    if (existing) await kc.deleteComponent(realm, snap.createdId!);
    step.done('ok', existing ? `deleted federation ${snap.createdId}` : 'already gone');
  } else {
    const fed = snap.before.federation;
    const current = await kc.getComponent(realm, fed.id!);
    if (!current) {
      step.done('fail', 'the federation was deleted since the snapshot');
      throw new KeycloakError('undo.federation-gone', `federation ${fed.id} no longer exists, and its bind password cannot be restored from a masked snapshot`, {
        hint: 'run dirlink setup with the values recorded in the snapshot instead',
      });
    }
    // The mask keeps the stored password: if setup changed it, the restored URL/bind DN get the new one.
    await kc.updateComponent(realm, fed.id!, { ...fed, config: { ...fed.config, bindCredential: [SECRET_MASK] } });
    const now = await kc.listMappers(realm, fed.id!);
    for (const m of snap.before.mappers) {
      const live = now.find((x) => x.id === m.id);
      if (live) await kc.updateComponent(realm, m.id!, m);
      else await kc.createComponent(realm, { ...m, id: undefined });
    }
    step.done('ok', `federation and ${snap.before.mappers.length} mappers restored`);
  }
  out.changed = true;
  if (s.kube.restart) {
    const { port } = await connectKube(s, deps);
    out.rollout = await restartAndWait(port, s, deps);
    // the backend now runs with the restored federation: a later setup has no restart to catch up on
    if (snap.restartPending) updateSnapshot(path, { restartPending: false });
  }
}
