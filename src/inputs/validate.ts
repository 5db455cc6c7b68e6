// Validation where an input enters: each validator either returns the normalised value or a
// reason a person can act on. Prompts re-ask with the reason; flags/env/config end with exit 2.
import { accessSync, constants, statSync } from 'node:fs';
import type { Vendor } from '../ldap/types.js';

export type Verdict = { ok: true; value: string } | { ok: false; reason: string };
export type Validator = (raw: string) => Verdict;

const ok = (value: string): Verdict => ({ ok: true, value });
const bad = (reason: string): Verdict => ({ ok: false, reason });

// RFC 4512 descr or numericoid; AD attribute names follow the same shape.
const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]{0,127}|\d+(?:\.\d+)+)$/;
const VENDORS: readonly Vendor[] = ['ad', 'other', 'rhds', 'tivoli', 'edirectory'];

/** Parses an RFC 4514 DN just far enough to reject what no server would accept. */
export function checkDn(raw: string): string | undefined {
  const s = raw.trim();
  if (s === '') return 'is empty';
  let i = 0;
  let rdns = 0;
  while (i < s.length) {
    // one attributeTypeAndValue (possibly several joined with '+')
    for (;;) {
      while (s[i] === ' ') i++;
      const typeStart = i;
      while (i < s.length && s[i] !== '=' && s[i] !== ',' && s[i] !== '+') i++;
      const type = s.slice(typeStart, i).trim();
      if (s[i] !== '=') return `"${s.slice(typeStart, i) || s}" has no "=" (expected attribute=value, e.g. OU=Users)`;
      if (!ATTRIBUTE.test(type)) return `"${type}" is not an attribute name`;
      i++; // '='
      while (s[i] === ' ') i++;
      if (s[i] === '#') {
        i++;
        const hexStart = i;
        while (i < s.length && /[0-9a-fA-F]/.test(s[i]!)) i++;
        if ((i - hexStart) % 2 !== 0 || i === hexStart) return `the hex value after ${type}=# is malformed`;
      } else {
        let sawValue = false;
        while (i < s.length && s[i] !== ',' && s[i] !== '+' && s[i] !== ';') {
          const c = s[i]!;
          if (c === '\\') {
            const next = s[i + 1];
            if (next === undefined) return 'ends with a lone backslash';
            if (/[0-9a-fA-F]/.test(next)) {
              if (!/[0-9a-fA-F]/.test(s[i + 2] ?? '')) return `"\\${next}" is not a valid escape (use \\XX hex or \\ before , + " \\ < > ; =)`;
              i += 3;
            } else if (' "#+,;<=>\\'.includes(next)) i += 2;
            else return `"\\${next}" is not a valid escape`;
          } else if (c === '"' || c === '<' || c === '>' || c === '=') {
            return `the value of ${type} contains an unescaped "${c}"`;
          } else {
            i++;
          }
          sawValue = true;
        }
        if (!sawValue) return `${type}= has an empty value`;
      }
      if (s[i] === '+') {
        i++;
        continue;
      }
      break;
    }
    rdns++;
    if (i >= s.length) break;
    if (s[i] !== ',' && s[i] !== ';') return `unexpected "${s[i]}"`;
    i++;
    if (i >= s.length || s.slice(i).trim() === '') return 'ends with a separator';
  }
  return rdns > 0 ? undefined : 'is empty';
}

function hostOk(host: string): boolean {
  if (host.startsWith('[') && host.endsWith(']')) return /^[0-9a-fA-F:.]+$/.test(host.slice(1, -1));
  return /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/.test(host);
}

function portOk(port: string): boolean {
  return /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535;
}

export const validators = {
  nonEmpty(raw: string): Verdict {
    const v = raw.trim();
    if (v === '') return bad('must not be empty');
    if (/[\u0000-\u001f\u007f]/.test(v)) return bad('contains control characters');
    return ok(v);
  },

  ldapUrl(raw: string): Verdict {
    let v = raw.trim();
    if (v === '') return bad('must not be empty');
    if (/\s/.test(v)) return bad('must be one URL without spaces (e.g. ldaps://dc1.corp.example:636)');
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
      // design.md: a bare host or host:port means ldap://
      v = `ldap://${v}`;
    }
    const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:?#]*)(?::([^/?#]*))?(\/?)(.*)$/i.exec(v);
    if (!m) return bad('is not a URL (expected ldap://host:389 or ldaps://host:636)');
    const scheme = m[1]!.toLowerCase();
    const host = m[2]!;
    const port = m[3];
    if (scheme !== 'ldap' && scheme !== 'ldaps') return bad(`scheme "${scheme}" is not supported: use ldap:// or ldaps://`);
    if (!hostOk(host)) return bad(`"${host}" is not a valid host name or address`);
    if (port !== undefined && !portOk(port)) return bad(`port "${port}" must be a number from 1 to 65535`);
    if (m[5] !== '') return bad('must not carry a DN, query or fragment (put the users DN in --users-dn)');
    const p = port ?? (scheme === 'ldaps' ? '636' : '389');
    return ok(`${scheme}://${host.toLowerCase()}:${p}`);
  },

  httpUrl(raw: string): Verdict {
    const v = raw.trim();
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return bad('is not a URL (expected https://keycloak.example.com)');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return bad(`scheme "${u.protocol.replace(':', '')}" is not supported: use https:// (or http://)`);
    if (!hostOk(u.hostname) && !hostOk(`[${u.hostname}]`)) return bad(`"${u.hostname}" is not a valid host name`);
    if (u.username || u.password) return bad('must not contain credentials: use --keycloak-user and a password file or environment variable');
    if (u.search || u.hash) return bad('must not contain a query or fragment');
    if (/\/admin(\/|$)|\/realms(\/|$)/.test(u.pathname)) return bad('must be the base URL of Keycloak, without /admin or /realms/...');
    return ok(`${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`);
  },

  /** A SCIM base URL as Entra's Tenant URL takes it: /Users, /Schemas… are appended to it. */
  scimUrl(raw: string): Verdict {
    const v = raw.trim();
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return bad('is not a URL (expected https://app.example.com/scim/v2)');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return bad(`scheme "${u.protocol.replace(':', '')}" is not supported: use https:// (or http://)`);
    if (!hostOk(u.hostname) && !hostOk(`[${u.hostname}]`)) return bad(`"${u.hostname}" is not a valid host name`);
    if (u.username || u.password) return bad('must not contain credentials: give the token with --scim-token-file, --scim-token-stdin or DIRLINK_SCIM_TOKEN');
    if (u.search || u.hash) return bad('must not contain a query or fragment (Entra appends /Users?filter=… itself)');
    if (/\/Users\/?$/i.test(u.pathname)) return bad('must be the base URL, without /Users (Entra appends /Users itself)');
    return ok(`${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`);
  },

  /** A DNS domain for the right-hand side of a UPN (user@domain). */
  domain(raw: string): Verdict {
    const v = raw.trim().toLowerCase().replace(/^@/, '');
    return /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/.test(v)
      ? ok(v)
      : bad('is not a domain name (e.g. corp.example.com)');
  },

  dn(raw: string): Verdict {
    const reason = checkDn(raw);
    return reason ? bad(`is not a valid DN: ${reason}`) : ok(raw.trim());
  },

  /** AD accepts user@domain and DOMAIN\user too; other servers need a DN. */
  bindDn(raw: string): Verdict {
    const v = raw.trim();
    if (/^[^\s@=,\\]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+$/.test(v)) return ok(v);
    if (/^[A-Za-z0-9._-]+\\[^\s\\=,]+$/.test(v)) return ok(v);
    const reason = checkDn(v);
    return reason ? bad(`is not a valid DN (nor user@domain): ${reason}`) : ok(v);
  },

  attribute(raw: string): Verdict {
    const v = raw.trim();
    return ATTRIBUTE.test(v) ? ok(v) : bad('is not an LDAP attribute name (letters, digits and "-", starting with a letter, e.g. sAMAccountName)');
  },

  vendor(raw: string): Verdict {
    const v = raw.trim().toLowerCase();
    return (VENDORS as readonly string[]).includes(v) ? ok(v) : bad(`must be one of ${VENDORS.join(', ')}`);
  },

  realm(raw: string): Verdict {
    const v = raw.trim();
    if (v === '') return bad('must not be empty');
    if (v.length > 255) return bad('is longer than 255 characters');
    if (/[/\\?#%\s\u0000-\u001f]/.test(v)) return bad('must not contain "/", "\\", "?", "#", "%" or spaces');
    return ok(v);
  },

  k8sName(raw: string): Verdict {
    const v = raw.trim();
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) || v.length > 253) {
      return bad('must be a Kubernetes name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit');
    }
    return ok(v);
  },

  duration(raw: string): Verdict {
    const ms = parseDuration(raw);
    return ms === undefined ? bad('is not a duration (e.g. 30s, 5m, 1h; a plain number means seconds)') : ok(raw.trim());
  },

  /** the Run:AI CLI's auth-flow values for a self-hosted (Keycloak) control plane */
  authFlow(raw: string): Verdict {
    const v = raw.trim().toLowerCase();
    return v === 'remote-browser' || v === 'cli' ? ok(v) : bad('must be remote-browser or cli');
  },

  /** an absolute https:// (or http://) URL, kept as typed apart from surrounding spaces */
  redirectUri(raw: string): Verdict {
    const v = raw.trim();
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return bad('is not a URL (expected https://runai.example.com/oauth-code)');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return bad(`scheme "${u.protocol.replace(':', '')}" is not supported: use https://`);
    if (u.username || u.password || u.hash) return bad('must not contain credentials or a fragment');
    return ok(v);
  },

  readableFile(raw: string): Verdict {
    const v = raw.trim();
    if (v === '') return bad('must not be empty');
    try {
      if (!statSync(v).isFile()) return bad(`${v} is not a file`);
      accessSync(v, constants.R_OK);
    } catch (e) {
      return bad(`cannot read ${v} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return ok(v);
  },
};

/** "90s" → 90000; "5m"; "1h30m"; "250ms"; "12" (seconds). Upper bound 24 h: anything longer is a typo. */
export function parseDuration(raw: string): number | undefined {
  const v = raw.trim();
  if (/^\d+(\.\d+)?$/.test(v)) {
    const ms = Number(v) * 1000;
    return ms > 0 && ms <= 86_400_000 ? ms : undefined;
  }
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(v)) !== null) {
    const n = Number(m[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    matched = re.lastIndex;
  }
  if (matched !== v.length || v === '' || total <= 0 || total > 86_400_000) return undefined;
  return Math.round(total);
}
