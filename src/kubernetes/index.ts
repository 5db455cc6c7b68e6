// dirlink's Kubernetes adapter: read the backend deployment, restart it exactly like
// `kubectl rollout restart`, and wait for the rollout exactly like `kubectl rollout status`.
// The kubeconfig is read by dirlink's own loader (kubeconfig.ts, credentials.ts: kubectl's
// rules, no client library to import); the HTTP calls are http.ts (deadlines, abortable watch).
import { homedir } from 'node:os';
import { KubeError } from '../errors.js';
import { credentialSource } from './credentials.js';
import { httpError, netError, type Where } from './errors.js';
import { NetError, Transport, type Response } from './http.js';
import { findConfig, type SelectedConfig } from './kubeconfig.js';
import { parseProxyUrl } from './proxy.js';
import { RESTARTED_AT, rfc3339Seconds, rolloutState, type DeploymentJson } from './status.js';
import { waitForRollout } from './wait.js';

export interface KubeTarget {
  kubeconfig?: string;
  context?: string;
  namespace: string;
  deployment: string;
  inCluster?: 'auto' | 'never';
  /** where the service-account token, ca.crt and namespace live (tests); default /var/run/secrets/kubernetes.io/serviceaccount */
  serviceAccountDir?: string;
  /** per-request deadline for GET/PATCH and for a watch's response headers; default 15 s */
  requestTimeoutMs?: number;
}

export interface RolloutState {
  generation: number; observedGeneration: number; replicas: number; updated: number; ready: number; available: number; total: number;
  paused: boolean; deadlineExceeded: boolean; done: boolean;
  /** kubectl rollout status's own line for this state */
  message: string;
  restartedAt?: string;
}

export interface KubePort {
  describe(): { server: string; context?: string; namespace: string; deployment: string; inCluster: boolean };
  readDeployment(): Promise<RolloutState>;
  restart(now?: Date): Promise<{ generation: number; restartedAt: string }>;
  waitForRollout(opts: { minGeneration: number; timeoutMs: number; onProgress?: (s: RolloutState) => void; signal?: AbortSignal }): Promise<RolloutState>;
}

const FIELD_MANAGER = 'dirlink';

function configError(message: string, hint: string, cause?: unknown): KubeError {
  return new KubeError('kube.config', message, { hint, cause, field: 'kubeconfig' });
}

/** The HTTP client for a selected kubeconfig: its TLS settings, proxy and credentials. */
export function kubeTransport(cfg: SelectedConfig, requestTimeoutMs: number): Transport {
  const c = cfg.cluster;
  const proxy = c.proxyUrl ? parseProxyUrl(c.proxyUrl) : undefined;
  if (!c.server.startsWith('https:')) {
    // Like client-go, never send credentials over plain http (kubectl does not either).
    return new Transport({ server: c.server, tls: {}, proxy, credentials: async () => ({ headers: {} }), requestTimeoutMs });
  }
  const tls = { ca: c.ca, rejectUnauthorized: !c.insecure, servername: c.tlsServerName, cert: cfg.user.cert, key: cfg.user.key };
  const credentials = credentialSource(cfg.user, c, { env: process.env, stdinIsTTY: process.stdin.isTTY === true });
  return new Transport({ server: c.server, tls, proxy, credentials, requestTimeoutMs });
}

export async function connectKubernetes(target: KubeTarget): Promise<KubePort> {
  const loaded = await findConfig({ ...target, env: process.env, home: process.env.HOME || homedir() });
  const server = loaded.cluster.server;
  const t = kubeTransport(loaded, target.requestTimeoutMs ?? 15_000);
  const w: Where = { server, namespace: target.namespace, deployment: target.deployment };
  const ns = encodeURIComponent(target.namespace);
  const objPath = `/apis/apps/v1/namespaces/${ns}/deployments/${encodeURIComponent(target.deployment)}`;

  async function call(method: string, path: string, o?: Parameters<Transport['request']>[2]): Promise<Response> {
    try {
      return await t.request(method, path, o);
    } catch (e) {
      if (e instanceof NetError) throw netError(e, w);
      if (e instanceof KubeError) throw e;
      throw configError(`could not get credentials for ${server}: ${(e as Error).message}`, 'Check the user entry of this context (kubectl config view --minify), e.g. that its exec plugin works.', e);
    }
  }

  /** 404 → kube.not-found whose hint names what does exist in the namespace. */
  async function notFound(): Promise<KubeError> {
    let hint: string;
    const list = await call('GET', `/apis/apps/v1/namespaces/${ns}/deployments`, { query: { limit: '50' } }).catch(() => undefined);
    if (list?.status === 200) {
      const names = ((JSON.parse(list.body) as { items?: DeploymentJson[] }).items ?? []).map((d) => d.metadata?.name).filter(Boolean);
      if (names.length > 0) hint = `Deployments in namespace ${target.namespace}: ${names.join(', ')}. Pick one with --deployment (DIRLINK_DEPLOYMENT).`;
      else {
        const nsRes = await call('GET', `/api/v1/namespaces/${ns}`).catch(() => undefined);
        hint = nsRes?.status === 404
          ? `Namespace ${target.namespace} does not exist: set --namespace (DIRLINK_NAMESPACE) to the namespace of the Run:AI backend (kubectl get deployments -A | grep backend).`
          : `Namespace ${target.namespace} has no deployments: set --namespace (DIRLINK_NAMESPACE) to the namespace of the Run:AI backend.`;
      }
    } else {
      hint = `Could not list the deployments in namespace ${target.namespace}${list ? ` (HTTP ${list.status})` : ''}; check the name with: kubectl get deployments -n ${target.namespace}`;
    }
    // the kube context's own namespace is a likely place for the backend when it differs
    if (loaded.namespace && loaded.namespace !== target.namespace) hint += ` ${loaded.inCluster ? 'This pod runs in' : `Kube context ${loaded.context} uses`} namespace ${loaded.namespace}; if the backend is there, pass --namespace ${loaded.namespace}.`;
    return new KubeError('kube.not-found', `deployment ${target.deployment} not found in namespace ${target.namespace} (${server})`, { hint, field: 'deployment' });
  }

  async function get(): Promise<DeploymentJson> {
    const r = await call('GET', objPath);
    if (r.status === 404) throw await notFound();
    if (r.status !== 200) throw httpError(r, `read deployment ${target.namespace}/${target.deployment}`, w, 'get');
    return JSON.parse(r.body) as DeploymentJson;
  }

  /** The object and the collection's resourceVersion to watch from (what kubectl's informer does). */
  async function list(): Promise<{ object: DeploymentJson; resourceVersion: string }> {
    const r = await call('GET', `/apis/apps/v1/namespaces/${ns}/deployments`, { query: { fieldSelector: `metadata.name=${target.deployment}` } });
    if (r.status !== 200) throw httpError(r, `list deployment ${target.namespace}/${target.deployment}`, w, 'list');
    const l = JSON.parse(r.body) as { metadata?: { resourceVersion?: string }; items?: DeploymentJson[] };
    const object = l.items?.[0];
    if (!object) throw await notFound();
    return { object, resourceVersion: l.metadata?.resourceVersion ?? object.metadata?.resourceVersion ?? '0' };
  }

  return {
    describe: () => ({ server, context: loaded.context, namespace: target.namespace, deployment: target.deployment, inCluster: loaded.inCluster }),
    readDeployment: async () => rolloutState(await get(), target.deployment),
    async restart(now = new Date()) {
      const d = await get();
      if (d.spec?.paused) {
        throw new KubeError('kube.paused', `deployment ${target.namespace}/${target.deployment} is paused, so a restart would not roll out`, {
          hint: `Resume it first: kubectl rollout resume deployment/${target.deployment} -n ${target.namespace} (or rerun with --no-restart and restart it later).`,
        });
      }
      // kubectl's restarter: RFC 3339 to the second. A second restart within the same second
      // would be an empty patch (no rollout), so move to the next second instead.
      let restartedAt = rfc3339Seconds(now);
      if (d.spec?.template?.metadata?.annotations?.[RESTARTED_AT] === restartedAt) restartedAt = rfc3339Seconds(new Date(now.getTime() + 1000));
      const body = JSON.stringify({ spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } });
      const r = await call('PATCH', objPath, { query: { fieldManager: FIELD_MANAGER }, body, contentType: 'application/strategic-merge-patch+json' });
      if (r.status === 404) throw await notFound();
      if (r.status !== 200) throw httpError(r, `restart (patch) deployment ${target.namespace}/${target.deployment}`, w, 'patch');
      const after = JSON.parse(r.body) as DeploymentJson;
      return { generation: after.metadata?.generation ?? 0, restartedAt };
    },
    waitForRollout: (opts) => waitForRollout(t, w, list, opts),
  };
}

