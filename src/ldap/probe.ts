// The layered LDAP check: dns → tcp → tls → bind → rootDSE → users DN → search → attributes.
// Every layer is reported (with its time); the first failure stops the ladder and names the input
// to change. The bind password never leaves: messages, data and errors are scrubbed of it.
import { LdapError } from '../errors.js';
import { attributesOutcome, suggestAttributes, who, type Suggestion } from './attributes.js';
import { connectAndBind, type Session } from './connect.js';
import { userFilter } from './filter.js';
import { dataContexts, readRootDse, type RootDse } from './rootdse.js';
import { Runner } from './runner.js';
import { ContainerCounter, findCandidates, scan } from './scan.js';
import type { Discovery, LayerId, LdapSettings, ProbeOptions, ProbeReport, UserStats, Vendor } from './types.js';
import { checkUsersDn, UserAccumulator } from './users.js';
import { errorText, fail, resultCode, scrub, seconds } from './util.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * The preview reads at most this many users (then says "more than N"): its cost is paid on every
 * check and must not grow with the directory. Each user read costs ≈0.08 ms here (ldapts parses
 * every value into a string; plus garbage collection), so 1,000 users made a check 1.3× slower
 * than one of a 10-user tree (BENCHMARKS.md). Containers are ranked over a larger, DN-only window
 * (CANDIDATE_CAP), only when the users DN needs a suggestion.
 */
export const DEFAULT_CAP = 300;
export const CANDIDATE_CAP = 2000;

export async function probeLdap(s: LdapSettings, opts: ProbeOptions = {}): Promise<ProbeReport> {
  const ms = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cap = Math.max(1, opts.cap ?? DEFAULT_CAP);
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
    await run.step('users-dn', async () => {
      const r = await checkUsersDn(session!, s.usersDn, root, vendor, filter, candidateCap);
      if (r.candidates && discovery) discovery.candidateUsersDns = r.candidates;
      return r;
    }, { timeout: timeoutOf('users-dn', ms) });
    // a failed users-DN check carries the candidates in its data; keep them in the discovery too
    const udn = run.layers.find((l) => l.id === 'users-dn');
    if (discovery && udn?.status === 'fail' && Array.isArray(udn.data?.candidates)) discovery.candidateUsersDns = udn.data.candidates as Discovery['candidateUsersDns'];

    const acc = new UserAccumulator(s.usernameAttribute, s.emailAttribute, vendor, opts.sampleSize ?? 10);
    await run.step('search', async () => {
      const counter = new ContainerCounter(s.usersDn);
      const attributes = UserAccumulator.attributes(s.usernameAttribute, s.emailAttribute, vendor);
      let r;
      try {
        r = await scan(session!, s.usersDn, { filter, attributes, cap, paging: root.supportsPaging }, (e) => { acc.add(e); counter.add(e.dn); });
      } catch (e) {
        const rc = resultCode(e);
        if (rc === 11) fail({ code: 'ldap.search.admin-limit', message: `The server stopped the search with adminLimitExceeded (LDAP 11): ${errorText(e)}`, hint: 'The bind account hits a server look-through limit; ask the directory administrators to lift it for the service account (389-ds: nsLookThroughLimit/nsPagedLookThroughLimit -1).', field: 'bindDn' });
        if (rc === 50) fail({ code: 'ldap.search.no-access', message: `The bind account may not search "${s.usersDn}" (LDAP 50)`, hint: 'Give the service account read access to the users, or use another bind DN.', field: 'bindDn' });
        throw e;
      }
      users = acc.result(r.count, r.capped, cap);
      if (discovery && discovery.candidateUsersDns.length === 0) discovery.candidateUsersDns = counter.top(5, root.namingContexts);
      if (r.count === 0) {
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
      const counted = r.capped ? `more than ${cap} users (stopped counting at ${cap})` : `${r.count} users`;
      const disabled = users.disabled ? `, ${users.disabled} of them disabled (${who(users.disabledUsers, users.disabled)})` : '';
      const data = { filter, count: r.count, capped: r.capped, cap, references: r.references, disabled: users.disabled, paged: root.supportsPaging };
      const gcPort = [3268, 3269].includes(session!.target.port);
      if (r.references > 0 && udn?.code !== 'ldap.users-dn.domain-root' && !gcPort) {
        return { status: 'warn', code: 'ldap.search.referrals', field: 'usersDn', data, message: `Found ${counted}${disabled}; the search also returned ${r.references} referral(s), which Keycloak may fail on`, hint: 'Use a users DN deeper in the tree (an OU), or the AD Global Catalog port 3268.' };
      }
      return { message: `Found ${counted} with ${filter}${disabled}`, data };
    }, { timeout: timeoutOf('search', ms) });

    await run.step('attributes', async () => {
      const u = users!;
      let sug: Suggestion | undefined;
      if (u.withoutUsername > 0 || u.withoutEmail > 0) sug = await suggestAttributes(session!, s.usersDn, filter, vendor).catch(() => undefined);
      if (discovery) {
        const su = u.withoutUsername === 0 ? s.usernameAttribute : sug?.username;
        const se = u.withoutEmail === 0 ? s.emailAttribute : sug?.email;
        if (su) discovery.suggestedUsernameAttribute = su;
        if (se) discovery.suggestedEmailAttribute = se;
      }
      return attributesOutcome(u, s.usernameAttribute, s.emailAttribute, sug);
    }, { timeout: timeoutOf('attributes', ms) });
  } finally {
    await session?.close();
  }
  const report: ProbeReport = { ok: !run.failed, layers: run.layers, users, warnings: run.warnings };
  if (discovery) report.discovery = discovery;
  return scrub(report, s.bindPassword);
}

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
