// The emulator through @kubernetes/client-node 1.4 (a second client nobody here wrote), including
// the Content-Type pitfall of kubernetes.md §3, token rights, and raw apiserver error shapes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../world/kubernetes/index.js';

const NS = 'runai-backend';
const NAME = 'runai-backend-deployment';

function client(emu: KubeEmulator, token?: string): { kc: KubeConfig; apps: AppsV1Api } {
  const kc = new KubeConfig();
  kc.loadFromFile(emu.writeKubeconfig(mkdtempSync(join(tmpdir(), 'kc-')), { token, namespace: NS }));
  return { kc, apps: kc.makeApiClient(AppsV1Api) };
}

const restartBody = (at: string) => ({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } });

describe('client-node 1.4 against the http emulator', () => {
  let emu: KubeEmulator;
  beforeAll(async () => { emu = await startKubeEmulator(); emu.controller.stepMs = 5; });
  afterAll(async () => { await emu?.close(); });

  it('reads the seed deployment as a full apps/v1 object', async () => {
    const d = await client(emu).apps.readNamespacedDeployment({ name: NAME, namespace: NS });
    expect(d.kind).toBe('Deployment');
    expect(d.spec?.replicas).toBe(2);
    expect(d.status?.observedGeneration).toBe(d.metadata?.generation);
  });

  it('an object body with the default (json-patch) Content-Type gets the apiserver\'s 400', async () => {
    emu.resetRequests();
    const err = await client(emu).apps.patchNamespacedDeployment({ name: NAME, namespace: NS, body: restartBody('2026-01-01T00:00:00Z') })
      .then(() => undefined, (e: unknown) => e as { code: number; body: string });
    expect(err?.code).toBe(400);
    expect(JSON.parse(err!.body).message).toBe('error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
    expect(emu.writes()[0]?.headers.contentType).toBe('application/json-patch+json');
  });

  it('setHeaderOptions(StrategicMergePatch) restarts; a repeated identical patch keeps the resourceVersion', async () => {
    const { apps } = client(emu);
    const before = await apps.readNamespacedDeployment({ name: NAME, namespace: NS });
    const opts = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    const body = restartBody('2026-01-01T00:00:01Z');
    const after = await apps.patchNamespacedDeployment({ name: NAME, namespace: NS, body, fieldManager: 'test' }, opts);
    expect(after.metadata?.generation).toBe(before.metadata!.generation! + 1);
    expect(after.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBe('2026-01-01T00:00:01Z');
    const again = await apps.patchNamespacedDeployment({ name: NAME, namespace: NS, body, fieldManager: 'test' }, opts);
    expect(again.metadata?.resourceVersion).toBe(after.metadata?.resourceVersion);
    expect(again.metadata?.generation).toBe(after.metadata?.generation);
  });

  it('merge patch and JSON patch (an array) are applied', async () => {
    const { apps } = client(emu);
    const merged = await apps.patchNamespacedDeployment({ name: NAME, namespace: NS, body: { metadata: { labels: { tier: 'backend' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(merged.metadata?.labels).toMatchObject({ tier: 'backend' });
    const patched = await apps.patchNamespacedDeployment({ name: NAME, namespace: NS, body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
    expect(patched.spec?.replicas).toBe(3);
  });

  it('other Content-Types get 415 UnsupportedMediaType as a Status', async () => {
    const res = await fetch(`${emu.url}/apis/apps/v1/namespaces/${NS}/deployments/${NAME}`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
  });

  it('a missing deployment is a 404 Status naming it', async () => {
    const err = await client(emu).apps.readNamespacedDeployment({ name: 'nope', namespace: NS }).catch((e: { code: number; body: string }) => e);
    expect((err as { code: number }).code).toBe(404);
    expect(JSON.parse((err as { body: string }).body)).toMatchObject({ reason: 'NotFound', message: 'deployments.apps "nope" not found' });
  });

  it('Watch without resourceVersion starts with a synthetic ADDED, honours fieldSelector, and ends on dropWatches', async () => {
    emu.controller.stepMs = 60_000; // no controller events from earlier tests may slip in
    const { kc } = client(emu);
    const events: string[] = [];
    const done = new Promise<unknown>((resolve) => {
      void new Watch(kc).watch(`/apis/apps/v1/namespaces/${NS}/deployments`, { fieldSelector: `metadata.name=${NAME}` },
        (type, obj: { metadata: { name: string } }) => {
          events.push(`${type} ${obj.metadata.name}`);
          if (events.length === 1) emu.dropWatches();
        }, resolve);
    });
    await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error('watch never ended')), 10_000))]);
    expect(events).toEqual([`ADDED ${NAME}`]);
  });

  it('a watch from a compacted resourceVersion gets an ERROR event with 410 Expired', async () => {
    const { kc } = client(emu);
    const rv = emu.getDeployment(NS, NAME)!.metadata as { resourceVersion: string };
    const old = String(Number(rv.resourceVersion) - 1);
    emu.compact();
    const events: Array<{ type: string; code?: number }> = [];
    await new Promise<unknown>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('watch never ended')), 10_000);
      void new Watch(kc).watch(`/apis/apps/v1/namespaces/${NS}/deployments`, { resourceVersion: old },
        (type, obj: { code?: number }) => events.push({ type, code: obj.code }), (e) => { clearTimeout(t); resolve(e); });
    });
    expect(events).toEqual([{ type: 'ERROR', code: 410 }]);
  });
});

describe('client-node 1.4 against the https emulator with required tokens', () => {
  let emu: KubeEmulator;
  beforeAll(async () => { emu = await startKubeEmulator({ tls: true, requireAuth: true }); });
  afterAll(async () => { await emu?.close(); });

  it('admin-token may read and patch, and the bearer token reaches the server', async () => {
    const { apps } = client(emu, 'admin-token');
    const d = await apps.patchNamespacedDeployment({ name: NAME, namespace: NS, body: restartBody('2026-01-01T00:00:02Z') },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    expect(d.metadata?.name).toBe(NAME);
    expect(emu.writes()[0]?.headers.authorization).toBe('Bearer admin-token');
  });

  it('readonly-token reads, but PATCH is 403 Forbidden with the apiserver\'s message', async () => {
    const { apps } = client(emu, 'readonly-token');
    await apps.readNamespacedDeployment({ name: NAME, namespace: NS });
    const err = await apps.patchNamespacedDeployment({ name: NAME, namespace: NS, body: restartBody('2026-01-01T00:00:03Z') },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)).catch((e: { code: number; body: string }) => e);
    expect((err as { code: number }).code).toBe(403);
    expect(JSON.parse((err as { body: string }).body).message).toBe(
      `deployments.apps "${NAME}" is forbidden: User "system:serviceaccount:runai-backend:readonly" cannot patch resource "deployments" in API group "apps" in the namespace "runai-backend"`);
  });

  it('no token or an unknown token is 401', async () => {
    for (const token of [undefined, 'wrong-token']) {
      const err = await client(emu, token).apps.readNamespacedDeployment({ name: NAME, namespace: NS }).catch((e: { code: number }) => e);
      expect((err as { code: number }).code).toBe(401);
    }
  });
});
