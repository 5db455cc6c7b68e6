// The layers below LDAP: parse the URL, resolve the name, open the TCP connection. Each names
// the input to change (almost always the URL) and says what the symptom usually means.
import dns from 'node:dns';
import net from 'node:net';
import { CancelledError } from '../errors.js';
import { TimeoutError, fail, raiseTimeout, seconds, sysCode, withTimeout } from './util.js';

export interface Target {
  scheme: 'ldap' | 'ldaps';
  /** without IPv6 brackets */
  host: string;
  port: number;
  /** `scheme://host:port`, what ldapts is given */
  url: string;
}

export function parseLdapUrl(raw: string): Target {
  const text = raw.trim();
  const bad = (why: string) =>
    fail({
      code: 'ldap.url.invalid',
      message: `LDAP URL "${text}" is not valid: ${why}`,
      hint: 'Use ldap://host:389 (with --start-tls for encryption) or ldaps://host:636; for AD\'s Global Catalog ldap://host:3268.',
      field: 'ldapUrl',
    });
  if (text === '') bad('it is empty');
  if (/\s/.test(text)) bad('it contains spaces (give one server; Keycloak\'s failover list is not probed)');
  // A bare host or host:port means ldap://host:389 (design.md).
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `ldap://${text}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return bad('it cannot be parsed');
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'ldap' && scheme !== 'ldaps') bad(`the scheme is "${scheme}", expected ldap or ldaps`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') bad('it has no host');
  if (u.pathname !== '' && u.pathname !== '/') bad('it has a path; give the users DN separately');
  const port = u.port === '' ? (scheme === 'ldaps' ? 636 : 389) : Number(u.port);
  const s = scheme as Target['scheme'];
  return { scheme: s, host, port, url: `${s}://${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/** DNS layer: every address the name resolves to (an IP literal resolves to itself). */
export async function resolveHost(host: string, ms: number, signal?: AbortSignal): Promise<string[]> {
  if (net.isIP(host)) return [host];
  try {
    const res = await withTimeout(dns.promises.lookup(host, { all: true, verbatim: true }), ms, () => {}, signal);
    return res.map((a) => a.address);
  } catch (e) {
    const code = sysCode(e);
    if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EAI_NONAME') {
      fail({
        code: 'ldap.dns.not-found',
        message: `The host name "${host}" does not resolve (${code})`,
        hint: 'Check the spelling of the host in the LDAP URL, or use the domain controller\'s IP address; the name must resolve from this machine and from inside the cluster.',
        field: 'ldapUrl',
        data: { host, errno: code },
      });
    }
    throw e;
  }
}

/**
 * TCP layer: tries each address in turn (localhost may resolve to ::1 first while the server only
 * listens on 127.0.0.1), each with its own connect timeout. Returns the open socket.
 */
export async function connectTcp(addresses: string[], port: number, host: string, ms: number, signal?: AbortSignal): Promise<{ socket: net.Socket; address: string }> {
  const errors: { address: string; code: string }[] = [];
  for (const address of addresses) {
    const socket = new net.Socket();
    // ldapts attaches its own handlers later; this keeps a late error from crashing the process.
    socket.on('error', () => {});
    const connected = new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.connect({ host: address, port });
    try {
      await withTimeout(connected, ms, () => socket.destroy(), signal);
      return { socket, address };
    } catch (e) {
      socket.destroy();
      if (e instanceof CancelledError) throw e;
      errors.push({ address, code: e instanceof TimeoutError ? 'ETIMEDOUT' : (sysCode(e) ?? 'EUNKNOWN') });
    }
  }
  const where = `${host}:${port}`;
  const data = { host, port, attempts: errors };
  if (errors.some((x) => x.code === 'ECONNREFUSED')) {
    fail({
      code: 'ldap.tcp.refused',
      message: `Connection to ${where} refused: nothing listens on port ${port}`,
      hint: 'Check the port in the LDAP URL: 389 for ldap:// (and StartTLS), 636 for ldaps://, 3268/3269 for the AD Global Catalog; and that the directory service is running.',
      field: 'ldapUrl',
      data,
    });
  }
  if (errors.some((x) => x.code === 'ETIMEDOUT')) {
    fail({
      code: 'ldap.tcp.timeout',
      message: `Connection to ${where} timed out after ${seconds(ms)}`,
      hint: `A firewall is probably dropping the traffic, or the host is down. Check the host and port in the LDAP URL and that this machine (and the cluster) may reach it. ${raiseTimeout(ms)}`,
      field: 'ldapUrl',
      data,
    });
  }
  fail({
    code: 'ldap.tcp.unreachable',
    message: `Cannot connect to ${where} (${errors.map((x) => `${x.address}: ${x.code}`).join(', ')})`,
    hint: 'Check the host in the LDAP URL and the network route from this machine to it.',
    field: 'ldapUrl',
    data,
  });
}
