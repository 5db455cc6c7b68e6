// Real LDAP access for the emulator (ldapts): connection set-up the way Keycloak's
// LDAPContextManager does it (LDAPS / StartTLS against Keycloak's truststore, space-separated
// fail-over URLs, timeouts) and the mapping of failures onto Keycloak's testLDAPConnection
// error codes (LDAPServerCapabilitiesManager.getErrorCode, keycloak.md §3).
import net from 'node:net';
import tls from 'node:tls';
import { Client } from 'ldapts';

export interface LdapTarget {
  /** one URL (callers split Keycloak's space-separated list) */
  url: string;
  startTls: boolean;
  /** always | ldapsOnly | never (absent = always, the KC 26 default) */
  useTruststoreSpi: string;
  timeoutMs: number;
  /** PEM CAs of the emulator's "Keycloak truststore" */
  truststore: string[];
  /** Keycloak's view of the network (EmulatorState.network) */
  network?: Map<string, string>;
}

/**
 * Where Keycloak's connection really goes: the test can give Keycloak another view of a host than
 * its own ("reachable from this machine but not from Keycloak"). TLS still checks the name in the
 * URL, as a JVM behind a different route would.
 */
function viaNetwork(t: LdapTarget): { host: string; port: number } {
  const { host, port } = parseLdapUrl(t.url);
  const seen = t.network?.get(`${host}:${port}`);
  if (seen === undefined) return { host, port };
  if (seen === 'unresolvable') throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  const i = seen.lastIndexOf(':');
  return { host: seen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(seen.slice(i + 1)) };
}

/** An Error carrying the Keycloak error code it maps to. */
export class LdapFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** `host` is the name in the URL (what the certificate must match), `connectHost` where the socket goes. */
function tlsOptions(t: LdapTarget, host: string, connectHost = host): tls.ConnectionOptions {
  // truststore SPI "always": Keycloak's truststore (configured CAs + system CAs, KC 26 default
  // truststore-paths); "never": only the JVM's default CAs — here Node's bundled roots.
  const useSpi = t.useTruststoreSpi !== 'never';
  const ca = useSpi ? [...tls.rootCertificates, ...t.truststore] : [...tls.rootCertificates];
  return {
    ca, host: connectHost, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: true,
    checkServerIdentity: (_name, cert) => tls.checkServerIdentity(host, cert),
  };
}

export function parseLdapUrl(url: string): { secure: boolean; host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LdapFailure('MalformedURL', `invalid URL ${url}`);
  }
  if (u.protocol !== 'ldap:' && u.protocol !== 'ldaps:') throw new LdapFailure('MalformedURL', `not an LDAP URL: ${url}`);
  const secure = u.protocol === 'ldaps:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return { secure, host, port: u.port ? Number(u.port) : secure ? 636 : 389 };
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_NOT_YET_VALID', 'EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/**
 * Keycloak's error code for a failure. getErrorCode evaluates NamingException subclasses first and
 * then the root cause, the last match winning: so a refused TCP connection (CommunicationException
 * caused by ConnectException) reports ConnectionFailed, a TLS trust failure SSLHandshakeFailed.
 */
export function classify(err: unknown): string {
  if (err instanceof LdapFailure) return err.code;
  const e = err as { code?: unknown; message?: string; name?: string };
  const msg = e?.message ?? '';
  if (typeof e?.code === 'number') {
    switch (e.code) {
      case 49: return 'AuthenticationFailure';
      case 32: return 'NameNotFound';
      case 34: return 'InvalidName';
      case 51: case 52: return 'ServiceUnavailable';
      default: return 'NamingError';
    }
  }
  const code = typeof e?.code === 'string' ? e.code : '';
  if (TLS_CODES.has(code) || code.startsWith('ERR_SSL') || /certificate|SSL|TLS/i.test(msg)) return 'SSLHandshakeFailed';
  if (code === 'ECONNREFUSED') return 'ConnectionFailed';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'UnknownHost';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'NoRouteToHost';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'SocketReset';
  if (msg === 'Connection timeout') return 'CommunicationError'; // connect timed out
  if (/Operation timed out/.test(msg)) return 'NamingError'; // "LDAP response read timed out"
  if (/Socket error|Connection closed/.test(msg)) return 'CommunicationError';
  return 'UnknownError';
}

/** Opens a connection (TLS handshake / StartTLS included) without binding. Caller unbinds. */
export async function connect(t: LdapTarget): Promise<Client> {
  const { secure, host } = parseLdapUrl(t.url);
  const to = viaNetwork(t);
  const routed = new URL(t.url);
  routed.hostname = to.host.includes(':') ? `[${to.host}]` : to.host;
  routed.port = String(to.port);
  const client = new Client({
    url: routed.toString().replace(/\/$/, ''),
    connectTimeout: t.timeoutMs,
    timeout: t.timeoutMs,
    strictDN: false,
    tlsOptions: secure ? tlsOptions(t, host, to.host) : undefined,
  });
  if (t.startTls && !secure) {
    await client.startTLS(tlsOptions(t, host, to.host));
  }
  return client;
}

/** TCP reachability only (what "testConnection" on ldaps:// amounts to, see ldap-test.ts). */
export function tcpProbe(t: LdapTarget): Promise<void> {
  let to: { host: string; port: number };
  try {
    to = viaNetwork(t);
  } catch (e) {
    return Promise.reject(e);
  }
  const { host, port } = to;
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('Connection timeout'));
    }, t.timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.end();
      s.destroy();
      resolve();
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Keycloak's connectionUrl is a space-separated fail-over list; the first that connects wins. */
export function splitUrls(connectionUrl: string): string[] {
  return connectionUrl.trim().split(/\s+/).filter(Boolean);
}

export async function closeQuietly(c: Client | undefined): Promise<void> {
  if (!c) return;
  try {
    await c.unbind();
  } catch {
    /* already closed */
  }
}
