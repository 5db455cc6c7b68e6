// The directory check as a user meets it: `dirlink check` spawned like CI runs it. --json carries
// every layer with its result and time (also when one fails), the human output shows the ladder
// and the preview, and the preview shows users exactly as the (Keycloak-faithful) emulator maps
// them once the federation exists.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findByUsername, providersOf } from '../world/keycloak/federation.js';
import type { DirectoryInfo } from '../world/types.js';
import type { ProbeReport } from '../../src/ldap/types.js';
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
    // the disabled account, found by a targeted search across the users DN whatever users were read
    expect(out.ldap!.users).toMatchObject({ disabled: 1, disabledUsers: [{ username: world.ad.users.disabled }] });
    expect(sb.kc.writes()).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(world.ad.bindPassword);
  });

  it('on Samba AD, the whole users DN: the accounts without mail and the disabled one are named wherever they are (targeted searches, not the users read)', async () => {
    const ad = world.ad;
    const r = await sb.run(['check', '--json', '--email-attribute', 'mail'], ad);
    expect(r.code, r.stderr).toBe(0);
    const out = ldapOf(r.stdout);
    const u = out.ldap!.users!;
    // the JSON contract grows: the fields it had, and the targeted searches and what the duplicates covered
    expect(u).toMatchObject({ count: Math.min(ad.userCount, DEFAULT_CAP), capped: ad.userCount > DEFAULT_CAP, withoutEmail: ad.users.noMail.length, withoutUsername: 0, disabled: 1, duplicateEmails: expect.any(Array), duplicateUsernames: [] });
    expect(u.window).toBeLessThan(ad.userCount);
    expect(u.withoutEmailUsers.map((x) => x.username).sort()).toEqual([...ad.users.noMail].sort());
    expect(u.disabledUsers).toEqual([{ dn: expect.stringMatching(/^CN=/), username: ad.users.disabled }]);
    expect(u.problems.withoutEmail).toMatchObject({ scope: 'directory', count: ad.users.noMail.length, capped: false, limit: 20, filter: expect.stringContaining('(!(mail=*))') });
    expect(u.problems.disabled).toMatchObject({ scope: 'directory', count: 1, users: [expect.objectContaining({ username: ad.users.disabled, disabled: true, firstName: expect.any(String) })] });
    expect(u.duplicatesChecked).toMatchObject({ usersRead: u.window, valuesSearched: expect.any(Number) });
    const attributes = out.ldap!.layers.find((l) => l.id === 'attributes')!;
    expect(attributes.status).toBe('warn');
    expect((attributes.data!.warnings as { code: string }[]).map((w) => w.code)).toEqual(expect.arrayContaining(['ldap.attributes.email-partial', 'ldap.attributes.disabled-accounts']));
    // the human output names them, in the warnings and in the table of accounts to look at
    const h = await sb.run(['check', '--email-attribute', 'mail'], ad);
    expect(h.code, h.stderr).toBe(0);
    const table = h.stdout.slice(h.stdout.indexOf('accounts to look at'));
    for (const name of [...ad.users.noMail, ad.users.disabled!]) expect(table).toMatch(new RegExp(`\\n\\s+${name}\\s`));
    expect(table).toMatch(new RegExp(`\\n\\s+${ad.users.disabled}\\s[^\\n]*\\(disabled\\)`));
    expect(h.stdout).toMatch(new RegExp(`! ${ad.users.noMail.length} of ${DEFAULT_CAP}\\+ users have no "mail"`));
  });

  it('many users are no warning: the 20,000-user tree over LDAPS, with an email attribute every user has once → ✔ "more than N users"', async () => {
    const big = world.openldapBig;
    // a Keycloak that trusts the directory's CA, so its own LDAP test passes too
    const tlsSb = await startSandbox({ keycloak: { truststore: [big.caFile] } });
    try {
      const env = { DIRLINK_LDAP_URL: big.ldapsUrl, DIRLINK_VENDOR: 'other', DIRLINK_EMAIL_ATTRIBUTE: 'uid' };
      const r = await tlsSb.run(['check', '--json'], big, { env });
      expect(r.code, r.stderr).toBe(0);
      const out = ldapOf(r.stdout);
      expect(out.ldap!.users).toMatchObject({ count: DEFAULT_CAP, capped: true, withoutEmail: 0, withoutUsername: 0, duplicateEmails: [], duplicateUsernames: [] });
      expect(out.ldap!.layers.map((l) => l.status)).toEqual(LADDER.map(() => 'ok'));
      expect(out.ldap!.warnings).toEqual([]);
      expect(out.steps.find((s) => s.id === 'ldap')).toMatchObject({ status: 'ok' });
      const h = await tlsSb.run(['check'], big, { env });
      expect(h.stdout).toContain(`✔ Directory ${big.ldapsUrl}: more than ${DEFAULT_CAP} users under ${big.usersDn}`);
    } finally {
      await tlsSb.close();
    }
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
      // the rows of the sample and of the problem accounts the targeted searches found
      const problems = Object.values(report.users!.problems).flatMap((c) => c?.users ?? []).filter((p) => p.username);
      for (const p of [...sample, ...problems]) {
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
