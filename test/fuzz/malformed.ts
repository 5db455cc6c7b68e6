// Generators of malformed values, one per kind of input. Mostly near-misses people really type
// (a missing slash, a port one digit too long, a DN pasted with a trailing comma, "activedirectory"),
// then the same valid values spoiled by a control character, a look-alike letter from another
// script, or sheer length. Every value here must be refused by the field it is given to.
import fc from 'fast-check';
import type { FieldKey } from '../../src/inputs/fields.js';

/** Network targets a value may name: if one is wrongly accepted, the connection lands on a recorder. */
export interface Targets {
  ldapPort: number;
  httpPort: number;
  dir: string;
}

// ---------------------------------------------------------------- spoilers

export const CONTROLS = ['\u0000', '\u0001', '\u0007', '\b', '\u001b', '\u001b[2J', '\u007f', '\n', '\r', '\t', '\v', '\f', '\u0085', '\u009b'];
const control = fc.constantFrom(...CONTROLS);

/**
 * Characters that show as nothing or reorder what is shown (zero-width, bidi controls, soft hyphen,
 * line and paragraph separators): a value carrying one is not the value a person sees.
 */
export const INVISIBLES = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u2028', '\u2029'];
const invisible = fc.constantFrom(...INVISIBLES);
/** What a paste brings into the middle of a value: spaces of every script, tabs, newlines. */
const blank = fc.constantFrom(' ', '\u00a0', '\u3000', '\u2028', '\t', '\n');

/** Non-ASCII look-alikes that a copy from a chat, a PDF or a word processor brings in. */
const CONFUSABLE: Record<string, string[]> = {
  a: ['\u0430', '\u0251'], c: ['\u0441', '\u03f2'], d: ['\u0501', '\u217e'], e: ['\u0435', '\u0117'], i: ['\u0456', '\u0131'],
  l: ['\u217c', '\u04cf'], o: ['\u043e', '\u03bf'], p: ['\u0440', '\u03c1'], s: ['\u0455'], x: ['\u0445'], y: ['\u0443'],
  n: ['\u0578'], u: ['\u057d'], m: ['\u217f'], r: ['\u0433'], t: ['\u0442'], b: ['\u042c'], h: ['\u04bb'], k: ['\u03ba'],
  ':': ['\uff1a', '\u02d0'], '/': ['\u2215', '\uff0f'], '.': ['\u2024', '\uff0e'], '=': ['\uff1d', '\u2261'], ',': ['\uff0c', '\u201a'], '-': ['\u2010', '\u2013', '\u2212'],
  '0': ['\uff10'], '1': ['\uff11'], '3': ['\uff13'], '5': ['\uff15'], '8': ['\uff18'], '9': ['\uff19'],
};

/** `base` with one character inside it replaced by each generated spoiler (never at the ends, which trim() would forgive). */
export function spoilInside(base: string, spoiler: fc.Arbitrary<string> = control): fc.Arbitrary<string> {
  // inserting at 1..length-1, or replacing one of 1..length-2, keeps a character of base at each end
  return fc.tuple(spoiler, fc.integer({ min: 1, max: Math.max(1, base.length - 1) }), fc.boolean()).map(([s, at, replace]) =>
    replace && at < base.length - 1 ? base.slice(0, at) + s + base.slice(at + 1) : base.slice(0, at) + s + base.slice(at));
}

/** `base` with one (or every) character that has a look-alike replaced by it. */
export function confuse(base: string, only?: string): fc.Arbitrary<string> {
  const positions = [...base].map((c, i) => (CONFUSABLE[c.toLowerCase()] && (!only || only.includes(c.toLowerCase())) ? i : -1)).filter((i) => i >= 0);
  if (positions.length === 0) throw new Error(`nothing to confuse in ${base}`);
  return fc.tuple(fc.constantFrom(...positions), fc.nat(), fc.boolean()).map(([at, pick, all]) => {
    const chars = [...base];
    const swap = (i: number) => {
      const alts = CONFUSABLE[chars[i]!.toLowerCase()]!;
      chars[i] = alts[pick % alts.length]!;
    };
    if (all) positions.forEach(swap);
    else swap(at);
    return chars.join('');
  });
}

/** Long strings: a valid-looking value drowned in repetition (kilobytes, sometimes 100k characters). */
export function long(unit: fc.Arbitrary<string>, min = 300, max = 5_000): fc.Arbitrary<string> {
  return fc.tuple(unit, fc.integer({ min, max }), fc.boolean()).map(([u, n, huge]) => u.repeat(Math.ceil((huge ? n * 20 : n) / Math.max(1, u.length))));
}

/** Junk no validator may take for a value of a structured kind (URL, DN, duration...). */
const junk = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });

// ---------------------------------------------------------------- kinds

const hostname = fc.constantFrom('127.0.0.1', 'localhost', 'dc1.corp.example', '[::1]');

export function ldapUrl(t: Targets): fc.Arbitrary<string> {
  const rec = `127.0.0.1:${t.ldapPort}`;
  const badPort = fc.oneof(
    fc.integer({ min: 65_536, max: 999_999_999 }).map(String),
    fc.integer({ min: -70_000, max: 0 }).map(String),
    fc.constantFrom('', 'ldap', '389a', '38 9', '\uff13\uff18\uff19', '0x185', '1e3', '389.0', '+389', '3 8 9', ':389', '389:636'),
  );
  return fc.oneof(
    // ports
    fc.tuple(fc.constantFrom('ldap', 'ldaps', 'LDAP'), hostname, badPort).map(([s, h, p]) => `${s}://${h}:${p}`),
    fc.tuple(hostname, badPort).map(([h, p]) => `${h}:${p}`),
    // schemes and slashes
    fc.tuple(fc.constantFrom('ldap:/', 'ldaps:/', 'ldap:///', 'ldap//', 'ldaps//', 'ldap:\\\\', 'ldap;//', 'ldap::/', 'lda://', 'ldapss://', 'ldapS:/',
      'http://', 'https://', 'ldapi://', 'tcp://', 'file://', 'LDAP:/', 'ldap+tls://', 'gc://', ':/', '//', '://'), fc.constantFrom(rec, 'localhost', '127.0.0.1:636')).map(([s, h]) => `${s}${h}`),
    // a DN, query or fragment after the host; two URLs in one value
    fc.tuple(fc.constantFrom('/dc=example,dc=org', '/ou=people??sub', '?uid', '#x', '/?', '/%20'), fc.constantFrom('ldap://', 'ldaps://', '')).map(([tail, s]) => `${s}${rec}${tail}`),
    fc.tuple(fc.constantFrom(' ', ',', ';', ', ', '\n', '|'), fc.constantFrom('ldap://', 'ldaps://')).map(([sep, s]) => `${s}${rec}${sep}${s}127.0.0.1:636`),
    // hosts
    fc.tuple(fc.constantFrom('ldap://', 'ldaps://', ''), fc.constantFrom('', '-dc1', 'dc 1', 'dc1..corp', 'dc$1', 'user@dc1', 'cn=admin@127.0.0.1', '[::1', '[zz::1]', '[::1]]', '.', '..', 'dc1%00',
      `${'a'.repeat(64)}.corp`, `${'abc.'.repeat(70)}corp`, 'dc1-.corp', 'dc1.corp.example\\', '"dc1"', "'dc1'", '<dc1>', 'dc1.*', '*')).map(([s, h]) => `${s}${h}${s ? ':389' : ''}`).filter((v) => v !== ''),
    // look-alikes, control characters, length
    confuse('ldap://dc1.corp.example:389', 'ldapco:/.'),
    confuse(`ldaps://localhost:636`, 'ldapsoc:/.'),
    spoilInside(`ldap://${rec}`),
    spoilInside(`ldaps://${rec}`, fc.constantFrom(' ', '\u00a0', '\u3000', '\u2028')),
    long(fc.constantFrom('ldap://', 'x', 'ldap://dc1.', '/')).map((s) => `ldap://${s}`),
    fc.constantFrom(' ', '\t', '\u00a0', '\n\n'),
    // junk before the scheme: no scheme is ldap:// or ldaps:// any more, and no host survives it
    junk.filter((s) => s.trim() !== '').map((s) => `${s}ldap://${rec}`),
  );
}

export function httpUrl(t: Targets): fc.Arbitrary<string> {
  const rec = `127.0.0.1:${t.httpPort}`;
  return fc.oneof(
    fc.tuple(fc.constantFrom('http', 'https'), hostname, fc.oneof(fc.integer({ min: 65_536, max: 999_999_999 }).map(String), fc.integer({ min: -70_000, max: 0 }).map(String),
      fc.constantFrom('http', '80a', '8 0', '\uff18\uff10', '0x50', '1e3', '0'))).map(([s, h, p]) => `${s}://${h}:${p}`),
    fc.constantFrom('http://', 'https://', 'https:', 'http:/', 'https:///', '//', '://x', 'https://:443', 'https://.', 'https://..'),
    fc.tuple(fc.constantFrom('ftp://', 'ldap://', 'ldaps://', 'file://', 'ws://', 'htp://', 'httpss://', 'hxxps://', 'https//', 'http;//', 'javascript:', ''), fc.constantFrom(rec, 'keycloak.example')).map(([s, h]) => `${s}${h}`),
    fc.tuple(fc.constantFrom('/admin', '/admin/', '/auth/admin/master/console/', '/realms/runai', '/realms/master/', '/auth/realms/runai/account', '?x=1', '#top', '/auth?kc_idp_hint=x'), fc.constantFrom('http://', 'https://')).map(([tail, s]) => `${s}${rec}${tail}`),
    fc.tuple(fc.constantFrom('admin:secret@', 'admin@', ':pw@', 'a%40b:c@'), fc.constantFrom('http://', 'https://')).map(([cred, s]) => `${s}${cred}${rec}`),
    fc.tuple(fc.constantFrom(' ', ',', ';', '\n'), fc.constantFrom('http://', 'https://')).map(([sep, s]) => `${s}${rec}${sep}${s}keycloak.example`),
    fc.constantFrom('https://key cloak.example', 'https://-kc.example', 'https://kc..example', 'https://kc_$.example', 'https://[::1', 'https://[zz::1]', 'https://256.1.1.1', `https://${'a'.repeat(64)}.example`, `https://${'abc.'.repeat(70)}example`, 'https://*.example', 'https://%00.example'),
    confuse('https://keycloak.example', 'hpst:/.'),
    spoilInside(`http://${rec}`),
    spoilInside(`https://${rec}/auth`, fc.constantFrom(' ', '\u00a0', '\u3000', '\u2028', '\t', '\n')),
    long(fc.constantFrom('a', 'https://', '/..')).map((s) => `https://${s}/${s}`).filter((s) => s.length > 300).map((s) => `${s}?`),
    fc.constantFrom(' ', '\t\t', 'keycloak.example', '127.0.0.1:8080', 'localhost'),
    // what is malformed in any http(s) URL (the checks it shares with the SCIM URL and redirect URI)
    malformedUrl(t, '/auth'),
  );
}

const dnBad = [
  'ou=people,dc', 'people', 'ou people,dc=example', 'ou=people,dc=example,', 'ou=people,dc=example, ', 'ou=people;', ',ou=people,dc=example', 'ou=people,,dc=example', 'ou=people\\',
  'ou=peo\\ple', 'ou=pe\\4', 'ou=pe\\4,dc=example', 'ou=pe\\4g', 'ou="people,dc=example', 'cn="a', 'ou=pe"ople', 'cn=a=b,dc=x', 'cn=<x>', 'ou=,dc=x', 'ou= ,dc=x', '1ou=x', 'o u=x',
  'ou_x=y', '=x', '-ou=x', 'cn=a+,dc=x', 'cn=a+', '+cn=a', 'cn=#zz', 'cn=#abc', 'cn=#', 'ou=people,dc=example,dc=org\\', 'ldap://dc1/ou=people', 'OU=People/DC=example', 'ou=people dc=example',
  'ou=people.dc=example', 'ou:people', 'ou==people', 'dc=example,dc=', '"ou=people,dc=example"', 'cn=\\', 'cn=a\\\\\\', 'ou=people,=',
  'ou=people,dc=example=org', '(ou=people)', 'ou=people,dc=example,,', ' , ', ';', ',', '=', 'ou', 'cn=a<b', 'cn=a>b', 'ou=people;;dc=x', 'cn=a+b,dc=x,', 'CN=Users;DC=corp,',
];

function dnKind(extra: fc.Arbitrary<string>[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...dnBad),
    fc.tuple(fc.constantFrom(...dnBad), fc.constantFrom('ou=people,dc=example,dc=org', 'DC=corp,DC=example')).map(([a, b]) => `${b},${a}`),
    confuse('ou=people,dc=example,dc=org', 'd=,'),
    spoilInside('ou=people,dc=example,dc=org'),
    spoilInside('CN=Users,DC=corp,DC=example', control),
    long(fc.constantFrom('ou=a,', 'dc=x,', '\\', 'ou=\\2c', '+')).map((s) => s + (s.endsWith(',') || s.endsWith('+') ? '' : ',')),
    long(fc.constantFrom('a', 'ou=a')).map((s) => `ou=${s}\\`),
    fc.constantFrom(' ', '\t', '\u00a0'),
    junk.filter((s) => !s.includes('=')),
    ...extra,
  );
}

export const dn = (): fc.Arbitrary<string> => dnKind();
export const bindDn = (): fc.Arbitrary<string> =>
  dnKind([
    fc.constantFrom('svc@', '@example.test', 'svc@example', 'svc@@example.test', 'svc@exa mple.test', 'svc@example.test.', 'svc @example.test', 'svc@example..test', 'EXAMPLE\\', '\\svc', 'EXAMPLE\\\\svc',
      'EXAMPLE\\s vc', 'EXAMPLE/svc', 'svc', 'readonly', 'EXAMPLE\\svc\\x', 'svc@example.test,dc=x', 'svc@-.-'),
    spoilInside('svc@example.test'),
    spoilInside('EXAMPLE\\svc'),
    confuse('svc@example.test', '.@'),
  ]);

export function attribute(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('sAMAccount Name', '1mail', 'mail;binary', 'mail,uid', 'mail)(uid=*', 'uid=*', '-mail', 'm_ail', 'mail.', '1.2.', '1..2', '.1.2', '1', '', ' ', 'mail uid', '(mail)', '"mail"',
      'mail*', 'user-Principal Name', 'e mail', ' e mail', 'cn=mail', 'mail\\', 'uid;lang-en', '2.5.4.3.', '*', '@mail', 'mail@'),
    confuse('userPrincipalName', 'aeiopcnm'),
    confuse('mail', 'mai'),
    spoilInside('sAMAccountName'),
    long(fc.constantFrom('a', 'mail', 'x-')).map((s) => `m${s}`),
    junk.filter((s) => !/^(?:[A-Za-z][A-Za-z0-9-]{0,127}|\d+(?:\.\d+)+)$/.test(s.trim())),
  );
}

const VENDORS = ['ad', 'other', 'rhds', 'tivoli', 'edirectory'];
export function vendor(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('activedirectory', 'active directory', 'Active-Directory', 'a d', 'AD.', 'ad,other', 'ad other', 'openldap', 'OpenLDAP', 'ldap', 'microsoft', 'msad', 'ad ds', 'adds', 'samba',
      '"ad"', "'ad'", 'e-directory', 'eDir', 'novell', 'red hat', '389ds', 'ibm', 'ad|other', 'ad/other', 'any', 'auto', 'none', 'true', '0', '-', '.'),
    fc.constantFrom(...VENDORS).chain((v) => fc.oneof(spoilInside(v), confuse(v))),
    fc.constantFrom(...VENDORS).map((v) => v.toUpperCase().replace(/./g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))),
    long(fc.constantFrom('ad', 'other')),
    junk.filter((s) => !VENDORS.includes(s.trim().toLowerCase())),
  );
}

export function duration(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('-1m', '-5', '0', '0s', '0ms', '00', '0.0', '0h0m', '1y', '1d', '2w', '25h', '24h1s', '86401', '1440m1s', '5 m', '5min', '5mins', '5M', '5S', '1e3', 'Infinity', 'NaN', '.5s', '5.s',
      '1.2.3s', 's', 'm5', '5m5', '\uff15m', '5\uff4d', '10 ms', '1h-1m', '+5s', '5s,', '5s 5m', '0.0001ms', '0.4ms', '0.0001', '1_000', '1,5s', '5sec', 'PT5M', '00:05:00', '5m;', 'ms', '--1s', '5..m', '1hh'),
    fc.integer({ min: -100_000, max: 0 }).map((n) => `${n}${['', 's', 'ms', 'm', 'h'][Math.abs(n) % 5]}`),
    fc.integer({ min: 86_401, max: 2_000_000_000 }).map((n) => `${n}${['', 's'][n % 2]}`),
    fc.integer({ min: 25, max: 1_000_000 }).map((n) => `${n}h`),
    fc.integer({ min: 1, max: 10_000 }).chain((n) => fc.constantFrom(`${n}y`, `${n}d`, `${n}w`, `${n} s`, `${n}S`, `${n}sec`, `${n}.`, `.${n}`, `${n}mss`, `${n}e1s`, `0x${n}`)),
    spoilInside('1m30s'),
    long(fc.constantFrom('1h', '59m', '1ms1')),
    junk.filter((s) => !/^[\d.smh]+$/.test(s.trim())),
  );
}

export function realm(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('run ai', 'run/ai', 'runai/', '/runai', 'run\\ai', 'run?ai', 'run#ai', 'run%20ai', '%', 'master realm', 'run\u00a0ai', 'run\u3000ai', 'run\u2028ai', ' ', '\t', 'a/b/c'),
    spoilInside('runai'),
    spoilInside('runai', invisible),
    fc.integer({ min: 256, max: 100_000 }).map((n) => 'r'.repeat(n)),
  );
}

/** Names that must not be empty nor carry control or invisible characters (users, client ids, contexts...). */
export function name(example: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(' ', '\t', '\u00a0', '\u3000', '  \u2028  ', '\u200b', '\u202e'),
    spoilInside(example),
    spoilInside(`${example}-x`, control),
    spoilInside(example, invisible),
  );
}

export function k8sLabel(example: string): fc.Arbitrary<string> {
  return fc.oneof(k8sSubdomain(example), fc.constantFrom(`${example}.x`, 'runai.backend', 'a.b'), fc.integer({ min: 64, max: 253 }).map((n) => 'a'.repeat(n)));
}

export function k8sSubdomain(example: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(example.toUpperCase(), `${example}_x`, `-${example}`, `${example}-`, `.${example}`, `${example}.`, `${example}..x`, `${example}.-x`, `${example}-.x`, `${example} x`, `${example}/x`, '', ' ',
      `${example}:x`, `${example}*`, 'Runai-Backend', 'runai_backend', `${example}@x`),
    confuse(example),
    spoilInside(example),
    fc.integer({ min: 254, max: 50_000 }).map((n) => 'a'.repeat(n)),
    junk.filter((s) => !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(s.trim())),
  );
}

const AUTH_FLOWS = ['remote-browser', 'cli'];
/** Anything that is not remote-browser or cli once trimmed and lower-cased (the case and surrounding spaces are forgiven). */
export function authFlow(): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.constantFrom('remote_browser', 'remotebrowser', 'remote browser', 'Remote Browser', 'remote-browse', 'remote-browsers', 'remote--browser', 'remote-brower', 'browser', 'remote', 'local-browser',
        'device', 'device-code', 'auth-code', 'authorization_code', 'password', 'kubectl', 'oidc', 'runai', 'cli,remote-browser', 'remote-browser|cli', 'cli/remote-browser', 'cli remote-browser',
        'c li', 'cl i', 'cli-', '-cli', '--cli', 'cli.', '"cli"', "'cli'", '<cli>', 'cli=true', 'true', '0', '1', '-', 'none', ' ', '\t', '\u00a0'),
      fc.constantFrom(...AUTH_FLOWS).chain((v) => fc.oneof(spoilInside(v), spoilInside(v, invisible), spoilInside(v, blank), confuse(v))),
      fc.constantFrom(...AUTH_FLOWS).map((v) => v.toUpperCase().replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))),
      long(fc.constantFrom('cli', 'remote-browser', '-')),
      junk,
    )
    .filter((s) => !AUTH_FLOWS.includes(s.trim().toLowerCase()));
}

const badHttpPort = fc.oneof(
  fc.integer({ min: 65_536, max: 999_999_999 }).map(String),
  fc.integer({ min: -70_000, max: 0 }).map(String),
  fc.constantFrom('', '0', '00', '000', 'http', '80a', '8 0', '\uff18\uff10', '0x50', '1e3', '443.0', '+443', ':443', '443:80'),
);
const badHost = fc.constantFrom('', '-kc.example', 'kc-.example', 'kc..example', '.kc.example', 'kc_$.example', 'kc .example', 'kc%2eexample', '%00.example', '[::1', '[zz::1]', '[::1]]', '256.1.1.1', '1.2.3.256',
  `${'a'.repeat(64)}.example`, `${'abc.'.repeat(70)}example`, `${'deadbeef'.repeat(9)}`, '*.example', 'kc.example\\', '"kc.example"', '<kc.example>', '.', '..', 'kc!.example', 'kc,example', 'kc;example');

/**
 * Absolute http(s) URLs that are malformed whatever the path (which is `path`): a wrong or
 * mangled scheme, credentials, a fragment, a bad host or port, a look-alike letter, a space or a
 * control or invisible character inside, a second URL, sheer length — or no URL at all.
 */
export function malformedUrl(t: Targets, path: string): fc.Arbitrary<string> {
  const rec = `127.0.0.1:${t.httpPort}`;
  const host = fc.constantFrom(rec, 'runai.example.com');
  const scheme = fc.constantFrom('http://', 'https://');
  return fc.oneof(
    // schemes: other ones, and http(s) mangled in ways the WHATWG parser would quietly repair
    fc.tuple(fc.constantFrom('ftp://', 'file://', 'ws://', 'wss://', 'ldap://', 'htp://', 'httpss://', 'hxxps://', 'javascript:', 'data:text/html,', 'urn:', 'runai://', 'kubectl://',
      'http//', 'https//', 'http;//', 'https:/', 'http:/', 'https:', 'http:', 'https:\\\\', 'http:\\/', 'https:///', 'http:////', 'https//:', ':/', '//', '://', 'https\uff1a//', 'https:\u2215\u2215'), host)
      .map(([s, h]) => `${s}${h}${path}`),
    // credentials, fragments (an empty "#" too), hosts, ports
    fc.tuple(scheme, fc.constantFrom('admin:secret@', 'admin@', ':pw@', 'a%40b:c@', '@', 'user:@'), host).map(([s, c, h]) => `${s}${c}${h}${path}`),
    fc.tuple(scheme, host, fc.constantFrom('#', '#x', '#/oauth-code', '#code=1', '?x=1#y')).map(([s, h, f]) => `${s}${h}${path}${f}`),
    fc.tuple(scheme, badHost).map(([s, h]) => `${s}${h}${path}`),
    fc.tuple(scheme, fc.constantFrom('127.0.0.1', 'runai.example.com', '[::1]'), badHttpPort).map(([s, h, p]) => `${s}${h}:${p}${path}`),
    // no URL at all: relative, host without scheme, blank
    fc.constantFrom(path, path.slice(1), `./${path.slice(1)}`, `//runai.example.com${path}`, `runai.example.com${path}`, `${rec}${path}`, `localhost:8080${path}`, '?code=x', '#', ' ', '\t', 'https://', 'http://'),
    // pasted twice, or two of them
    fc.tuple(scheme, scheme, host).map(([a, b, h]) => `${a}${b}${h}${path}`),
    fc.tuple(fc.constantFrom(' ', ',', ';', '\n', '|'), scheme, host).map(([sep, s, h]) => `${s}${h}${path}${sep}${s}${h}${path}`),
    // look-alikes, spaces and controls and invisibles inside, length
    confuse(`https://runai.example.com${path}`, 'aeiopcnmrstuxy.:'),
    spoilInside(`http://${rec}${path}`),
    spoilInside(`https://runai.example.com${path}`, blank),
    spoilInside(`https://runai.example.com${path}`, invisible),
    long(fc.constantFrom('a', 'ab.', 'x-')).map((h) => `https://${h}${path}`),
    junk.filter((s) => !/^https?:\/\//i.test(s.trim())),
  );
}

/** redirect-uri: an absolute http(s) URL Keycloak can match exactly; a path (/realms/... too) and a query are fine. */
export function redirectUri(t: Targets): fc.Arbitrary<string> {
  return malformedUrl(t, '/oauth-code');
}

/** A SCIM base URL: malformed ones, and well-formed ones Entra cannot use (with /Users, a query). */
export function scimUrl(t: Targets): fc.Arbitrary<string> {
  const rec = `127.0.0.1:${t.httpPort}`;
  return fc.oneof(
    malformedUrl(t, '/scim/v2'),
    fc.tuple(fc.constantFrom('http://', 'https://'), fc.constantFrom(rec, 'app.example.com'), fc.constantFrom('/scim/v2/Users', '/scim/v2/users/', '/Users', '/scim/v2?x=1', '/scim/v2?', '/scim/v2/Users?filter=userName%20eq%20%22x%22'))
      .map(([s, h, p]) => `${s}${h}${p}`),
  );
}

/** Not a DNS domain of two or more labels (the right-hand side of a UPN). */
export function domain(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('example', 'localhost', 'com', '.com', 'example.', 'example.com.', 'example..com', '.example.com', '-example.com', 'example-.com', 'example.-com', 'exa_mple.com', 'exa mple.com', 'example,com',
      'example;com', 'user@example.com', '@@example.com', 'example.com@', '@', 'https://example.com', 'example.com/x', 'example.com:443', '*.example.com', 'example.*', '[::1]', '127.0.0.1', '10.0.0.1',
      'example.123', 'corp.1', '"example.com"', "'example.com'", '<example.com>', 'example.c\u00f6m', 'b\u00fccher.example', 'wor\u212a.example.com', 'example.\u212aom', 'example\uff0ecom', 'example\u3002com',
      `${'a'.repeat(64)}.com`, `${'abc.'.repeat(64)}com`, 'example.com,example.org', 'example.com example.org', ' ', '\t'),
    confuse('corp.example.com', 'aeiopcmrstx.'),
    spoilInside('corp.example.com'),
    spoilInside('corp.example.com', blank),
    spoilInside('corp.example.com', invisible),
    long(fc.constantFrom('a', 'ab.', 'x-')).map((s) => `${s}.com`),
    junk.filter((s) => !/^@?[a-z0-9.-]+$/i.test(s.trim())),
  );
}

/** Paths that cannot be read as the file they should be. */
export function path(t: Targets): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('', ' ', '/nonexistent/file.pem', `${t.dir}/missing`, t.dir, '/', '/tmp', '~/ca.pem', 'ca.pem.missing', `${t.dir}/empty-dir/`, '/dev/null', '/dev/zero', '/dev/urandom', `${t.dir}\u0000x`, 'C:\\certs\\ca.pem', './', '.', '..'),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }).map((s) => `${t.dir}/no-such-${s.replace(/\//g, '_')}`),
    spoilInside(`${t.dir}/missing.pem`),
    long(fc.constantFrom('a/', 'x', '../')).map((s) => `${t.dir}/${s}`),
  );
}

export function kindFor(key: FieldKey, t: Targets): fc.Arbitrary<string> | undefined {
  switch (key) {
    case 'ldapUrl': return ldapUrl(t);
    case 'keycloakUrl': return httpUrl(t);
    case 'bindDn': return bindDn();
    case 'usersDn': return dn();
    case 'usernameAttribute':
    case 'emailAttribute': return attribute();
    case 'vendor': return vendor();
    case 'ldapTimeout':
    case 'rolloutTimeout':
    case 'scimTimeout': return duration();
    case 'realm': return realm();
    case 'keycloakUser': return name('admin');
    case 'keycloakClientId': return name('dirlink-client');
    case 'federationName': return name('ldap');
    case 'context': return name('fuzz');
    case 'verifyUser': return name('alice');
    case 'cliClientId': return name('runai-cli');
    case 'kubeconfigUser': return name('runai-authenticated-user');
    case 'authFlow': return authFlow();
    case 'redirectUri': return redirectUri(t);
    case 'scimUrl': return scimUrl(t);
    case 'scimTestDomain': return domain();
    case 'namespace': return k8sLabel('runai-backend');
    case 'deployment': return k8sSubdomain('runai-backend-deployment');
    case 'caFile':
    case 'kubeconfig':
    case 'bindPassword':
    case 'keycloakPassword':
    case 'keycloakClientSecret':
    case 'verifyPassword':
    case 'scimToken': return path(t);
    default: return undefined;
  }
}
