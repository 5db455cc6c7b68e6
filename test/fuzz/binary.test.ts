// The in-process runs stand for the real binary: a sample of the malformed values, given to the
// spawned `node bin/dirlink.js` with the same arguments and environment, ends with the same exit
// code and byte-for-byte the same output — and nothing from Node itself (no stack, no warning).
// Needs a fresh build (npx tsc -p tsconfig.json), like the e2e tests.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_BY_KEY } from '../../src/inputs/fields.js';
import { baseline, commandFor, commandsUsed, dirlink, originOf, withValue, type Run, type Source } from './harness.js';
import { kindFor } from './malformed.js';
import { fieldsFor, useWorld } from './properties.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/dirlink.js');
const SAMPLE = 24;

function newest(dir: string, ext: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (e.name.endsWith(ext)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function spawnCli(args: string[], env: Record<string, string>, started?: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    started?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // a hang fails the test instead of stalling it
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

const world = useWorld();

describe('the spawned binary', () => {
  it('is built from the current sources', () => {
    expect(newest(join(ROOT, 'dist/src'), '.js'), 'dist/ is older than src/: run npx tsc -p tsconfig.json').toBeGreaterThanOrEqual(newest(join(ROOT, 'src'), '.ts'));
  });

  it(`matches the in-process run for ${SAMPLE} malformed values (every source and command, many inputs)`, async () => {
    const w = world();
    const targets = { ldapPort: w.ldap.port, httpPort: w.http.port, dir: w.dir };
    const cases = fc.sample(
      fc
        .constantFrom<Source>('flag', 'alias', 'env', 'config')
        .chain((source) => fc.tuple(fc.constant(source), fc.constantFrom(...fieldsFor(source)), fc.boolean()))
        .chain(([source, f, json]) => fc.tuple(fc.constant(source), fc.constant(f), fc.constant(json), kindFor(f.key, targets)!))
        // argv and environment strings cannot carry NUL; an empty variable means "unset"
        .filter(([source, , , v]) => !v.includes('\u0000') && !(source === 'env' && v === '')),
      { numRuns: SAMPLE, seed: 7 },
    );
    // four processes at a time: the machine is small and shared
    const queue = [...cases];
    const runs: { source: Source; key: keyof typeof FIELD_BY_KEY; json: boolean; value: string; inProcess: Run; spawned: Run; traffic: number }[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const [source, f, json, value] = c;
          const { args, env } = withValue(w, f.key, value, source, { json });
          const before = w.traffic();
          const inProcess = await dirlink(args, env);
          const spawned = await spawnCli(args, env);
          runs.push({ source, key: f.key, json, value, inProcess, spawned, traffic: w.traffic() - before });
        }
      }),
    );
    for (const r of runs) {
      const ctx = JSON.stringify({ source: r.source, key: r.key, value: r.value.slice(0, 200), spawned: r.spawned });
      expect(r.spawned.code, ctx).toBe(2);
      expect(r.spawned.stderr, ctx).toBe(r.inProcess.stderr);
      expect(r.spawned.stdout, ctx).toBe(r.inProcess.stdout);
      expect(r.spawned.stdout + r.spawned.stderr, ctx).not.toMatch(/^\s+at |^\w*Error\b[^\n]*:|\(node:\d+\)/m);
      expect(r.json ? r.spawned.stdout : r.spawned.stderr, ctx).toContain(originOf(FIELD_BY_KEY[r.key], r.source));
      expect(r.traffic, ctx).toBe(0);
    }
    // the sample reached every source
    expect(new Set(runs.map((r) => r.source))).toEqual(new Set(['flag', 'alias', 'env', 'config']));
    // and every command the properties run
    expect(new Set(runs.map((r) => commandFor(r.key)))).toEqual(new Set(commandsUsed()));
  });

  it('a commander usage error (unknown option, missing value) is exit 2 in both, with the same text', async () => {
    for (const args of [['check', '--ldap-urll', 'x'], ['check', '--ldap-url'], ['chek'], ['check', '--bind-password', 'hunter2']]) {
      const env = { CI: 'true', NO_COLOR: '1', HOME: world().dir };
      const [a, b] = [await dirlink(args, env), await spawnCli(args, env)];
      expect([b.code, b.stderr, b.stdout], args.join(' ')).toEqual([2, a.stderr, a.stdout]);
      expect(b.stderr).not.toContain('hunter2');
    }
  });
});

describe('the CLI edge', () => {
  it('Ctrl-C during a directory that never answers stops the run with 130 and says so', async () => {
    const w = world();
    // accepts the connection and never answers: the bind would wait for the whole LDAP timeout
    const held: net.Socket[] = [];
    let child: ReturnType<typeof spawn> | undefined;
    const silent = net.createServer((s) => {
      held.push(s);
      child?.kill('SIGINT');
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { args, env } = baseline(w, ['ldapUrl', 'ldapTimeout']);
      const port = (silent.address() as net.AddressInfo).port;
      const r = await spawnCli(['check', '--non-interactive', ...args, '--ldap-url', `ldap://127.0.0.1:${port}`, '--ldap-timeout', '60s'], env, (c) => (child = c));
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toContain('stopping (Ctrl-C again to quit at once)');
      expect(r.stderr).toMatch(/✖ LDAP check cancelled/);
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise((r) => silent.close(r));
    }
  });
});
