// Layer 8: are the username and email attributes on the users found? When they are not, look at
// one small page of whole entries and suggest the attributes the entries actually carry.
import type { Session } from './connect.js';
import { splitDn } from './dn.js';
import { attr } from './rootdse.js';
import type { Outcome } from './runner.js';
import type { ProblemCheck, UserRef, UserStats, Vendor } from './types.js';
import { fail } from './util.js';

const USERNAME_PREFS: Record<'ad' | 'other', string[]> = { ad: ['sAMAccountName', 'userPrincipalName', 'uid', 'cn'], other: ['uid', 'sAMAccountName', 'cn', 'mail'] };
const EMAIL_PREFS: Record<'ad' | 'other', string[]> = { ad: ['userPrincipalName', 'mail'], other: ['mail', 'email', 'userPrincipalName'] };

export interface Suggestion {
  /** attribute names the sampled users carry, with how many of them carry each */
  carried: Record<string, number>;
  sampled: number;
  username?: string;
  email?: string;
}

/** One page (≤ 25) of users with all their attributes. */
export async function suggestAttributes(session: Session, base: string, filter: string, vendor: Vendor | undefined): Promise<Suggestion> {
  const it = session.client.searchPaginated(base, { scope: 'sub', filter, attributes: ['*'], paged: { pageSize: 25 } })[Symbol.asyncIterator]();
  const page = await session.op(it.next());
  await session.op(it.return?.(undefined) ?? Promise.resolve(undefined)).catch(() => {});
  const entries = page.done ? [] : page.value.searchEntries;
  const carried: Record<string, number> = {};
  for (const e of entries) for (const [k, v] of Object.entries(e)) if (k !== 'dn' && !(Array.isArray(v) && v.length === 0) && !/^(userPassword|unicodePwd|objectClass)$/i.test(k)) carried[k] = (carried[k] ?? 0) + 1;
  const kind = vendor === 'ad' ? 'ad' : 'other';
  const pick = (prefs: string[]) => {
    const present = prefs.map((p) => ({ p, n: entries.filter((e) => attr(e as unknown as Record<string, unknown>, p).length > 0).length })).filter((x) => x.n > 0);
    const good = present.find((x) => x.n >= entries.length * 0.8);
    return (good ?? present.sort((a, b) => b.n - a.n)[0])?.p;
  };
  const s: Suggestion = { carried, sampled: entries.length };
  const u = pick(USERNAME_PREFS[kind]);
  if (u) s.username = u;
  const m = pick(EMAIL_PREFS[kind]);
  if (m) s.email = m;
  return s;
}

const carriedText = (s: Suggestion) => Object.keys(s.carried).slice(0, 25).join(', ');

/** "e.g. carol, dave" (usernames, else DNs) for a warning: who to fix, not only how many. */
export function who(users: UserRef[], total: number, capped = false): string {
  const names = users.slice(0, 5).map((x) => x.username ?? x.dn);
  return `${capped || total > names.length ? 'e.g. ' : ''}${names.join(', ')}`;
}

/** "2", or "more than 20" when the targeted search stopped at its limit. */
export const howMany = (c: Pick<ProblemCheck, 'count' | 'capped'>) => (c.capped ? `more than ${c.count}` : String(c.count));

/** "carol, dave" / "e.g. a, b, c, d, e" for the accounts a targeted search found. */
const named = (c: ProblemCheck) => who(c.users, c.count, c.capped);

/** Where a figure comes from when the server refused the search across the users DN. */
const windowNote = (c: ProblemCheck, read: number) => (c.error ? ` (among the first ${read} users read only: the search across the users DN failed: ${c.error})` : '');

/** The duplicate detection's reach, said every time it reports: it does not compare the whole directory. */
function dupScope(u: UserStats): string {
  const d = u.duplicatesChecked;
  const values = d.valuesSearched ? ` and, for the ${d.valuesSearched} value(s) the preview shows, across the users DN` : '';
  return `among the ${d.usersRead} users read${values}${d.error ? `; ${d.error}` : ''}`;
}

/** Nobody carries the attribute (decided by the caller with one search for a user that does). */
export interface Missing {
  username: boolean;
  email: boolean;
}

/** The attributes layer's verdict from the preview's figures. */
export function attributesOutcome(u: UserStats, usernameAttribute: string, emailAttribute: string, s: Suggestion | undefined, none: Missing): Outcome {
  const n = u.count;
  const of = `${n}${u.capped ? '+' : ''}`;
  const p = u.problems;
  if (none.username) {
    fail({
      code: 'ldap.attributes.username-missing',
      message: `None of the ${of} users found has the username attribute "${usernameAttribute}"`,
      hint: s?.username ? `The users carry "${s.username}"; use it as the username attribute (they have: ${carriedText(s)}).` : `Choose an attribute the users carry${s ? `: ${carriedText(s)}` : ''}.`,
      field: 'usernameAttribute',
      data: { suggested: s?.username, carried: s?.carried },
    });
  }
  if (none.email) {
    fail({
      code: 'ldap.attributes.email-missing',
      message: `None of the ${of} users found has the email attribute "${emailAttribute}"`,
      hint: s?.email ? `The users carry "${s.email}"; use it as the email attribute (they have: ${carriedText(s)}).` : `Choose an attribute the users carry${s ? `: ${carriedText(s)}` : ''}.`,
      field: 'emailAttribute',
      data: { suggested: s?.email, carried: s?.carried },
    });
  }
  const warns: { code: string; message: string; field?: 'usernameAttribute' | 'emailAttribute'; hint: string }[] = [];
  if (p.withoutUsername.count > 0) warns.push({ code: 'ldap.attributes.username-partial', field: 'usernameAttribute', message: `${howMany(p.withoutUsername)} of ${of} users have no "${usernameAttribute}" (${named(p.withoutUsername)}): Keycloak cannot show or log them in${windowNote(p.withoutUsername, u.window)}`, hint: `Fill "${usernameAttribute}" on those users, or choose an attribute all users carry.` });
  if (p.withoutEmail.count > 0) warns.push({ code: 'ldap.attributes.email-partial', field: 'emailAttribute', message: `${howMany(p.withoutEmail)} of ${of} users have no "${emailAttribute}" (${named(p.withoutEmail)}): they will have no email in Keycloak${windowNote(p.withoutEmail, u.window)}`, hint: `Fill "${emailAttribute}" on those users${s?.email && s.email.toLowerCase() !== emailAttribute.toLowerCase() ? `, or use "${s.email}"` : ''}.` });
  const holders = (dns: string[], capped: boolean) => `${capped ? 'more than ' : ''}${dns.length} users: ${dns.slice(0, 3).map(rdnValue).join(', ')}${dns.length > 3 ? ', …' : ''}`;
  if (u.duplicateUsernames.length) {
    const d = u.duplicateUsernames[0]!;
    warns.push({ code: 'ldap.attributes.duplicate-usernames', field: 'usernameAttribute', message: `${u.duplicateUsernames.length} username value(s) are shared by several users (e.g. "${d.username}" on ${holders(d.dns, d.capped)}; looked for ${dupScope(u)}): Keycloak's user search fails for everyone when it meets them`, hint: `Make "${usernameAttribute}" unique in the directory, or choose a unique attribute (AD: sAMAccountName).` });
  }
  if (u.duplicateEmails.length) {
    const d = u.duplicateEmails[0]!;
    warns.push({ code: 'ldap.attributes.duplicate-emails', field: 'emailAttribute', message: `${u.duplicateEmails.length} email value(s) are shared by several users (e.g. "${d.email}" on ${holders(d.dns, d.capped)}; looked for ${dupScope(u)}): Keycloak's user search fails for everyone when it meets them`, hint: `Make "${emailAttribute}" unique, or map email to a unique attribute (AD: userPrincipalName).` });
  }
  if (p.disabled && p.disabled.count > 0) {
    const one = p.disabled.count === 1 && !p.disabled.capped;
    warns.push({ code: 'ldap.attributes.disabled-accounts', message: `${howMany(p.disabled)} ${one ? 'account is' : 'accounts are'} disabled (${named(p.disabled)}): Keycloak shows ${one ? 'it' : 'them'} disabled and refuses ${one ? 'its' : 'their'} logins${windowNote(p.disabled, u.window)}`, hint: `Nothing to change for accounts meant to be disabled; enable in the directory those who should log in to Run:AI.` });
  }
  // what could not be asked, when the users read show no such account: said in the verdict, not a
  // warning (the directory itself may be fine); with accounts found, their warning says it
  const kinds: [string, ProblemCheck | undefined][] = [[`users without "${usernameAttribute}"`, p.withoutUsername], [`users without "${emailAttribute}"`, p.withoutEmail], ['disabled accounts', p.disabled]];
  const unchecked = kinds.filter(([, c]) => c?.error && c.count === 0).map(([what, c]) => `; ${what}: could not check across the users DN (${c!.error}), none among the ${u.window} users read`).join('');
  const all = (c: ProblemCheck) => (c.count === 0 ? 'all' : `all but ${howMany(c)}`);
  const summary = `"${usernameAttribute}" on ${all(p.withoutUsername)} and "${emailAttribute}" on ${all(p.withoutEmail)} of ${of} users; no shared username or email ${dupScope(u)}${unchecked}`;
  const data: Record<string, unknown> = { withUsername: Math.max(0, n - u.withoutUsername), withEmail: Math.max(0, n - u.withoutEmail), count: n, capped: u.capped, duplicatesChecked: u.duplicatesChecked };
  if (s) data.suggestion = s;
  if (!warns.length) return { message: summary, data };
  const first = warns[0]!;
  const out: Outcome = {
    status: 'warn',
    code: first.code,
    message: `${warns.length === 1 ? first.message : `${warns.length} problems: ${warns.map((w) => w.message).join('; ')}`}${unchecked}`,
    hint: warns.map((w) => w.hint).join(' '),
    data: { ...data, warnings: warns },
    warnings: warns.map((w) => w.message),
  };
  if (first.field) out.field = first.field;
  return out;
}

/** "Erin Shared" for CN=Erin Shared,OU=People,…: a DN's own name, short enough for a message. */
function rdnValue(dn: string): string {
  const rdn = splitDn(dn)[0] ?? dn;
  return rdn.slice(rdn.indexOf('=') + 1).replace(/\\(.)/g, '$1');
}
