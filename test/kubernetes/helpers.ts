// Shared set-up for the adapter tests: an emulator plus a kubeconfig for it, and bounded waits.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeEmulator } from '../world/kubernetes/index.js';

export const NS = 'runai-backend';
export const NAME = 'runai-backend-deployment';

export function kubeconfigFor(emu: KubeEmulator, token?: string): string {
  return emu.writeKubeconfig(mkdtempSync(join(tmpdir(), 'dirlink-kc-')), { token, namespace: NS });
}

/** Resolves once the emulator has recorded `count` requests matching `pred` (bounded). */
export async function seen(emu: KubeEmulator, pred: (r: KubeEmulator['requests'][number]) => boolean, count = 1, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (emu.requests.filter(pred).length < count) {
    if (Date.now() > end) throw new Error(`expected ${count} matching request(s) within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const isWatch = (r: KubeEmulator['requests'][number]) => r.query.watch === 'true';
export const isList = (r: KubeEmulator['requests'][number]) => r.method === 'GET' && r.path === `/apis/apps/v1/namespaces/${NS}/deployments` && r.query.watch === undefined;
export const isObjectGet = (r: KubeEmulator['requests'][number]) => r.method === 'GET' && r.path === `/apis/apps/v1/namespaces/${NS}/deployments/${NAME}`;

/** Runs `p`, expecting a rejection; returns the error for assertions. */
export async function failure(p: Promise<unknown>): Promise<any> {
  try { await p; } catch (e) { return e; }
  throw new Error('expected a failure, but it succeeded');
}
