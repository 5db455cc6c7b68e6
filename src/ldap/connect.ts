// Layers 1–4 (dns → tcp → tls → bind) over ONE connection: the socket opened for the TCP layer
// is the one TLS runs on and the one ldapts binds on, so what was checked is what is used.
import type net from 'node:net';
import tls from 'node:tls';
import { Client } from 'ldapts';
import { CancelledError } from '../errors.js';
import { bindFailure } from './bind.js';
import type { Runner } from './runner.js';
import { connectTcp, parseLdapUrl, resolveHost, type Target } from './transport.js';
import { handshake, handshakeFailure, readCa, tlsOptions, verifyPeer } from './tls.js';
import { TimeoutError, errorText, fail, resultCode, seconds, withTimeout } from './util.js';

export interface ConnSettings {
  url: string;
  startTls: boolean;
  caFile?: string;
  bindDn: string;
  bindPassword: string;
  timeoutMs?: number;
}

export interface Session {
  client: Client;
  target: Target;
  /** run one LDAP operation under the timeout; on expiry the connection is torn down */
  op<T>(p: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function connectAndBind(s: ConnSettings, run: Runner): Promise<Session | undefined> {
  const ms = run.timeoutMs;
  let target: Target | undefined;
  let addresses: string[] = [];
  let socket: net.Socket | undefined;
  let client: Client | undefined;
  const sockets: net.Socket[] = [];
  // TLS socket first: destroying the TCP socket under a live TLSSocket crashes Node 20 (SIGSEGV at exit).
  const destroy = () => { for (const x of [...sockets].reverse()) x.destroy(); };
  try {
    await run.step('dns', async () => {
      target = parseLdapUrl(s.url);
      if (s.startTls && target.scheme === 'ldaps') {
        fail({ code: 'ldap.url.starttls-with-ldaps', message: 'StartTLS was requested on an ldaps:// URL, which is already encrypted', hint: 'Either use ldaps://host:636 without --start-tls, or ldap://host:389 with --start-tls.', field: 'startTls' });
      }
      addresses = await resolveHost(target.host, ms, run.signal);
      const ip = addresses.length === 1 && addresses[0] === target.host;
      return { message: ip ? `${target.host} is an IP address (no DNS lookup)` : `${target.host} resolves to ${addresses.join(', ')}`, data: { host: target.host, addresses } };
    }, { timeout: { message: `DNS lookup did not answer within ${seconds(ms)}`, hint: 'Check this machine\'s DNS servers, or use the server\'s IP address in the LDAP URL.', field: 'ldapUrl' } });

    await run.step('tcp', async () => {
      const t = target!;
      const c = await connectTcp(addresses, t.port, t.host, ms, run.signal);
      socket = c.socket;
      sockets.push(c.socket);
      return { message: `Connected to ${t.host}:${t.port} (${c.address})`, data: { address: c.address, port: t.port } };
    });

    await run.step('tls', async () => {
      const t = target!;
      const ca = readCa(s.caFile);
      let secure: tls.TLSSocket | undefined;
      if (t.scheme === 'ldaps') {
        secure = await handshake(socket!, t.host, t.port, ca, ms, run.signal);
        sockets.push(secure);
        client = newClient(t, ms, secure);
      } else {
        client = newClient(t, ms, socket!, (x) => sockets.push(x));
        if (!s.startTls) {
          return {
            status: 'warn', code: 'ldap.tls.plaintext', field: 'startTls',
            message: `No TLS: ldap:// without StartTLS sends the bind password and user data in clear text${s.caFile ? ' (the CA file is not used)' : ''}`,
            hint: 'Use ldaps://host:636, or keep ldap:// and turn on StartTLS (--start-tls).',
          };
        }
        secure = await startTls(client, t, ca, ms, run.signal, destroy, () => sockets[1] as tls.TLSSocket | undefined);
      }
      const { info, warning } = verifyPeer(secure, t.host, t.port, s.caFile);
      const how = t.scheme === 'ldaps' ? 'LDAPS' : 'StartTLS';
      const base = { message: `${how} ${info.protocol ?? ''} OK: ${info.subject}, issued by ${info.issuer}, valid until ${info.validTo.slice(0, 10)}`.replace('  ', ' '), data: { ...info } };
      return warning ? { ...base, status: 'warn' as const, code: 'ldap.tls.cert-expiring', message: warning, hint: 'Have the directory administrators renew the server certificate before it expires.', field: 'ldapUrl' as const } : base;
    }, { timeout: { message: `TLS handshake with the server did not complete within ${seconds(ms)}: the server accepted the connection but never answered`, hint: 'Check that the port serves LDAPS (636, 3269) or, with --start-tls, plain LDAP (389, 3268).', field: 'ldapUrl' } });

    const bound = await run.step('bind', async () => {
      if (s.bindDn.trim() === '') fail({ code: 'ldap.bind.anonymous', message: 'No bind DN given: an anonymous bind proves nothing and Keycloak needs a service account', hint: 'Give the DN (or on AD the UPN) of a read-only service account.', field: 'bindDn' });
      if (s.bindPassword === '') fail({ code: 'ldap.bind.empty-password', message: `Empty bind password for "${s.bindDn}": LDAP treats that as an unauthenticated bind that "succeeds" without checking anything`, hint: 'Give the service account\'s password (file, stdin, environment or prompt).', field: 'bindPassword' });
      try {
        await withTimeout(client!.bind(s.bindDn, s.bindPassword), ms, destroy, run.signal);
      } catch (e) {
        if (e instanceof TimeoutError || e instanceof CancelledError) throw e;
        fail(bindFailure(e, s.bindDn, target!.scheme === 'ldaps' || s.startTls));
      }
      return { message: `Bound as ${s.bindDn}`, data: { bindDn: s.bindDn } };
    }, { timeout: { message: `The server accepted the connection on ${target?.host}:${target?.port} but did not answer the bind within ${seconds(ms)}`, hint: 'Check that the LDAP URL points at an LDAP service: ldap:// on an LDAPS port, or a proxy that swallows traffic, look like this.', field: 'ldapUrl' } });

    if (!bound) {
      destroy();
      return undefined;
    }
  } catch (e) {
    destroy();
    throw e;
  }
  const c = client!;
  return {
    client: c,
    target: target!,
    op: <T>(p: Promise<T>) => withTimeout(p, ms, destroy, run.signal),
    close: async () => {
      await withTimeout(c.unbind(), Math.min(ms, 2000), destroy).catch(() => {});
      destroy();
    },
  };
}

/**
 * ldapts over a socket we opened and checked ourselves (it accepts an already-open socket).
 * A StartTLS upgrade calls createSecureConnection with options only: that one really connects,
 * with rejectUnauthorized:false so verifyPeer can explain the certificate afterwards.
 */
function newClient(t: Target, ms: number, socket: net.Socket, onUpgrade?: (s: tls.TLSSocket) => void): Client {
  const give = (() => socket) as unknown as typeof net.connect;
  const secure = ((...args: unknown[]) => {
    if (typeof args[0] === 'object' && args[0] !== null && onUpgrade) {
      const s = tls.connect(args[0] as tls.ConnectionOptions);
      s.on('error', () => {});
      onUpgrade(s);
      return s;
    }
    return socket;
  }) as unknown as typeof tls.connect;
  return new Client({ url: t.url, timeout: ms, connectTimeout: ms, createConnection: give, createSecureConnection: secure });
}

async function startTls(client: Client, t: Target, ca: Buffer | undefined, ms: number, signal: AbortSignal | undefined, destroy: () => void, upgraded: () => tls.TLSSocket | undefined): Promise<tls.TLSSocket> {
  try {
    await withTimeout(client.startTLS(tlsOptions(t.host, ca)), ms, destroy, signal);
  } catch (e) {
    if (e instanceof TimeoutError || e instanceof CancelledError) throw e;
    const rc = resultCode(e);
    if (rc !== undefined && !upgraded()) {
      fail({ code: 'ldap.tls.starttls-refused', message: `The server refused StartTLS (LDAP ${rc}): ${errorText(e)}`, hint: 'This server/port does not offer StartTLS: use ldaps://host:636 instead, or ask for TLS to be enabled on the directory.', field: 'startTls', data: { resultCode: rc } });
    }
    throw handshakeFailure(e, t.host, t.port, 'starttls');
  }
  const secure = upgraded();
  if (!secure) throw handshakeFailure(new Error('no TLS socket after StartTLS'), t.host, t.port, 'starttls');
  return secure;
}
