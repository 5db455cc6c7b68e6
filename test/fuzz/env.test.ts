// Malformed values for every input that has an environment variable (see properties.ts), and
// for the boolean variables anything but the documented spellings of true and false.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FIELDS } from '../../src/inputs/fields.js';
import { baseline, dirlink, expectRefused } from './harness.js';
import { RUNS, describeMalformed, useWorld } from './properties.js';

const world = useWorld();
describeMalformed('env', world);

describe('boolean variables', () => {
  const bad = fc.oneof(
    fc.constantFrom('maybe', 'tru', 'ture', 'yes please', '2', '-1', '10', 'y', 'n', 't', 'f', 'enabled', 'disabled', 'on;', 'true\u0000', 'tr\nue', '\uff54\uff52\uff55\uff45', 'tru\u0435', '"true"', 'null', 'none', '[]', '{}', '1.0', '0x1'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((s) => !['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off', ''].includes(s.trim().toLowerCase())),
  );
  it.each(FIELDS.filter((f) => f.type === 'boolean').map((f) => [f.env!, f] as const))(`%s refuses ${RUNS} malformed values`, async (name, f) => {
    const w = world();
    await fc.assert(
      fc.asyncProperty(bad, fc.boolean(), async (value, json) => {
        const { args, env } = baseline(w);
        const before = w.traffic();
        const r = await dirlink(['check', '--non-interactive', ...(json ? ['--json'] : []), ...args], { ...env, [name]: value });
        expectRefused(r, { origin: name, field: f.key, json, trafficBefore: before, traffic: w.traffic() });
      }),
      { numRuns: RUNS },
    );
  });
});
