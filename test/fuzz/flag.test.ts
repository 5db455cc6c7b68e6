// Malformed values for every input that has a flag (see properties.ts); a secret as a plain
// flag value (it would show in `ps` and the shell history); the stdin flag with nothing piped in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '../../src/inputs/fields.js';
import { baseline, dirlink, expectRefused } from './harness.js';
import { RUNS, describeMalformed, useWorld } from './properties.js';

const world = useWorld();
describeMalformed('flag', world);

describe('secrets on the command line', () => {
  const secrets = FIELDS.filter((f) => f.type === 'secret');
  it(`${RUNS} secrets given as a flag value are refused with the fix and never repeated`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...secrets), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }).map((s) => `S3cr3t-${s}`), fc.boolean(), async (f, secret, json) => {
        const w = world();
        const { args, env } = baseline(w, [f.key]);
        const plain = f.flag!.replace(/-file$/, '');
        const before = w.traffic();
        const r = await dirlink(['check', '--non-interactive', ...(json ? ['--json'] : []), ...args, plain, secret], env);
        expectRefused(r, { origin: plain, field: f.key, json, trafficBefore: before, traffic: w.traffic() });
        expect(r.stdout + r.stderr).not.toContain(secret);
        expect(r.stdout + r.stderr).toContain(f.flag!);
      }),
      { numRuns: RUNS },
    );
  });
  it('--bind-password-stdin with nothing piped in names the flag', async () => {
    const w = world();
    const { args, env } = baseline(w, ['bindPassword']);
    for (const input of ['', '\n', '\r\n']) {
      const before = w.traffic();
      const r = await dirlink(['check', '--non-interactive', ...args, '--bind-password-stdin'], env, input);
      expectRefused(r, { origin: '--bind-password-stdin', field: 'bindPassword', trafficBefore: before, traffic: w.traffic() });
    }
  });
});
