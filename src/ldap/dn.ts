// Just enough DN handling for "nearest existing parent" and "which OUs hold the users":
// split into RDNs honouring RFC 4514 escapes (`\,`, `\2C`) and quoted values, compare case-insensitively.

/** Splits a DN into its RDN strings (leftmost first), keeping each RDN's original text. */
export function splitDn(dn: string): string[] {
  const rdns: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i]!;
    if (ch === '\\' && i + 1 < dn.length) {
      cur += ch + dn[i + 1];
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      cur += ch;
    } else if ((ch === ',' || ch === ';') && !quoted) {
      rdns.push(cur.trim());
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur.trim() !== '' || rdns.length > 0) rdns.push(cur.trim());
  return rdns.filter((r) => r !== '');
}

export function joinDn(rdns: string[]): string {
  return rdns.join(',');
}

/** Parent DN, or undefined at the top. */
export function parentDn(dn: string): string | undefined {
  const r = splitDn(dn);
  return r.length > 1 ? joinDn(r.slice(1)) : undefined;
}

/** One RDN's comparison key: trimmed around `=` and lower-cased. */
export function normalizeRdn(rdn: string): string {
  return rdn.split('+').map((ava) => ava.replace(/\s*=\s*/, '=').trim()).join('+').toLowerCase();
}

/** A comparison key: RDNs trimmed around `=` and lower-cased (attribute names and values are case-insensitive in practice). */
export function normalizeDn(dn: string): string {
  return splitDn(dn).map(normalizeRdn).join(',');
}

export function sameDn(a: string, b: string): boolean {
  return normalizeDn(a) === normalizeDn(b);
}

/** True when `dn` is `base` or below it. */
export function isUnder(dn: string, base: string): boolean {
  const d = normalizeDn(dn);
  const b = normalizeDn(base);
  return b === '' || d === b || d.endsWith(',' + b);
}

/** A loose syntax check: every RDN is `attr=value`. Catches "example.com" or "people" typed as a DN. */
export function looksLikeDn(dn: string): boolean {
  const r = splitDn(dn);
  return r.length > 0 && r.every((rdn) => /^[A-Za-z][A-Za-z0-9-]*\s*=|^\d+(\.\d+)+\s*=/.test(rdn));
}
