// Layer 8: are the username and email attributes on the users found? When they are not, look at
// one small page of whole entries and suggest the attributes the entries actually carry.
import type { Session } from './connect.js';
import { attr } from './rootdse.js';
import type { Outcome } from './runner.js';
import type { UserRef, UserStats, Vendor } from './types.js';
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
export function who(users: UserRef[], total: number): string {
  const names = users.slice(0, 5).map((x) => x.username ?? x.dn);
  return `${total > names.length ? 'e.g. ' : ''}${names.join(', ')}`;
}

/** The attributes layer's verdict from the accumulated stats. */
export function attributesOutcome(u: UserStats, usernameAttribute: string, emailAttribute: string, s: Suggestion | undefined): Outcome {
  const n = u.count;
  const of = `${n}${u.capped ? '+' : ''}`;
  if (u.withoutUsername === n) {
    fail({
      code: 'ldap.attributes.username-missing',
      message: `None of the ${of} users found has the username attribute "${usernameAttribute}"`,
      hint: s?.username ? `The users carry "${s.username}"; use it as the username attribute (they have: ${carriedText(s)}).` : `Choose an attribute the users carry${s ? `: ${carriedText(s)}` : ''}.`,
      field: 'usernameAttribute',
      data: { suggested: s?.username, carried: s?.carried },
    });
  }
  if (u.withoutEmail === n) {
    fail({
      code: 'ldap.attributes.email-missing',
      message: `None of the ${of} users found has the email attribute "${emailAttribute}"`,
      hint: s?.email ? `The users carry "${s.email}"; use it as the email attribute (they have: ${carriedText(s)}).` : `Choose an attribute the users carry${s ? `: ${carriedText(s)}` : ''}.`,
      field: 'emailAttribute',
      data: { suggested: s?.email, carried: s?.carried },
    });
  }
  const warns: { code: string; message: string; field: 'usernameAttribute' | 'emailAttribute'; hint: string }[] = [];
  if (u.withoutUsername > 0) warns.push({ code: 'ldap.attributes.username-partial', field: 'usernameAttribute', message: `${u.withoutUsername} of ${of} users have no "${usernameAttribute}": Keycloak cannot show or log them in`, hint: `Fill "${usernameAttribute}" on those users, or choose an attribute all users carry.` });
  if (u.withoutEmail > 0) warns.push({ code: 'ldap.attributes.email-partial', field: 'emailAttribute', message: `${u.withoutEmail} of ${of} users have no "${emailAttribute}" (${who(u.withoutEmailUsers, u.withoutEmail)}): they will have no email in Keycloak`, hint: `Fill "${emailAttribute}" on those users${s?.email && s.email.toLowerCase() !== emailAttribute.toLowerCase() ? `, or use "${s.email}"` : ''}.` });
  if (u.duplicateUsernames.length) warns.push({ code: 'ldap.attributes.duplicate-usernames', field: 'usernameAttribute', message: `${u.duplicateUsernames.length} username value(s) are shared by several users (e.g. "${u.duplicateUsernames[0]!.username}"): Keycloak's user search fails for everyone when it meets them`, hint: `Make "${usernameAttribute}" unique in the directory, or choose a unique attribute (AD: sAMAccountName).` });
  if (u.duplicateEmails.length) warns.push({ code: 'ldap.attributes.duplicate-emails', field: 'emailAttribute', message: `${u.duplicateEmails.length} email value(s) are shared by several users (e.g. "${u.duplicateEmails[0]!.email}" on ${u.duplicateEmails[0]!.dns.length} users): Keycloak's user search fails for everyone when it meets them`, hint: `Make "${emailAttribute}" unique, or map email to a unique attribute (AD: userPrincipalName).` });
  const summary = `"${usernameAttribute}" on ${n - u.withoutUsername} and "${emailAttribute}" on ${n - u.withoutEmail} of ${of} users`;
  const data: Record<string, unknown> = { withUsername: n - u.withoutUsername, withEmail: n - u.withoutEmail, count: n, capped: u.capped };
  if (s) data.suggestion = s;
  if (!warns.length) return { message: summary, data };
  const first = warns[0]!;
  return {
    status: 'warn',
    code: first.code,
    field: first.field,
    message: warns.length === 1 ? first.message : `${warns.length} problems: ${warns.map((w) => w.message).join('; ')}`,
    hint: warns.map((w) => w.hint).join(' '),
    data: { ...data, warnings: warns },
    warnings: warns.map((w) => w.message),
  };
}
