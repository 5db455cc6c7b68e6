// Layer 6 (users DN exists) and the per-user accumulator of layer 7. The accumulator keeps
// counters, a small sample and the two maps needed to find duplicates; never the entries.
import type { Entry } from 'ldapts';
import { rdnAttribute } from '../keycloak/federation.js';
import type { Session } from './connect.js';
import { isUnder, looksLikeDn, parentDn, sameDn } from './dn.js';
import { attr, dataContexts, type RootDse } from './rootdse.js';
import type { Outcome } from './runner.js';
import { findCandidates } from './scan.js';
import type { UserPreview, UserRef, UserStats, Vendor } from './types.js';
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

/** How many users each "who is affected" list of the preview names (the counts are exact). */
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

/** Accumulates what the preview needs from each user entry. */
export class UserAccumulator {
  private withoutEmail = 0;
  private withoutUsername = 0;
  private disabled = 0;
  private readonly emails = new Map<string, string[]>();
  private readonly usernames = new Map<string, string[]>();
  private readonly withoutEmailUsers: UserRef[] = [];
  private readonly disabledUsers: UserRef[] = [];
  private readonly rdn: string;
  readonly sample: UserPreview[] = [];

  constructor(private readonly usernameAttribute: string, private readonly emailAttribute: string, private readonly vendor: Vendor | undefined, private readonly sampleSize: number) {
    this.rdn = rdnAttribute({ vendor: vendor ?? 'ad', usernameAttribute });
  }

  /** Only what add() reads: each attribute asked for costs parsing on every user scanned. */
  static attributes(usernameAttribute: string, emailAttribute: string, vendor: Vendor | undefined): string[] {
    // keycloakNames reads givenName only for an RDN and a username that are both cn, cn otherwise
    const cnRdn = rdnAttribute({ vendor: vendor ?? 'ad', usernameAttribute }).toLowerCase() === 'cn';
    const a = [usernameAttribute, emailAttribute, cnRdn && usernameAttribute.toLowerCase() === 'cn' ? 'givenName' : 'cn', 'sn'];
    if (vendor === 'ad') a.push('userAccountControl');
    return [...new Set(a)];
  }

  add(e: Entry): void {
    const rec = e as unknown as Rec;
    // Keycloak stores usernames and emails lower-cased, so that is what collides.
    const username = attr(rec, this.usernameAttribute)[0]?.toLowerCase();
    const email = attr(rec, this.emailAttribute)[0]?.toLowerCase();
    const ref: UserRef = username ? { dn: e.dn, username } : { dn: e.dn };
    if (username === undefined || username === '') this.withoutUsername++;
    else push(this.usernames, username, e.dn);
    if (email === undefined || email === '') {
      this.withoutEmail++;
      if (this.withoutEmailUsers.length < EXAMPLES) this.withoutEmailUsers.push(ref);
    } else push(this.emails, email, e.dn);
    // AD: userAccountControl bit 2 (ACCOUNTDISABLE); Keycloak's MSAD mapper shows such users disabled
    const uac = Number(attr(rec, 'userAccountControl')[0]);
    const isDisabled = this.vendor === 'ad' && Number.isFinite(uac) && (uac & 2) === 2;
    if (isDisabled) {
      this.disabled++;
      if (this.disabledUsers.length < EXAMPLES) this.disabledUsers.push(ref);
    }
    if (this.sample.length < this.sampleSize) {
      const p: UserPreview = { dn: e.dn };
      if (username) p.username = username;
      if (email) p.email = email;
      Object.assign(p, keycloakNames(rec, this.rdn, this.usernameAttribute));
      if (this.vendor === 'ad') p.disabled = isDisabled;
      this.sample.push(p);
    }
  }

  result(count: number, capped: boolean, cap: number): UserStats {
    const dups = (m: Map<string, string[]>) => [...m].filter(([, dns]) => dns.length > 1).slice(0, 100);
    return {
      count, capped, cap,
      withoutEmail: this.withoutEmail,
      withoutUsername: this.withoutUsername,
      duplicateEmails: dups(this.emails).map(([email, dns]) => ({ email, dns })),
      duplicateUsernames: dups(this.usernames).map(([username, dns]) => ({ username, dns })),
      disabled: this.disabled,
      withoutEmailUsers: this.withoutEmailUsers,
      disabledUsers: this.disabledUsers,
      sample: this.sample,
    };
  }
}

function push(m: Map<string, string[]>, key: string, dn: string): void {
  const l = m.get(key);
  if (l) l.push(dn);
  else m.set(key, [dn]);
}
