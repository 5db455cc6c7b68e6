// dirlink's Kubernetes adapter against the emulator: restart, wait, and every failure it names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKubernetes, type KubePort, type RolloutState } from '../../src/kubernetes/index.js';
import { startKubeEmulator, type KubeEmulator } from '../world/kubernetes/index.js';
import { failure, isList, isObjectGet, isWatch, kubeconfigFor, NAME, NS, seen } from './helpers.js';

describe('adapter over http', () => {
  let emu: KubeEmulator;
  let port: KubePort;
  beforeAll(async () => {
    emu = await startKubeEmulator({
      deployments: [{ name: NAME, namespace: NS, replicas: 2 }, { name: 'runai-frontend', namespace: NS }, { name: 'paused-one', namespace: 'other', paused: true }],
    });
    emu.controller.stepMs = 5;
    port = await connectKubernetes({ kubeconfig: kubeconfigFor(emu, 'admin-token'), namespace: NS, deployment: NAME });
  });
  afterAll(async () => { await emu?.close(); });

  it('describes its target and reads the rollout state', async () => {
    expect(port.describe()).toEqual({ server: emu.url, context: 'emulator', namespace: NS, deployment: NAME, inCluster: false });
    expect(await port.readDeployment()).toMatchObject({ done: true, replicas: 2, updated: 2, available: 2, message: `deployment "${NAME}" successfully rolled out` });
  });

  it('restarts with kubectl\'s request (SMP, RFC 3339 seconds, fieldManager dirlink) and waits until rolled out', async () => {
    emu.resetRequests();
    const before = (emu.getDeployment(NS, NAME)!.metadata as { generation: number }).generation;
    const r = await port.restart(new Date('2026-11-21T21:07:55.123Z'));
    expect(r).toEqual({ generation: before + 1, restartedAt: '2026-11-21T21:07:55Z' });
    const [patch, ...more] = emu.writes();
    expect(more).toEqual([]);
    expect(patch).toMatchObject({ method: 'PATCH', query: { fieldManager: 'dirlink' }, headers: { contentType: 'application/strategic-merge-patch+json' } });
    expect(patch!.body).toBe('{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-21T21:07:55Z"}}}}}');
    expect(patch!.headers.authorization).toBeUndefined(); // no credentials over plain http, like kubectl
    const progress: RolloutState[] = [];
    const done = await port.waitForRollout({ minGeneration: r.generation, timeoutMs: 30_000, onProgress: (s) => progress.push(s) });
    expect(done).toMatchObject({ done: true, generation: r.generation, observedGeneration: r.generation, updated: 2, available: 2, total: 2, restartedAt: '2026-11-21T21:07:55Z' });
    expect(progress.at(-1)?.done).toBe(true);
    // event-driven: one GET (restart), one LIST (wait), then watches; never a polling loop
    expect(emu.requests.filter(isObjectGet)).toHaveLength(1);
    expect(emu.requests.filter(isList)).toHaveLength(1);
    const watch = emu.requests.find(isWatch)!;
    expect(watch.query).toMatchObject({ fieldSelector: `metadata.name=${NAME}`, allowWatchBookmarks: 'true' });
  });

  it('a second restart within the same second still changes the template (not an empty patch)', async () => {
    const at = new Date('2026-11-21T21:07:55.900Z');
    const r = await port.restart(at);
    expect(r.restartedAt).toBe('2026-11-21T21:07:56Z');
    await port.waitForRollout({ minGeneration: r.generation, timeoutMs: 30_000 });
  });

  it('a watch stream cut mid-rollout is resumed from the last resourceVersion, without listing again', async () => {
    emu.controller.stepMs = 60_000; // hold the rollout
    const r = await port.restart();
    emu.resetRequests();
    const waiting = port.waitForRollout({ minGeneration: r.generation, timeoutMs: 30_000 });
    await seen(emu, isWatch);
    emu.dropWatches();
    await seen(emu, isWatch, 2);
    emu.controller.stepMs = 5;
    expect((await waiting).done).toBe(true);
    const watches = emu.requests.filter(isWatch);
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect(Number(watches[1]!.query.resourceVersion)).toBeGreaterThanOrEqual(Number(watches[0]!.query.resourceVersion));
    expect(emu.requests.filter(isList)).toHaveLength(1);
  });

  it('after 410 Gone (history compacted) it lists again and watches from there', async () => {
    emu.controller.stepMs = 60_000;
    const r = await port.restart();
    emu.resetRequests();
    const waiting = port.waitForRollout({ minGeneration: r.generation, timeoutMs: 30_000 });
    await seen(emu, isWatch);
    // in one tick, before the client can resume: cut the stream, change the object, forget history
    emu.dropWatches();
    emu.setPaused(NS, NAME, true);
    emu.setPaused(NS, NAME, false);
    emu.compact();
    await seen(emu, isList, 2);
    emu.controller.stepMs = 5;
    expect((await waiting).done).toBe(true);
    expect(emu.requests.filter(isWatch).length).toBeGreaterThanOrEqual(2);
  });

  it('ProgressDeadlineExceeded → kube.deadline with the state', async () => {
    emu.controller.mode = 'deadline';
    try {
      const r = await port.restart();
      const e = await failure(port.waitForRollout({ minGeneration: r.generation, timeoutMs: 30_000 }));
      expect(e).toMatchObject({ code: 'kube.deadline', exitCode: 5 });
      expect(e.message).toContain('exceeded its progress deadline');
      expect(e.hint).toContain(`kubectl describe deployment ${NAME} -n ${NS}`);
      expect(e.data.state.deadlineExceeded).toBe(true);
    } finally {
      emu.controller.mode = 'ok';
    }
  });

  it('a stuck rollout → kube.timeout carrying the state it stopped at', async () => {
    emu.controller.mode = 'stuck';
    try {
      const r = await port.restart();
      const e = await failure(port.waitForRollout({ minGeneration: r.generation, timeoutMs: 700 }));
      expect(e).toMatchObject({ code: 'kube.timeout', exitCode: 5 });
      expect(e.message).toContain('did not finish rolling out within 700ms');
      expect(e.data.state).toMatchObject({ done: false, generation: r.generation });
      expect(e.data.state.message).toMatch(/new replicas have been updated\.\.\.$/);
    } finally {
      emu.controller.mode = 'ok';
    }
  });

  it('an aborted wait is a cancellation', async () => {
    emu.controller.mode = 'stuck';
    try {
      const r = await port.restart();
      const ac = new AbortController();
      const waiting = port.waitForRollout({ minGeneration: r.generation, timeoutMs: 30_000, signal: ac.signal });
      setTimeout(() => ac.abort(), 100);
      expect(await failure(waiting)).toMatchObject({ code: 'cancelled', exitCode: 130 });
    } finally {
      emu.controller.mode = 'ok';
    }
  });

  it('a paused deployment → kube.paused with the resume command, and no PATCH', async () => {
    const paused = await connectKubernetes({ kubeconfig: kubeconfigFor(emu), namespace: 'other', deployment: 'paused-one' });
    emu.resetRequests();
    const e = await failure(paused.restart());
    expect(e).toMatchObject({ code: 'kube.paused' });
    expect(e.hint).toContain('kubectl rollout resume deployment/paused-one -n other');
    expect(emu.writes()).toEqual([]);
  });

  it('a missing deployment → kube.not-found whose hint lists the deployments in the namespace', async () => {
    const missing = await connectKubernetes({ kubeconfig: kubeconfigFor(emu), namespace: NS, deployment: 'runai-backend' });
    const e = await failure(missing.readDeployment());
    expect(e).toMatchObject({ code: 'kube.not-found', field: 'deployment' });
    expect(e.message).toBe(`deployment runai-backend not found in namespace ${NS} (${emu.url})`);
    expect(e.hint).toContain(`Deployments in namespace ${NS}: ${NAME}, runai-frontend.`);
    const noNs = await connectKubernetes({ kubeconfig: kubeconfigFor(emu), namespace: 'runai', deployment: NAME });
    const e2 = await failure(noNs.restart());
    expect(e2.hint).toContain('Namespace runai does not exist');
  });
});

describe('adapter over https with tokens', () => {
  let emu: KubeEmulator;
  beforeAll(async () => {
    emu = await startKubeEmulator({ tls: true, requireAuth: true, tokens: { 'admin-token': 'admin', 'readonly-token': 'no-patch', 'nobody-token': 'none' } });
    emu.controller.stepMs = 5;
  });
  afterAll(async () => { await emu?.close(); });

  it('sends the bearer token over TLS and restarts', async () => {
    const port = await connectKubernetes({ kubeconfig: kubeconfigFor(emu, 'admin-token'), namespace: NS, deployment: NAME });
    const r = await port.restart();
    expect((await port.waitForRollout({ minGeneration: r.generation, timeoutMs: 30_000 })).done).toBe(true);
    expect(emu.writes()[0]?.headers.authorization).toBe('Bearer admin-token');
  });

  it('403 on PATCH → kube.forbidden with the exact RBAC rules and templates/rbac.yaml; the token is never printed', async () => {
    const port = await connectKubernetes({ kubeconfig: kubeconfigFor(emu, 'readonly-token'), namespace: NS, deployment: NAME });
    expect((await port.readDeployment()).done).toBe(true);
    const e = await failure(port.restart());
    expect(e).toMatchObject({ code: 'kube.forbidden', exitCode: 5 });
    expect(e.message).toContain('cannot patch resource "deployments" in API group "apps" in the namespace "runai-backend"');
    expect(e.hint).toContain(`resourceNames ["${NAME}"], verbs ["get", "patch"]`);
    expect(e.hint).toContain('verbs ["list", "watch"]');
    expect(e.hint).toContain('templates/rbac.yaml');
    expect(`${e.message} ${e.hint} ${JSON.stringify(e.data)}`).not.toContain('readonly-token');
  });

  it('403 on GET → kube.forbidden; a bad token → kube.unauthorized', async () => {
    const nobody = await connectKubernetes({ kubeconfig: kubeconfigFor(emu, 'nobody-token'), namespace: NS, deployment: NAME });
    expect(await failure(nobody.readDeployment())).toMatchObject({ code: 'kube.forbidden' });
    const wrong = await connectKubernetes({ kubeconfig: kubeconfigFor(emu, 'wrong-token'), namespace: NS, deployment: NAME });
    const e = await failure(wrong.readDeployment());
    expect(e).toMatchObject({ code: 'kube.unauthorized' });
    expect(`${e.message} ${e.hint}`).not.toContain('wrong-token');
  });
});
