// Conformance of the test world's real directory servers (issue 2): they must behave like the
// directories dirlink meets in the field, or every later test built on them proves nothing.
// Asserts what the servers really do (Samba 4.17 AD DC, OpenLDAP 2.5), with ldapts as the client.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as tls from 'node:tls';
import {
  Client,
  InvalidCredentialsError,
  SizeLimitExceededError,
  type ClientOptions,
  type Entry,
  type SearchOptions,
} from 'ldapts';
import { describe, expect, inject, it } from 'vitest';
import type { DirectoryInfo } from '../world/types.js';

const world = inject('world');
const { ad } = world;
const trees: [string, DirectoryInfo][] = [
  ['openldap (small)', world.openldap],
  ['openldapBig', world.openldapBig],
  ['openldapTiny', world.openldapTiny],
];

async function withClient<T>(
  opts: ClientOptions & { startTLS?: tls.ConnectionOptions },
  fn: (c: Client) => Promise<T>,
): Promise<T> {
  const { startTLS, ...clientOptions } = opts;
  const c = new Client({ timeout: 20_000, connectTimeout: 5_000, ...clientOptions });
  try {
    if (startTLS) await c.startTLS(startTLS);
    return await fn(c);
  } finally {
    await c.unbind().catch(() => {});
  }
}

async function bindAndSearch(
  d: DirectoryInfo,
  base: string,
  options: SearchOptions,
  clientOpts: ClientOptions & { startTLS?: tls.ConnectionOptions } = { url: d.url },
): Promise<Entry[]> {
  return withClient(clientOpts, async (c) => {
    await c.bind(d.bindDn, d.bindPassword);
    return (await c.search(base, options)).searchEntries;
  });
}

/** The error a bind throws (or undefined when it succeeds). */
async function bindError(url: string, dn: string, password: string): Promise<any> {
  return withClient({ url }, async (c) => {
    try {
      await c.bind(dn, password);
      return undefined;
    } catch (e) {
      return e;
    }
  });
}

/** first value of an attribute as a string; undefined when absent (ldapts returns [] for absent attributes) */
const str = (v: unknown): string | undefined => {
  const first: unknown = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : String(first);
};
const ca = (d: DirectoryInfo) => readFileSync(d.caFile);

// users: objectCategory=person excludes computer accounts (objectClass=user too on AD)
const AD_USERS = '(&(objectCategory=person)(objectClass=user))';
const OL_USERS = '(objectClass=inetOrgPerson)';

function tlsChecks(d: DirectoryInfo, base: string) {
  it('LDAPS with the test CA works, on 127.0.0.1 and on localhost', async () => {
    for (const url of [d.ldapsUrl, d.ldapsUrl.replace('127.0.0.1', 'localhost')]) {
      const entries = await bindAndSearch(d, base, { scope: 'base', attributes: ['dn'] }, { url, tlsOptions: { ca: ca(d) } });
      expect(entries).toHaveLength(1);
    }
  });

  it('LDAPS without the CA fails certificate verification', async () => {
    const err = await bindAndSearch(d, base, { scope: 'base' }, { url: d.ldapsUrl, tlsOptions: {} }).then(
      () => undefined,
      (e: unknown) => e as NodeJS.ErrnoException,
    );
    expect(err).toBeDefined();
    // Samba does not send the CA in its chain, slapd does: Node reports the two differently
    expect(err!.code).toBe(d.kind === 'samba-ad' ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : 'SELF_SIGNED_CERT_IN_CHAIN');
  });

  it('StartTLS on the plain port works with the CA', async () => {
    const entries = await bindAndSearch(d, base, { scope: 'base', attributes: ['dn'] }, { url: d.url, startTLS: { ca: ca(d) } });
    expect(entries).toHaveLength(1);
  });

  it('the server certificate carries exactly the advertised names', async () => {
    const u = new URL(d.ldapsUrl);
    const cert = await new Promise<tls.PeerCertificate>((res, rej) => {
      const s = tls.connect({ host: u.hostname, port: Number(u.port), ca: ca(d) }, () => {
        res(s.getPeerCertificate());
        s.end();
      });
      s.on('error', rej);
    });
    const san = (cert.subjectaltname ?? '').split(', ').map((x) => x.replace(/^(DNS|IP Address):/, ''));
    expect(new Set(san)).toEqual(new Set(d.certNames.map((n) => (n === '::1' ? '0:0:0:0:0:0:0:1' : n))));
    for (const n of ['localhost', '127.0.0.1', '::1', hostname()]) expect(d.certNames).toContain(n);
  });
}

describe('Samba AD DC', () => {
  it('describes an EXAMPLE.TEST domain with the service account outside the users OU', () => {
    expect(ad.kind).toBe('samba-ad');
    expect(ad.baseDn).toBe('DC=example,DC=test');
    expect(ad.usersDn).toBe('OU=People,DC=example,DC=test');
    expect(ad.bindDn).toBe('CN=svc-dirlink,OU=Service Accounts,DC=example,DC=test');
    expect(ad.bindUpn).toBe('svc-dirlink@example.test');
    expect(ad.userCount).toBeGreaterThanOrEqual(1000);
    expect(ad.certNames).toContain('dc1.example.test');
  });

  it('the service account binds as DN, as UPN and as DOMAIN\\name; the rootDSE names the domain', async () => {
    for (const who of [ad.bindDn, ad.bindUpn!, 'EXAMPLE\\svc-dirlink']) {
      const [root] = await withClient({ url: ad.url }, async (c) => {
        await c.bind(who, ad.bindPassword);
        return (await c.search('', { scope: 'base', attributes: ['defaultNamingContext', 'dnsHostName'] })).searchEntries;
      });
      expect(str(root!.defaultNamingContext)).toBe(ad.baseDn);
      expect(str(root!.dnsHostName)?.toLowerCase()).toBe('dc1.example.test');
    }
  });

  it('anonymous search is refused (operationsError 1, "without authentication")', async () => {
    const err = await withClient({ url: ad.url }, (c) => c.search(ad.usersDn, { scope: 'sub', filter: AD_USERS }).then(() => undefined, (e) => e));
    expect(err?.code).toBe(1);
    expect(String(err?.message)).toMatch(/without authentication/i);
  });

  it('a subtree search finds every user, a one-level search does not (users live in nested OUs)', async () => {
    const sub = await bindAndSearch(ad, ad.usersDn, { scope: 'sub', filter: AD_USERS, attributes: ['sAMAccountName'], paged: { pageSize: 500 } });
    expect(sub.length).toBe(ad.userCount);
    expect(sub.length).toBeGreaterThanOrEqual(1000);
    const one = await bindAndSearch(ad, ad.usersDn, { scope: 'one', filter: AD_USERS, attributes: ['sAMAccountName'] });
    expect(one.length).toBeLessThan(100);
    expect(one.length).toBeGreaterThan(0);
    const depths = new Set(sub.map((e) => e.dn.split(',').length - ad.usersDn.split(',').length));
    expect([...depths].sort()).toEqual([1, 2, 3, 4]); // directly in OU=People, and 1–3 OUs below it
    const ous = await bindAndSearch(ad, ad.usersDn, { scope: 'sub', filter: '(objectClass=organizationalUnit)', attributes: ['dn'] });
    expect(ous.length).toBeGreaterThanOrEqual(5);
  });

  it('Samba does NOT cap un-paged searches at 1,000 (unlike Windows AD): all users come back', async () => {
    const all = await bindAndSearch(ad, ad.usersDn, { scope: 'sub', filter: AD_USERS, attributes: ['dn'] });
    expect(all.length).toBe(ad.userCount);
  });

  it('Samba ignores a client\'s size limit but honours the page size; the bit-AND matching rule finds the disabled account', async () => {
    // why dirlink bounds its problem-account searches on AD with one page, not with sizeLimit
    const limited = await bindAndSearch(ad, ad.usersDn, { scope: 'sub', filter: `(&${AD_USERS}(!(description=*)))`, attributes: ['1.1'], sizeLimit: 21 });
    expect(limited.length).toBe(ad.userCount);
    const page = await withClient({ url: ad.url }, async (c) => {
      await c.bind(ad.bindDn, ad.bindPassword);
      const first = await c.searchPaginated(ad.usersDn, { scope: 'sub', filter: `(&${AD_USERS}(!(description=*)))`, attributes: ['1.1'], paged: { pageSize: 21 } })[Symbol.asyncIterator]().next();
      return first.value!.searchEntries.length;
    });
    expect(page).toBe(21);
    const off = await bindAndSearch(ad, ad.usersDn, { scope: 'sub', filter: `(&${AD_USERS}(userAccountControl:1.2.840.113556.1.4.803:=2))`, attributes: ['sAMAccountName'] });
    expect(off.map((u) => str(u.sAMAccountName))).toEqual([ad.users.disabled]);
  });

  it('users carry sAMAccountName, userPrincipalName, givenName, sn and mail, with the seeded exceptions', async () => {
    const attrs = ['sAMAccountName', 'userPrincipalName', 'mail', 'givenName', 'sn', 'userAccountControl', 'pwdLastSet', 'objectGUID'];
    const users = await bindAndSearch(ad, ad.usersDn, { scope: 'sub', filter: AD_USERS, attributes: attrs, paged: { pageSize: 1000 } });
    const byMail = new Map<string, string[]>();
    const noMail: string[] = [];
    let mailDiffers = 0;
    for (const u of users) {
      const sam = str(u.sAMAccountName)!;
      expect(sam).toBeTruthy();
      expect(str(u.userPrincipalName)).toBe(`${sam}@example.test`);
      expect(str(u.givenName)).toBeTruthy();
      expect(str(u.sn)).toBeTruthy();
      expect(Buffer.isBuffer(u.objectGUID) && u.objectGUID.length).toBe(16);
      const mail = str(u.mail);
      if (!mail) noMail.push(sam);
      else {
        byMail.set(mail.toLowerCase(), [...(byMail.get(mail.toLowerCase()) ?? []), sam]);
        if (mail.toLowerCase() !== str(u.userPrincipalName)!.toLowerCase()) mailDiffers++;
      }
    }
    expect(noMail.sort()).toEqual([...ad.users.noMail].sort());
    const shared = [...byMail.values()].filter((v) => v.length > 1);
    expect(shared).toEqual([[...ad.users.duplicateMail].sort()].map((p) => expect.arrayContaining(p)));
    expect(shared).toHaveLength(1);
    expect(mailDiffers).toBeGreaterThan(100); // every 7th bulk user, plus bob
    const get = (sam: string) => users.find((u) => str(u.sAMAccountName) === sam)!;
    expect(str(get(ad.users.mailDiffers!).mail)).not.toBe(str(get(ad.users.mailDiffers!).userPrincipalName));
    expect(str(get(ad.users.normal).userAccountControl)).toBe('512');
    expect(str(get(ad.users.disabled!).userAccountControl)).toBe('514');
    expect(str(get(ad.users.mustChangePassword!).pwdLastSet)).toBe('0');
    expect(Number(str(get(ad.users.normal).pwdLastSet))).toBeGreaterThan(0);
  });

  it('an ordinary user binds with the user password, by UPN, DN and DOMAIN\\name', async () => {
    const [entry] = await bindAndSearch(ad, ad.usersDn, { scope: 'sub', filter: `(sAMAccountName=${ad.users.normal})`, attributes: ['dn'] });
    for (const who of [`${ad.users.normal}@example.test`, entry!.dn, `EXAMPLE\\${ad.users.normal}`]) {
      expect(await bindError(ad.url, who, ad.userPassword)).toBeUndefined();
    }
  });

  it('bind failures carry the AD sub-codes: wrong password 52e, disabled 533, must-change 773', async () => {
    const cases: [string, string, string][] = [
      [`${ad.users.normal}@example.test`, 'wrong-password', '52e'],
      ['nobody-here@example.test', ad.userPassword, '52e'], // unknown user: same answer as a wrong password
      [`${ad.users.disabled}@example.test`, ad.userPassword, '533'],
      [`${ad.users.mustChangePassword}@example.test`, ad.userPassword, '773'],
      [ad.bindUpn!, 'wrong-password', '52e'],
    ];
    for (const [who, pw, data] of cases) {
      const e = await bindError(ad.url, who, pw);
      expect(e, who).toBeInstanceOf(InvalidCredentialsError);
      expect(e.code).toBe(49);
      expect(e.message).toMatch(new RegExp(`80090308: LdapErr: DSID-[0-9A-F]+, comment: AcceptSecurityContext error, data ${data}, v1db1`));
    }
  });

  tlsChecks(ad, ad.baseDn);
  // Strong authentication required (result 8 on a plain simple bind): test/disruptive/samba-strong-auth.test.ts,
  // which restarts Samba and therefore runs after every other file.
});

describe('OpenLDAP', () => {
  it('one slapd serves three trees on the same ports', () => {
    expect(new Set(trees.map(([, d]) => d.url))).toEqual(new Set(['ldap://127.0.0.1:3890']));
    expect(new Set(trees.map(([, d]) => d.ldapsUrl))).toEqual(new Set(['ldaps://127.0.0.1:6360']));
    expect(new Set(trees.map(([, d]) => d.baseDn)).size).toBe(3);
    expect(world.openldapBig.userCount).toBe(20_000);
    expect(world.openldapTiny.userCount).toBe(10);
    expect(world.openldap.userCount).toBeGreaterThanOrEqual(24);
    expect(world.openldap.userCount).toBeLessThan(100);
  });

  it('one paged search per connection: a second one drops the first one\'s cookie, a search with a size limit does not', async () => {
    // why dirlink's bounded searches use a size limit (not paging) next to the paged read of the users
    const big = world.openldapBig;
    const second = await withClient({ url: big.url }, async (c) => {
      await c.bind(big.bindDn, big.bindPassword);
      const paged = (filter: string) => c.searchPaginated(big.usersDn, { scope: 'sub', filter, attributes: ['1.1'], paged: { pageSize: 5 } })[Symbol.asyncIterator]();
      const a = paged(OL_USERS);
      await a.next();
      await c.search(big.usersDn, { scope: 'sub', filter: `(&${OL_USERS}(!(mail=*)))`, attributes: ['1.1'], sizeLimit: 21 });
      const afterLimited = (await a.next()).value!.searchEntries.length;
      await paged(`(&${OL_USERS}(!(mail=*)))`).next();
      const afterPaged = await a.next().then(() => 'ok', (e: { code?: number; message: string }) => `${e.code} ${e.message}`);
      return { afterLimited, afterPaged };
    });
    expect(second).toEqual({ afterLimited: 5, afterPaged: expect.stringMatching(/^2 paged results cookie is invalid/) });
  });

  it('a filter on an attribute outside the schema matches nobody, negated too (so "who lacks it" answers nobody)', async () => {
    const d = world.openldap;
    const lacking = await bindAndSearch(d, d.usersDn, { scope: 'sub', filter: `(&${OL_USERS}(!(userPrincipalName=*)))`, attributes: ['1.1'] });
    expect(lacking).toEqual([]);
  });

  describe.each(trees)('%s', (_name, d) => {
    it('the read-only account binds and a paged subtree search finds exactly userCount users', async () => {
      const users = await bindAndSearch(d, d.usersDn, { scope: 'sub', filter: OL_USERS, attributes: ['uid', 'mail', 'cn', 'sn', 'givenName'], paged: { pageSize: 1000 } });
      expect(users.length).toBe(d.userCount);
      for (const u of users.slice(0, 50)) for (const a of ['uid', 'cn', 'sn', 'givenName']) expect(str(u[a]), `${u.dn} ${a}`).toBeTruthy();
      const noMail = users.filter((u) => !str(u.mail)).map((u) => str(u.uid));
      expect(noMail.sort()).toEqual([...d.users.noMail].sort());
      const byMail = new Map<string, string[]>();
      for (const u of users) if (str(u.mail)) byMail.set(str(u.mail)!, [...(byMail.get(str(u.mail)!) ?? []), str(u.uid)!]);
      expect([...byMail.values()].filter((v) => v.length > 1).map((v) => v.sort())).toEqual([[...d.users.duplicateMail].sort()]);
    });

    it('the read-only account cannot read userPassword; the rootdn can', async () => {
      const filter = `(uid=${d.users.normal})`;
      const [asRo] = await bindAndSearch(d, d.usersDn, { scope: 'sub', filter, attributes: ['uid', 'userPassword'] });
      expect(str(asRo!.uid)).toBe(d.users.normal);
      expect(str(asRo!.userPassword)).toBeUndefined();
      const [asAdmin] = await withClient({ url: d.url }, async (c) => {
        await c.bind(d.adminDn, d.adminPassword);
        return (await c.search(d.usersDn, { scope: 'sub', filter, attributes: ['userPassword'] })).searchEntries;
      });
      expect(str(asAdmin!.userPassword)).toMatch(/^\{SSHA\}/);
    });

    it('a user binds with the user password; a wrong password gives 49', async () => {
      const dn = `uid=${d.users.normal},${d.usersDn}`;
      expect(await bindError(d.url, dn, d.userPassword)).toBeUndefined();
      const e = await bindError(d.url, dn, 'wrong-password');
      expect(e).toBeInstanceOf(InvalidCredentialsError);
      expect(e.code).toBe(49);
      const e2 = await bindError(d.url, d.bindDn, 'wrong-password');
      expect(e2?.code).toBe(49);
    });
  });

  it('the small tree nests some users one OU deeper (one-level search misses them)', async () => {
    const d = world.openldap;
    const one = await bindAndSearch(d, d.usersDn, { scope: 'one', filter: OL_USERS, attributes: ['uid'] });
    expect(one.length).toBeGreaterThan(0);
    expect(one.length).toBeLessThan(d.userCount);
  });

  it('20k tree: un-paged searches stop at 1,000 entries (sizeLimitExceeded 4), paged searches return all 20,000', async () => {
    const d = world.openldapBig;
    const err = await bindAndSearch(d, d.usersDn, { scope: 'sub', filter: OL_USERS, attributes: ['uid'] }).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(SizeLimitExceededError);
    expect(err.code).toBe(4);
    // the cap is exactly 1,000: user00001..user00999 + user01000 is fine, one more is not
    const thousand = await bindAndSearch(d, d.usersDn, { scope: 'sub', filter: '(|(uid=user00*)(uid=user01000))', attributes: ['uid'] });
    expect(thousand).toHaveLength(1000);
    const over = await bindAndSearch(d, d.usersDn, { scope: 'sub', filter: '(|(uid=user00*)(uid=user01000)(uid=user01001))', attributes: ['uid'] }).then(() => undefined, (e) => e);
    expect(over?.code).toBe(4);
    const paged = await bindAndSearch(d, d.usersDn, { scope: 'sub', filter: OL_USERS, attributes: ['uid'], paged: { pageSize: 1000 } });
    expect(paged).toHaveLength(20_000);
    expect(new Set(paged.map((e) => str(e.uid))).size).toBe(20_000);
  });

  it('10-user tree: an un-paged search returns its 10 users', async () => {
    const d = world.openldapTiny;
    const users = await bindAndSearch(d, d.usersDn, { scope: 'sub', filter: OL_USERS, attributes: ['uid'] });
    expect(users.map((u) => str(u.uid)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `user${String(i + 1).padStart(2, '0')}`));
  });

  it("a tree's read-only account cannot read another tree", async () => {
    const d = world.openldapTiny;
    const other = world.openldap;
    const err = await withClient({ url: d.url }, async (c) => {
      await c.bind(d.bindDn, d.bindPassword);
      return c.search(other.usersDn, { scope: 'sub', filter: OL_USERS }).then((r) => r.searchEntries.length, (e) => e);
    });
    // slapd hides what the bound identity may not read: either no such object (32) or nothing
    expect(typeof err === 'number' ? err : err.code).toSatisfy((v: number) => v === 0 || v === 32);
  });

  tlsChecks(world.openldap, world.openldap.baseDn);
});

describe('world bookkeeping', () => {
  it('records per-server timings', () => {
    for (const s of ['samba-ad', 'openldap']) {
      expect(Object.keys(world.timings).some((k) => k.startsWith(`${s}.`)), s).toBe(true);
    }
    expect(world.timings.total).toBeGreaterThan(0);
  });
});
