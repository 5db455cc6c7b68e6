// dirlink's restart and `kubectl rollout restart` must change the Deployment in the same way:
// same patch type and shape, same object fields touched, same generation bump.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKubernetes } from '../../src/kubernetes/index.js';
import { startKubeEmulator, type KubeEmulator, type Obj } from '../world/kubernetes/index.js';
import { findKubectls, runKubectl } from '../world/kubernetes/kubectl.js';
import { kubeconfigFor, NAME, NS } from './helpers.js';

const kubectl = findKubectls().at(-1);

/** The object minus what legitimately differs between two emulators and two moments. */
function comparable(d: Obj): unknown {
  const c = JSON.parse(JSON.stringify(d)) as any;
  delete c.status;
  delete c.metadata.uid;
  delete c.metadata.creationTimestamp;
  delete c.metadata.resourceVersion;
  const ann = c.spec.template.metadata.annotations;
  if (ann?.['kubectl.kubernetes.io/restartedAt']) ann['kubectl.kubernetes.io/restartedAt'] = '<time>';
  return c;
}

describe.skipIf(!kubectl)(`restart parity with kubectl ${kubectl?.version ?? '(SKIPPED: no kubectl.1.xx binary found)'}`, () => {
  let viaKubectl: KubeEmulator;
  let viaDirlink: KubeEmulator;
  beforeAll(async () => {
    [viaKubectl, viaDirlink] = await Promise.all([startKubeEmulator(), startKubeEmulator()]);
    for (const e of [viaKubectl, viaDirlink]) e.controller.stepMs = 60_000; // freeze status: compare spec/metadata only
  });
  afterAll(async () => { await Promise.all([viaKubectl?.close(), viaDirlink?.close()]); });

  it('produces the same request and the same object change', async () => {
    const r = await runKubectl(kubectl!, kubeconfigFor(viaKubectl), ['rollout', 'restart', `deployment/${NAME}`, '-n', NS]);
    expect(r.code).toBe(0);
    const port = await connectKubernetes({ kubeconfig: kubeconfigFor(viaDirlink), namespace: NS, deployment: NAME });
    await port.restart();

    const [k] = viaKubectl.writes();
    const [d] = viaDirlink.writes();
    const shape = (body: string) => body.replace(/"kubectl\.kubernetes\.io\/restartedAt":"[^"]+"/, '"kubectl.kubernetes.io/restartedAt":"<time>"');
    expect(shape(d!.body)).toBe(shape(k!.body));
    expect([d!.method, d!.path, d!.headers.contentType]).toEqual([k!.method, k!.path, k!.headers.contentType]);
    expect(comparable(viaDirlink.getDeployment(NS, NAME)!)).toEqual(comparable(viaKubectl.getDeployment(NS, NAME)!));
  });
});
