// kubectl's rollout-status predicate (kubectl pkg/polymorphichelpers/rollout_status.go,
// DeploymentStatusViewer; unchanged from 1.20 to master), reproduced exactly so that dirlink and
// `kubectl rollout status` always agree, plus one addition: a minimum observed generation, so a
// stale "successfully rolled out" from before the controller saw our restart is not taken as done.
import type { RolloutState } from './index.js';

/** The subset of an apps/v1 Deployment this module reads (raw JSON from the API server). */
export interface DeploymentJson {
  metadata?: { name?: string; generation?: number; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { replicas?: number; paused?: boolean; template?: { metadata?: { annotations?: Record<string, string> } } };
  status?: {
    observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number;
    conditions?: Array<{ type?: string; reason?: string; status?: string; message?: string }>;
  };
}

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';

export function rolloutState(d: DeploymentJson, name: string, minGeneration = 0): RolloutState {
  const generation = d.metadata?.generation ?? 0;
  const st = d.status ?? {};
  const observedGeneration = st.observedGeneration ?? 0;
  const specReplicas = d.spec?.replicas;
  const updated = st.updatedReplicas ?? 0;
  const total = st.replicas ?? 0;
  const available = st.availableReplicas ?? 0;
  const base = {
    generation, observedGeneration, replicas: specReplicas ?? 1, updated, ready: st.readyReplicas ?? 0, available, total,
    paused: d.spec?.paused === true, deadlineExceeded: false, done: false,
    restartedAt: d.spec?.template?.metadata?.annotations?.[RESTARTED_AT],
  };
  const waiting = (what: string) => ({ ...base, message: `Waiting for deployment "${name}" rollout to finish: ${what}...` });
  if (generation > observedGeneration || observedGeneration < minGeneration) {
    return { ...base, message: 'Waiting for deployment spec update to be observed...' };
  }
  // kubectl looks only at the Progressing condition's reason, not its status
  const progressing = st.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === TIMED_OUT_REASON) {
    return { ...base, deadlineExceeded: true, message: `deployment "${name}" exceeded its progress deadline` };
  }
  if (specReplicas !== undefined && updated < specReplicas) return waiting(`${updated} out of ${specReplicas} new replicas have been updated`);
  if (total > updated) return waiting(`${total - updated} old replicas are pending termination`);
  if (available < updated) return waiting(`${available} of ${updated} updated replicas are available`);
  return { ...base, done: true, message: `deployment "${name}" successfully rolled out` };
}

/** Go's time.RFC3339 with second precision, as kubectl writes restartedAt (in UTC here). */
export function rfc3339Seconds(t: Date): string {
  return t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
