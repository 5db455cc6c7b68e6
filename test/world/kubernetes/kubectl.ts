// Finds the real kubectl binaries the machine image ships (Google Cloud SDK: kubectl.1.27 …
// kubectl.1.33 beside the /usr/bin/kubectl dispatcher) and runs one directly, bypassing the
// dispatcher's version negotiation, with a throwaway discovery cache.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Kubectl { version: string; path: string }
export interface KubectlResult { code: number; stdout: string; stderr: string }

/** Versioned kubectl binaries, oldest first; `KUBECTL=/path` adds one more (e.g. Debian's 1.20). */
export function findKubectls(): Kubectl[] {
  const found: Kubectl[] = [];
  const dirs = new Set<string>(['/usr/lib/google-cloud-sdk/bin']);
  try {
    const onPath = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8', timeout: 5_000 }).trim();
    if (onPath) dirs.add(dirname(realpathSync(onPath)));
  } catch { /* no kubectl on PATH */ }
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      const m = /^kubectl\.(\d+\.\d+)$/.exec(f);
      if (m && !found.some((k) => k.version === m[1])) found.push({ version: m[1]!, path: join(dir, f) });
    }
  }
  if (process.env.KUBECTL && existsSync(process.env.KUBECTL)) found.push({ version: 'env', path: process.env.KUBECTL });
  return found.sort((a, b) => a.version.localeCompare(b.version, undefined, { numeric: true }));
}

export function runKubectl(k: Kubectl, kubeconfig: string, args: string[], timeoutMs = 30_000): Promise<KubectlResult> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
  return new Promise((resolve) => {
    execFile(k.path, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
      { timeout: timeoutMs, env: { ...process.env, KUBECONFIG: '', HOME: cacheDir, TZ: 'UTC' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
  });
}
