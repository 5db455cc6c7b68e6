// Small servers for the credential tests: an API-server stand-in that answers every request
// with what it received (Authorization and Impersonate-* headers, the client certificate's
// subject), and an HTTP CONNECT proxy that logs what it was asked to tunnel.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem { cert: string; key: string; certFile: string; keyFile: string }

/** A self-signed certificate (openssl CLI) for `cn`, valid for 127.0.0.1 and localhost. */
export function selfSigned(cn: string): Pem {
  const dir = mkdtempSync(join(tmpdir(), 'pem-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile,
    '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:api.internal'], { stdio: 'ignore', timeout: 20_000 });
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

export interface Echo { url: string; ca?: Pem; seen: Array<Record<string, string | undefined>>; close(): Promise<void> }

export async function startEcho(tls: boolean): Promise<Echo> {
  const seen: Echo['seen'] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const peer = tls ? (req.socket as TLSSocket).getPeerCertificate() : undefined;
    const got: Record<string, string | undefined> = { path: req.url, authorization: req.headers.authorization, clientCert: peer?.subject?.CN === undefined ? undefined : String(peer.subject.CN) };
    for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('impersonate-')) got[k] = String(v);
    seen.push(got);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(got));
  };
  const ca = tls ? selfSigned('echo-server') : undefined;
  const server = tls ? https.createServer({ cert: ca!.cert, key: ca!.key, requestCert: true, rejectUnauthorized: false }, handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, ca, seen,
    close: () => { server.closeAllConnections(); return new Promise((r) => server.close(() => r())); },
  };
}

export interface Proxy { url: string; connects: string[]; headers: string[]; close(): Promise<void> }

/** An HTTP proxy that only tunnels (CONNECT), like most corporate proxies for https. */
export async function startProxy(): Promise<Proxy> {
  const connects: string[] = [];
  const headers: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => { res.writeHead(405); res.end(); });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    headers.push(...Object.keys(req.headers));
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) { sockets.add(s); s.on('error', () => {}); s.on('close', () => sockets.delete(s)); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connects, headers,
    close: () => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(() => r())); },
  };
}
