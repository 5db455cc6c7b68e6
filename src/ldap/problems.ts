// Problem accounts found by the server, not by luck: the preview reads only the first few hundred
// users (its cost must not grow with the directory), so the accounts that break or degrade the
// federation (no email, no username, disabled, a shared value) are asked for directly, each search
// across the whole users DN and bounded by a small size limit.
import type { Entry } from 'ldapts';
import { CancelledError } from '../errors.js';
import type { Session } from './connect.js';
import { attr } from './rootdse.js';
import { scan } from './scan.js';
import type { ProblemCheck, UserPreview } from './types.js';
import { errorText, resultCode, TimeoutError } from './util.js';

export interface BoundedSearch {
  base: string;
  attributes: string[];
  /** entries kept; one more is read to say "more than limit" */
  limit: number;
  paging: boolean;
  /** seconds the server may spend (its timeLimit), below the client timeout so a slow filter is "could not check", not a dead connection */
  timeLimit: number;
}

/** Timeouts and Ctrl-C end the check; any other failure of an extra search only means "could not check". */
function rethrowFatal(e: unknown): void {
  if (e instanceof TimeoutError || e instanceof CancelledError) throw e;
}

/** Why the server did not answer a search, in words an admin can act on. */
export function couldNotCheck(e: unknown): string {
  const rc = resultCode(e);
  const why = errorText(e) || 'no reason given';
  if (rc === 3) return `the server stopped the search at its time limit (LDAP 3): ${why}`;
  if (rc === 18) return `the server does not know the matching rule (LDAP 18, inappropriateMatching): ${why}`;
  return rc === undefined ? why : `${why} (LDAP ${rc})`;
}

/**
 * One targeted search for problem accounts. Paged when the server pages: Samba AD ignores a
 * client's size limit (it returned all 1,008 users for sizeLimit 21), but not the page size, and
 * one page of limit + 1 is all that is read. A refusal (an unknown matching rule, an admin limit, a
 * time limit) comes back as `error`, with scope 'window' for the caller to fill from the users read.
 */
export async function searchProblems(session: Session, filter: string, o: BoundedSearch, toPreview: (e: Entry) => UserPreview): Promise<ProblemCheck> {
  const users: UserPreview[] = [];
  try {
    const r = await scan(session, o.base, { filter, attributes: o.attributes, cap: o.limit, paging: o.paging, timeLimit: o.timeLimit }, (e) => users.push(toPreview(e)));
    return { filter, scope: 'directory', count: r.count, capped: r.capped, limit: o.limit, users };
  } catch (e) {
    rethrowFatal(e);
    return { filter, scope: 'window', count: 0, capped: false, limit: o.limit, users: [], error: couldNotCheck(e) };
  }
}

/** A kind of problem account: the condition for the server, and the same test on an account read. */
export interface ProblemKind {
  /** e.g. (!(mail=*)) */
  condition: string;
  /** the whole filter for a search of this kind alone: the user filter and the condition */
  filter: string;
  is: (u: UserPreview) => boolean;
}

/**
 * Every kind of problem account in ONE search, (&<users>(|<cond 1><cond 2>…)): a condition such as
 * (!(mail=*)) cannot use an index, so each search of it makes the server visit every user (about
 * 25 ms for 20,000 users on OpenLDAP here); one visit finds all kinds. The accounts read are sorted
 * into kinds by the same tests. The search reads kinds × limit + 1 entries: when more match, a
 * kind with fewer than `limit` among them gets its own search, and when the server refuses the
 * combined filter (e.g. it does not know the matching rule of one condition), each kind is asked
 * alone, so one refusal does not hide the other kinds.
 */
export async function findProblemAccounts<K extends string>(session: Session, userFilter: string, kinds: Record<K, ProblemKind>, o: BoundedSearch, toPreview: (e: Entry) => UserPreview): Promise<Record<K, ProblemCheck>> {
  const names = Object.keys(kinds) as K[];
  const alone = (k: K) => searchProblems(session, kinds[k].filter, o, toPreview);
  if (names.length === 1) return { [names[0]!]: await alone(names[0]!) } as Record<K, ProblemCheck>;
  const both = `(&${userFilter}(|${names.map((k) => kinds[k].condition).join('')}))`;
  const read: UserPreview[] = [];
  let capped: boolean;
  try {
    capped = (await scan(session, o.base, { filter: both, attributes: o.attributes, cap: names.length * o.limit, paging: o.paging, timeLimit: o.timeLimit }, (e) => read.push(toPreview(e)))).capped;
  } catch (e) {
    rethrowFatal(e);
    const each = await Promise.all(names.map(alone));
    return Object.fromEntries(names.map((k, i) => [k, each[i]!])) as Record<K, ProblemCheck>;
  }
  const out = {} as Record<K, ProblemCheck>;
  await Promise.all(names.map(async (k) => {
    const users = read.filter(kinds[k].is);
    // more accounts matched than were read, and too few of this kind among them to say "more than limit": ask for it alone
    if (capped && users.length <= o.limit) out[k] = await alone(k);
    else out[k] = { filter: kinds[k].filter, scope: 'directory', count: Math.min(users.length, o.limit), capped: users.length > o.limit, limit: o.limit, users: users.slice(0, o.limit) };
  }));
  return out;
}

export interface Shared {
  /** lower-cased value → the DNs holding it, for the values held by more than one user */
  groups: Map<string, string[]>;
  /** more users hold these values than were read: some sharing may be missed */
  capped: boolean;
  error?: string;
}

/**
 * Which of `values` (lower-cased) are held by more than one user anywhere under the users DN: one
 * search for all of them, `filter` being (&<users>(|(attr=v1)(attr=v2)…)). Every value is held at
 * least once, so the search is bounded by the number of values plus `o.limit` extra holders.
 */
export async function findShared(session: Session, filter: string, attribute: string, values: string[], o: BoundedSearch): Promise<Shared> {
  const wanted = new Set(values);
  const holders = new Map<string, string[]>();
  try {
    const r = await scan(session, o.base, { filter, attributes: [attribute], cap: values.length + o.limit, paging: o.paging, timeLimit: o.timeLimit }, (e) => {
      // an entry may match through any of its values: count it under each value asked for
      for (const v of new Set(attr(e as unknown as Record<string, unknown>, attribute).map((x) => x.toLowerCase()))) {
        if (!wanted.has(v)) continue;
        const l = holders.get(v);
        if (l) l.push(e.dn);
        else holders.set(v, [e.dn]);
      }
    });
    return { groups: new Map([...holders].filter(([, dns]) => dns.length > 1)), capped: r.capped };
  } catch (e) {
    rethrowFatal(e);
    return { groups: new Map(), capped: false, error: couldNotCheck(e) };
  }
}
