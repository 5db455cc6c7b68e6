// The TLS layer. The handshake runs with rejectUnauthorized:false so the certificate can be read
// and explained even when it is not trusted; verifyPeer then applies the checks Node would have
// applied (chain, expiry, host name) and refuses to go on unless they all pass.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { CancelledError } from '../errors.js';
import { LayerFailure, TimeoutError, fail, raiseTimeout, seconds, sysCode, withTimeout, type Failure } from './util.js';

export interface CertInfo {
  subject: string;
  issuer: string;
  sans: string[];
  validFrom: string;
  validTo: string;
  daysLeft: number;
  fingerprint256: string;
  /** subjects from the leaf up, as the server sent them */
  chain: string[];
  protocol?: string;
}

export function readCa(caFile: string | undefined): Buffer | undefined {
  if (!caFile) return undefined;
  let pem: Buffer;
  try {
    pem = fs.readFileSync(caFile);
  } catch (e) {
    return fail({ code: 'ldap.tls.ca-file-unreadable', message: `Cannot read the CA file ${caFile} (${sysCode(e) ?? 'error'})`, hint: 'Give the path of a PEM file with the CA certificate that signed the directory server\'s certificate.', field: 'caFile' });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    fail({ code: 'ldap.tls.ca-file-invalid', message: `The CA file ${caFile} contains no PEM certificate`, hint: 'Convert it to PEM (openssl x509 -inform der -in ca.cer -out ca.pem) and pass that file.', field: 'caFile' });
  }
  return pem;
}

/** Options for tls.connect: check the name we were given; SNI only for names, not IP addresses. */
export function tlsOptions(host: string, ca: Buffer | undefined): tls.ConnectionOptions {
  const o: tls.ConnectionOptions = { host, rejectUnauthorized: false };
  if (!net.isIP(host)) o.servername = host;
  if (ca) o.ca = ca;
  return o;
}

/** LDAPS: the TLS handshake on an already connected TCP socket. */
export async function handshake(socket: net.Socket, host: string, port: number, ca: Buffer | undefined, ms: number, signal?: AbortSignal): Promise<tls.TLSSocket> {
  const s = tls.connect({ ...tlsOptions(host, ca), socket });
  s.on('error', () => {});
  const done = new Promise<void>((resolve, reject) => {
    s.once('secureConnect', resolve);
    s.once('error', reject);
    s.once('close', () => reject(Object.assign(new Error('connection closed during the TLS handshake'), { code: 'ECONNRESET' })));
  });
  try {
    await withTimeout(done, ms, () => s.destroy(), signal);
  } catch (e) {
    s.destroy();
    if (e instanceof CancelledError) throw e;
    if (e instanceof TimeoutError) {
      fail({ code: 'ldap.tls.timeout', message: `TLS handshake with ${host}:${port} timed out after ${seconds(ms)}: the server accepted the connection but never answered`, hint: `Check that this port serves LDAPS (636, or 3269 for the Global Catalog); a plain LDAP port needs ldap:// with --start-tls. ${raiseTimeout(ms)}`, field: 'ldapUrl' });
    }
    throw handshakeFailure(e, host, port, 'ldaps');
  }
  return s;
}

export function handshakeFailure(e: unknown, host: string, port: number, mode: 'ldaps' | 'starttls'): LayerFailure {
  const m = e instanceof Error ? e.message : String(e);
  const f: Failure = {
    code: 'ldap.tls.handshake-failed',
    message: `TLS handshake with ${host}:${port} failed: ${m}`,
    hint: mode === 'ldaps'
      ? `Port ${port} does not seem to speak LDAPS. LDAPS is usually 636 (3269 for the Global Catalog); for port 389 use ldap:// with --start-tls.`
      : 'The server started TLS but the handshake failed; check the server\'s TLS configuration, or try ldaps:// on port 636.',
    field: mode === 'ldaps' ? 'ldapUrl' : 'startTls',
    data: { errno: sysCode(e) },
  };
  return new LayerFailure(f);
}

const dnText = (o: unknown): string =>
  o && typeof o === 'object' ? Object.entries(o as Record<string, string | string[]>).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ') : '';

export function certInfo(s: tls.TLSSocket): CertInfo {
  const leaf = s.getPeerCertificate(true);
  const chain: string[] = [];
  const seen = new Set<string>();
  for (let c: tls.DetailedPeerCertificate | undefined = leaf; c && c.fingerprint256 && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    chain.push(dnText(c.subject));
  }
  const validTo = new Date(leaf.valid_to);
  return {
    subject: dnText(leaf.subject),
    issuer: dnText(leaf.issuer),
    sans: (leaf.subjectaltname ?? '').split(',').map((x) => x.trim().replace(/^(DNS|IP Address):/, '')).filter(Boolean),
    validFrom: new Date(leaf.valid_from).toISOString(),
    validTo: validTo.toISOString(),
    daysLeft: Math.floor((validTo.getTime() - Date.now()) / 86_400_000),
    fingerprint256: leaf.fingerprint256,
    chain,
    protocol: s.getProtocol() ?? undefined,
  };
}

/**
 * Applies the checks Node applies with rejectUnauthorized:true and explains the first failure.
 * Returns the certificate facts (for the layer's data) and an optional expiry warning.
 */
export function verifyPeer(s: tls.TLSSocket, host: string, port: number, caFile: string | undefined): { info: CertInfo; warning?: string } {
  const info = certInfo(s);
  const idErr = tls.checkServerIdentity(host, s.getPeerCertificate());
  const problems: string[] = [];
  // With rejectUnauthorized:false Node still records a host-name mismatch here; idErr covers it below.
  const rawAuth = s.authorized ? undefined : String(s.authorizationError ?? 'UNKNOWN');
  const authErr = rawAuth === 'ERR_TLS_CERT_ALTNAME_INVALID' ? undefined : rawAuth;
  if (authErr) problems.push(authErr);
  if (idErr) problems.push((idErr as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID');
  const data = { ...info, host, problems };
  const root = info.chain[info.chain.length - 1] ?? info.issuer;
  const caWord = caFile ? `The CA file ${caFile} does not contain it: pass` : 'Pass';
  switch (authErr) {
    case undefined:
      break;
    case 'CERT_HAS_EXPIRED':
      fail({ code: 'ldap.tls.cert-expired', message: `The server certificate of ${host}:${port} (${info.subject}) expired on ${info.validTo}`, hint: 'The directory administrators must renew the server certificate; or point the LDAP URL at a server whose certificate is valid.', field: 'ldapUrl', data });
    case 'CERT_NOT_YET_VALID':
      fail({ code: 'ldap.tls.cert-not-yet-valid', message: `The server certificate of ${host}:${port} is valid only from ${info.validFrom}`, hint: 'Check the clock of this machine and of the server.', field: 'ldapUrl', data });
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      fail({ code: 'ldap.tls.self-signed', message: `The server certificate of ${host}:${port} (${info.subject}) is self-signed and not trusted`, hint: `${caWord} this certificate itself (PEM) with --ca-file, or have the server use a certificate from your CA.`, field: 'caFile', data: { ...data, missingCa: info.subject } });
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      fail({ code: 'ldap.tls.untrusted-ca', message: `The server certificate of ${host}:${port} (${info.subject}) is signed by "${info.issuer}", a CA this machine does not trust`, hint: `${caWord} the PEM certificate of the CA "${info.issuer}" with --ca-file (the directory administrators can export it; on AD it is the enterprise root CA).`, field: 'caFile', data: { ...data, missingCa: info.issuer } });
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      fail({ code: 'ldap.tls.untrusted-ca', message: `The server certificate of ${host}:${port} (${info.subject}) chains up to "${root}", a root CA this machine does not trust`, hint: `${caWord} the PEM certificate of the CA "${root}" with --ca-file.`, field: 'caFile', data: { ...data, missingCa: root } });
    default:
      fail({ code: 'ldap.tls.untrusted', message: `The server certificate of ${host}:${port} (${info.subject}) is not trusted: ${authErr}`, hint: 'Pass the CA that signed it with --ca-file, or have the directory administrators fix the certificate chain.', field: 'caFile', data });
  }
  if (idErr) {
    const name = info.sans.find((n) => !net.isIP(n) && n !== 'localhost') ?? info.sans.find((n) => !net.isIP(n)) ?? info.sans[0];
    fail({
      code: 'ldap.tls.hostname-mismatch',
      message: `The server certificate is for ${info.sans.length ? info.sans.join(', ') : info.subject}, not for "${host}"`,
      hint: name ? `Connect by a name in the certificate: put ${name} in the LDAP URL (it must resolve to this server).` : 'The certificate has no subject alternative names; have the server reissue it with its host name.',
      field: 'ldapUrl',
      data: { ...data, reason: idErr.message },
    });
  }
  const warning = info.daysLeft < 30 ? `The server certificate of ${host}:${port} expires in ${info.daysLeft} days (${info.validTo})` : undefined;
  return warning ? { info, warning } : { info };
}
