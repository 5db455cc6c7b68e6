// Wizard defaults before the users DN is known: who the server is, where users live, which
// attributes they carry. Runs the connection layers of the probe and throws the same LdapError.
import { LdapError, isDirlinkError } from '../errors.js';
import { suggestAttributes } from './attributes.js';
import { connectAndBind, type ConnSettings } from './connect.js';
import { userFilter } from './filter.js';
import { ldapErrorFromReport, DEFAULT_TIMEOUT_MS } from './probe.js';
import { dataContexts, readRootDse } from './rootdse.js';
import { Runner } from './runner.js';
import { findCandidates } from './scan.js';
import type { Discovery } from './types.js';
import { TimeoutError, errorText, redact, seconds } from './util.js';

/** How many users the candidate scan looks at: enough to rank containers, cheap on any directory. */
const SCAN_CAP = 2000;

export async function discover(partial: ConnSettings, opts: { signal?: AbortSignal } = {}): Promise<Discovery> {
  const run = new Runner(partial.timeoutMs ?? DEFAULT_TIMEOUT_MS, partial.bindPassword, undefined, opts.signal);
  const session = await connectAndBind(partial, run);
  if (!session) throw ldapErrorFromReport({ ok: false, layers: run.layers, users: undefined, warnings: run.warnings }) ?? new LdapError('ldap.connect.failed', 'LDAP connection failed');
  try {
    const root = await readRootDse(session);
    const vendor = root.vendor ?? 'ad';
    const filter = userFilter(vendor);
    const d: Discovery = { namingContexts: root.namingContexts, candidateUsersDns: [], supportsPaging: root.supportsPaging, vendor };
    if (root.vendorName) d.vendorName = root.vendorName;
    if (root.defaultNamingContext) d.defaultNamingContext = root.defaultNamingContext;
    for (const base of dataContexts(root)) {
      // A server may hold several suffixes of which the bind account can read only some (per-suffix
      // access rules answer noSuchObject or insufficientAccessRights): skip those, keep the rest.
      try {
        d.candidateUsersDns.push(...(await findCandidates(session, base, filter, root.namingContexts, SCAN_CAP, root.supportsPaging)));
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (code !== 32 && code !== 50) throw e;
      }
    }
    d.candidateUsersDns = d.candidateUsersDns.sort((a, b) => b.users - a.users).slice(0, 5);
    const best = d.candidateUsersDns[0]?.dn ?? dataContexts(root)[0];
    if (best) {
      const s = await suggestAttributes(session, best, filter, vendor);
      if (s.username) d.suggestedUsernameAttribute = s.username;
      if (s.email) d.suggestedEmailAttribute = s.email;
    }
    return d;
  } catch (e) {
    // cancellation (Ctrl-C, exit 130) and our own errors pass through unchanged
    if (isDirlinkError(e)) throw e;
    if (e instanceof TimeoutError) {
      // the bind worked, so the URL and credentials are right: the server went silent afterwards
      throw new LdapError('ldap.discover.timeout', `The server accepted the bind but did not answer a directory read within ${seconds(e.ms)}`, { hint: 'The server is overloaded or the connection stalled; retry, or raise the timeout (--ldap-timeout).', field: 'ldapUrl', data: { timeoutMs: e.ms } });
    }
    throw new LdapError('ldap.discover.failed', `Reading the directory failed: ${redact(errorText(e), partial.bindPassword)}`, { hint: 'Check that the bind account may read the rootDSE and the directory.', field: 'bindDn' });
  } finally {
    await session.close();
  }
}
