// One property per input and source: RUNS malformed values of the input's kind, given through
// that source, each refused by the contract of harness.expectRefused. The flag, variable and
// config-file suites are separate test files so vitest runs them side by side.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELDS, type Field } from '../../src/inputs/fields.js';
import { baseline, dirlink, expectRefused, originOf, startWorld, withValue, type Source, type World } from './harness.js';
import { kindFor } from './malformed.js';

/** Values per input and source: issue 7 asks for at least 200. */
export const RUNS = 200;

/** The inputs a source can carry: a secret's variable holds the secret itself (any text is a password), its flag and key name a file. */
export function fieldsFor(source: Source): Field[] {
  return FIELDS.filter((f) => f.type !== 'boolean' && (source === 'flag' ? f.flag : source === 'env' ? f.env && f.type !== 'secret' : f.configKey));
}

/** A fresh world of recorders for one test file, with its baseline proven to reach them. */
export function useWorld(): () => World {
  let w: World | undefined;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w?.close();
  });
  it('baseline: with every input valid, the check reaches the recorders (so a zero count means something)', async () => {
    const { args, env } = baseline(w!);
    const before = { ldap: w!.ldap.count(), traffic: w!.traffic() };
    const r = await dirlink(['check', '--non-interactive', ...args], env);
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(w!.ldap.count()).toBeGreaterThan(before.ldap);
    expect(w!.traffic()).toBeGreaterThan(before.traffic);
  });
  return () => w!;
}

export function describeMalformed(source: Source, world: () => World): void {
  describe.each(fieldsFor(source).map((f) => [f.key, f] as const))('%s', (_key, f) => {
    it(`refuses ${RUNS} malformed values given by ${originOf(f, source)}`, async () => {
      const w = world();
      const kind = kindFor(f.key, { ldapPort: w.ldap.port, httpPort: w.http.port, dir: w.dir });
      expect(kind, `no generator for ${f.key}`).toBeDefined();
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(kind!, fc.boolean(), fc.boolean(), fc.constantFrom('yaml', 'json') as fc.Arbitrary<'yaml' | 'json'>, async (value, json, equals, format) => {
          // an empty variable means "not set" (as in most CLIs), so it is not a malformed value
          fc.pre(!(source === 'env' && value === ''));
          runs++;
          const { args, env } = withValue(w, f.key, value, source, { json, equals, format });
          const before = w.traffic();
          const r = await dirlink(args, env);
          expectRefused(r, { origin: originOf(f, source), field: f.key, json, trafficBefore: before, traffic: w.traffic() });
        }),
        { numRuns: RUNS },
      );
      expect(runs).toBeGreaterThanOrEqual(RUNS);
    });
  });
}
