// The directory check as a user meets it: `dirlink check` spawned like CI runs it. --json carries
// every layer with its result and time (also when one fails), the human output shows the ladder
// and the preview, and the preview shows users exactly as the (Keycloak-faithful) emulator maps
// them once the federation exists.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findByUsername, providersOf } from '../world/keycloak/federation.js';
import type { DirectoryInfo } from '../world/types.js';
import type { ProbeReport } from '../../src/ldap/types.js';
import { Client } from 'ldapts';
import { DEFAULT_CAP } from '../../src/ldap/probe.js';
import { silentServer } from '../ldap/helpers.js';
import { startSandbox, type Sandbox } from './harness.js';

const world = inject('world');
const LADDER = ['dns', 'tcp', 'tls', 'bind', 'rootdse', 'users-dn', 'search', 'attributes'];

const ldapOf = (stdout: string) => {
  const out = JSON.parse(stdout) as { ok: boolean; exitCode: number; steps: { id: string; status: string; ms: number }[]; ldap?: ProbeReport; error?: { code: string; field?: string; hint?: string } };
  return out;
};

describe('dirlink check --json: every layer with its result and time', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => sb?.close());

  it('on Samba AD: the whole ladder ok, the preview with the disabled account named, nothing written', async () => {
    const r = await sb.run(['check', '--json'], world.ad);
    expect(r.code, r.stderr).toBe(0);
    const out = ldapOf(r.stdout);
    expect(out.steps.find((s) => s.id === 'ldap')).toMatchObject({ status: expect.stringMatching(/^(ok|warn)$/), ms: expect.any(Number) });
    const layers = out.ldap!.layers;
    expect(layers.map((l) => l.id)).toEqual(LADDER);
    for (const l of layers) {
      expect(l.status, l.id).toMatch(/^(ok|warn)$/);
      expect(typeof l.ms, l.id).toBe('number');
      expect(l.ms, l.id).toBeGreaterThanOrEqual(0);
      expect(l.message, l.id).toBeTruthy();
    }
    expect(out.ldap!.discovery).toMatchObject({ vendor: 'ad', supportsPaging: true });
    // the preview reads at most DEFAULT_CAP users (the world has more), whatever the directory's size
    expect(out.ldap!.users).toMatchObject({ count: Math.min(world.ad.userCount, DEFAULT_CAP), capped: world.ad.userCount > DEFAULT_CAP });
    expect(layers.find((l) => l.id === 'search')!.message).toContain(world.ad.userCount > DEFAULT_CAP ? `more than ${DEFAULT_CAP} users` : `${world.ad.userCount} users`);
    expect(out.ldap!.users!.sample[0]).toMatchObject({ username: expect.any(String), email: expect.any(String), firstName: expect.any(String), lastName: expect.any(String), dn: expect.any(String) });
    expect(sb.kc.writes()).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(world.ad.bindPassword);
  });

  it('on Samba AD: a disabled account is counted and named (a users DN holding just it: the preview window is smaller than the OU)', async () => {
    const disabled = world.ad.users.disabled!;
    const c = new Client({ url: world.ad.url, timeout: 10_000 });
    let dn: string;
    try {
      await c.bind(world.ad.bindDn, world.ad.bindPassword);
      dn = (await c.search(world.ad.baseDn, { scope: 'sub', filter: `(sAMAccountName=${disabled})`, attributes: ['1.1'] })).searchEntries[0]!.dn;
    } finally {
      await c.unbind().catch(() => {});
    }
    const r = await sb.run(['check', '--json'], { ...world.ad, usersDn: dn });
    expect(r.code, r.stderr).toBe(0);
    expect(ldapOf(r.stdout).ldap!.users).toMatchObject({ count: 1, capped: false, disabled: 1, disabledUsers: [{ username: disabled }] });
  });

  it('a failing layer: exit 3, the ladder up to it and the skipped rest, the error naming the input and the OU to use', async () => {
    sb.kc.resetRequests();
    const d = world.openldap;
    const wrong = d.usersDn.replace(/^ou=([^,]+)/i, 'ou=$1-typo');
    const r = await sb.run(['check', '--json', '--vendor', 'other'], d, { env: { DIRLINK_USERS_DN: wrong } });
    expect(r.code).toBe(3);
    const out = ldapOf(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.error).toMatchObject({ code: 'ldap.users-dn.not-found', field: 'usersDn' });
    expect(out.error!.hint).toContain(d.usersDn);
    const layers = out.ldap!.layers;
    expect(layers.map((l) => [l.id, l.status])).toEqual([
      ['dns', 'ok'], ['tcp', 'ok'], ['tls', 'warn'], ['bind', 'ok'], ['rootdse', 'ok'], ['users-dn', 'fail'], ['search', 'skipped'], ['attributes', 'skipped'],
    ]);
    for (const l of layers) expect(typeof l.ms).toBe('number');
    expect(layers.find((l) => l.id === 'users-dn')).toMatchObject({ field: 'usersDn', data: { nearestParent: d.baseDn } });
    expect(out.steps.find((s) => s.id === 'ldap')).toMatchObject({ status: 'fail' });
    // the directory check comes first: Keycloak was not even asked
    expect(sb.kc.requests).toEqual([]);
  });

  it('a bind failure: the ladder stops at the bind, the password appears nowhere', async () => {
    const r = await sb.run(['check', '--json'], world.ad, { env: { DIRLINK_BIND_PASSWORD: 'Not-The-Pw-4' } });
    expect(r.code).toBe(3);
    const layers = ldapOf(r.stdout).ldap!.layers;
    expect(layers.map((l) => l.status)).toEqual(['ok', 'ok', 'warn', 'fail', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(layers[3]).toMatchObject({ code: 'ldap.bind.invalid-credentials', field: 'bindPassword', data: { adData: '52e' } });
    expect(r.stdout + r.stderr).not.toContain('Not-The-Pw-4');
  });

  it('a server that accepts and never answers: exit 3 after --ldap-timeout (not the default 10 s), not a hang', async () => {
    const silent = await silentServer();
    try {
      const r = await sb.run(['check', '--json', '--vendor', 'other', '--ldap-timeout', '500ms'], world.openldap, { env: { DIRLINK_LDAP_URL: `ldap://127.0.0.1:${silent.port}` }, timeoutMs: 30_000 });
      expect(r.signal).toBeNull();
      expect(r.code).toBe(3);
      const out = ldapOf(r.stdout);
      expect(out.error).toMatchObject({ code: 'ldap.bind.timeout', field: 'ldapUrl' });
      expect(out.ldap!.layers.map((l) => [l.id, l.status]).slice(0, 5)).toEqual([['dns', 'ok'], ['tcp', 'ok'], ['tls', 'warn'], ['bind', 'fail'], ['rootdse', 'skipped']]);
      expect(out.ldap!.layers[3]).toMatchObject({ message: expect.stringContaining('within 0.5 s'), data: { timeoutMs: 500 } });
    } finally {
      await silent.close();
    }
  });

  it('the human output: one line per layer with its time, the hint under a warning, the preview table with DNs, who lacks mail', async () => {
    const d = world.openldap;
    const r = await sb.run(['check', '--vendor', 'other'], d);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const id of LADDER) expect(r.stdout).toMatch(new RegExp(`[✔!] ${id}\\s+.*\\(\\d+(\\.\\d)? m?s\\)`));
    expect(r.stdout).toMatch(/! tls\s+No TLS[^\n]*\n\s+→ Use ldaps:\/\/host:636/);
    expect(r.stdout).toContain(`users as Keycloak will see them (5 of ${d.userCount}): username, email, first | last name, DN`);
    expect(r.stdout).toMatch(new RegExp(`\\n\\s+${d.users.normal}\\s+${d.users.normal}@example\\.org\\s+Alice Normal \\| Normal\\s+uid=${d.users.normal},${d.usersDn}\\n`));
    for (const u of d.users.noMail) expect(r.stdout).toContain(u);
  });
});

describe('the preview is what Keycloak shows (compared with the emulator after setup)', () => {
  const cases: [string, DirectoryInfo, string[]][] = [
    ['Samba AD (sAMAccountName, full-name mapper)', world.ad, []],
    ['OpenLDAP (uid RDN, first name ← cn)', world.openldap, ['--vendor', 'other']],
  ];
  it.each(cases)('%s', async (_name, d, flags) => {
    const sb = await startSandbox();
    try {
      const r = await sb.run(['setup', '--json', ...flags], d);
      expect(r.code, r.stderr).toBe(0);
      const report = ldapOf(r.stdout).ldap!;
      const realm = sb.kc.state.realms.get('runai')!;
      const [provider] = providersOf(realm);
      expect(provider).toBeDefined();
      const sample = report.users!.sample;
      expect(sample.length).toBe(10);
      for (const p of sample) {
        const kc = await findByUsername(sb.kc.state, realm, provider!, p.username!);
        expect(kc, p.username).toBeDefined();
        const seen = { username: kc!.username, email: kc!.email, firstName: kc!.firstName, lastName: kc!.lastName, dn: kc!.dn };
        expect({ username: p.username, email: p.email, firstName: p.firstName, lastName: p.lastName, dn: p.dn }, p.username).toEqual(seen);
        if (p.disabled !== undefined) expect(!p.disabled, p.username).toBe(kc!.enabled);
      }
      // the disabled AD account: flagged in the preview, disabled in Keycloak (MSAD account controls)
      for (const u of report.users!.disabledUsers) expect((await findByUsername(sb.kc.state, realm, provider!, u.username!))!.enabled).toBe(false);
    } finally {
      await sb.close();
    }
  });
});
