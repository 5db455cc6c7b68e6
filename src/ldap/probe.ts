// The layered LDAP check: dns → tcp → tls → bind → rootDSE → users DN → search → attributes.
// Every layer is reported (with its time); the first failure stops the ladder and names the input
// to change. The bind password never leaves: messages, data and errors are scrubbed of it.
import type { Entry } from 'ldapts';
import { LdapError } from '../errors.js';
import { attributesOutcome, howMany, suggestAttributes, who, type Suggestion } from './attributes.js';
import { connectAndBind, type Session } from './connect.js';
import { AD_DISABLED, AD_DISABLED_FILTER, lacking, userFilter, usersWith, usersWithAnyOf, usersWithout } from './filter.js';
import { findProblemAccounts, findShared, type BoundedSearch, type ProblemKind } from './problems.js';
import { dataContexts, readRootDse, type RootDse } from './rootdse.js';
import { Runner } from './runner.js';
import { ContainerCounter, findCandidates, scan, type ScanResult } from './scan.js';
import type { Discovery, LayerId, LdapSettings, ProbeOptions, ProbeReport, ProblemCheck, UserPreview, UserStats, Vendor } from './types.js';
import { checkUsersDn, EXAMPLES, shownUsers, shownValues, UserAccumulator, userStats } from './users.js';
import { errorText, fail, resultCode, scrub, seconds, TimeoutError } from './util.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * The preview counts users up to this many (then says "more than N"); its cost is paid on every
 * check and must not grow with the directory. Counting further, DNs only, was measured (whole
 * `dirlink check` processes, alternating, medians): up to 1,000 adds nothing measurable on the
 * 20,000-user OpenLDAP tree (it overlaps the problem search) but about 150 ms on Samba AD (1.5×
 * the whole check: Samba serves about 0.13 ms per DN); up to 2,000 adds 0.1 to the 20,000 / 10
 * users ratio. So the count is the window: one search reads and counts.
 */
export const DEFAULT_CAP = 300;
/**
 * Users read with their attributes: the sample and the duplicates among them. Each costs ≈0.08 ms
 * here (ldapts parses every value into a string; plus garbage collection), so this window stays
 * small; problem accounts beyond it are found by targeted searches (problems.ts). Containers are
 * ranked over a larger, DN-only window (CANDIDATE_CAP), only when the users DN needs a suggestion.
 */
export const SAMPLE_WINDOW = 300;
export const CANDIDATE_CAP = 2000;

export async function probeLdap(s: LdapSettings, opts: ProbeOptions = {}): Promise<ProbeReport> {
  const ms = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cap = Math.max(1, opts.cap ?? DEFAULT_CAP);
  const window = Math.max(1, Math.min(opts.window ?? SAMPLE_WINDOW, cap));
  const candidateCap = Math.max(1, Math.min(opts.cap ?? CANDIDATE_CAP, CANDIDATE_CAP));
  const run = new Runner(ms, s.bindPassword, opts.onLayer, opts.signal);
  let discovery: Discovery | undefined;
  let users: UserStats | undefined;
  const session = await connectAndBind(s, run);
  try {
    let root: RootDse = { namingContexts: [], supportsPaging: false };
    let vendor: Vendor | undefined = s.vendor;
    await run.step('rootdse', async () => {
      try {
        root = await readRootDse(session!);
      } catch (e) {
        if (resultCode(e) === undefined) throw e; // timeouts and closed connections are failures
        vendor = s.vendor ?? 'ad';
        return { status: 'warn', code: 'ldap.rootdse.unreadable', message: `The server's rootDSE could not be read (${errorText(e)}): vendor and naming contexts unknown`, hint: 'Set the vendor explicitly (--vendor).', field: 'vendor' };
      }
      vendor = s.vendor ?? root.vendor ?? 'ad';
      discovery = { namingContexts: root.namingContexts, candidateUsersDns: [], supportsPaging: root.supportsPaging };
      if (root.vendor) discovery.vendor = root.vendor;
      if (root.vendorName) discovery.vendorName = root.vendorName;
      if (root.defaultNamingContext) discovery.defaultNamingContext = root.defaultNamingContext;
      const what = `${root.vendorName ?? 'unknown server'}${root.vendorVersion ? ` ${root.vendorVersion}` : ''}; naming contexts: ${root.namingContexts.join('; ') || 'none listed'}; paged results ${root.supportsPaging ? 'supported' : 'NOT supported'}`;
      const data = { ...root };
      if (s.vendor && root.vendor && (s.vendor === 'ad') !== (root.vendor === 'ad')) {
        return { status: 'warn', code: 'ldap.rootdse.vendor-mismatch', field: 'vendor', data, message: `The vendor is set to "${s.vendor}" but the server looks like ${root.vendorName ?? root.vendor} ("${root.vendor}")`, hint: `Use --vendor ${root.vendor}: the vendor decides the user object classes Keycloak searches for.` };
      }
      return { message: what, data };
    }, { timeout: timeoutOf('rootdse', ms) });

    const filter = userFilter(vendor);
    const acc = new UserAccumulator(s.usernameAttribute, s.emailAttribute, vendor, opts.sampleSize ?? 10);
    const attributes = UserAccumulator.attributes(s.usernameAttribute, s.emailAttribute, vendor);
    const paging = root.supportsPaging;
    // The bounded searches (problem accounts, shared values) run while the users are read, which
    // is a paged search; OpenLDAP keeps one paged search per connection and drops its cookie when
    // another paged search starts, but not for a search with a size limit. So they use a size
    // limit, except on AD: Samba ignores a client's size limit (it returned all 1,008 users for
    // sizeLimit 21) but honours the page size, and AD keeps several paged searches per connection.
    const bounded: BoundedSearch = { base: s.usersDn, attributes, limit: EXAMPLES, paging: paging && vendor === 'ad', timeLimit: serverTimeLimit(ms) };
    await run.step('users-dn', async () => {
      const r = await checkUsersDn(session!, s.usersDn, root, vendor, filter, candidateCap);
      if (r.candidates && discovery) discovery.candidateUsersDns = r.candidates;
      return r;
    }, { timeout: timeoutOf('users-dn', ms) });
    // a failed users-DN check carries the candidates in its data; keep them in the discovery too
    const udn = run.layers.find((l) => l.id === 'users-dn');
    if (discovery && udn?.status === 'fail' && Array.isArray(udn.data?.candidates)) discovery.candidateUsersDns = udn.data.candidates as Discovery['candidateUsersDns'];

    await run.step('search', async () => {
      const counter = new ContainerCounter(s.usersDn);
      let r: ScanResult;
      let found: UserStats['problems'];
      try {
        // Two searches in flight on the one connection (ldapts matches the answers by message id).
        // OpenLDAP runs one connection's searches one after the other, so the order matters: the
        // problem search, which makes the server visit every user (the one cost here that grows
        // with the directory), goes second, and the reading of the first users overlaps it.
        const windowP = scan(session!, s.usersDn, { filter, attributes, cap: window, paging }, (e) => { acc.add(e); counter.add(e.dn); });
        const problemsP = problemAccounts(session!, s, vendor, filter, bounded, (e) => acc.preview(e));
        // a count past the window (DNs only) starts when the window's paged search is done (see above)
        const countP = window >= cap ? windowP : windowP.then(() => scan(session!, s.usersDn, { filter, attributes: ['1.1'], cap, paging }, () => {}));
        const [w, c, p] = await Promise.all([windowP, countP, problemsP]);
        r = { ...c, references: Math.max(c.references, w.references) };
        found = p;
      } catch (e) {
        const rc = resultCode(e);
        if (rc === 11) fail({ code: 'ldap.search.admin-limit', message: `The server stopped the search with adminLimitExceeded (LDAP 11): ${errorText(e)}`, hint: 'The bind account hits a server look-through limit; ask the directory administrators to lift it for the service account (389-ds: nsLookThroughLimit/nsPagedLookThroughLimit -1).', field: 'bindDn' });
        if (rc === 50) fail({ code: 'ldap.search.no-access', message: `The bind account may not search "${s.usersDn}" (LDAP 50)`, hint: 'Give the service account read access to the users, or use another bind DN.', field: 'bindDn' });
        throw e;
      }
      if (discovery && discovery.candidateUsersDns.length === 0) discovery.candidateUsersDns = counter.top(5, root.namingContexts);
      if (r.count === 0) {
        users = userStats({ count: 0, capped: false, cap }, acc, found, undefined);
        const elsewhere = await findCandidates(session!, dataContexts(root)[0] ?? s.usersDn, filter, root.namingContexts, candidateCap, root.supportsPaging).catch(() => []);
        if (discovery) discovery.candidateUsersDns = elsewhere;
        const wrongVendor = s.vendor && root.vendor && s.vendor !== root.vendor;
        fail({
          code: 'ldap.search.no-users',
          message: `No users under "${s.usersDn}" match ${filter}`,
          hint: wrongVendor ? `The server looks like "${root.vendor}"; set --vendor ${root.vendor} so the right object classes are searched.` : elsewhere.length ? `Users were found under: ${elsewhere.map((c) => `${c.dn} (${c.users})`).join('; ')}` : 'Check that the users DN is the container of the user accounts and that the bind account may read them.',
          field: wrongVendor ? 'vendor' : 'usersDn',
          data: { filter, candidates: elsewhere },
        });
      }
      // Duplicates beyond the users read: the values the preview shows (sample rows, problem
      // accounts), each looked for across the users DN, all in one search per attribute.
      const shown = shownUsers(acc.sample, found);
      const emails = shownValues(shown, 'email');
      const usernames = shownValues(shown, 'username');
      const [se, su] = await Promise.all([
        emails.length ? findShared(session!, usersWithAnyOf(vendor, s.emailAttribute, emails), s.emailAttribute, emails, bounded) : { groups: new Map(), capped: false },
        usernames.length ? findShared(session!, usersWithAnyOf(vendor, s.usernameAttribute, usernames), s.usernameAttribute, usernames, bounded) : { groups: new Map(), capped: false },
      ]);
      users = userStats({ count: r.count, capped: r.capped, cap }, acc, found, { emails: se, usernames: su, searched: emails.length + usernames.length });
      const counted = r.capped ? `more than ${cap} users (stopped counting at ${cap})` : `${r.count} users`;
      const d = users.problems.disabled;
      const disabled = d && d.count ? `, ${howMany(d)} of them disabled (${who(users.disabledUsers, d.count, d.capped)})` : '';
      const data = { filter, count: r.count, capped: r.capped, cap, window: users.window, references: r.references, disabled: users.disabled, paged: root.supportsPaging };
      const gcPort = [3268, 3269].includes(session!.target.port);
      if (r.references > 0 && udn?.code !== 'ldap.users-dn.domain-root' && !gcPort) {
        return { status: 'warn', code: 'ldap.search.referrals', field: 'usersDn', data, message: `Found ${counted}${disabled}; the search also returned ${r.references} referral(s), which Keycloak may fail on`, hint: 'Use a users DN deeper in the tree (an OU), or the AD Global Catalog port 3268.' };
      }
      return { message: `Found ${counted} with ${filter}${disabled}`, data };
    }, { timeout: timeoutOf('search', ms) });

    await run.step('attributes', async () => {
      const u = users!;
      const w = acc.windowStats;
      // Every user read lacks the attribute: one search for a user who has it tells "the wrong
      // attribute" (a failure) from "the first users happen to lack it" (a warning).
      const nobody = async (attribute: string, lacking: number) => {
        if (w.read === 0 || lacking < w.read) return false;
        if (!u.capped && w.read >= u.count) return true; // the users read are all the users
        try {
          return (await scan(session!, s.usersDn, { filter: usersWith(vendor, attribute), attributes: ['1.1'], cap: 1, paging: root.supportsPaging, timeLimit: serverTimeLimit(ms) }, () => {})).count === 0;
        } catch (e) {
          if (e instanceof TimeoutError) throw e;
          return true; // the server would not say: the users read are all there is to go by
        }
      };
      const none = { username: await nobody(s.usernameAttribute, w.withoutUsername), email: await nobody(s.emailAttribute, w.withoutEmail) };
      // another attribute is worth suggesting when many users lack the one given, not for a few
      const many = (lacking: number) => lacking > 0 && lacking >= w.read / 5;
      let sug: Suggestion | undefined;
      if (many(w.withoutUsername) || many(w.withoutEmail) || none.username || none.email) sug = await suggestAttributes(session!, s.usersDn, filter, vendor).catch(() => undefined);
      if (discovery) {
        const su = w.withoutUsername === 0 || !sug ? s.usernameAttribute : sug.username;
        const se = w.withoutEmail === 0 || !sug ? s.emailAttribute : sug.email;
        if (su) discovery.suggestedUsernameAttribute = su;
        if (se) discovery.suggestedEmailAttribute = se;
      }
      return attributesOutcome(u, s.usernameAttribute, s.emailAttribute, sug, none);
    }, { timeout: timeoutOf('attributes', ms) });
  } finally {
    await session?.close();
  }
  const report: ProbeReport = { ok: !run.failed, layers: run.layers, users, warnings: run.warnings };
  if (discovery) report.discovery = discovery;
  return scrub(report, s.bindPassword);
}

/**
 * The targeted searches for problem accounts (problems.ts): no email, no username, and on AD
 * disabled. Never rejects but for a timeout or Ctrl-C: a refusal is each check's `error`.
 */
async function problemAccounts(session: Session, s: LdapSettings, vendor: Vendor | undefined, filter: string, o: BoundedSearch, toPreview: (e: Entry) => UserPreview): Promise<UserStats['problems']> {
  const kinds: Record<string, ProblemKind> = {};
  try {
    kinds.withoutEmail = { condition: lacking(s.emailAttribute), filter: usersWithout(vendor, s.emailAttribute), is: (u) => u.email === undefined };
    kinds.withoutUsername = { condition: lacking(s.usernameAttribute), filter: usersWithout(vendor, s.usernameAttribute), is: (u) => u.username === undefined };
  } catch (e) {
    // an attribute name no filter can hold (input validation refuses it before this)
    const refused = (): ProblemCheck => ({ filter, scope: 'window', count: 0, capped: false, limit: o.limit, users: [], error: errorText(e) });
    return { withoutEmail: refused(), withoutUsername: refused() };
  }
  if (vendor === 'ad') kinds.disabled = { condition: AD_DISABLED, filter: AD_DISABLED_FILTER, is: (u) => u.disabled === true };
  const found = await findProblemAccounts(session, filter, kinds, o, toPreview);
  const out: UserStats['problems'] = { withoutEmail: found.withoutEmail!, withoutUsername: found.withoutUsername! };
  if (found.disabled) out.disabled = found.disabled;
  return out;
}

/** The server's time limit for the extra searches (whole seconds): half the client's, so a slow filter is refused before the connection is torn down. */
const serverTimeLimit = (ms: number) => Math.max(1, Math.floor(ms / 2000));

function timeoutOf(id: LayerId, ms: number) {
  const what = id === 'search' ? 'one page of the user search' : id === 'rootdse' ? 'the rootDSE read' : id === 'users-dn' ? 'the users DN lookup' : 'the attribute check';
  return {
    message: `The server did not answer ${what} within ${seconds(ms)}`,
    hint: id === 'search' ? 'The directory is slow or the users DN is very large: narrow the users DN to the OU that holds the users, or raise the timeout (--ldap-timeout).' : 'The server is overloaded or the connection stalled; retry, or raise the timeout (--ldap-timeout).',
    field: (id === 'search' ? 'usersDn' : 'ldapUrl') as 'usersDn' | 'ldapUrl',
  };
}

/** The first failing layer as an LdapError (exit 3), with its message, hint and input to change. */
export function ldapErrorFromReport(r: ProbeReport): LdapError | undefined {
  const l = r.layers.find((x) => x.status === 'fail');
  if (!l) return undefined;
  const details: { hint?: string; field?: string; data?: Record<string, unknown> } = { data: { layer: l.id, ...(l.data ?? {}) } };
  if (l.hint) details.hint = l.hint;
  if (l.field) details.field = l.field;
  return new LdapError(l.code ?? `ldap.${l.id}.failed`, l.message, details);
}

export type { Session };
