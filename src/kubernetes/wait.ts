// Waiting for a rollout the way `kubectl rollout status` does: read once, then follow a watch
// (fieldSelector=metadata.name) and evaluate kubectl's predicate on every event. Like kubectl's
// informer the read is a LIST, whose resourceVersion is current even when the object's own is old
// (etcd compacts history every few minutes). When the server ends the stream the watch resumes from
// the last resourceVersion seen; on 410 Gone it lists again. No polling: between events nothing is sent. The deadline aborts whatever is open.
import { CancelledError, KubeError } from '../errors.js';
import { httpError, netError, type Where } from './errors.js';
import { NetError, type Transport } from './http.js';
import type { RolloutState } from './index.js';
import { rolloutState, type DeploymentJson } from './status.js';

export interface WaitOptions { minGeneration: number; timeoutMs: number; onProgress?: (s: RolloutState) => void; signal?: AbortSignal }
interface WatchEvent { type?: string; object?: DeploymentJson & { code?: number; message?: string } }

const MAX_WATCH_SECONDS = 300;

function fmtMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`;
}

export async function waitForRollout(t: Transport, w: Where, list: () => Promise<{ object: DeploymentJson; resourceVersion: string }>, o: WaitOptions): Promise<RolloutState> {
  const deadline = Date.now() + o.timeoutMs;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new Error('timeout')), Math.max(0, o.timeoutMs));
  const onCancel = () => stop.abort(new Error('cancelled'));
  // a Ctrl-C that came before the wait began must stop it too (an aborted signal fires no event)
  if (o.signal?.aborted) onCancel();
  else o.signal?.addEventListener('abort', onCancel, { once: true });
  const listPath = `/apis/apps/v1/namespaces/${encodeURIComponent(w.namespace)}/deployments`;
  let state: RolloutState | undefined;
  let reported = '';
  let rv: string | undefined;
  let failures = 0;

  const see = (d: DeploymentJson): 'stop' | void => {
    if (d.metadata?.resourceVersion) rv = d.metadata.resourceVersion;
    state = rolloutState(d, w.deployment, o.minGeneration);
    const key = JSON.stringify(state);
    if (key !== reported) { reported = key; o.onProgress?.(state); }
    if (state.done || state.deadlineExceeded) return 'stop';
  };
  const finished = (): RolloutState | undefined => {
    if (state?.deadlineExceeded) {
      throw new KubeError('kube.deadline', `deployment ${w.namespace}/${w.deployment} exceeded its progress deadline: the new pods did not become available in time`, {
        hint: `See why with: kubectl describe deployment ${w.deployment} -n ${w.namespace}; kubectl get pods -n ${w.namespace}. The previous pods keep serving.`,
        data: { state },
      });
    }
    return state?.done ? state : undefined;
  };

  try {
    for (;;) {
      if (stop.signal.aborted) break;
      try {
        if (rv === undefined) {
          const l = await list();
          see(l.object);
          rv = l.resourceVersion;
          const end = finished();
          if (end) return end;
        }
        const remainingS = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
        const timeoutSeconds = Math.min(remainingS, MAX_WATCH_SECONDS);
        let gone = false;
        const opened = Date.now();
        const res = await t.watch(listPath, {
          fieldSelector: `metadata.name=${w.deployment}`, resourceVersion: rv!, allowWatchBookmarks: 'true', timeoutSeconds: String(timeoutSeconds),
        }, {
          signal: stop.signal, idleMs: (timeoutSeconds + 30) * 1000,
          onEvent: (raw) => {
            const e = raw as WatchEvent;
            if (e.type === 'BOOKMARK') { if (e.object?.metadata?.resourceVersion) rv = e.object.metadata.resourceVersion; return; }
            if (e.type === 'ERROR') { gone = e.object?.code === 410; if (!gone) throw new NetError('WATCH', e.object?.message ?? 'watch error'); rv = undefined; return 'stop'; }
            if (e.type === 'DELETED') {
              throw new KubeError('kube.not-found', `deployment ${w.namespace}/${w.deployment} was deleted while waiting for its rollout`, {
                hint: 'Someone deleted it; check with your platform team, then run again.',
              });
            }
            if (e.object) return see(e.object);
          },
        });
        if (res) throw httpError(res, `watch deployment ${w.namespace}/${w.deployment}`, w, 'watch');
        const end = finished();
        if (end) return end;
        // A stream that ends at once over and over (a proxy cutting it) must not become a hot loop.
        failures = Date.now() - opened < 1000 && !gone ? failures + 1 : 0;
        if (failures > 1) await pause(Math.min(100 * 2 ** failures, 2000), stop.signal);
      } catch (e) {
        if (stop.signal.aborted) break;
        const transient = e instanceof NetError || (e instanceof KubeError && e.code === 'kube.unreachable');
        if (!transient) throw e;
        // the connection failed mid-wait: retry until the deadline, then report that failure
        failures++;
        if (Date.now() + 200 >= deadline) throw e instanceof NetError ? netError(e, w) : e;
        await pause(Math.min(200 * 2 ** failures, 2000), stop.signal);
      }
    }
    const s = state;
    if (o.signal?.aborted) {
      throw new CancelledError(`interrupted (Ctrl-C) while waiting for the rollout of ${w.namespace}/${w.deployment}${s ? `: ${s.message.trim()}` : ''}`, {
        hint: `The restart was sent and the rollout goes on in the cluster: kubectl rollout status deployment/${w.deployment} -n ${w.namespace}`,
        data: { state: s },
      });
    }
    throw new KubeError('kube.timeout', `deployment ${w.namespace}/${w.deployment} did not finish rolling out within ${fmtMs(o.timeoutMs)}${s ? `: ${s.message}` : ''}`, {
      hint: s?.paused
        ? `The deployment is paused, so it will not roll out: kubectl rollout resume deployment/${w.deployment} -n ${w.namespace}`
        : `Raise --rollout-timeout, or see what holds it up: kubectl rollout status deployment/${w.deployment} -n ${w.namespace}; kubectl get pods -n ${w.namespace}`,
      data: { state: s, timeoutMs: o.timeoutMs },
    });
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onCancel);
    stop.abort(new Error('done')); // closes any stream still open so the process can exit at once
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}
