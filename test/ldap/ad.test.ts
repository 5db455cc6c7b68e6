// The probe against the real Samba AD DC of the test world (EXAMPLE.TEST). Skipped while the
// world only offers OpenLDAP (the interim globalSetup), so the suite stays green before it lands.
import { describe, expect, inject, it } from 'vitest';
import { Client } from 'ldapts';
import { probeLdap } from '../../src/ldap/probe.js';
import { discover } from '../../src/ldap/discover.js';
import { escapeFilterValue } from '../../src/ldap/filter.js';
import type { DirectoryInfo } from '../world/types.js';
import { aliasNotInCert, firstFail, hostPort, layer, settingsFor } from './helpers.js';

const ad = inject('world').ad;
const isAd = ad.kind === 'samba-ad';

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
    expect(r.users!.count).toBe(Math.min(ad.userCount, 5000));
    expect(r.users!.withoutUsername).toBe(0);
    expect(r.users!.sample[0]).toMatchObject({ username: expect.any(String), email: expect.stringContaining('@'), disabled: expect.any(Boolean) });
    expect(layer(r, 'search').data).toMatchObject({ filter: '(&(objectCategory=person)(objectClass=user))' });
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

  it('LDAPS without the CA → ldap.tls.untrusted-ca, caFile', async () => {
    const r = await probeLdap(settingsFor(ad, { url: ad.ldapsUrl }));
    expect(firstFail(r)).toMatchObject({ id: 'tls', code: 'ldap.tls.untrusted-ca', field: 'caFile' });
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
    expect(firstFail(r)).toMatchObject({ id: 'bind', code: 'ldap.bind.account-disabled', field: 'bindDn' });
    const ok = await probeLdap(settingsFor(ad));
    expect(ok.users!.disabled).toBeGreaterThanOrEqual(1);
  });

  it('duplicate mail values are flagged when email is mapped to mail', async () => {
    const r = await probeLdap(settingsFor(ad, { emailAttribute: 'mail' }));
    const [a, b] = ad.users.duplicateMail;
    const dup = r.users!.duplicateEmails.find((d) => d.dns.some((x) => x.toLowerCase().includes(a.toLowerCase())));
    expect(dup?.dns.some((x) => x.toLowerCase().includes(b.toLowerCase()))).toBe(true);
    const codes = ((layer(r, 'attributes').data?.warnings ?? []) as { code: string }[]).map((w) => w.code);
    expect(codes).toContain('ldap.attributes.duplicate-emails');
    if (ad.users.noMail.length) expect(codes).toContain('ldap.attributes.email-partial');
    expect(r.users!.withoutEmail).toBeGreaterThanOrEqual(ad.users.noMail.length);
  });

  it('the domain root as users DN → referral warning with an OU to use instead (or port 3268)', async () => {
    const r = await probeLdap(settingsFor(ad, { usersDn: ad.baseDn }), { cap: 200 });
    const l = layer(r, 'users-dn');
    expect(l).toMatchObject({ status: 'warn', code: 'ldap.users-dn.domain-root', field: 'usersDn' });
    expect(l.hint).toContain('3268');
    const cands = l.data!.candidates as { dn: string }[];
    expect(cands.map((c) => c.dn.toLowerCase())).toContain(ad.usersDn.toLowerCase());
  });

  it('wrong users DN → nearest parent and the OU that holds the users', async () => {
    const wrong = ad.usersDn.replace(/^OU=([^,]+)/i, 'OU=$1Typo');
    const r = await probeLdap(settingsFor(ad, { usersDn: wrong }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'users-dn', code: 'ldap.users-dn.not-found', field: 'usersDn' });
    expect((f.data!.candidates as { dn: string }[])[0]!.dn.toLowerCase()).toBe(ad.usersDn.toLowerCase());
  });

  it('discover() finds the users OU and suggests sAMAccountName / userPrincipalName', async () => {
    const d = await discover({ url: ad.url, startTls: false, bindDn: ad.bindDn, bindPassword: ad.bindPassword });
    expect(d).toMatchObject({ vendor: 'ad', suggestedUsernameAttribute: 'sAMAccountName', suggestedEmailAttribute: 'userPrincipalName' });
    expect(d.candidateUsersDns[0]!.dn.toLowerCase()).toBe(ad.usersDn.toLowerCase());
  });
});
