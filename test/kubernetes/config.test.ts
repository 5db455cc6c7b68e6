// How the adapter finds its cluster: --kubeconfig/--context, in-cluster service account,
// and what it says when it cannot; and that no Kubernetes client library is loaded at all.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectKubernetes } from '../../src/kubernetes/index.js';
import { startKubeEmulator, type KubeEmulator } from '../world/kubernetes/index.js';
import { failure, kubeconfigFor, NAME, NS } from './helpers.js';

describe('in-cluster configuration', () => {
  let emu: KubeEmulator;
  let saDir: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    emu = await startKubeEmulator({ tls: true, requireAuth: true });
    emu.controller.stepMs = 5;
    saDir = mkdtempSync(join(tmpdir(), 'sa-'));
    writeFileSync(join(saDir, 'token'), 'admin-token\n');
    copyFileSync(emu.caFile!, join(saDir, 'ca.crt'));
    writeFileSync(join(saDir, 'namespace'), NS);
  });
  afterEach(() => { process.env = { ...saved }; });
  afterAll(async () => { await emu?.close(); });

  const inPod = () => {
    delete process.env.KUBECONFIG;
    process.env.HOME = mkdtempSync(join(tmpdir(), 'home-')); // no ~/.kube/config
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = String(emu.port);
  };

  it('uses the service-account token and ca.crt when KUBERNETES_SERVICE_HOST is set and there is no kubeconfig', async () => {
    inPod();
    const port = await connectKubernetes({ namespace: NS, deployment: NAME, serviceAccountDir: saDir });
    expect(port.describe()).toEqual({ server: `https://127.0.0.1:${emu.port}`, context: undefined, namespace: NS, deployment: NAME, inCluster: true });
    const r = await port.restart();
    expect((await port.waitForRollout({ minGeneration: r.generation, timeoutMs: 30_000 })).done).toBe(true);
    expect(emu.writes().at(-1)?.headers.authorization).toBe('Bearer admin-token');
  });

  it('reads the token file again for each request, so a rotated (bound) service-account token is used at once', async () => {
    inPod();
    writeFileSync(join(saDir, 'token'), 'admin-token\n');
    const port = await connectKubernetes({ namespace: NS, deployment: NAME, serviceAccountDir: saDir });
    await port.readDeployment();
    writeFileSync(join(saDir, 'token'), 'readonly-token\n');
    await port.readDeployment();
    expect(emu.requests.slice(-2).map((r) => r.headers.authorization)).toEqual(['Bearer admin-token', 'Bearer readonly-token']);
    writeFileSync(join(saDir, 'token'), 'admin-token\n');
  });

  it('inCluster "never" and a missing token are kube.config errors that say what to do', async () => {
    inPod();
    expect(await failure(connectKubernetes({ namespace: NS, deployment: NAME, serviceAccountDir: saDir, inCluster: 'never' })))
      .toMatchObject({ code: 'kube.config', message: expect.stringContaining('no Kubernetes configuration found') });
    const e = await failure(connectKubernetes({ namespace: NS, deployment: NAME, serviceAccountDir: join(saDir, 'nope') }));
    expect(e).toMatchObject({ code: 'kube.config' });
    expect(e.hint).toContain('automountServiceAccountToken');
  });
});

describe('kubeconfig problems', () => {
  let emu: KubeEmulator;
  beforeAll(async () => { emu = await startKubeEmulator({ tls: true }); });
  afterAll(async () => { await emu?.close(); });

  it('a missing file or context is kube.config; the hint lists the contexts', async () => {
    expect(await failure(connectKubernetes({ kubeconfig: '/nonexistent/kubeconfig', namespace: NS, deployment: NAME }))).toMatchObject({ code: 'kube.config' });
    const e = await failure(connectKubernetes({ kubeconfig: kubeconfigFor(emu), context: 'prod', namespace: NS, deployment: NAME }));
    expect(e).toMatchObject({ code: 'kube.config', message: 'the kubeconfig has no context named "prod"' });
    expect(e.hint).toContain('emulator');
  });

  it('a server nobody listens on is kube.unreachable; an untrusted certificate is kube.tls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    const file = emu.writeKubeconfig(dir);
    const gone = await startKubeEmulator();
    const url = gone.url;
    await gone.close();
    writeFileSync(join(dir, 'dead'), JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: {} }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' }));
    const dead = await connectKubernetes({ kubeconfig: join(dir, 'dead'), namespace: NS, deployment: NAME });
    const e = await failure(dead.readDeployment());
    expect(e).toMatchObject({ code: 'kube.unreachable', exitCode: 5 });
    expect(e.message).toContain(url);
    // the same TLS emulator, but the kubeconfig without its CA
    const untrusted = JSON.parse((await import('node:fs')).readFileSync(file, 'utf8'));
    delete untrusted.clusters[0].cluster['certificate-authority'];
    writeFileSync(join(dir, 'untrusted'), JSON.stringify(untrusted));
    const port = await connectKubernetes({ kubeconfig: join(dir, 'untrusted'), namespace: NS, deployment: NAME });
    expect(await failure(port.readDeployment())).toMatchObject({ code: 'kube.tls' });
  });
});

describe('what connecting loads', () => {
  it('connecting and reading the deployment load neither @kubernetes/client-node nor, for a JSON kubeconfig, yaml', async () => {
    const emu = await startKubeEmulator();
    try {
      const log = join(mkdtempSync(join(tmpdir(), 'trace-')), 'loaded.txt');
      const script = `
        import { readFileSync, existsSync } from 'node:fs';
        const seen = (name) => existsSync(process.env.TRACE_LOG) && readFileSync(process.env.TRACE_LOG, 'utf8').split('\\n').includes(name);
        const m = await import(${JSON.stringify(resolve('dist/src/kubernetes/index.js'))});
        const port = await m.connectKubernetes({ kubeconfig: process.argv[1], namespace: 'runai-backend', deployment: 'runai-backend-deployment' });
        const state = await port.readDeployment();
        console.log(JSON.stringify({ done: state.done, clientNode: seen('@kubernetes/client-node'), yaml: seen('yaml') }));`;
      const out = await new Promise<string>((res, rej) => {
        execFile(process.execPath, ['--import', resolve('test/kubernetes/fixtures/trace-hooks.mjs'), '--input-type=module', '-e', script, kubeconfigFor(emu)],
          { env: { ...process.env, TRACE_LOG: log }, timeout: 30_000 }, (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout)));
      });
      expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ done: true, clientNode: false, yaml: false });
      // the trace itself works: the hooks saw the adapter's own modules
      expect(readFileSync(log, 'utf8')).toContain('./kubeconfig.js');
    } finally {
      await emu.close();
    }
  });
});
