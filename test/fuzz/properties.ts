// One property per input and source: RUNS malformed values of the input's kind, given through
// that source, each refused by the contract of harness.expectRefused. The flag, variable and
// config-file suites are separate test files so vitest runs them side by side.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELDS, type Field } from '../../src/inputs/fields.js';
import { baseline, commandsUsed, dirlink, expectRefused, originOf, startWorld, withValue, type Source, type World } from './harness.js';
import { kindFor } from './malformed.js';

/** Values per input and source: issue 7 asks for at least 200. */
export const RUNS = 200;

/** The inputs a source can carry: a secret's variable holds the secret itself (any text is a password), its flag and key name a file. */
export function fieldsFor(source: Source): Field[] {
  return FIELDS.filter((f) => f.type !== 'boolean' && (source === 'flag' ? f.flag : source === 'alias' ? f.alias : source === 'env' ? f.env && f.type !== 'secret' : f.configKey));
}

/**
 * What each command's baseline must do with every input valid: end with the exit code of the
 * first network step it reaches, having reached that step's recorder. A command the properties
 * use without an entry here fails its baseline test, so a new command gets one.
 */
const REACHES: Record<string, { code: number; recorder: 'ldap' | 'http'; why: string }> = {
  check: { code: 3, recorder: 'ldap', why: 'the LDAP check is its first step' },
  kubeconfig: { code: 4, recorder: 'http', why: 'with Keycloak credentials it logs in to check the realm and client' },
  'scim-check': { code: 7, recorder: 'http', why: 'the Test Connection query goes to the SCIM URL' },
};

/** A fresh world of recorders for one test file, with its baseline proven to reach them. */
export function useWorld(): () => World {
  let w: World | undefined;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w?.close();
  });
  it.each(commandsUsed())('baseline: with every input it takes valid, %s reaches the recorders (so a zero count means something)', async (command) => {
    const expected = REACHES[command];
    expect(expected, `no baseline expectation for ${command}`).toBeDefined();
    const { args, env } = baseline(w!, [], command);
    const before = { recorder: w![expected!.recorder].count(), traffic: w!.traffic() };
    const r = await dirlink([command, '--non-interactive', ...args], env);
    expect(r.code, `${expected!.why}: ${r.stderr}${r.stdout}`).toBe(expected!.code);
    expect(w![expected!.recorder].count()).toBeGreaterThan(before.recorder);
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
