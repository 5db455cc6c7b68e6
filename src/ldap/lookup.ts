// One user's entry, read with the service account, so `verify` can say what the mappers should put
// into the token: the values of the username and email mappers' LDAP attributes. Same connection
// layers (and the same LdapError on failure) as the directory check.
import { LdapError } from '../errors.js';
import { connectAndBind } from './connect.js';
import { escapeFilterValue, userFilter } from './filter.js';
import { DEFAULT_TIMEOUT_MS, ldapErrorFromReport } from './probe.js';
import { attr } from './rootdse.js';
import { Runner } from './runner.js';
import type { LdapSettings } from './types.js';
import { errorText, redact } from './util.js';

export interface DirectoryUser {
  dn: string;
  /** attribute name as asked → first value (undefined when the entry lacks it) */
  values: Record<string, string | undefined>;
}

const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9-]*$|^\d+(\.\d+)+$/;

/**
 * The entry a login name resolves to, as Keycloak resolves it: by the username attribute, and for a
 * name with "@" also by the email attribute (loginWithEmailAllowed, on by default).
 */
export async function lookupUser(
  s: LdapSettings,
  name: string,
  attributes: { username: string; email: string },
  opts: { signal?: AbortSignal } = {},
): Promise<DirectoryUser | undefined> {
  for (const a of Object.values(attributes)) if (!ATTRIBUTE.test(a)) throw new LdapError('ldap.attribute.invalid', `"${a}" is not an LDAP attribute name`, { field: 'usernameAttribute' });
  const run = new Runner(s.timeoutMs ?? DEFAULT_TIMEOUT_MS, s.bindPassword, undefined, opts.signal);
  const session = await connectAndBind(s, run);
  if (!session) throw ldapErrorFromReport({ ok: false, layers: run.layers, users: undefined, warnings: run.warnings }) ?? new LdapError('ldap.connect.failed', 'LDAP connection failed');
  try {
    const v = escapeFilterValue(name);
    const by = [`(${attributes.username}=${v})`, ...(name.includes('@') ? [`(${attributes.email}=${v})`] : [])];
    const filter = `(&${userFilter(s.vendor)}${by.length === 1 ? by[0] : `(|${by.join('')})`})`;
    const { searchEntries } = await session.op(
      session.client.search(s.usersDn, { scope: 'sub', filter, attributes: [attributes.username, attributes.email], sizeLimit: 2 }),
    );
    const e = searchEntries[0];
    if (!e) return undefined;
    return { dn: e.dn, values: { [attributes.username]: attr(e, attributes.username)[0], [attributes.email]: attr(e, attributes.email)[0] } };
  } catch (e) {
    if (e instanceof LdapError) throw e;
    throw new LdapError('ldap.lookup.failed', `Looking "${name}" up under ${s.usersDn} failed: ${redact(errorText(e), s.bindPassword)}`, { field: 'usersDn', hint: 'check --users-dn and that the bind account may read the users' });
  } finally {
    await session.close();
  }
}
