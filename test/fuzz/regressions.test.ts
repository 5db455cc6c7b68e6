// Fixed examples of the product bugs the malformed-input properties found, one block per fix,
// kept as plain cases so they run even when the generators change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shown } from '../../src/errors.js';
import { dirlink, expectRefused, startWorld, withValue, type World } from './harness.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
});

async function refused(key: Parameters<typeof withValue>[1], value: string, source: 'flag' | 'env' | 'config', origin: string) {
  const { args, env } = withValue(w, key, value, source);
  const before = w.traffic();
  const r = await dirlink(args, env);
  expectRefused(r, { origin, field: key, trafficBefore: before, traffic: w.traffic() });
  return r;
}

describe('errors never echo raw control characters', () => {
  it('a NUL, an ESC sequence or a newline in a value is shown escaped', async () => {
    const r = await refused('ldapUrl', 'l\u0000dap://127.0.0.1:1', 'flag', '--ldap-url');
    expect(r.stderr).toContain('"l\\0dap"');
    const esc = await refused('vendor', 'a\u001b[2Jd', 'env', 'DIRLINK_VENDOR');
    expect(esc.stderr).not.toContain('\u001b');
    const nl = await refused('usersDn', 'people\n    at Object.<anonymous> (x.js:1:1)', 'config', 'ldap.usersDn');
    expect(nl.stderr).not.toMatch(/^\s+at /m);
  });
  it('a long value is cut', () => {
    expect(shown('x'.repeat(1000))).toBe(`${'x'.repeat(120)}… (1000 characters)`);
    expect(shown('a\u202eb\u2028c\td')).toBe('a\\u202eb\\u2028c\\td');
  });
});
