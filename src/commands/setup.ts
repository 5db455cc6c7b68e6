// `dirlink setup` and `dirlink check`: one pipeline for every mode.
//   1. directory check from this machine  2. read Keycloak (and Keycloak's own LDAP test)
//   3. read the deployment  4. plan (pure)  5. print  6. stop here for check / --dry-run
//   7. confirm  8. snapshot  9. apply  10. Keycloak-side test  11. restart + wait  12. verify
import { CancelledError, KeycloakError, isDirlinkError } from '../errors.js';
import type { Settings } from '../inputs/resolve.js';
import { applyKeycloak } from '../keycloak/apply.js';
import type { FederationSettings } from '../keycloak/federation.js';
import { authenticationTest, observeKeycloak } from '../keycloak/observe.js';
import { updateSnapshot, writeSnapshot } from '../keycloak/snapshot.js';
import { adviceFor } from '../keycloak/test-codes.js';
import { SECRET_MASK, type KeycloakPort } from '../keycloak/types.js';
import type { KubePort } from '../kubernetes/index.js';
import { buildPlan, type Plan } from '../plan/plan.js';
import { planToJson } from '../output/plan-text.js';
import type { CommandResult, Deps } from './context.js';
import { reportAuth0Leftovers } from './auth0-leftovers.js';
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
  let observed;
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
  if (s.kube.restart) {
    const k = await connectKube(s, deps);
    kube = k.port;
    json.deployment = k.state;
  } else {
    r.record('kubernetes.read', 'Backend deployment', 'skipped', '--no-restart');
  }

  // Auth0 connector leftovers in the kubeconfig (a warning only; local files)
  reportAuth0Leftovers(s, deps, json);

  // 4–5. plan
  const plan: Plan = buildPlan(fs, observed.observed, {
    restart: { enabled: s.kube.restart, force: o.forceRestart, namespace: s.kube.namespace, deployment: s.kube.deployment, timeoutMs: s.kube.rolloutTimeoutMs },
  });
  json.plan = planToJson(plan);
  json.changed = false;
  r.blank();
  r.plan(plan);
  r.blank();

  // 6. dry run
  if (o.dryRun) {
    r.record('apply', 'Apply', 'skipped', plan.actions.length ? 'dry run: nothing was sent to Keycloak or Kubernetes' : 'nothing to change');
    return { json };
  }
  if (plan.actions.length === 0) {
    r.record('apply', 'Apply', 'ok', 'nothing to change');
    if (s.verify) json.verify = await runVerify(s, deps, kc);
    return { json };
  }

  // 7. confirm
  if (deps.prompter && !o.yes) {
    const go = await deps.prompter.confirm({ name: 'confirm', message: 'Apply this plan?', default: true });
    if (!go) throw new CancelledError('not applied: you answered no. Nothing was changed');
  }

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
      res = await applyKeycloak(kc, observed.observed.realm, plan, fs, s.ldap.bindPassword, observed.observed, { onAction: (t) => st.progress(t) });
    } catch (e) {
      st.done('fail', isDirlinkError(e) ? e.message : 'failed');
      json.applied = (isDirlinkError(e) && e.data?.applied) || [];
      throw e;
    }
    json.applied = res.applied;
    json.changed = true;
    if (res.createdFederation && snapshotPath) updateSnapshot(snapshotPath, { createdId: res.federationId });
    st.done('ok', res.applied.join('; '));

    // 10. the saved configuration, tested by Keycloak with its stored secret
    const t = await kc.testLdapConnection(observed.observed.realm, authenticationTest(fs, SECRET_MASK, res.federationId));
    if (!t.ok) {
      r.record('keycloak.test-saved', 'Keycloak test of the saved federation', 'fail', `${t.code}: ${adviceFor(t.code)}`);
      throw new KeycloakError('keycloak.ldap-test-after', `the federation was saved, but Keycloak's test of it fails: ${t.code}`, { hint: adviceFor(t.code) });
    }
    r.record('keycloak.test-saved', 'Keycloak test of the saved federation', 'ok', 'connect and bind with the stored password');
  }

  // 11. restart and wait
  const restart = plan.actions.find((a) => a.kind === 'restart');
  if (restart && kube) json.rollout = await restartAndWait(kube, s, deps);

  // 12. prove a login
  if (s.verify) json.verify = await runVerify(s, deps, kc);
  return { json };
}
