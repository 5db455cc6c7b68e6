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
  if (value.includes('\0')) throw new Error('a login name cannot contain a NUL character');
  return `(&${userFilter(vendor)}(${attributeName(attribute)}=${escapeFilterValue(value)}))`;
}

/** An attribute name (descriptor or OID) fit to be written into a filter; anything else is refused. */
function attributeName(attribute: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*$|^\d+(\.\d+)+$/.test(attribute)) throw new Error(`not an attribute name: ${attribute}`);
  return attribute;
}

/** The condition "lacks `attribute` altogether": `(!(<attr>=*))`. */
export function lacking(attribute: string): string {
  return `(!(${attributeName(attribute)}=*))`;
}

/** Users that lack `attribute` altogether: `(&<users>(!(<attr>=*)))`. */
export function usersWithout(vendor: Vendor | undefined, attribute: string): string {
  return `(&${userFilter(vendor)}${lacking(attribute)})`;
}

/** Users that carry `attribute`: one such entry is enough to tell "some lack it" from "nobody has it". */
export function usersWith(vendor: Vendor | undefined, attribute: string): string {
  return `(&${userFilter(vendor)}(${attributeName(attribute)}=*))`;
}

/**
 * AD accounts with ACCOUNTDISABLE (userAccountControl bit 2), by the bitwise-AND matching rule
 * LDAP_MATCHING_RULE_BIT_AND: the server tests the bit, so only disabled accounts come back.
 */
export const AD_DISABLED = '(userAccountControl:1.2.840.113556.1.4.803:=2)';
export const AD_DISABLED_FILTER = `(&${AD_USER_FILTER}${AD_DISABLED})`;

/**
 * Users holding any of `values` in `attribute` (one search for every value of the preview, not
 * one each). Values with a NUL are left out: AD ends an escaped \00 value early (see above).
 */
export function usersWithAnyOf(vendor: Vendor | undefined, attribute: string, values: string[]): string {
  const name = attributeName(attribute);
  const terms = values.filter((v) => !v.includes('\0')).map((v) => `(${name}=${escapeFilterValue(v)})`);
  return `(&${userFilter(vendor)}(|${terms.join('')}))`;
}
