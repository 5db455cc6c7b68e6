// Layer 6 (users DN exists), the accumulator of the users read in layer 7 (counters, a small
// sample and the two maps that find duplicates among them; never the entries), and the preview's
// figures put together from it, the count and the targeted searches of problems.ts.
import type { Entry } from 'ldapts';
import { rdnAttribute } from '../keycloak/federation.js';
import type { Session } from './connect.js';
import { isUnder, looksLikeDn, parentDn, sameDn } from './dn.js';
import { attr, dataContexts, type RootDse } from './rootdse.js';
import type { Outcome } from './runner.js';
import { findCandidates } from './scan.js';
import type { Shared } from './problems.js';
import type { Duplicate, ProblemCheck, UserPreview, UserRef, UserStats, Vendor } from './types.js';
import { fail, resultCode, TimeoutError } from './util.js';

const listCandidates = (c: { dn: string; users: number }[]) => c.map((x) => `${x.dn} (${x.users} users)`).join('; ');

export interface UsersDnCheck extends Outcome {
  candidates?: { dn: string; users: number }[];
}

async function exists(session: Session, dn: string): Promise<boolean> {
  try {
    await session.op(session.client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] }));
    return true;
  } catch (e) {
    if (resultCode(e) === 32) return false;
    throw e;
  }
}

/** Candidates under the nearest place that exists (or the server's data naming contexts). */
async function candidatesNear(session: Session, bases: string[], filter: string, root: RootDse, cap: number) {
  const out: { dn: string; users: number }[] = [];
  for (const b of bases) {
    try {
      out.push(...(await findCandidates(session, b, filter, root.namingContexts, cap, root.supportsPaging)));
    } catch (e) {
      if (e instanceof TimeoutError) throw e;
    }
  }
  return out.sort((a, b) => b.users - a.users).slice(0, 5);
}

export async function checkUsersDn(session: Session, usersDn: string, root: RootDse, vendor: Vendor | undefined, filter: string, cap: number): Promise<UsersDnCheck> {
  const scanCap = Math.min(cap, 2000);
  const contexts = dataContexts(root);
  if (usersDn.trim() === '' || !looksLikeDn(usersDn)) {
    const candidates = await candidatesNear(session, contexts, filter, root, scanCap);
    fail({
      code: usersDn.trim() === '' ? 'ldap.users-dn.missing' : 'ldap.users-dn.invalid-syntax',
      message: usersDn.trim() === '' ? 'No users DN given' : `The users DN "${usersDn}" is not a DN (expected attr=value pairs such as ou=people,dc=example,dc=org)`,
      hint: candidates.length ? `Containers that hold users: ${listCandidates(candidates)}` : `Give the DN of the container that holds the users (naming contexts: ${root.namingContexts.join('; ') || 'unknown'}).`,
      field: 'usersDn',
      data: { candidates, namingContexts: root.namingContexts },
    });
  }
  if (root.namingContexts.length && !root.namingContexts.some((nc) => isUnder(usersDn, nc))) {
    const candidates = await candidatesNear(session, contexts, filter, root, scanCap);
    fail({
      code: 'ldap.users-dn.outside-naming-contexts',
      message: `The users DN "${usersDn}" is not in this server's data: it holds ${root.namingContexts.join('; ')}`,
      hint: candidates.length ? `Containers that hold users: ${listCandidates(candidates)}` : `Use a DN under ${contexts.join(' or ')}.`,
      field: 'usersDn',
      data: { namingContexts: root.namingContexts, candidates },
    });
  }
  try {
    if (!(await exists(session, usersDn))) {
      let nearest: string | undefined;
      for (let p = parentDn(usersDn); p !== undefined && !nearest; p = parentDn(p)) if (await exists(session, p)) nearest = p;
      const candidates = await candidatesNear(session, nearest ? [nearest] : contexts, filter, root, scanCap);
      fail({
        code: 'ldap.users-dn.not-found',
        message: `The users DN "${usersDn}" does not exist${nearest ? `; the nearest existing parent is "${nearest}"` : ''}`,
        hint: candidates.length ? `Containers that hold users: ${listCandidates(candidates)}` : 'Check the spelling of each part of the users DN.',
        field: 'usersDn',
        data: { nearestParent: nearest, candidates },
      });
    }
  } catch (e) {
    const rc = resultCode(e);
    if (rc === 34) fail({ code: 'ldap.users-dn.invalid-syntax', message: `The server rejects the users DN "${usersDn}" as invalid DN syntax (LDAP 34)`, hint: 'Check for typos: every part must be attr=value, separated by commas; escape commas inside values as \\,.', field: 'usersDn' });
    if (rc === 10) fail({ code: 'ldap.users-dn.outside-naming-contexts', message: `The server answers with a referral for "${usersDn}": it is not held by this server`, hint: `Use a DN under ${root.namingContexts.join(' or ')}, or point the LDAP URL at the server (or AD Global Catalog, port 3268) holding it.`, field: 'usersDn' });
    if (rc === 50) fail({ code: 'ldap.users-dn.no-access', message: `The bind account may not read "${usersDn}" (LDAP 50)`, hint: 'Give the service account read access to the users container, or use another bind DN.', field: 'bindDn' });
    throw e;
  }
  const isRoot = root.namingContexts.some((nc) => sameDn(nc, usersDn)) || (root.defaultNamingContext !== undefined && sameDn(root.defaultNamingContext, usersDn));
  const gcPort = [3268, 3269].includes(session.target.port);
  if (vendor === 'ad' && isRoot && !gcPort) {
    const candidates = await candidatesNear(session, [usersDn], filter, root, scanCap);
    return {
      status: 'warn',
      code: 'ldap.users-dn.domain-root',
      message: `The users DN is the AD domain root "${usersDn}": searches from it return referrals (DomainDnsZones, Configuration) that break Keycloak's user search`,
      hint: `Use the OU that holds the users${candidates[0] ? ` (e.g. ${candidates[0].dn})` : ''}, or the Global Catalog: ${session.target.scheme === 'ldaps' ? 'ldaps://host:3269' : 'ldap://host:3268'}.`,
      field: 'usersDn',
      data: { candidates },
      candidates,
    };
  }
  return { message: `Users DN ${usersDn} exists` };
}

/**
 * How many accounts each targeted search for problem accounts returns (one more says "more than
 * 20"), and how many each "who is affected" list names.
 */
export const EXAMPLES = 20;

type Rec = Record<string, unknown>;

/**
 * First and last name as Keycloak's default mappers fill them for a READ_ONLY federation
 * (keycloak.md §5, LDAPStorageProviderFactory.onCreate), which depends on the RDN attribute:
 * - RDN cn, username cn: "first name" ← givenName, "last name" ← sn;
 * - RDN cn, username other (AD with sAMAccountName): no first-name mapper, a "full name" mapper
 *   splits cn at its last space (first part → first name, last word → last name), and sn → last name;
 * - any other RDN (uid on OpenLDAP): "first name" ← the whole cn, "last name" ← sn.
 * So "Alice Normal" with uid=alice shows in Keycloak as first name "Alice Normal", not "Alice".
 */
export function keycloakNames(rec: Rec, rdn: string, usernameAttribute: string): { firstName?: string; lastName?: string } {
  const cn = attr(rec, 'cn')[0]?.trim();
  const sn = attr(rec, 'sn')[0];
  const out: { firstName?: string; lastName?: string } = {};
  let first: string | undefined;
  let last = sn;
  if (rdn.toLowerCase() !== 'cn') first = cn;
  else if (usernameAttribute.toLowerCase() === 'cn') first = attr(rec, 'givenName')[0];
  else if (cn) {
    const space = cn.lastIndexOf(' ');
    if (space > 0) first = cn.slice(0, space);
    // both mappers write the last name; they agree when cn is "<given> <sn>", and sn is the one set
    last = sn ?? (space > 0 ? cn.slice(space + 1) : cn);
  }
  if (first) out.firstName = first;
  if (last) out.lastName = last;
  return out;
}

/**
 * Accumulates what the preview needs from the users read (the window): counters, the sample and
 * the two maps that find duplicates among them; never the entries.
 */
export class UserAccumulator {
  private read = 0;
  private withoutEmail = 0;
  private withoutUsername = 0;
  private disabled = 0;
  private readonly emails = new Map<string, string[]>();
  private readonly usernames = new Map<string, string[]>();
  private readonly withoutEmailUsers: UserPreview[] = [];
  private readonly withoutUsernameUsers: UserPreview[] = [];
  private readonly disabledUsers: UserPreview[] = [];
  private readonly rdn: string;
  readonly sample: UserPreview[] = [];

  constructor(private readonly usernameAttribute: string, private readonly emailAttribute: string, private readonly vendor: Vendor | undefined, private readonly sampleSize: number) {
    this.rdn = rdnAttribute({ vendor: vendor ?? 'ad', usernameAttribute });
  }

  /** Only what preview() reads: each attribute asked for costs parsing on every user read. */
  static attributes(usernameAttribute: string, emailAttribute: string, vendor: Vendor | undefined): string[] {
    // keycloakNames reads givenName only for an RDN and a username that are both cn, cn otherwise
    const cnRdn = rdnAttribute({ vendor: vendor ?? 'ad', usernameAttribute }).toLowerCase() === 'cn';
    const a = [usernameAttribute, emailAttribute, cnRdn && usernameAttribute.toLowerCase() === 'cn' ? 'givenName' : 'cn', 'sn'];
    if (vendor === 'ad') a.push('userAccountControl');
    return [...new Set(a)];
  }

  /** One entry as Keycloak will show it: username and email lower-cased (as Keycloak stores them), names as its mappers fill them. */
  preview(e: Entry): UserPreview {
    const rec = e as unknown as Rec;
    const username = attr(rec, this.usernameAttribute)[0]?.toLowerCase();
    const email = attr(rec, this.emailAttribute)[0]?.toLowerCase();
    const p: UserPreview = { dn: e.dn };
    if (username) p.username = username;
    if (email) p.email = email;
    Object.assign(p, keycloakNames(rec, this.rdn, this.usernameAttribute));
    // AD: userAccountControl bit 2 (ACCOUNTDISABLE); Keycloak's MSAD mapper shows such users disabled
    if (this.vendor === 'ad') {
      const uac = Number(attr(rec, 'userAccountControl')[0]);
      p.disabled = Number.isFinite(uac) && (uac & 2) === 2;
    }
    return p;
  }

  add(e: Entry): void {
    const p = this.preview(e);
    this.read++;
    if (p.username === undefined) {
      this.withoutUsername++;
      if (this.withoutUsernameUsers.length < EXAMPLES) this.withoutUsernameUsers.push(p);
    } else push(this.usernames, p.username, e.dn);
    if (p.email === undefined) {
      this.withoutEmail++;
      if (this.withoutEmailUsers.length < EXAMPLES) this.withoutEmailUsers.push(p);
    } else push(this.emails, p.email, e.dn);
    if (p.disabled) {
      this.disabled++;
      if (this.disabledUsers.length < EXAMPLES) this.disabledUsers.push(p);
    }
    if (this.sample.length < this.sampleSize) this.sample.push(p);
  }

  /** What the users read say about one kind of problem: the fallback when the server refuses the targeted search. */
  fromWindow(kind: 'withoutEmail' | 'withoutUsername' | 'disabled'): { count: number; users: UserPreview[] } {
    const users = kind === 'withoutEmail' ? this.withoutEmailUsers : kind === 'withoutUsername' ? this.withoutUsernameUsers : this.disabledUsers;
    return { count: this[kind], users };
  }

  /** Users read (the window), and how many of them lack the username / email attribute. */
  get windowStats(): { read: number; withoutEmail: number; withoutUsername: number } {
    return { read: this.read, withoutEmail: this.withoutEmail, withoutUsername: this.withoutUsername };
  }

  /** Values shared by several users read, as Keycloak compares them (lower-cased). */
  windowDuplicates(): { emails: [string, string[]][]; usernames: [string, string[]][] } {
    const dups = (m: Map<string, string[]>) => [...m].filter(([, dns]) => dns.length > 1).slice(0, 100);
    return { emails: dups(this.emails), usernames: dups(this.usernames) };
  }
}

function push(m: Map<string, string[]>, key: string, dn: string): void {
  const l = m.get(key);
  if (l) l.push(dn);
  else m.set(key, [dn]);
}

type Problems = UserStats['problems'];

/** The users the preview shows: the sample rows and the problem accounts found. */
export function shownUsers(sample: UserPreview[], problems: Problems): UserPreview[] {
  return [...sample, ...problems.withoutEmail.users, ...problems.withoutUsername.users, ...(problems.disabled?.users ?? [])];
}

/** The distinct values of `key` among the users shown (already lower-cased by preview()). */
export function shownValues(users: UserPreview[], key: 'email' | 'username'): string[] {
  return [...new Set(users.map((u) => u[key]).filter((v): v is string => !!v))];
}

const ref = (u: UserPreview): UserRef => (u.username ? { dn: u.dn, username: u.username } : { dn: u.dn });

/**
 * A targeted search the server refused, or answered with fewer accounts than the users read
 * show: what the users read say instead (scope 'window'). The second happens with an attribute
 * the server's schema does not know: OpenLDAP evaluates (!(userPrincipalName=*)) as Undefined and
 * returns nobody, although nobody has it.
 */
function orWindow(check: ProblemCheck, acc: UserAccumulator, kind: 'withoutEmail' | 'withoutUsername' | 'disabled'): ProblemCheck {
  const w = acc.fromWindow(kind);
  if (check.scope === 'directory' && (check.capped || check.count >= Math.min(w.count, check.limit))) return check;
  const error = check.error ?? `the server found ${check.count} across the users DN, fewer than the ${w.count} among the users read: it may not know the attribute`;
  return { ...check, scope: 'window', count: Math.min(w.count, check.limit), capped: w.count > check.limit, users: w.users.slice(0, check.limit), error };
}

export interface SharedValues {
  emails: Shared;
  usernames: Shared;
  /** how many values were searched across the users DN */
  searched: number;
}

/** The preview's figures: the count, the window (sample, duplicates among the users read), the targeted searches. */
export function userStats(count: { count: number; capped: boolean; cap: number }, acc: UserAccumulator, found: Problems, shared: SharedValues | undefined): UserStats {
  const problems: Problems = { withoutEmail: orWindow(found.withoutEmail, acc, 'withoutEmail'), withoutUsername: orWindow(found.withoutUsername, acc, 'withoutUsername') };
  if (found.disabled) problems.disabled = orWindow(found.disabled, acc, 'disabled');
  const win = acc.windowDuplicates();
  const merge = (window: [string, string[]][], directory: Shared | undefined) => {
    const m = new Map<string, Duplicate>(window.map(([v, dns]) => [v, { dns, scope: 'window', capped: false }]));
    // a value searched across the users DN: that answer is the whole truth, the window's a part of it
    for (const [v, dns] of directory?.groups ?? []) m.set(v, { dns, scope: 'directory', capped: directory!.capped });
    return [...m];
  };
  const error = shared?.emails.error ?? shared?.usernames.error ?? (shared?.emails.capped || shared?.usernames.capped ? 'more users hold the values shown than were read: some sharing may be missed' : undefined);
  const duplicatesChecked: UserStats['duplicatesChecked'] = { usersRead: acc.windowStats.read, valuesSearched: shared?.searched ?? 0 };
  if (error) duplicatesChecked.error = error;
  return {
    count: count.count,
    capped: count.capped,
    cap: count.cap,
    window: acc.windowStats.read,
    withoutEmail: problems.withoutEmail.count,
    withoutUsername: problems.withoutUsername.count,
    duplicateEmails: merge(win.emails, shared?.emails).map(([email, d]) => ({ email, ...d })),
    duplicateUsernames: merge(win.usernames, shared?.usernames).map(([username, d]) => ({ username, ...d })),
    duplicatesChecked,
    disabled: problems.disabled?.count ?? 0,
    withoutEmailUsers: problems.withoutEmail.users.map(ref),
    disabledUsers: (problems.disabled?.users ?? []).map(ref),
    problems,
    sample: acc.sample,
  };
}
