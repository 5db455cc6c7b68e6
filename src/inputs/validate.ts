// Validation where an input enters: each validator either returns the normalised value or a
// reason a person can act on. Prompts re-ask with the reason; flags/env/config end with exit 2.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter } from 'node:path';
import { shown } from '../errors.js';
import type { Vendor } from '../ldap/types.js';

export type Verdict = { ok: true; value: string } | { ok: false; reason: string };
export type Validator = (raw: string) => Verdict;

const ok = (value: string): Verdict => ({ ok: true, value });
const bad = (reason: string): Verdict => ({ ok: false, reason });

// RFC 4512 descr or numericoid; AD attribute names follow the same shape.
const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]{0,127}|\d+(?:\.\d+)+)$/;
const VENDORS: readonly Vendor[] = ['ad', 'other', 'rhds', 'tivoli', 'edirectory'];
// user@dns.domain: the domain is two or more DNS labels (no empty label, none starting or ending in "-")
const UPN = /^[^\s@=,\\]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
// DNS-1123, as the API server checks names (a namespace is a label, a deployment a subdomain).
const K8S_LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';
const K8S_LABEL_RE = new RegExp(`^${K8S_LABEL}$`);
const K8S_SUBDOMAIN_RE = new RegExp(`^${K8S_LABEL}(?:\\.${K8S_LABEL})*$`);
// C0, DEL and C1: never part of a name someone means to type.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Unicode format characters (zero-width space and joiners, soft hyphen, bidi marks and overrides,
// byte-order mark) and the line and paragraph separators: a paste from a chat or a web page brings
// them in unseen, and the name sent is then not the name shown.
const INVISIBLE = /[\p{Cf}\u2028\u2029]/u;
const invisibleIn = (v: string): string | undefined => {
  const c = INVISIBLE.exec(v)?.[0];
  return c && `contains the invisible character "${shown(c)}" (a zero-width character, a text-direction mark or a line separator, likely from a paste): type it again`;
};

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
      // only spaces may surround a type (RFC 4514 allows none; servers forgive spaces, not tabs or CRs)
      const type = s.slice(typeStart, i).replace(/^ +| +$/g, '');
      if (s[i] !== '=') return `"${shown(s.slice(typeStart, i) || s)}" has no "=" (expected attribute=value, e.g. OU=Users)`;
      if (!ATTRIBUTE.test(type)) return `"${shown(type)}" is not an attribute name`;
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
              if (!/[0-9a-fA-F]/.test(s[i + 2] ?? '')) return `"\\${shown(next)}" is not a valid escape (use \\XX hex or \\ before , + " \\ < > ; =)`;
              i += 3;
            } else if (' "#+,;<=>\\'.includes(next)) i += 2;
            else return `"\\${shown(next)}" is not a valid escape`;
          } else if (c === '"' || c === '<' || c === '>' || c === '=') {
            return `the value of ${type} contains an unescaped "${c}"`;
          } else if (CONTROL.test(c)) {
            // RFC 4514 requires only NUL to be escaped, but nobody types a tab or a newline into a
            // DN on purpose: it comes from a paste, and the server would look for a DN that does not exist.
            return `the value of ${type} contains the control character "${shown(c)}" (write it as \\XX hex if it really is part of the name)`;
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
    if (s[i] !== ',' && s[i] !== ';') return `unexpected "${shown(s[i]!)}"`;
    i++;
    if (i >= s.length || s.slice(i).trim() === '') return 'ends with a separator';
  }
  return rdns > 0 ? undefined : 'is empty';
}

// A DNS label: at most 63 characters, no "-" at either end (RFC 1123); "_" is allowed, as in the
// _msdcs and _ldap._tcp names an AD forest has.
const HOST_LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const HOST_NAME_RE = new RegExp(`^(?=.{1,253}$)${HOST_LABEL}(?:\\.${HOST_LABEL})*\\.?$`);

function hostOk(host: string): boolean {
  if (host.startsWith('[') && host.endsWith(']')) return /^[0-9a-fA-F:.]+$/.test(host.slice(1, -1));
  return HOST_NAME_RE.test(host);
}

function portOk(port: string): boolean {
  return /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535;
}

/** What an http(s) URL input allows beyond scheme://host[:port]/path, and how its errors read. */
interface HttpUrlRules {
  /** shown after "expected" */
  example: string;
  /** why credentials do not belong in the URL, and where they go instead */
  credentials: string;
  /** why a query is refused; none when the value may carry one (a redirect URI may) */
  query?: string;
  fragment: string;
}

/**
 * The checks every http(s) URL input shares, made on the text as typed. The WHATWG parser would
 * quietly drop a tab or newline, percent-encode a space or a control character, turn a look-alike
 * letter from another script into an xn-- host, repair "https:/host" and "https:\\host", and
 * percent-decode the host: what it would rewrite is refused, and the host and port are checked as
 * typed, so the URL used is the URL the person wrote.
 */
function checkHttpUrl(raw: string, rules: HttpUrlRules): { ok: true; url: URL; text: string } | { ok: false; reason: string } {
  const v = raw.trim();
  const no = (reason: string) => ({ ok: false as const, reason });
  if (v === '') return no('must not be empty');
  if (/\s/.test(v)) return no(`must be one URL without spaces (e.g. ${rules.example})`);
  const foreign = /[^\x21-\x7e]/.exec(v);
  if (foreign) return no(`contains "${shown(foreign[0])}", which is not plain ASCII (type the host name in ASCII, or its xn-- form; anything else %-encoded)`);
  // "https://https://kc.example" parses (host "https", path "//kc.example"): a pasting slip, not a
  // URL. (A query may hold a URL of its own, e.g. a redirect URI's ?next=https://...)
  if ((v.split('?')[0]!.match(/:\/\//g) ?? []).length > 1) return no(`contains "://" twice: give one URL, e.g. ${rules.example}`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return no(`is not a URL (expected ${rules.example})`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return no(`scheme "${shown(u.protocol.replace(':', ''))}" is not supported: use https:// (or http://)`);
  const m = /^https?:\/\/([^/?#]*)/i.exec(v);
  if (!m) return no(`must start with ${u.protocol}// (expected ${rules.example})`);
  const authority = m[1]!;
  if (authority.includes('@')) return no(`must not contain credentials: ${rules.credentials}`);
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(authority)!;
  const host = hp[1]!;
  if (host === '') return no(`has no host (expected ${rules.example})`);
  if (!hostOk(host)) return no(`"${shown(host)}" is not a valid host name`);
  if (hp[2] !== undefined && !portOk(hp[2])) return no(`port "${shown(hp[2])}" must be a number from 1 to 65535 (or none for 443/80)`);
  if (v.includes('#')) return no(`must not contain a fragment ("#..."): ${rules.fragment}`);
  if (rules.query !== undefined && v.includes('?')) return no(`must not contain a query ("?..."): ${rules.query}`);
  return { ok: true, url: u, text: v };
}

export const validators = {
  nonEmpty(raw: string): Verdict {
    const v = raw.trim();
    if (v === '') return bad('must not be empty');
    if (CONTROL.test(v)) return bad(`contains the control character "${shown(CONTROL.exec(v)![0])}"`);
    const invisible = invisibleIn(v);
    if (invisible) return bad(invisible);
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
    if (scheme !== 'ldap' && scheme !== 'ldaps') return bad(`scheme "${shown(scheme)}" is not supported: use ldap:// or ldaps://`);
    if (!hostOk(host)) return bad(`"${shown(host)}" is not a valid host name or address`);
    if (port !== undefined && !portOk(port)) return bad(`port "${shown(port)}" must be a number from 1 to 65535`);
    if (m[5] !== '') return bad('must not carry a DN, query or fragment (put the users DN in --users-dn)');
    const p = port ?? (scheme === 'ldaps' ? '636' : '389');
    return ok(`${scheme}://${host.toLowerCase()}:${p}`);
  },

  httpUrl(raw: string): Verdict {
    const c = checkHttpUrl(raw, {
      example: 'https://keycloak.example.com',
      credentials: 'use --keycloak-user and a password file or environment variable',
      query: 'give the base URL of Keycloak',
      fragment: 'give the base URL of Keycloak',
    });
    if (!c.ok) return bad(c.reason);
    const u = c.url;
    if (/\/admin(\/|$)|\/realms(\/|$)/.test(u.pathname)) return bad('must be the base URL of Keycloak, without /admin or /realms/...');
    return ok(`${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`);
  },

  /** A SCIM base URL as Entra's Tenant URL takes it: /Users, /Schemas… are appended to it. */
  scimUrl(raw: string): Verdict {
    const c = checkHttpUrl(raw, {
      example: 'https://app.example.com/scim/v2',
      credentials: 'give the token with --scim-token-file, --scim-token-stdin or DIRLINK_SCIM_TOKEN',
      query: 'Entra appends /Users?filter=… itself',
      fragment: 'give the base URL, e.g. https://app.example.com/scim/v2',
    });
    if (!c.ok) return bad(c.reason);
    const u = c.url;
    if (/\/Users\/?$/i.test(u.pathname)) return bad('must be the base URL, without /Users (Entra appends /Users itself)');
    return ok(`${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`);
  },

  /** A DNS domain for the right-hand side of a UPN (user@domain). */
  domain(raw: string): Verdict {
    const v = raw.trim().replace(/^@/, '');
    // checked before lower-casing, which turns the Kelvin sign (U+212A) into an ASCII "k"
    const foreign = /[^\x21-\x7e]/.exec(v);
    if (foreign) return bad(`contains "${shown(foreign[0])}", which is not plain ASCII (type the domain in ASCII, or its xn-- form)`);
    const d = v.toLowerCase();
    if (!/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/.test(d)) return bad('is not a domain name (e.g. corp.example.com)');
    // no top-level domain is all digits (RFC 3696 2): "10.0.0.1" is an address, "corp.1" a slip
    if (/^\d+$/.test(d.slice(d.lastIndexOf('.') + 1))) return bad('ends in a number: an IP address is not a UPN domain (e.g. corp.example.com)');
    return ok(d);
  },

  dn(raw: string): Verdict {
    const reason = checkDn(raw);
    return reason ? bad(`is not a valid DN: ${reason}`) : ok(raw.trim());
  },

  /** AD accepts user@domain and DOMAIN\user too; other servers need a DN. */
  bindDn(raw: string): Verdict {
    const v = raw.trim();
    if (CONTROL.test(v)) return bad(`contains the control character "${shown(CONTROL.exec(v)![0])}"`);
    if (UPN.test(v)) return ok(v);
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
    if (/[/\\?#%\s\u0000-\u001f\u007f-\u009f]/.test(v)) return bad('must not contain "/", "\\", "?", "#", "%", spaces or control characters');
    const invisible = invisibleIn(v);
    if (invisible) return bad(invisible);
    return ok(v);
  },

  /** A deployment name: a DNS-1123 subdomain (dot-separated labels, 253 characters at most). */
  k8sName(raw: string): Verdict {
    const v = raw.trim();
    if (v.length > 253 || !K8S_SUBDOMAIN_RE.test(v)) {
      return bad('must be a Kubernetes name: lower-case letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit');
    }
    return ok(v);
  },

  /** A namespace name: a DNS-1123 label (no dots, 63 characters at most). */
  k8sLabel(raw: string): Verdict {
    const v = raw.trim();
    if (v.length > 63 || !K8S_LABEL_RE.test(v)) {
      return bad('must be a Kubernetes namespace name: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit');
    }
    return ok(v);
  },

  duration(raw: string): Verdict {
    const ms = parseDuration(raw);
    return ms === undefined ? bad('is not a duration from 1ms to 24h (e.g. 30s, 5m, 1h; a plain number means seconds)') : ok(raw.trim());
  },

  /** the Run:AI CLI's auth-flow values for a self-hosted (Keycloak) control plane */
  authFlow(raw: string): Verdict {
    const v = raw.trim().toLowerCase();
    return v === 'remote-browser' || v === 'cli' ? ok(v) : bad('must be remote-browser or cli');
  },

  /**
   * An absolute https:// (or http://) URL, kept as typed apart from surrounding spaces: Keycloak
   * compares it with the client's Valid Redirect URIs as text, so nothing may be rewritten.
   */
  redirectUri(raw: string): Verdict {
    const c = checkHttpUrl(raw, {
      example: 'https://runai.example.com/oauth-code',
      credentials: 'a redirect URI never carries them',
      fragment: 'OAuth forbids one in a redirect URI (RFC 6749 3.1.2)',
    });
    return c.ok ? ok(c.text) : bad(c.reason);
  },

  readableFile(raw: string): Verdict {
    const v = raw.trim();
    if (v === '') return bad('must not be empty');
    const problem = unreadable(v);
    return problem ? bad(problem) : ok(v);
  },

  /**
   * One kubeconfig file, or a list like KUBECONFIG's (":"-separated, ";" on Windows). As with
   * kubectl, files of the list that do not exist are skipped; at least one must be readable.
   */
  kubeconfig(raw: string): Verdict {
    const v = raw.trim();
    const files = v.split(delimiter).filter(Boolean);
    if (files.length === 0) return bad('must not be empty');
    const problems = files.map(unreadable);
    if (problems.every(Boolean)) return bad(files.length === 1 ? problems[0]! : `names no readable file: ${problems.join('; ')}`);
    return ok(v);
  },
};

/** Why `path` cannot be read as a file, or undefined when it can. */
function unreadable(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return `${shown(path)} is not a file`;
    accessSync(path, constants.R_OK);
  } catch (e) {
    return `cannot read ${shown(path)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  return undefined;
}

/** "90s" → 90000; "5m"; "1h30m"; "250ms"; "12" (seconds). Upper bound 24 h: anything longer is a typo. */
export function parseDuration(raw: string): number | undefined {
  const v = raw.trim();
  let total = 0;
  if (/^\d+(\.\d+)?$/.test(v)) {
    total = Number(v) * 1000;
  } else {
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
    let matched = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(v)) !== null) {
      const n = Number(m[1]);
      total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
      matched = re.lastIndex;
    }
    if (matched !== v.length || v === '') return undefined;
  }
  // Whole milliseconds: "0.4ms" would round to 0, which timers and sockets read as "no limit" or "at once".
  const ms = Math.round(total);
  return ms >= 1 && ms <= 86_400_000 ? ms : undefined;
}
