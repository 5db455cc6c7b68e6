// dirlink's Kubernetes adapter: read the backend deployment, restart it exactly like
// `kubectl rollout restart`, and wait for the rollout exactly like `kubectl rollout status`.
// @kubernetes/client-node is used only to load kubeconfigs and credentials (contexts, exec
// plugins, token files, client certificates); it costs ~0.6 s to import, so it is imported here
// and only inside connectKubernetes. The HTTP calls themselves are http.ts (deadlines, abortable watch).
import { existsSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import type https from 'node:https';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeError } from '../errors.js';
import { httpError, netError, type Where } from './errors.js';
import { NetError, Transport, type Response, type TlsOptions } from './http.js';
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

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const FIELD_MANAGER = 'dirlink';

interface Loaded { server: string; context?: string; inCluster: boolean; tls: TlsOptions; agent?: http.Agent; headers: () => Promise<Record<string, string>> }

function configError(message: string, hint: string, cause?: unknown): KubeError {
  return new KubeError('kube.config', message, { hint, cause, field: 'kubeconfig' });
}

async function loadConfig(target: KubeTarget): Promise<Loaded> {
  let k8s: typeof import('@kubernetes/client-node');
  try {
    k8s = await import('@kubernetes/client-node');
  } catch (e) {
    throw configError(`could not load @kubernetes/client-node: ${(e as Error).message}`, 'Reinstall dirlink (npm install) on Node.js 20.19 or newer.', e);
  }
  const kc = new k8s.KubeConfig();
  const env = process.env;
  const envFiles = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const homeConfig = join(env.HOME || homedir(), '.kube', 'config');
  const saDir = target.serviceAccountDir ?? SA_DIR;
  let inCluster = false;
  try {
    // the kubeconfig input may be KUBECONFIG itself, which is a list of files
    const given = target.kubeconfig?.split(delimiter).filter(Boolean) ?? [];
    if (given.length === 1) {
      if (!existsSync(given[0]!)) throw configError(`the kubeconfig file ${given[0]} does not exist`, 'Pass the path of an existing kubeconfig with --kubeconfig.');
      kc.loadFromFile(given[0]!);
    } else if (given.length > 0 || envFiles.length > 0) {
      const list = given.length > 0 ? given : envFiles;
      const found = list.filter((f) => existsSync(f));
      if (found.length === 0) throw configError(`none of the kubeconfig files exist (${list.join(delimiter)})`, 'Fix KUBECONFIG or pass --kubeconfig.');
      kc.loadFromFile(found[0]!);
      for (const f of found.slice(1)) { const more = new k8s.KubeConfig(); more.loadFromFile(f); kc.mergeConfig(more); }
    } else if (existsSync(homeConfig)) {
      kc.loadFromFile(homeConfig);
    } else if (target.inCluster !== 'never' && env.KUBERNETES_SERVICE_HOST) {
      inCluster = true;
      loadInCluster(kc, saDir, env.KUBERNETES_SERVICE_HOST, env.KUBERNETES_SERVICE_PORT || '443');
    } else {
      throw configError('no Kubernetes configuration found: no --kubeconfig, no KUBECONFIG, no ~/.kube/config, and not running in a pod',
        'Pass --kubeconfig FILE (and --context if needed), or run dirlink as a Job in the cluster (templates/rbac.yaml).');
    }
  } catch (e) {
    if (e instanceof KubeError) throw e;
    throw configError(`could not read the Kubernetes configuration: ${(e as Error).message}`, 'Check that the kubeconfig is valid YAML (kubectl config view).', e);
  }
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw configError(`the kubeconfig has no context named "${target.context}"`, `Use one of: ${names.join(', ') || '(none)'} with --context.`);
    }
    kc.setCurrentContext(target.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    const names = kc.getContexts().map((c) => c.name);
    throw configError('the kubeconfig has no current context with a cluster', `Pick one with --context (${names.join(', ') || 'no contexts defined'}).`);
  }
  const server = cluster.server;
  const context = inCluster ? undefined : kc.getCurrentContext();
  if (!server.startsWith('https:')) {
    // Like client-go, never send credentials over plain http (kubectl does not either).
    return { server, context, inCluster, tls: {}, headers: async () => ({}) };
  }
  const headers = async (): Promise<Record<string, string>> => {
    const o: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(o);
    const h: Record<string, string> = {};
    // trimmed: a token file ending in a newline is common (client-go trims it too; client-node does not)
    for (const [k, v] of Object.entries(o.headers ?? {})) if (v !== undefined) h[k] = (Array.isArray(v) ? v.join(', ') : String(v)).trim();
    if (o.auth) h.Authorization = `Basic ${Buffer.from(o.auth).toString('base64')}`;
    return h;
  };
  const o: https.RequestOptions = {};
  try {
    await kc.applyToHTTPSOptions(o);
  } catch (e) {
    throw configError(`could not prepare credentials for ${server}: ${(e as Error).message}`, 'Check the certificate and user entries of this context (kubectl config view --minify).', e);
  }
  const tls: TlsOptions = { ca: o.ca as Buffer | undefined, cert: o.cert as Buffer | undefined, key: o.key as Buffer | undefined, rejectUnauthorized: o.rejectUnauthorized, servername: o.servername };
  return { server, context, inCluster, tls, agent: cluster.proxyUrl ? (o.agent as http.Agent) : undefined, headers };
}

function loadInCluster(kc: import('@kubernetes/client-node').KubeConfig, dir: string, host: string, port: string): void {
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) {
    throw configError(`KUBERNETES_SERVICE_HOST is set but there is no service-account token at ${tokenFile}`,
      'Mount the service-account token in the pod (automountServiceAccountToken: true), or pass --kubeconfig.');
  }
  const nsFile = join(dir, 'namespace');
  kc.loadFromOptions({
    clusters: [{ name: 'inCluster', server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`, caFile: join(dir, 'ca.crt'), skipTLSVerify: false }],
    // the tokenFile provider re-reads the file, so rotated (bound) tokens keep working
    users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', namespace: existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : 'default' }],
    currentContext: 'inClusterContext',
  });
}

export async function connectKubernetes(target: KubeTarget): Promise<KubePort> {
  const loaded = await loadConfig(target);
  const t = new Transport({ server: loaded.server, tls: loaded.tls, agent: loaded.agent, headers: loaded.headers, requestTimeoutMs: target.requestTimeoutMs ?? 15_000 });
  const w: Where = { server: loaded.server, namespace: target.namespace, deployment: target.deployment };
  const ns = encodeURIComponent(target.namespace);
  const objPath = `/apis/apps/v1/namespaces/${ns}/deployments/${encodeURIComponent(target.deployment)}`;

  async function call(method: string, path: string, o?: Parameters<Transport['request']>[2]): Promise<Response> {
    try {
      return await t.request(method, path, o);
    } catch (e) {
      if (e instanceof NetError) throw netError(e, w);
      if (e instanceof KubeError) throw e;
      throw configError(`could not get credentials for ${loaded.server}: ${(e as Error).message}`, 'Check the user entry of this context (kubectl config view --minify), e.g. that its exec plugin works.', e);
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
    return new KubeError('kube.not-found', `deployment ${target.deployment} not found in namespace ${target.namespace} (${loaded.server})`, { hint, field: 'deployment' });
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
    describe: () => ({ server: loaded.server, context: loaded.context, namespace: target.namespace, deployment: target.deployment, inCluster: loaded.inCluster }),
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

