// A Kubernetes apps/v1 API emulator for dirlink's tests: enough of the apiserver and the
// deployment controller for `kubectl rollout restart` / `kubectl rollout status` and for
// @kubernetes/client-node, checked against real kubectl binaries in test/conformance.
// Facts it follows: shared/docs/research/kubernetes.md §1, §2 and §6.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { handle, type Recorded, type Rights, type ServerContext } from './server.js';
import { Store, type ControllerSettings, type DeploymentSeed, type Obj } from './store.js';

export type { DeploymentSeed, Obj } from './store.js';
export type { Recorded, Rights } from './server.js';

export interface KubeEmulatorOptions {
  port?: number;
  /** serve HTTPS with a self-signed certificate made by the openssl CLI; its PEM is `caFile` */
  tls?: boolean;
  /** default: runai-backend-deployment in runai-backend with 2 replicas */
  deployments?: DeploymentSeed[];
  /** bearer token → rights; default {'admin-token':'admin','readonly-token':'no-patch'} */
  tokens?: Record<string, Rights>;
  /** default false, because kubectl sends no Authorization header over plain http */
  requireAuth?: boolean;
}

export interface KubeEmulator {
  url: string;
  port: number;
  caFile?: string;
  requests: Recorded[];
  /** recorded requests that may change something (anything but GET/HEAD/OPTIONS) */
  writes(): Recorded[];
  resetRequests(): void;
  /** settable at run time; the controller picks up changes on its next step */
  controller: ControllerSettings;
  setPaused(ns: string, name: string, paused: boolean): void;
  getDeployment(ns: string, name: string): Obj | undefined;
  /** end every open watch stream now, as an apiserver restart or a load balancer would */
  dropWatches(): void;
  /** forget the event history: watches from older resourceVersions get 410 Gone */
  compact(): void;
  writeKubeconfig(dir: string, opts?: { token?: string; namespace?: string; context?: string }): string;
  close(): Promise<void>;
}

export const DEFAULT_DEPLOYMENT: DeploymentSeed = { name: 'runai-backend-deployment', namespace: 'runai-backend', replicas: 2 };

const run = promisify(execFile);

async function makeCert(dir: string): Promise<{ key: string; cert: string }> {
  const key = join(dir, 'server.key');
  const cert = join(dir, 'server.crt');
  // One self-signed certificate that is its own CA: clients trust it through caFile.
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=kube-emulator',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost,IP:::1',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature,keyCertSign'], { timeout: 20_000 });
  return { key, cert };
}

export async function startKubeEmulator(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const store = new Store(opts.deployments ?? [DEFAULT_DEPLOYMENT]);
  const ctx: ServerContext = {
    store, tokens: opts.tokens ?? { 'admin-token': 'admin', 'readonly-token': 'no-patch' },
    requireAuth: opts.requireAuth ?? false, requests: [], watches: new Set(),
  };
  const dir = await mkdtemp(join(tmpdir(), 'kube-emulator-'));
  const listener: http.RequestListener = (req, res) => {
    handle(ctx, req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: String(e), reason: 'InternalError', code: 500 }));
    });
  };
  let caFile: string | undefined;
  let server: http.Server;
  if (opts.tls) {
    const { key, cert } = await makeCert(dir);
    server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, listener);
    caFile = cert;
  } else {
    server = http.createServer(listener);
  }
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  // Setting mode or stepMs restarts the controller loop, which stops by itself when idle.
  const controller = {} as ControllerSettings;
  for (const k of ['mode', 'stepMs'] as const) {
    Object.defineProperty(controller, k, {
      enumerable: true,
      get: () => store.controller[k],
      set: (v: never) => { store.controller[k] = v; store.kick(true); },
    });
  }

  const emulator: KubeEmulator = {
    url, port, caFile, requests: ctx.requests, controller,
    writes: () => ctx.requests.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method)),
    resetRequests: () => { ctx.requests.length = 0; },
    setPaused: (ns, name, paused) => store.setPaused(ns, name, paused),
    getDeployment: (ns, name) => store.get(ns, name),
    dropWatches: () => { for (const w of [...ctx.watches]) w.end(); ctx.watches.clear(); },
    compact: () => store.compact(),
    writeKubeconfig(dirPath, o = {}) {
      mkdirSync(dirPath, { recursive: true });
      const context = o.context ?? 'emulator';
      const cluster: Record<string, unknown> = { server: url };
      // http needs insecure-skip-tls-verify or client-node refuses it (kubernetes.md §3)
      if (caFile) cluster['certificate-authority'] = caFile; else cluster['insecure-skip-tls-verify'] = true;
      const config = {
        apiVersion: 'v1', kind: 'Config', preferences: {},
        clusters: [{ name: 'emulator', cluster }],
        users: [{ name: 'emulator-user', user: o.token ? { token: o.token } : {} }],
        contexts: [{ name: context, context: { cluster: 'emulator', user: 'emulator-user', namespace: o.namespace ?? 'default' } }],
        'current-context': context,
      };
      const file = join(dirPath, 'kubeconfig');
      writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 }); // JSON is valid kubeconfig YAML
      return file;
    },
    async close() {
      store.close();
      emulator.dropWatches();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  return emulator;
}

