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
