// Search filters. Values that come from people (a username typed into the wizard, a login name
// read back from the directory) go through escapeFilterValue before they land in a filter.
import type { Vendor } from './types.js';

/**
 * RFC 4515 §3: in an assertion value, `*`, `(`, `)`, `\` and NUL must be written as `\XX`.
 * Everything else (UTF-8 included) may appear as-is, which keeps filters readable in logs.
 */
export function escapeFilterValue(v: string): string {
  let out = '';
  for (const ch of v) {
    switch (ch) {
      case '*': out += '\\2a'; break;
      case '(': out += '\\28'; break;
      case ')': out += '\\29'; break;
      case '\\': out += '\\5c'; break;
      case '\0': out += '\\00'; break;
      default: out += ch;
    }
  }
  return out;
}

/** AD: people that are user objects (computers are objectClass=user too, but not objectCategory=person). */
export const AD_USER_FILTER = '(&(objectCategory=person)(objectClass=user))';
export const OTHER_USER_FILTER = '(|(objectClass=inetOrgPerson)(objectClass=person))';

export function userFilter(vendor: Vendor | undefined): string {
  return vendor === 'ad' ? AD_USER_FILTER : OTHER_USER_FILTER;
}

/**
 * `(&<users>(<attr>=<value>))` with the value escaped: used to look one user up by login name.
 * A NUL is refused, not escaped: Active Directory (Samba too) ends the value at an escaped \00, so
 * "alice\0anything" would find alice; no login name contains one (input validation refuses it).
 */
export function userByAttributeFilter(vendor: Vendor | undefined, attribute: string, value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*$|^\d+(\.\d+)+$/.test(attribute)) throw new Error(`not an attribute name: ${attribute}`);
  if (value.includes('\0')) throw new Error('a login name cannot contain a NUL character');
  return `(&${userFilter(vendor)}(${attribute}=${escapeFilterValue(value)}))`;
}
