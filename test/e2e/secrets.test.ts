// Secrets never appear in output: every stdout, stderr and file dirlink wrote, across successes
// and failures, with --verbose and --json, is scanned for every password of the run.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KC_ADMIN_PASSWORD, filesUnder, findLeaks, startSandbox, type RunResult, type Sandbox } from './harness.js';

const world = inject('world');
const d = world.openldap;

describe('secret leak scan', () => {
  let sb: Sandbox;
  const outputs: { name: string; r: RunResult }[] = [];
  const WRONG_BIND = 'Wr0ng-bind-Passw0rd';
  const WRONG_KC = 'Wr0ng-kc-Passw0rd';
  const WRONG_VERIFY = 'Wr0ng-verify-Passw0rd';

  beforeAll(async () => {
    sb = await startSandbox();
    const env = { DIRLINK_VENDOR: 'other' };
    const runs: [string, string[], Record<string, string | undefined>][] = [
      ['setup verbose', ['setup', '--verbose'], env],
      ['setup json', ['setup', '--json', '--verbose', '--rotate-bind-password'], env],
      ['check json', ['check', '--json', '--verbose'], env],
      ['status', ['status', '--verbose'], env],
      ['wrong bind password', ['check', '--verbose'], { ...env, DIRLINK_BIND_PASSWORD: WRONG_BIND }],
      ['wrong bind password json', ['check', '--json'], { ...env, DIRLINK_BIND_PASSWORD: WRONG_BIND }],
      ['wrong keycloak password', ['check', '--verbose'], { ...env, DIRLINK_KEYCLOAK_PASSWORD: WRONG_KC }],
      ['wrong keycloak password json', ['check', '--json'], { ...env, DIRLINK_KEYCLOAK_PASSWORD: WRONG_KC }],
      ['verify ok', ['verify', '--verify-user', d.users.normal, '--verbose'], { ...env, DIRLINK_VERIFY_PASSWORD: d.userPassword }],
      ['verify wrong', ['verify', '--verify-user', d.users.normal, '--json', '--verbose'], { ...env, DIRLINK_VERIFY_PASSWORD: WRONG_VERIFY }],
      ['undo', ['undo', '--verbose'], env],
    ];
    for (const [name, args, e] of runs) outputs.push({ name, r: await sb.run(args, d, { env: e }) });
  });
  afterAll(async () => sb?.close());

  it('the runs did what they should (so the scan covers real work)', () => {
    const code = (n: string) => outputs.find((o) => o.name === n)!.r.code;
    expect(code('setup verbose')).toBe(0);
    expect(code('wrong bind password')).toBe(3);
    expect(code('wrong keycloak password')).toBe(4);
    expect(code('verify ok')).toBe(0);
    expect(code('verify wrong')).toBe(6);
    expect(code('undo')).toBe(0);
  });

  it('no password in any stdout, stderr or written file', () => {
    const secrets = [d.bindPassword, KC_ADMIN_PASSWORD, d.userPassword, WRONG_BIND, WRONG_KC, WRONG_VERIFY];
    const written = filesUnder(join(sb.dir, 'state'));
    expect(written.length).toBeGreaterThan(0);
    const texts = outputs.flatMap(({ name, r }) => [{ name: `${name}: stdout`, text: r.stdout }, { name: `${name}: stderr`, text: r.stderr }]);
    const leaks = findLeaks(secrets, texts, written);
    expect(leaks).toEqual([]);
  });
});
