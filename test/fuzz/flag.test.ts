// Malformed values for every input that has a flag, and through its second spelling when it has
// one (see properties.ts); a secret as a plain flag value (it would show in `ps` and the shell
// history); a stdin flag with nothing piped in. Each on the command that takes the input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '../../src/inputs/fields.js';
import { baseline, commandFor, dirlink, expectRefused } from './harness.js';
import { RUNS, describeMalformed, useWorld } from './properties.js';

const world = useWorld();
describeMalformed('flag', world);
describeMalformed('alias', world);

describe('secrets on the command line', () => {
  const secrets = FIELDS.filter((f) => f.type === 'secret');
  it(`${RUNS} secrets given as a flag value are refused with the fix and never repeated`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...secrets), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }).map((s) => `S3cr3t-${s}`), fc.boolean(), async (f, secret, json) => {
        const w = world();
        const command = commandFor(f.key);
        const { args, env } = baseline(w, [f.key], command);
        const plain = f.flag!.replace(/-file$/, '');
        const before = w.traffic();
        const r = await dirlink([command, '--non-interactive', ...(json ? ['--json'] : []), ...args, plain, secret], env);
        expectRefused(r, { origin: plain, field: f.key, json, trafficBefore: before, traffic: w.traffic() });
        expect(r.stdout + r.stderr).not.toContain(secret);
        expect(r.stdout + r.stderr).toContain(f.flag!);
      }),
      { numRuns: RUNS },
    );
  });
  it.each(secrets.filter((f) => f.stdinFlag).map((f) => [f.stdinFlag!, f] as const))('%s with nothing piped in names the flag', async (stdinFlag, f) => {
    const w = world();
    const command = commandFor(f.key);
    const { args, env } = baseline(w, [f.key], command);
    for (const input of ['', '\n', '\r\n']) {
      const before = w.traffic();
      const r = await dirlink([command, '--non-interactive', ...args, stdinFlag], env, input);
      expectRefused(r, { origin: stdinFlag, field: f.key, trafficBefore: before, traffic: w.traffic() });
    }
  });
});
