// The probe against the real OpenLDAP of the test world: every layer on success (plain, LDAPS,
// StartTLS), and each diagnosis with the exact code and the input it names.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { probeLdap, ldapErrorFromReport } from '../../src/ldap/probe.js';
import { discover } from '../../src/ldap/discover.js';
import type { LayerResult } from '../../src/ldap/types.js';
import { ExitCode, LdapError } from '../../src/errors.js';
import { connectAndBind, type Session } from '../../src/ldap/connect.js';
import { OTHER_USER_FILTER } from '../../src/ldap/filter.js';
import { Runner } from '../../src/ldap/runner.js';
import { scan } from '../../src/ldap/scan.js';
import { aliasNotInCert, firstFail, hostPort, layer, openldapFixture, settingsFor, type Fixture } from './helpers.js';

const world = inject('world');
const ol = world.openldap;

describe('OpenLDAP: success', () => {
  it('ldap:// passes every layer, warns about clear text and the seeded data problems, and previews the users', async () => {
    const seen: LayerResult[] = [];
    const r = await probeLdap(settingsFor(ol), { onLayer: (l) => seen.push(l) });
    expect(r.ok).toBe(true);
    expect(r.layers.map((l) => [l.id, l.status])).toEqual([
      ['dns', 'ok'], ['tcp', 'ok'], ['tls', 'warn'], ['bind', 'ok'], ['rootdse', 'ok'], ['users-dn', 'ok'], ['search', 'ok'],
      // the small tree holds users without mail and two sharing one: a warning, not a failure
      ['attributes', 'warn'],
    ]);
    expect(r.users!.withoutEmail).toBe(ol.users.noMail.length);
    expect(r.users!.withoutEmailUsers.map((u) => u.username).sort()).toEqual([...ol.users.noMail].sort());
    expect(r.users!.duplicateEmails).toHaveLength(1);
    expect(r.users!.duplicateEmails[0]!.dns.map((d) => d.split(',')[0]).sort()).toEqual(ol.users.duplicateMail.map((u) => `uid=${u}`).sort());
    expect(r.users!.duplicateUsernames).toEqual([]);
    const codes = ((layer(r, 'attributes').data!.warnings ?? []) as { code: string }[]).map((w) => w.code);
    expect(codes).toEqual(['ldap.attributes.email-partial', 'ldap.attributes.duplicate-emails']);
    for (const u of ol.users.noMail) expect(layer(r, 'attributes').message).toContain(u);
    expect(seen.map((l) => l.id)).toEqual(r.layers.map((l) => l.id));
    expect(layer(r, 'tls')).toMatchObject({ code: 'ldap.tls.plaintext', field: 'startTls' });
    expect(r.layers.every((l) => typeof l.ms === 'number' && l.ms >= 0)).toBe(true);
    expect(r.discovery).toMatchObject({ vendor: 'other', vendorName: 'OpenLDAP', supportsPaging: true, suggestedUsernameAttribute: 'uid', suggestedEmailAttribute: 'mail' });
    expect(r.discovery!.namingContexts).toContain(ol.baseDn);
    expect(r.users).toMatchObject({ count: ol.userCount, capped: false, withoutUsername: 0, disabled: 0 });
    expect(r.users!.sample).toHaveLength(10);
    // as Keycloak maps a uid-RDN federation: first name is the whole cn, last name sn
    const normal = r.users!.sample.find((u) => u.username === ol.users.normal);
    expect(normal).toEqual({ username: ol.users.normal, email: `${ol.users.normal}@example.org`, firstName: 'Alice Normal', lastName: 'Normal', dn: `uid=${ol.users.normal},${ol.usersDn}` });
    expect(r.users!.sample[0]).toMatchObject({ username: expect.any(String), email: expect.stringContaining('@'), dn: expect.any(String) });
    expect(ldapErrorFromReport(r)).toBeUndefined();
  });

  it('ldaps:// with the CA file: TLS ok with the certificate facts', async () => {
    const r = await probeLdap(settingsFor(ol, { url: ol.ldapsUrl, caFile: ol.caFile }));
    expect(r.ok).toBe(true);
    const t = layer(r, 'tls');
    expect(t.status).toBe('ok');
    expect(t.data).toMatchObject({ subject: expect.stringContaining('CN='), issuer: expect.stringContaining('CN='), sans: expect.arrayContaining(['127.0.0.1']), validTo: expect.any(String) });
  });

  it('StartTLS with the CA file', async () => {
    const r = await probeLdap(settingsFor(ol, { startTls: true, caFile: ol.caFile }));
    expect(r.ok).toBe(true);
    expect(layer(r, 'tls')).toMatchObject({ status: 'ok', message: expect.stringContaining('StartTLS') });
  });

  it('discover() suggests the users DN and attributes before they are known', async () => {
    const d = await discover({ url: ol.url, startTls: false, bindDn: ol.bindDn, bindPassword: ol.bindPassword });
    expect(d.vendor).toBe('other');
    expect(d.candidateUsersDns[0]?.dn.toLowerCase()).toBe(ol.usersDn.toLowerCase());
    expect(d.candidateUsersDns[0]!.users).toBeGreaterThanOrEqual(Math.min(ol.userCount, 2000));
    expect(d).toMatchObject({ suggestedUsernameAttribute: 'uid', suggestedEmailAttribute: 'mail', supportsPaging: true });
  });
});

describe('OpenLDAP: diagnoses', () => {
  it('wrong password → ldap.bind.invalid-credentials, bindPassword, exit 3; the password appears nowhere', async () => {
    const secret = 'Wr0ng-p4ss-Zq9!';
    const r = await probeLdap(settingsFor(ol, { bindPassword: secret }));
    expect(r.ok).toBe(false);
    expect(firstFail(r)).toMatchObject({ id: 'bind', code: 'ldap.bind.invalid-credentials', field: 'bindPassword' });
    expect(r.layers.slice(4).every((l) => l.status === 'skipped')).toBe(true);
    const err = ldapErrorFromReport(r)!;
    expect(err).toBeInstanceOf(LdapError);
    expect(err).toMatchObject({ exitCode: ExitCode.ldap, code: 'ldap.bind.invalid-credentials', field: 'bindPassword' });
    expect(err.hint).toBeTruthy();
    expect(JSON.stringify(r)).not.toContain(secret);
    expect(JSON.stringify({ m: err.message, h: err.hint, d: err.data })).not.toContain(secret);
  });

  it('a password that appears in a DN is still never echoed', async () => {
    // the server echoes the users DN in messages; a password equal to part of it must be redacted
    const r = await probeLdap(settingsFor(ol, { bindDn: 'cn=nobody-zz7,' + ol.baseDn, bindPassword: 'nobody-zz7' }));
    expect(firstFail(r)).toMatchObject({ code: 'ldap.bind.invalid-credentials' });
    expect(JSON.stringify(r)).not.toContain('nobody-zz7');
  });

  it('empty password is refused before any bind (it would be an unauthenticated bind)', async () => {
    const r = await probeLdap(settingsFor(ol, { bindPassword: '' }));
    expect(firstFail(r)).toMatchObject({ id: 'bind', code: 'ldap.bind.empty-password', field: 'bindPassword' });
  });

  it('a bind DN that is not a DN → ldap.bind.invalid-dn-syntax, bindDn', async () => {
    const r = await probeLdap(settingsFor(ol, { bindDn: 'readonly@example.org' }));
    expect(firstFail(r)).toMatchObject({ id: 'bind', code: 'ldap.bind.invalid-dn-syntax', field: 'bindDn' });
  });

  it('ldaps:// without the CA → ldap.tls.untrusted-ca naming the missing CA, caFile', async () => {
    const r = await probeLdap(settingsFor(ol, { url: ol.ldapsUrl }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'tls', code: 'ldap.tls.untrusted-ca', field: 'caFile' });
    expect(f.data).toMatchObject({ missingCa: expect.stringContaining('CN='), problems: expect.arrayContaining([expect.stringMatching(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/)]) });
    expect(f.hint).toContain(String(f.data!.missingCa));
    // slapd sends the chain up to the root: the missing CA is that root, named as in the CA file
    expect(f.data!.missingCa).toBe(new X509Certificate(readFileSync(ol.caFile)).subject.split('\n').join(', '));
    expect(layer(r, 'bind').status).toBe('skipped');
  });

  it('StartTLS without the CA → the same diagnosis, before the password is sent', async () => {
    const r = await probeLdap(settingsFor(ol, { startTls: true }));
    expect(firstFail(r)).toMatchObject({ id: 'tls', code: 'ldap.tls.untrusted-ca', field: 'caFile' });
    expect(layer(r, 'bind').status).toBe('skipped');
  });

  it('a CA file that is not PEM → ldap.tls.ca-file-invalid', async () => {
    const r = await probeLdap(settingsFor(ol, { url: ol.ldapsUrl, caFile: '/etc/hostname' }));
    expect(firstFail(r)).toMatchObject({ id: 'tls', code: 'ldap.tls.ca-file-invalid', field: 'caFile' });
  });

  it('connecting by a name not in the certificate → ldap.tls.hostname-mismatch, ldapUrl, with the names it does carry', async () => {
    const alias = await aliasNotInCert(ol.ldapsUrl);
    const { port } = hostPort(ol.ldapsUrl);
    const r = await probeLdap(settingsFor(ol, { url: `ldaps://${alias}:${port}`, caFile: ol.caFile }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'tls', code: 'ldap.tls.hostname-mismatch', field: 'ldapUrl' });
    expect(f.message).toContain(`"${alias}"`);
    expect(f.data!.sans).toEqual(expect.arrayContaining(['127.0.0.1']));
  });

  it('wrong users DN → ldap.users-dn.not-found with the nearest parent and the OU that holds users', async () => {
    const wrong = ol.usersDn.replace(/^ou=([^,]+)/i, 'ou=$1-typo');
    const r = await probeLdap(settingsFor(ol, { usersDn: wrong }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'users-dn', code: 'ldap.users-dn.not-found', field: 'usersDn' });
    expect(String(f.data!.nearestParent).toLowerCase()).toBe(ol.baseDn.toLowerCase());
    const cands = f.data!.candidates as { dn: string; users: number }[];
    expect(cands[0]!.dn.toLowerCase()).toBe(ol.usersDn.toLowerCase());
    expect(f.hint).toContain(cands[0]!.dn);
    expect(r.discovery!.candidateUsersDns[0]!.dn).toBe(cands[0]!.dn);
  });

  it('a users DN that exists but holds no users (ou=groups) → ldap.search.no-users pointing at the OU that does', async () => {
    const r = await probeLdap(settingsFor(ol, { usersDn: `ou=groups,${ol.baseDn}` }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'search', code: 'ldap.search.no-users', field: 'usersDn' });
    expect((f.data!.candidates as { dn: string; users: number }[])[0]).toEqual({ dn: ol.usersDn, users: ol.userCount });
    expect(f.hint).toContain(`Users were found under: ${ol.usersDn} (${ol.userCount})`);
    expect(r.discovery!.candidateUsersDns[0]!.dn).toBe(ol.usersDn);
  });

  it('users DN outside the server\'s naming contexts → ldap.users-dn.outside-naming-contexts', async () => {
    const r = await probeLdap(settingsFor(ol, { usersDn: 'ou=people,dc=elsewhere,dc=invalid' }));
    expect(firstFail(r)).toMatchObject({ id: 'users-dn', code: 'ldap.users-dn.outside-naming-contexts', field: 'usersDn' });
  });

  it('a users DN that is not a DN → ldap.users-dn.invalid-syntax with candidates', async () => {
    const r = await probeLdap(settingsFor(ol, { usersDn: 'people' }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'users-dn', code: 'ldap.users-dn.invalid-syntax', field: 'usersDn' });
    expect((f.data!.candidates as unknown[]).length).toBeGreaterThan(0);
  });

  it('vendor set to AD on OpenLDAP → vendor mismatch warning, then no users, naming the vendor', async () => {
    const r = await probeLdap(settingsFor(ol, { vendor: 'ad', usernameAttribute: 'sAMAccountName', emailAttribute: 'userPrincipalName' }));
    expect(layer(r, 'rootdse')).toMatchObject({ status: 'warn', code: 'ldap.rootdse.vendor-mismatch', field: 'vendor' });
    expect(firstFail(r)).toMatchObject({ id: 'search', code: 'ldap.search.no-users', field: 'vendor' });
  });

  it('an email attribute no user has → ldap.attributes.email-missing with the attribute they do carry', async () => {
    const r = await probeLdap(settingsFor(ol, { emailAttribute: 'userPrincipalName' }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'attributes', code: 'ldap.attributes.email-missing', field: 'emailAttribute' });
    expect(f.data!.suggested).toBe('mail');
    expect(r.discovery!.suggestedEmailAttribute).toBe('mail');
  });

  it('a username attribute no user has → ldap.attributes.username-missing suggesting uid', async () => {
    const r = await probeLdap(settingsFor(ol, { usernameAttribute: 'sAMAccountName' }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'attributes', code: 'ldap.attributes.username-missing', field: 'usernameAttribute' });
    expect(f.data!.suggested).toBe('uid');
  });

  it('a cap below the user count stops early and says "more than N"', async () => {
    const cap = Math.max(1, Math.floor(ol.userCount / 2));
    const r = await probeLdap(settingsFor(ol), { cap, sampleSize: 3 });
    expect(r.users).toMatchObject({ count: cap, capped: true, cap });
    expect(r.users!.sample).toHaveLength(3);
    expect(layer(r, 'search').message).toContain(`more than ${cap} users`);
  });
});

describe('OpenLDAP: counts, duplicates, missing mail (fixture OU)', () => {
  let fx: Fixture;
  beforeAll(async () => { fx = await openldapFixture(ol, `dirlink-probe-${process.pid}`); });
  afterAll(async () => { await fx?.remove(); });

  it('counts users without mail and finds duplicate emails (case-insensitive) and usernames', async () => {
    const r = await probeLdap(settingsFor(ol, { usersDn: fx.ou }));
    expect(r.ok).toBe(true);
    expect(r.users).toMatchObject({ count: 5, capped: false, withoutEmail: 2, withoutUsername: 0 });
    expect(r.users!.duplicateEmails).toHaveLength(1);
    expect(r.users!.duplicateEmails[0]!.email).toBe('shared@fixture.test');
    expect(r.users!.duplicateEmails[0]!.dns.map((d) => d.split(',')[0])).toEqual(['uid=fx1', 'uid=fx2']);
    expect(r.users!.duplicateUsernames).toEqual([{ username: 'fx1', dns: expect.arrayContaining([expect.stringMatching(/^uid=fx1,/), expect.stringMatching(/^cn=fx1-twin,/)]), scope: 'directory', capped: false }]);
    const a = layer(r, 'attributes');
    expect(a.status).toBe('warn');
    const codes = (a.data!.warnings as { code: string }[]).map((w) => w.code);
    expect(codes).toEqual(['ldap.attributes.email-partial', 'ldap.attributes.duplicate-usernames', 'ldap.attributes.duplicate-emails']);
    expect(a.message).toContain('2 of 5 users');
    expect(r.warnings.length).toBeGreaterThanOrEqual(3);
  });
});

describe('OpenLDAP: the big tree pages past the server\'s un-paged limit', () => {
  const big = world.openldapBig;
  async function withSession<T>(d: typeof big, fn: (s: Session) => Promise<T>): Promise<T> {
    const session = await connectAndBind(settingsFor(d), new Runner(10_000, d.bindPassword));
    if (!session) throw new Error(`cannot bind to ${d.baseDn}`);
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  }
  const unpaged = (cap: number) => ({ filter: OTHER_USER_FILTER, attributes: ['uid'], cap, paging: false });

  // slapd's limit here is soft (size.soft=1000, hard unlimited): a client size limit lifts it
  it('without paged results the search is bounded by a size limit of cap + 1 (for servers that do not page)', async () => {
    await withSession(big, async (s) => {
      let seen = 0;
      expect(await scan(s, big.usersDn, unpaged(50), () => seen++)).toEqual({ count: 50, capped: true, references: 0 });
      expect(seen).toBe(50);
      seen = 0;
      expect(await scan(s, big.usersDn, unpaged(1500), () => seen++)).toEqual({ count: 1500, capped: true, references: 0 });
      expect(seen).toBe(1500);
    });
    const tiny = world.openldapTiny;
    await withSession(tiny, async (s) => {
      expect(await scan(s, tiny.usersDn, unpaged(5000), () => {})).toEqual({ count: tiny.userCount, capped: false, references: 0 });
    });
  });

  it('stops at the cap and says "more than N"', async () => {
    const cap = big.userCount > 5000 ? 5000 : Math.max(1, big.userCount - 1);
    const r = await probeLdap(settingsFor(big), { cap });
    expect(r.ok).toBe(true);
    expect(r.users).toMatchObject({ count: cap, capped: true });
    expect(layer(r, 'search').message).toContain(`more than ${cap} users`);
  });
});
