// The emulator checked by a client nobody here wrote: every kubectl binary the machine ships
// runs `rollout restart` and `rollout status` against it (kubernetes.md §1, §2, §6).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../world/kubernetes/index.js';
import { findKubectls, runKubectl, type Kubectl } from '../world/kubernetes/kubectl.js';

const NS = 'runai-backend';
const NAME = 'runai-backend-deployment';
const kubectls = findKubectls();
const RESTART_BODY = /^\{"spec":\{"template":\{"metadata":\{"annotations":\{"kubectl\.kubernetes\.io\/restartedAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)"\}\}\}\}\}$/;

if (kubectls.length === 0) {
  describe('kubectl conformance', () => {
    it.skip('SKIPPED: no kubectl.1.xx binary found next to `kubectl` or in /usr/lib/google-cloud-sdk/bin (set KUBECTL=/path to add one)', () => {});
  });
}

/** Waits (bounded) until the emulator has seen a request that satisfies `pred`. */
async function until(emu: KubeEmulator, pred: (r: KubeEmulator['requests'][number]) => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!emu.requests.some(pred)) {
    if (Date.now() > end) throw new Error('the expected request never arrived');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts a new rollout by changing the pod template (kubectl restarts within one second would be empty patches). */
let bumps = 0;
async function bumpTemplate(emu: KubeEmulator): Promise<void> {
  const res = await fetch(`${emu.url}/apis/apps/v1/namespaces/${NS}/deployments/${NAME}`, {
    method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' },
    body: JSON.stringify({ spec: { template: { metadata: { annotations: { 'test/bump': String(++bumps) } } } } }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status).toBe(200);
}

describe.each(kubectls.map((k) => [k.version, k] as [string, Kubectl]))('kubectl %s against the emulator', (_v, kubectl) => {
  let emu: KubeEmulator;
  let kubeconfig: string;
  const kc = (...args: string[]) => runKubectl(kubectl, kubeconfig, args);

  beforeAll(async () => {
    emu = await startKubeEmulator({
      deployments: [{ name: NAME, namespace: NS, replicas: 2 }, { name: 'paused-deployment', namespace: NS, replicas: 1, paused: true }],
    });
    emu.controller.stepMs = 10;
    kubeconfig = emu.writeKubeconfig(mkdtempSync(join(tmpdir(), 'kc-')), { namespace: NS });
  });
  afterAll(async () => { await emu?.close(); });

  it('rollout restart sends exactly the strategic-merge patch of kubernetes.md §1 and bumps generation', async () => {
    const before = emu.getDeployment(NS, NAME)!;
    emu.resetRequests();
    const r = await kc('rollout', 'restart', `deployment/${NAME}`, '-n', NS);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`deployment.apps/${NAME} restarted`);
    const writes = emu.writes();
    expect(writes).toHaveLength(1);
    const [patch] = writes;
    expect(patch).toMatchObject({
      method: 'PATCH', path: `/apis/apps/v1/namespaces/${NS}/deployments/${NAME}`,
      query: { fieldManager: 'kubectl-rollout' }, status: 200,
      headers: { contentType: 'application/strategic-merge-patch+json' },
    });
    expect(patch!.body).toMatch(RESTART_BODY);
    const objectGet = emu.requests.findIndex((x) => x.method === 'GET' && x.path === patch!.path);
    expect(objectGet).toBeGreaterThanOrEqual(0);
    expect(objectGet).toBeLessThan(emu.requests.indexOf(patch!));
    const after = emu.getDeployment(NS, NAME)!;
    expect((after.metadata as any).generation).toBe((before.metadata as any).generation + 1);
    const restartedAt = JSON.parse(patch!.body).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'];
    expect((after.spec as any).template.metadata.annotations).toEqual({ 'kubectl.kubernetes.io/restartedAt': restartedAt });
  });

  it('rollout status lists, watches from the list resourceVersion, prints the Waiting lines and completes', async () => {
    emu.controller.stepMs = 60_000; // hold the controller until kubectl is watching
    await bumpTemplate(emu);
    emu.resetRequests();
    const status = kc('rollout', 'status', `deployment/${NAME}`, '-n', NS, '--timeout=60s');
    await until(emu, (r) => r.query.watch === 'true');
    emu.controller.stepMs = 10;
    const r = await status;
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('Waiting for deployment spec update to be observed...');
    expect(lines).toContain(`Waiting for deployment "${NAME}" rollout to finish: 0 out of 2 new replicas have been updated...`);
    expect(lines.some((l) => /old replicas are pending termination\.\.\.$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe(`deployment "${NAME}" successfully rolled out`);
    const listReq = emu.requests.find((x) => x.method === 'GET' && x.path.endsWith('/deployments') && x.query.watch === undefined)!;
    expect(listReq.query).toMatchObject({ fieldSelector: `metadata.name=${NAME}`, limit: '500', resourceVersion: '0' });
    const watchReq = emu.requests.find((x) => x.query.watch === 'true')!;
    expect(watchReq.query).toMatchObject({ fieldSelector: `metadata.name=${NAME}`, allowWatchBookmarks: 'true' });
    expect(Number(watchReq.query.resourceVersion)).toBeGreaterThan(0);
  });

  it('a paused deployment gives kubectl\'s own error and no PATCH', async () => {
    emu.resetRequests();
    const r = await kc('rollout', 'restart', 'deployment/paused-deployment', '-n', NS);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('can\'t restart paused deployment (run rollout resume first)');
    expect(emu.writes()).toEqual([]);
  });

  it('ProgressDeadlineExceeded makes rollout status fail with "exceeded its progress deadline"', async () => {
    emu.controller.mode = 'deadline';
    try {
      await bumpTemplate(emu);
      const r = await kc('rollout', 'status', `deployment/${NAME}`, '-n', NS, '--timeout=60s');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`deployment "${NAME}" exceeded its progress deadline`);
    } finally {
      emu.controller.mode = 'ok'; // the controller then finishes the rollout
    }
  });

  it('a stuck rollout times out in rollout status', async () => {
    emu.controller.mode = 'stuck';
    try {
      await bumpTemplate(emu);
      const r = await kc('rollout', 'status', `deployment/${NAME}`, '-n', NS, '--timeout=1s');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('new replicas have been updated...');
      expect(r.stderr).toContain('timed out waiting for the condition');
    } finally {
      emu.controller.mode = 'ok';
    }
  });

  it('a missing deployment or namespace is NotFound with the apiserver\'s wording', async () => {
    const r = await kc('rollout', 'restart', 'deployment/nope', '-n', NS);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (NotFound): deployments.apps "nope" not found');
    const n = await kc('rollout', 'restart', `deployment/${NAME}`, '-n', 'no-such-namespace');
    expect(n.code).toBe(1);
    expect(n.stderr).toContain('Error from server (NotFound): namespaces "no-such-namespace" not found');
  });
});
