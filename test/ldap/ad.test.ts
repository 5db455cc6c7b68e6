// The probe against the real Samba AD DC of the test world (EXAMPLE.TEST). Skipped while the
// world only offers OpenLDAP (the interim globalSetup), so the suite stays green before it lands.
import { describe, expect, inject, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Client } from 'ldapts';
import { DEFAULT_CAP, probeLdap } from '../../src/ldap/probe.js';
import { discover } from '../../src/ldap/discover.js';
import { escapeFilterValue } from '../../src/ldap/filter.js';
import type { DirectoryInfo } from '../world/types.js';
import { aliasNotInCert, firstFail, hostPort, layer, settingsFor } from './helpers.js';

const ad = inject('world').ad;
const isAd = ad.kind === 'samba-ad';
/**
 * Read every user of the OU with its attributes: only for what the preview finds among the users
 * it reads (duplicates, the sample's flags). Problem accounts are found without it, by targeted
 * searches across the users DN.
 */
const wholeWindow = { cap: ad.userCount + 1, window: ad.userCount + 1 };

/** The DN of a seeded account, looked up by sAMAccountName as the service account. */
async function dnOf(d: DirectoryInfo, login: string): Promise<string> {
  const c = new Client({ url: d.url, timeout: 10_000 });
  try {
    await c.bind(d.bindDn, d.bindPassword);
    const { searchEntries } = await c.search(d.baseDn, { scope: 'sub', filter: `(sAMAccountName=${escapeFilterValue(login)})`, attributes: ['1.1'] });
    if (!searchEntries[0]) throw new Error(`no AD account ${login}`);
    return searchEntries[0].dn;
  } finally {
    await c.unbind().catch(() => {});
  }
}

describe.skipIf(!isAd)('Samba AD', () => {
  it('passes every layer over ldap://, detects AD, previews sAMAccountName / userPrincipalName', async () => {
    const r = await probeLdap(settingsFor(ad));
    expect(r.ok).toBe(true);
    expect(layer(r, 'rootdse').data).toMatchObject({ vendor: 'ad' });
    expect(r.discovery).toMatchObject({ vendor: 'ad', supportsPaging: true });
    expect(r.discovery!.defaultNamingContext!.toLowerCase()).toBe(ad.baseDn.toLowerCase());
    expect(r.users).toMatchObject({ count: Math.min(ad.userCount, DEFAULT_CAP), capped: ad.userCount > DEFAULT_CAP });
    expect(r.users!.withoutUsername).toBe(0);
    expect(r.users!.sample[0]).toMatchObject({ username: expect.any(String), email: expect.stringContaining('@'), disabled: expect.any(Boolean) });
    expect(layer(r, 'search').data).toMatchObject({ filter: '(&(objectCategory=person)(objectClass=user))' });
    // discovery: AD by its capability OIDs, every naming context, the domain as the default one
    // Samba names itself in vendorName (Windows sends none); the AD capability OID decides the vendor
    expect(layer(r, 'rootdse').data).toMatchObject({ vendor: 'ad', vendorName: expect.stringMatching(/^Samba Team/) });
    const ncs = r.discovery!.namingContexts.map((n) => n.toLowerCase());
    expect(ncs).toEqual(expect.arrayContaining([ad.baseDn.toLowerCase(), `cn=configuration,${ad.baseDn}`.toLowerCase(), `cn=schema,cn=configuration,${ad.baseDn}`.toLowerCase()]));
    // userPrincipalName is on every user: no email warning; the one disabled account is the only warning
    expect(layer(r, 'attributes')).toMatchObject({ status: 'warn', code: 'ldap.attributes.disabled-accounts' });
    expect((layer(r, 'attributes').data!.warnings as { code: string }[]).map((w) => w.code)).toEqual(['ldap.attributes.disabled-accounts']);
    expect(r.users).toMatchObject({ withoutEmail: 0, disabled: 1, disabledUsers: [{ username: ad.users.disabled }] });
    expect(r.discovery).toMatchObject({ suggestedUsernameAttribute: 'sAMAccountName', suggestedEmailAttribute: 'userPrincipalName' });
  });

  it('binds with the UPN too', async () => {
    if (!ad.bindUpn) return;
    const r = await probeLdap(settingsFor(ad, { bindDn: ad.bindUpn }));
    expect(layer(r, 'bind').status).toBe('ok');
  });

  it('LDAPS with the CA and StartTLS both pass', async () => {
    expect((await probeLdap(settingsFor(ad, { url: ad.ldapsUrl, caFile: ad.caFile }))).ok).toBe(true);
    expect(layer(await probeLdap(settingsFor(ad, { startTls: true, caFile: ad.caFile })), 'tls').status).toBe('ok');
  });

  it('LDAPS without the CA → ldap.tls.untrusted-ca, caFile, naming the CA that is missing', async () => {
    const r = await probeLdap(settingsFor(ad, { url: ad.ldapsUrl }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'tls', code: 'ldap.tls.untrusted-ca', field: 'caFile' });
    // Samba sends only its own certificate: the missing CA is its issuer, named as in the CA file
    const caSubject = new X509Certificate(readFileSync(ad.caFile)).subject.split('\n').join(', ');
    expect(f.data).toMatchObject({ missingCa: caSubject, problems: ['UNABLE_TO_VERIFY_LEAF_SIGNATURE'] });
    expect(f.hint).toContain(`"${caSubject}"`);
    expect(layer(r, 'bind').status).toBe('skipped');
  });

  it('a CA file without the DC\'s CA (the system bundle) → the same diagnosis, saying the file does not contain it', async () => {
    const bundle = '/etc/ssl/certs/ca-certificates.crt';
    if (!existsSync(bundle)) return;
    const f = firstFail(await probeLdap(settingsFor(ad, { url: ad.ldapsUrl, caFile: bundle })))!;
    expect(f).toMatchObject({ id: 'tls', code: 'ldap.tls.untrusted-ca', field: 'caFile' });
    expect(f.hint).toContain(`The CA file ${bundle} does not contain it`);
  });

  it('a name not in the DC certificate → ldap.tls.hostname-mismatch', async () => {
    const alias = await aliasNotInCert(ad.ldapsUrl);
    const r = await probeLdap(settingsFor(ad, { url: `ldaps://${alias}:${hostPort(ad.ldapsUrl).port}`, caFile: ad.caFile }));
    expect(firstFail(r)).toMatchObject({ id: 'tls', code: 'ldap.tls.hostname-mismatch', field: 'ldapUrl' });
  });

  it('wrong password → AD data 52e → ldap.bind.invalid-credentials, bindPassword', async () => {
    const r = await probeLdap(settingsFor(ad, { bindPassword: 'definitely-Wrong-1' }));
    expect(firstFail(r)).toMatchObject({ id: 'bind', code: 'ldap.bind.invalid-credentials', field: 'bindPassword', data: { resultCode: 49, adData: '52e' } });
    expect(JSON.stringify(r)).not.toContain('definitely-Wrong-1');
  });

  it('an account that must change its password → AD data 773 → ldap.bind.must-change-password', async () => {
    const login = ad.users.mustChangePassword;
    if (!login) return;
    const r = await probeLdap(settingsFor(ad, { bindDn: await dnOf(ad, login), bindPassword: ad.userPassword }));
    expect(firstFail(r)).toMatchObject({ id: 'bind', code: 'ldap.bind.must-change-password', field: 'bindPassword', data: { adData: '773' } });
  });

  it('a disabled account → ldap.bind.account-disabled when bound as; counted as disabled in the preview', async () => {
    const login = ad.users.disabled;
    if (!login) return;
    const dn = await dnOf(ad, login);
    const r = await probeLdap(settingsFor(ad, { bindDn: dn, bindPassword: ad.userPassword }));
    expect(firstFail(r)).toMatchObject({ id: 'bind', code: 'ldap.bind.account-disabled', field: 'bindDn', data: { adData: '533' } });
    // the default preview on the whole users DN: the account is found by a targeted search, wherever it is
    const ok = await probeLdap(settingsFor(ad));
    expect(ok.users!.capped).toBe(ad.userCount > DEFAULT_CAP);
    expect(ok.users!.disabled).toBe(1);
    expect(ok.users!.problems.disabled).toMatchObject({ scope: 'directory', count: 1, capped: false, filter: expect.stringContaining('(userAccountControl:1.2.840.113556.1.4.803:=2)') });
    expect(ok.users!.problems.disabled!.users).toEqual([expect.objectContaining({ dn, username: login, disabled: true, email: `${login}@example.test` })]);
    expect(ok.users!.disabledUsers).toEqual([{ dn, username: login }]);
    expect(layer(ok, 'search').message).toContain(`1 of them disabled (${login})`);
    expect(layer(ok, 'search').data).toMatchObject({ disabled: 1 });
  });

  it('the disabled account is flagged in the preview sample', async () => {
    const login = ad.users.disabled;
    if (!login) return;
    // a users DN holding the disabled account and a few others, so it is in the sample
    const dn = await dnOf(ad, login);
    const r = await probeLdap(settingsFor(ad, { usersDn: dn.slice(dn.indexOf(',') + 1) }), { ...wholeWindow, sampleSize: 5000 });
    const gina = r.users!.sample.find((u) => u.username === login);
    expect(gina).toMatchObject({ disabled: true, dn });
    expect(r.users!.sample.filter((u) => u.disabled)).toHaveLength(1);
    expect(r.users!.sample.find((u) => u.username === ad.users.normal)).toMatchObject({ disabled: false, firstName: 'Alice', lastName: 'Normal' });
  });

  it('regardless of the users read: the accounts without mail and the disabled one are named on the whole users DN', async () => {
    // one user read with its attributes: everything named below comes from the targeted searches
    const r = await probeLdap(settingsFor(ad, { emailAttribute: 'mail' }), { window: 1, sampleSize: 1 });
    expect(r.ok).toBe(true);
    expect(r.users).toMatchObject({ window: 1, withoutEmail: ad.users.noMail.length, disabled: 1 });
    expect(r.users!.withoutEmailUsers.map((u) => u.username).sort()).toEqual([...ad.users.noMail].sort());
    expect(r.users!.disabledUsers.map((u) => u.username)).toEqual([ad.users.disabled]);
    expect(r.users!.problems.withoutEmail).toMatchObject({ scope: 'directory', capped: false, filter: '(&(&(objectCategory=person)(objectClass=user))(!(mail=*)))' });
    expect(r.users!.problems.withoutUsername).toMatchObject({ scope: 'directory', count: 0 });
    const shown = [...ad.users.noMail, ad.users.disabled];
    expect(shown).not.toContain(r.users!.sample[0]!.username);
    // the human-readable verdict names them too
    const a = layer(r, 'attributes');
    for (const u of shown) expect(a.message).toContain(u!);
    expect(a.message).toContain(`${ad.users.noMail.length} of ${DEFAULT_CAP}+ users have no "mail"`);
    expect(layer(r, 'search').message).toContain(`more than ${DEFAULT_CAP} users`);
  });

  it('duplicate mail values are flagged among the users read when email is mapped to mail', async () => {
    const r = await probeLdap(settingsFor(ad, { emailAttribute: 'mail' }), wholeWindow);
    expect(r.users!.duplicatesChecked.usersRead).toBe(ad.userCount);
    const [a, b] = ad.users.duplicateMail;
    const dup = r.users!.duplicateEmails.find((d) => d.dns.some((x) => x.toLowerCase().includes(a.toLowerCase())));
    expect(dup?.dns.some((x) => x.toLowerCase().includes(b.toLowerCase()))).toBe(true);
    const codes = ((layer(r, 'attributes').data?.warnings ?? []) as { code: string }[]).map((w) => w.code);
    expect(codes).toContain('ldap.attributes.duplicate-emails');
    expect(codes).toContain('ldap.attributes.email-partial');
    // only the seeded users lack mail; they are named, not only counted
    expect(r.users!.withoutEmail).toBe(ad.users.noMail.length);
    expect(r.users!.withoutEmailUsers.map((u) => u.username).sort()).toEqual([...ad.users.noMail].sort());
    for (const u of ad.users.noMail) expect(layer(r, 'attributes').message).toContain(u);
    expect(r.users!.duplicateEmails).toHaveLength(1);
    expect(r.users!.duplicateUsernames).toEqual([]);
  });

  it('the domain root as users DN → referral warning with an OU to use instead (or port 3268)', async () => {
    const r = await probeLdap(settingsFor(ad, { usersDn: ad.baseDn }), { cap: 200 });
    const l = layer(r, 'users-dn');
    expect(l).toMatchObject({ status: 'warn', code: 'ldap.users-dn.domain-root', field: 'usersDn' });
    expect(l.hint).toContain('ldap://host:3268');
    const cands = l.data!.candidates as { dn: string }[];
    // the OU holding the most users is the one suggested
    expect(cands[0]!.dn.toLowerCase()).toBe(ad.usersDn.toLowerCase());
    expect(l.hint).toContain(`(e.g. ${cands[0]!.dn})`);
    expect(r.warnings).toContain(l.message);
    // the search from the root still runs (a warning, not a failure) and is not warned about twice
    expect(layer(r, 'search').status).toBe('ok');
  });

  it('following that advice: the domain root on the Global Catalog port 3268 → no referral warning, no referrals', async () => {
    // on 389 the whole-domain search carries a referral (to CN=Configuration): the reason for the warning
    const plain = await probeLdap(settingsFor(ad, { usersDn: ad.baseDn }));
    expect(layer(plain, 'search').data!.references).toBeGreaterThan(0);
    const r = await probeLdap(settingsFor(ad, { url: ad.url.replace(/:389$/, ':3268'), usersDn: ad.baseDn }));
    expect(layer(r, 'users-dn')).toMatchObject({ status: 'ok' });
    expect(layer(r, 'search')).toMatchObject({ status: 'ok', data: { references: 0 } });
    expect(r.users!.count).toBe(plain.users!.count);
  });

  it('wrong users DN → nearest parent and the OU that holds the users', async () => {
    const wrong = ad.usersDn.replace(/^OU=([^,]+)/i, 'OU=$1Typo');
    const r = await probeLdap(settingsFor(ad, { usersDn: wrong }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'users-dn', code: 'ldap.users-dn.not-found', field: 'usersDn' });
    expect(String(f.data!.nearestParent).toLowerCase()).toBe(ad.baseDn.toLowerCase());
    expect(f.message).toContain(`nearest existing parent is "${String(f.data!.nearestParent)}"`);
    const cands = f.data!.candidates as { dn: string; users: number }[];
    expect(cands[0]!.dn.toLowerCase()).toBe(ad.usersDn.toLowerCase());
    expect(cands[0]!.users).toBeGreaterThan(cands[1]?.users ?? 0);
    expect(f.hint).toContain(cands[0]!.dn);
    expect(r.discovery!.candidateUsersDns[0]!.dn).toBe(cands[0]!.dn);
  });

  it('StartTLS without the CA → ldap.tls.untrusted-ca, caFile, before the password is sent', async () => {
    const r = await probeLdap(settingsFor(ad, { startTls: true }));
    expect(firstFail(r)).toMatchObject({ id: 'tls', code: 'ldap.tls.untrusted-ca', field: 'caFile' });
    expect(layer(r, 'tls').message).toBeTruthy();
    expect(layer(r, 'bind').status).toBe('skipped');
  });

  it('discover() finds the users OU and suggests sAMAccountName / userPrincipalName', async () => {
    const d = await discover({ url: ad.url, startTls: false, bindDn: ad.bindDn, bindPassword: ad.bindPassword });
    expect(d).toMatchObject({ vendor: 'ad', vendorName: expect.stringMatching(/^Samba Team/), suggestedUsernameAttribute: 'sAMAccountName', suggestedEmailAttribute: 'userPrincipalName' });
    expect(d.defaultNamingContext!.toLowerCase()).toBe(ad.baseDn.toLowerCase());
    // the OU holding the most users first, then the nested OUs; never the domain root (referrals)
    expect(d.candidateUsersDns[0]!.dn.toLowerCase()).toBe(ad.usersDn.toLowerCase());
    expect(d.candidateUsersDns[0]!.users).toBe(ad.userCount);
    expect(d.candidateUsersDns.map((c) => c.users)).toEqual([...d.candidateUsersDns.map((c) => c.users)].sort((a, b) => b - a));
    expect(d.candidateUsersDns.map((c) => c.dn.toLowerCase())).not.toContain(ad.baseDn.toLowerCase());
  });
});
