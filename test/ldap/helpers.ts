// Shared by the LDAP probe tests: settings for a world directory, a host alias the server's
// certificate does not name, a server that accepts TCP and never answers, and a small fixture
// OU (duplicates, missing mail) written with the directory's admin account and removed after.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Client } from 'ldapts';
import type { DirectoryInfo } from '../world/types.js';
import type { LdapSettings, ProbeReport } from '../../src/ldap/types.js';

export function settingsFor(d: DirectoryInfo, over: Partial<LdapSettings> = {}): LdapSettings {
  const ad = d.kind === 'samba-ad';
  return {
    url: d.url,
    startTls: false,
    bindDn: d.bindDn,
    bindPassword: d.bindPassword,
    usersDn: d.usersDn,
    usernameAttribute: ad ? 'sAMAccountName' : 'uid',
    emailAttribute: ad ? 'userPrincipalName' : 'mail',
    vendor: ad ? 'ad' : 'other',
    timeoutMs: 10_000,
    ...over,
  };
}

export const layer = (r: ProbeReport, id: string) => {
  const l = r.layers.find((x) => x.id === id);
  if (!l) throw new Error(`no layer ${id}`);
  return l;
};

/** The first failing layer. Every failure must name the input to change and say what to do (issue 4). */
export const firstFail = (r: ProbeReport) => {
  const f = r.layers.find((l) => l.status === 'fail');
  if (f && (!f.field || !f.hint)) throw new Error(`failing layer ${f.id} (${f.code}) names no input to change (field ${f.field}) or no hint`);
  return f;
};

export function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port) };
}

/** The names (DNS and IP) in the certificate the server actually presents. */
export async function certNames(ldapsUrl: string): Promise<string[]> {
  const { host, port } = hostPort(ldapsUrl);
  const s = tls.connect({ host, port, rejectUnauthorized: false });
  await new Promise<void>((res, rej) => { s.once('secureConnect', () => res()); s.once('error', rej); });
  const san = s.getPeerCertificate().subjectaltname ?? '';
  s.destroy();
  return san.split(',').map((x) => x.trim().replace(/^(DNS|IP Address):/, '').toLowerCase());
}

/**
 * A name that reaches 127.0.0.1 but is not in the certificate: a hosts alias if there is one
 * (no root needed, we only read /etc/hosts), else "127.1", the numeric shorthand of 127.0.0.1,
 * which the resolver accepts but a certificate never names.
 */
export async function aliasNotInCert(ldapsUrl: string): Promise<string> {
  const names = new Set(await certNames(ldapsUrl));
  let hosts = '';
  try { hosts = fs.readFileSync('/etc/hosts', 'utf8'); } catch { /* none */ }
  for (const line of hosts.split('\n')) {
    const [ip, ...aliases] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (ip !== '127.0.0.1') continue;
    for (const a of aliases) if (a && !names.has(a.toLowerCase())) return a;
  }
  return '127.1';
}

/** A TCP server that accepts connections and never says a word. */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((res) => { for (const s of sockets) s.destroy(); srv.close(() => res()); }) };
}

/** A loopback port on which nothing listens (taken, then released). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((res) => srv.close(() => res()));
  return port;
}

export interface Fixture { ou: string; remove: () => Promise<void> }

/**
 * OpenLDAP only: ou=<name>,<baseDn> with five inetOrgPerson users:
 * fx1 and fx2 share one mail (different case), fx3 and fx4 have no mail, and a second entry
 * (cn=fx1-twin) carries uid fx1 again.
 */
export async function openldapFixture(d: DirectoryInfo, name: string): Promise<Fixture> {
  const c = new Client({ url: d.url, timeout: 10_000 });
  await c.bind(d.adminDn, d.adminPassword);
  const ou = `ou=${name},${d.baseDn}`;
  const dns: string[] = [];
  await c.del(ou).catch(() => {});
  await c.add(ou, { objectClass: ['organizationalUnit'], ou: [name] });
  const user = async (rdn: string, uid: string, mail?: string) => {
    const dn = `${rdn},${ou}`;
    const a: Record<string, string[]> = { objectClass: ['inetOrgPerson'], uid: [uid], cn: [`Fixture ${uid}`], sn: [uid], givenName: ['Fixture'] };
    if (mail) a.mail = [mail];
    await c.add(dn, a);
    dns.push(dn);
  };
  await user('uid=fx1', 'fx1', 'shared@fixture.test');
  await user('uid=fx2', 'fx2', 'Shared@Fixture.test');
  await user('uid=fx3', 'fx3');
  await user('uid=fx4', 'fx4');
  await user('cn=fx1-twin', 'fx1', 'twin@fixture.test');
  await c.unbind();
  return {
    ou,
    remove: async () => {
      const r = new Client({ url: d.url, timeout: 10_000 });
      await r.bind(d.adminDn, d.adminPassword);
      for (const dn of dns) await r.del(dn).catch(() => {});
      await r.del(ou).catch(() => {});
      await r.unbind();
    },
  };
}

/**
 * A minimal LDAP server that answers every bind with success and then never says another word:
 * the directory that hangs after the connection checks passed (rootDSE, search, ... must time out).
 * With `startTlsResult` it answers an extended request (StartTLS) with that result code instead,
 * as a DC without a certificate does (52 unavailable).
 * It parses only the LDAPMessage header (SEQUENCE, messageID, protocolOp tag), enough for both.
 */
export async function bindThenSilentServer(o: { startTlsResult?: number } = {}): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.on('data', (buf) => {
      // 0x30 <length> 0x02 <n> <messageID> <op>; the length is short (< 0x80) or 0x8k + k bytes
      if (buf[0] !== 0x30 || buf.length < 2) return;
      const at = buf[1]! < 0x80 ? 2 : 2 + (buf[1]! & 0x7f);
      if (buf[at] !== 0x02) return;
      const idLen = buf[at + 1]!;
      const id = buf.subarray(at + 2, at + 2 + idLen);
      const tag = buf[at + 2 + idLen];
      let op: Buffer;
      // BindRequest [APPLICATION 0] → BindResponse [APPLICATION 1]: success, matchedDN "", diagnosticMessage ""
      if (tag === 0x60) op = Buffer.from([0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]);
      // ExtendedRequest [APPLICATION 23] → ExtendedResponse [APPLICATION 24] with the configured result
      else if (tag === 0x77 && o.startTlsResult !== undefined) op = Buffer.from([0x78, 0x07, 0x0a, 0x01, o.startTlsResult, 0x04, 0x00, 0x04, 0x00]);
      else return; // everything else: silence
      const body = Buffer.concat([Buffer.from([0x02, idLen]), id, op]);
      s.write(Buffer.concat([Buffer.from([0x30, body.length]), body]));
    });
  });
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((res) => { for (const s of sockets) s.destroy(); srv.close(() => res()); }) };
}

/**
 * A loopback port whose connections never complete: a listener (python3, which can listen without
 * accepting; Node always accepts) with a backlog of 0 whose one queue slot is taken, so the kernel
 * drops further SYNs and a connect() waits until its own timeout, as behind a dropping firewall.
 */
export async function blackholePort(): Promise<{ port: number; close: () => Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const py = spawn('python3', ['-c', 'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((res, rej) => {
    py.stdout.once('data', (d: Buffer) => res(Number(String(d).trim())));
    py.once('error', rej);
  });
  // fill the accept queue (never accepted): the listener's queue holds backlog + 1 connections
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    fillers.push(s);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    close: async () => {
      for (const s of fillers) s.destroy();
      py.stdin.end();
      py.kill();
    },
  };
}
