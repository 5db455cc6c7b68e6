// The targeted searches for problem accounts: bounded on a real directory where thousands of users
// match (the 20,000-user tree, with an attribute none of them carries), and what happens when a
// server refuses the combined filter or has more problem accounts than one page holds (a session
// whose client answers from a list: the refusals a server in the test world does not make).
import type { Entry } from 'ldapts';
import { describe, expect, inject, it } from 'vitest';
import { attributesOutcome } from '../../src/ldap/attributes.js';
import { connectAndBind, type Session } from '../../src/ldap/connect.js';
import { AD_DISABLED, AD_DISABLED_FILTER, AD_USER_FILTER, lacking, OTHER_USER_FILTER, usersWithout } from '../../src/ldap/filter.js';
import { probeLdap } from '../../src/ldap/probe.js';
import { findProblemAccounts, findShared, type BoundedSearch, type ProblemKind } from '../../src/ldap/problems.js';
import { Runner } from '../../src/ldap/runner.js';
import type { UserPreview } from '../../src/ldap/types.js';
import { EXAMPLES, UserAccumulator, userStats } from '../../src/ldap/users.js';
import { firstFail, layer, settingsFor } from './helpers.js';

const big = inject('world').openldapBig;

/** Every search the session's client was asked for, with the entries the server sent back. */
interface Seen { filter: string; bound: number; entries: number }

/** Counts what comes back for each search, paged (ldapts buffers one page at a time) or with a size limit. */
function spy(session: Session): Seen[] {
  const seen: Seen[] = [];
  type Page = { searchEntries: Entry[] };
  const c = session.client as unknown as { searchPaginated: (b: string, o: Record<string, unknown>) => AsyncGenerator<Page>; search: (b: string, o: Record<string, unknown>) => Promise<Page> };
  const paginated = c.searchPaginated.bind(c);
  const search = c.search.bind(c);
  c.searchPaginated = (b, o) => {
    const s: Seen = { filter: String(o.filter), bound: (o.paged as { pageSize: number }).pageSize, entries: 0 };
    seen.push(s);
    const it = paginated(b, o);
    return (async function* () {
      for await (const page of it) {
        s.entries += page.searchEntries.length;
        yield page;
      }
    })() as AsyncGenerator<Page>;
  };
  c.search = async (b, o) => {
    const s: Seen = { filter: String(o.filter), bound: Number(o.sizeLimit), entries: 0 };
    seen.push(s);
    const r = await search(b, o);
    s.entries = r.searchEntries.length;
    return r;
  };
  return seen;
}

describe.each([['paged', true], ['with a size limit', false]])('OpenLDAP, 20,000 users of which none carries "description": the problem searches stay bounded (%s)', (_how, paging) => {
  const o: BoundedSearch = { base: big.usersDn, attributes: ['uid', 'description', 'cn', 'sn'], limit: EXAMPLES, paging, timeLimit: 5 };
  const acc = new UserAccumulator('uid', 'description', 'other', 0);

  it('one kind: one page of limit + 1 entries, "more than 20"', async () => {
    const session = (await connectAndBind(settingsFor(big), new Runner(10_000, big.bindPassword)))!;
    try {
      const seen = spy(session);
      const kinds: Record<string, ProblemKind> = { withoutEmail: { condition: lacking('description'), filter: usersWithout('other', 'description'), is: (u) => u.email === undefined } };
      const r = await findProblemAccounts(session, OTHER_USER_FILTER, kinds, o, (e) => acc.preview(e));
      expect(r.withoutEmail).toMatchObject({ scope: 'directory', count: EXAMPLES, capped: true, limit: EXAMPLES });
      expect(r.withoutEmail!.users).toHaveLength(EXAMPLES);
      expect(seen).toEqual([{ filter: usersWithout('other', 'description'), bound: EXAMPLES + 1, entries: EXAMPLES + 1 }]);
    } finally {
      await session.close();
    }
  });

  it('two kinds in one search: 2 × 20 + 1 entries; the kind with no account in that page is asked alone, again bounded', async () => {
    const session = (await connectAndBind(settingsFor(big), new Runner(10_000, big.bindPassword)))!;
    try {
      const seen = spy(session);
      const kinds: Record<string, ProblemKind> = {
        withoutEmail: { condition: lacking('description'), filter: usersWithout('other', 'description'), is: (u) => u.email === undefined },
        withoutUsername: { condition: lacking('uid'), filter: usersWithout('other', 'uid'), is: (u) => u.username === undefined },
      };
      const r = await findProblemAccounts(session, OTHER_USER_FILTER, kinds, o, (e) => acc.preview(e));
      expect(r.withoutEmail).toMatchObject({ count: EXAMPLES, capped: true });
      expect(r.withoutUsername).toMatchObject({ scope: 'directory', count: 0, capped: false });
      expect(seen).toEqual([
        { filter: `(&${OTHER_USER_FILTER}(|(!(description=*))(!(uid=*))))`, bound: 2 * EXAMPLES + 1, entries: 2 * EXAMPLES + 1 },
        { filter: usersWithout('other', 'uid'), bound: EXAMPLES + 1, entries: 0 },
      ]);
    } finally {
      await session.close();
    }
  });

  it('a value held by thousands: the search for shared values reads values + 20 + 1 entries', async () => {
    const session = (await connectAndBind(settingsFor(big), new Runner(10_000, big.bindPassword)))!;
    try {
      const seen = spy(session);
      // every user has objectClass inetOrgPerson: one value held by 20,000
      const r = await findShared(session, `(&${OTHER_USER_FILTER}(objectClass=inetOrgPerson))`, 'objectClass', ['inetorgperson'], o);
      expect(r.capped).toBe(true);
      expect(r.groups.get('inetorgperson')).toHaveLength(1 + EXAMPLES);
      expect(seen.map((s) => s.entries)).toEqual([1 + EXAMPLES + 1]);
    } finally {
      await session.close();
    }
  });
});

describe('OpenLDAP, 20,000 users: the whole check', () => {
  it('nobody has the attribute (one search for a user who does says so) → email-missing, "more than 20" without it', async () => {
    const r = await probeLdap(settingsFor(big, { emailAttribute: 'description' }));
    expect(firstFail(r)).toMatchObject({ id: 'attributes', code: 'ldap.attributes.email-missing', field: 'emailAttribute' });
    expect(r.users).toMatchObject({ withoutEmail: EXAMPLES, problems: { withoutEmail: { scope: 'directory', capped: true, count: EXAMPLES } } });
    expect(r.discovery!.suggestedEmailAttribute).toBe('mail');
  });

  it('the default check names the one user without mail, the last of 20,000, far outside the users read', async () => {
    const r = await probeLdap(settingsFor(big));
    expect(r.ok).toBe(true);
    expect(r.users).toMatchObject({ capped: true, withoutEmail: big.users.noMail.length, withoutEmailUsers: big.users.noMail.map((u) => ({ username: u, dn: `uid=${u},${big.usersDn}` })) });
    expect(r.users!.window).toBeLessThan(big.userCount);
    expect(layer(r, 'attributes').message).toContain(`${big.users.noMail.length} of ${r.users!.cap}+ users have no "mail" (${big.users.noMail.join(', ')})`);
    // the search layer is not a warning for the size alone
    expect(layer(r, 'search')).toMatchObject({ status: 'ok', message: expect.stringContaining(`more than ${r.users!.cap} users`) });
  });
});

/** A session whose server answers from `users`, or refuses a filter with a result code. */
function listServer(users: Entry[], answer: (filter: string) => { code: number } | ((e: Entry) => boolean)): { session: Session; asked: { filter: string; pageSize: number }[] } {
  const asked: { filter: string; pageSize: number }[] = [];
  const client = {
    searchPaginated(_base: string, o: { filter: string; paged: { pageSize: number } }) {
      asked.push({ filter: o.filter, pageSize: o.paged.pageSize });
      return (async function* () {
        const a = answer(o.filter);
        if (typeof a !== 'function') throw Object.assign(new Error(`refused ${o.filter}`), { code: a.code });
        yield { searchEntries: users.filter(a).slice(0, o.paged.pageSize), searchReferences: [] };
      })();
    },
  };
  return { session: { client, op: <T>(p: Promise<T>) => p } as unknown as Session, asked };
}

const entry = (sam: string, a: Record<string, string> = {}) => ({ dn: `CN=${sam},OU=People,DC=x`, sAMAccountName: [sam], ...Object.fromEntries(Object.entries(a).map(([k, v]) => [k, [v]])) }) as unknown as Entry;
const lacksMail = (e: Entry) => !(e as unknown as { mail?: string[] }).mail;
const disabled = (e: Entry) => (Number((e as unknown as { userAccountControl?: string[] }).userAccountControl?.[0]) & 2) === 2;

describe('refusals and full pages (a listed directory)', () => {
  const acc = new UserAccumulator('sAMAccountName', 'mail', 'ad', 0);
  const toPreview = (e: Entry): UserPreview => acc.preview(e);
  const o: BoundedSearch = { base: 'OU=People,DC=x', attributes: ['sAMAccountName', 'mail', 'userAccountControl'], limit: 2, paging: true, timeLimit: 5 };
  const kinds: Record<string, ProblemKind> = {
    withoutEmail: { condition: lacking('mail'), filter: usersWithout('ad', 'mail'), is: (u) => u.email === undefined },
    disabled: { condition: AD_DISABLED, filter: AD_DISABLED_FILTER, is: (u) => u.disabled === true },
  };
  const users = [entry('nomail1'), entry('nomail2', { userAccountControl: '514' }), entry('ok', { mail: 'ok@x', userAccountControl: '512' }), entry('off', { mail: 'off@x', userAccountControl: '514' })];

  it('a server that does not know the bit-AND matching rule: each kind asked alone, the refused one says why ("could not check")', async () => {
    const { session, asked } = listServer(users, (f) => (f.includes('1.2.840.113556.1.4.803') ? { code: 18 } : lacksMail));
    const r = await findProblemAccounts(session, AD_USER_FILTER, kinds, o, toPreview);
    expect(asked.map((a) => a.filter)).toEqual([`(&${AD_USER_FILTER}(|(!(mail=*))${AD_DISABLED}))`, usersWithout('ad', 'mail'), AD_DISABLED_FILTER]);
    expect(r.withoutEmail).toMatchObject({ scope: 'directory', count: 2, capped: false });
    expect(r.disabled).toMatchObject({ scope: 'window', count: 0, error: expect.stringContaining('does not know the matching rule (LDAP 18') });
    // the verdict says what was not checked, and it is no warning by itself
    const u = new UserAccumulator('sAMAccountName', 'mail', 'ad', 1);
    u.add(users[2]!);
    const nobody = (filter: string) => ({ filter, scope: 'directory' as const, count: 0, capped: false, limit: 2, users: [] });
    const stats = userStats({ count: 4, capped: false, cap: 1000 }, u, { withoutEmail: nobody(usersWithout('ad', 'mail')), withoutUsername: nobody(usersWithout('ad', 'sAMAccountName')), disabled: r.disabled! }, undefined);
    const out = attributesOutcome(stats, 'sAMAccountName', 'mail', undefined, { username: false, email: false });
    expect(out.status ?? 'ok').toBe('ok');
    expect(out.message).toContain('disabled accounts: could not check across the users DN (the server does not know the matching rule (LDAP 18');
  });

  it('more problem accounts than the combined page holds: a kind with too few in it to say "more than" is asked alone', async () => {
    const many = [...Array.from({ length: 6 }, (_, i) => entry(`nomail${i}`)), entry('off', { mail: 'off@x', userAccountControl: '514' })];
    const { session, asked } = listServer(many, (f) => (f === AD_DISABLED_FILTER ? disabled : (e) => lacksMail(e) || disabled(e)));
    const r = await findProblemAccounts(session, AD_USER_FILTER, kinds, o, toPreview);
    // the combined page (2 kinds × 2 + 1) is all "no mail": more than 2 of those; the disabled one is asked alone
    expect(asked).toEqual([{ filter: `(&${AD_USER_FILTER}(|(!(mail=*))${AD_DISABLED}))`, pageSize: 5 }, { filter: AD_DISABLED_FILTER, pageSize: 3 }]);
    expect(r.withoutEmail).toMatchObject({ count: 2, capped: true });
    expect(r.withoutEmail!.users.map((u) => u.username)).toEqual(['nomail0', 'nomail1']);
    expect(r.disabled).toMatchObject({ scope: 'directory', count: 1, capped: false, users: [expect.objectContaining({ username: 'off', disabled: true })] });
  });
});
