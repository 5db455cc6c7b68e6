// `dirlink setup` and `dirlink check`: one pipeline for every mode.
//   1. directory check from this machine  2. read Keycloak (and Keycloak's own LDAP test)
//   3. read the deployment  4. plan (pure)  5. print  6. stop here for check / --dry-run
//   7. confirm  8. snapshot  9. apply  10. Keycloak-side test  11. restart + wait  12. verify
import { CancelledError, KeycloakError, KubeError, isDirlinkError } from '../errors.js';
import type { Settings } from '../inputs/resolve.js';
import { applyKeycloak, describe } from '../keycloak/apply.js';
import type { FederationSettings } from '../keycloak/federation.js';
import { observeKeycloak } from '../keycloak/observe.js';
import { pendingRestart, recordApplied, updateSnapshot, writeSnapshot } from '../keycloak/snapshot.js';
import type { KeycloakPort } from '../keycloak/types.js';
import { testSavedFederation } from '../keycloak/vantage.js';
import type { KubePort, RolloutState } from '../kubernetes/index.js';
import { buildPlan, type Plan } from '../plan/plan.js';
import { planToJson } from '../output/plan-text.js';
import type { CommandResult, Deps } from './context.js';
import { reportAuth0Leftovers } from './auth0-leftovers.js';
import { Progress } from './progress.js';
import { checkDirectory, connectKube, loginKeycloak, restartAndWait } from './steps.js';
import { runVerify } from './verify.js';

export interface SetupOptions {
  dryRun: boolean;
  yes: boolean;
  forceRestart: boolean;
  rotateBindPassword: boolean;
}

export function federationSettings(s: Settings): FederationSettings {
  return {
    name: s.keycloak.federationName,
    vendor: s.ldap.vendor,
    url: s.ldap.url,
    startTls: s.ldap.startTls,
    bindDn: s.ldap.bindDn,
    usersDn: s.ldap.usersDn,
    usernameAttribute: s.ldap.usernameAttribute,
    emailAttribute: s.ldap.emailAttribute,
    timeoutMs: s.ldap.timeoutMs,
  };
}

export async function setup(s: Settings, o: SetupOptions, deps: Deps, json: Record<string, unknown>): Promise<CommandResult> {
  const r = deps.reporter;
  const fs = federationSettings(s);

  // 1. the directory, from this machine
  json.ldap = await checkDirectory(s, deps, json);

  // 2. Keycloak, read-only
  const kc: KeycloakPort = await loginKeycloak(s, deps);
  const step = r.step('keycloak.read', `Keycloak realm "${s.keycloak.realm}"`);
  let observed: Awaited<ReturnType<typeof observeKeycloak>>;
  try {
    observed = await observeKeycloak(kc, fs, s.ldap.bindPassword, { realm: s.keycloak.realm, rotate: o.rotateBindPassword });
  } catch (e) {
    step.done('fail', isDirlinkError(e) ? e.message : 'failed');
    throw e;
  }
  const fed = observed.observed.federation;
  step.done('ok', fed ? `federation "${fs.name}" exists (${observed.observed.mappers.length} mappers)` : `no federation named "${fs.name}" yet`);
  for (const other of observed.others) r.warn(`realm "${s.keycloak.realm}" has another LDAP federation "${other.name}" (${other.config?.connectionUrl?.[0] ?? '?'}): it answers user searches too`);

  // Keycloak's own test of the connection it will use: the commonest real failure is a directory
  // reachable from here but not from Keycloak (or a CA missing from Keycloak's truststore).
  const kt = observed.keycloakTest;
  json.keycloakTest = { ok: kt.ok, code: kt.code };
  if (!kt.ok) {
    r.record('keycloak.ldap-test', "Keycloak's LDAP test", 'fail', `${kt.code}: ${kt.advice}`);
    throw new KeycloakError('keycloak.ldap-test', `the directory works from this machine, but Keycloak's own LDAP test fails: ${kt.code}`, {
      hint: kt.advice,
      data: { keycloakCode: kt.code },
    });
  }
  r.record('keycloak.ldap-test', "Keycloak's LDAP test", 'ok', 'Keycloak can connect and bind');

  // 3. the deployment, read-only
  let kube: KubePort | undefined;
  let deployment: RolloutState | undefined;
  if (s.kube.restart) {
    const k = await connectKube(s, deps);
    kube = k.port;
    deployment = k.state;
    json.deployment = k.state;
  } else {
    r.record('kubernetes.read', 'Backend deployment', 'skipped', '--no-restart');
  }

  // Auth0 connector leftovers in the kubeconfig (a warning only; local files)
  reportAuth0Leftovers(s, deps, json);

  // Ctrl-C while Keycloak or the cluster was being read (those calls are not interruptible): stop here.
  if (deps.signal?.aborted) throw new CancelledError('interrupted (Ctrl-C) before any change: nothing was changed');

  // 4–5. plan
  const pending = s.kube.restart ? pendingRestart(deps.stateDir, s.keycloak.url, s.keycloak.realm, fs.name) : undefined;
  const plan: Plan = buildPlan(fs, observed.observed, {
    restart: { enabled: s.kube.restart, force: o.forceRestart, namespace: s.kube.namespace, deployment: s.kube.deployment, timeoutMs: s.kube.rolloutTimeoutMs, pending: pending !== undefined },
  });
  json.plan = planToJson(plan);
  json.changed = false;
  r.blank();
  r.plan(plan);
  r.blank();
  const restart = plan.actions.find((a) => a.kind === 'restart');
  // A paused deployment would take the restart and never roll out: say so before changing anything.
  const paused = restart && deployment?.paused
    ? new KubeError('kube.paused', `deployment ${s.kube.namespace}/${s.kube.deployment} is paused, so the restart the plan needs would not roll out`, {
      hint: `Resume it first: kubectl rollout resume deployment/${s.kube.deployment} -n ${s.kube.namespace} (or rerun with --no-restart and restart it later).`,
      data: { state: deployment },
    })
    : undefined;

  // 6. dry run
  if (o.dryRun) {
    if (paused) r.warn(`${paused.message}: setup would stop here. ${paused.hint}`);
    r.record('apply', 'Apply', 'skipped', plan.actions.length ? 'dry run: nothing was sent to Keycloak or Kubernetes' : 'nothing to change');
    return { json };
  }
  if (plan.actions.length === 0) {
    r.record('apply', 'Apply', 'ok', 'nothing to change');
    if (s.verify) json.verify = await runVerify(s, deps, kc);
    return { json };
  }
  if (paused) {
    r.record('apply', 'Apply', 'fail', 'the deployment is paused: nothing was changed');
    throw paused;
  }

  // 7. confirm
  if (deps.prompter && !o.yes) {
    const go = await deps.prompter.confirm({ name: 'confirm', message: 'Apply this plan?', default: true });
    if (!go) throw new CancelledError('not applied: you answered no. Nothing was changed');
  }
  const progress = new Progress(plan.actions.map(describe));
  const rest = !restart
    ? 'it applies what is left.'
    : plan.changesKeycloak || pending
      ? 'it applies what is left and restarts the backend (the snapshot remembers the pending restart, even when Keycloak needs no further change).'
      : 'add --force-restart to restart the backend again.';
  try {
    await applyAndRestart();
  } catch (e) {
    throw progress.report(e, rest);
  }
  json.applied = progress.applied.filter((a) => a !== (restart && describe(restart)));

  // 12. prove a login
  if (s.verify) json.verify = await runVerify(s, deps, kc);
  return { json };

  async function applyAndRestart(): Promise<void> {
    // 8. snapshot
    let snapshotPath: string | undefined;
    if (plan.changesKeycloak) {
      snapshotPath = writeSnapshot(
        deps.stateDir,
        {
          version: 1,
          takenAt: deps.now().toISOString(),
          keycloakUrl: s.keycloak.url,
          realm: s.keycloak.realm,
          federationName: fs.name,
          before: fed ? { federation: fed, mappers: observed.observed.mappers } : null,
        },
        deps.now(),
      );
      json.snapshot = snapshotPath;
      r.info(`snapshot of the federation as it was: ${snapshotPath}`);
    }

    // 9. apply to Keycloak
    if (plan.changesKeycloak) {
      const st = r.step('keycloak.apply', 'Apply to Keycloak');
      let res;
      try {
        res = await applyKeycloak(kc, observed.observed.realm, plan, fs, s.ldap.bindPassword, observed.observed, {
          signal: deps.signal,
          onAction: (t) => st.progress(t),
          onApplied: (t) => {
            if (progress.applied.length === 0 && snapshotPath && restart) updateSnapshot(snapshotPath, { restartPending: true });
            progress.done(t);
            json.applied = [...progress.applied];
            json.changed = true;
          },
          onCreated: (id) => snapshotPath && updateSnapshot(snapshotPath, { createdId: id }),
        });
      } catch (e) {
        st.done('fail', isDirlinkError(e) ? e.message : 'failed');
        throw e;
      }
      st.done('ok', res.applied.join('; '));

      if (snapshotPath) recordApplied(snapshotPath, res);

      // 10. the saved configuration, from Keycloak's vantage point, next to this machine's verdict
      const test = r.step('keycloak.test-saved', 'Keycloak test of the saved federation');
      let t;
      try {
        t = await testSavedFederation(kc, observed.observed.realm, fs, res.federationId!);
      } catch (e) {
        test.done('fail', isDirlinkError(e) ? e.message : 'failed');
        throw e;
      }
      json.keycloakTestSaved = { ok: t.ok, connection: t.connection, authentication: t.authentication };
      if (!t.ok) {
        test.done('fail', `${t.summary} (from this machine: the directory check passed). ${t.advice}`);
        // progress.report adds what was applied and how a rerun finishes (the restart is remembered)
        throw new KeycloakError('keycloak.ldap-test-after', `the federation was saved, but Keycloak's test of it fails: ${t.summary}; the directory works from this machine`, {
          hint: `${t.advice}. Or put the federation back with dirlink undo`,
          data: { keycloakCode: t.code },
        });
      }
      test.done('ok', t.summary);
    }

    // 11. restart and wait
    if (restart && kube) {
      if (deps.signal?.aborted) throw new CancelledError('interrupted (Ctrl-C) before the restart');
      json.rollout = await restartAndWait(kube, s, deps, () => progress.done(describe(restart)));
      for (const path of [snapshotPath, pending]) if (path) updateSnapshot(path, { restartPending: false });
    }
  }
}
