// The layers before LDAP, against loopback sockets: a server that accepts and never answers,
// a closed port, a name that does not resolve, the wrong protocol on a port, cancellation.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { probeLdap } from '../../src/ldap/probe.js';
import { discover } from '../../src/ldap/discover.js';
import { CancelledError, LdapError } from '../../src/errors.js';
import { bindThenSilentServer, blackholePort, closedPort, firstFail, hostPort, layer, settingsFor, silentServer } from './helpers.js';

const ol = inject('world').openldap;

describe('silent server (accepts TCP, never answers)', () => {
  let silent: { port: number; close: () => Promise<void> };
  beforeAll(async () => { silent = await silentServer(); });
  afterAll(async () => { await silent.close(); });

  it('ldap:// ends with a bind timeout naming the layer, not a hang', async () => {
    const r = await probeLdap(settingsFor(ol, { url: `ldap://127.0.0.1:${silent.port}`, timeoutMs: 300 }));
    expect(layer(r, 'tcp').status).toBe('ok');
    expect(firstFail(r)).toMatchObject({ id: 'bind', code: 'ldap.bind.timeout', field: 'ldapUrl', data: { timeoutMs: 300 } });
    expect(firstFail(r)!.message).toMatch(/did not answer the bind within 0\.3 s/);
  });

  it('ldaps:// ends with a TLS handshake timeout', async () => {
    const r = await probeLdap(settingsFor(ol, { url: `ldaps://127.0.0.1:${silent.port}`, timeoutMs: 300 }));
    expect(firstFail(r)).toMatchObject({ id: 'tls', code: 'ldap.tls.timeout', field: 'ldapUrl' });
  });

  it('StartTLS ends with a TLS timeout (the extended operation is never answered)', async () => {
    const r = await probeLdap(settingsFor(ol, { url: `ldap://127.0.0.1:${silent.port}`, startTls: true, timeoutMs: 300 }));
    expect(firstFail(r)).toMatchObject({ id: 'tls', code: 'ldap.tls.timeout' });
  });

  it('an abort signal cancels a waiting probe with CancelledError', async () => {
    const ac = new AbortController();
    const p = probeLdap(settingsFor(ol, { url: `ldap://127.0.0.1:${silent.port}`, timeoutMs: 30_000 }), { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await expect(p).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('a server that binds and then never answers', () => {
  let srv: { port: number; close: () => Promise<void> };
  beforeAll(async () => { srv = await bindThenSilentServer(); });
  afterAll(async () => { await srv.close(); });

  it('the probe passes dns, tcp and bind, then ends with a rootDSE timeout, not a hang', async () => {
    const r = await probeLdap(settingsFor(ol, { url: `ldap://127.0.0.1:${srv.port}`, timeoutMs: 300 }));
    expect(r.layers.slice(0, 4).map((l) => [l.id, l.status])).toEqual([['dns', 'ok'], ['tcp', 'ok'], ['tls', 'warn'], ['bind', 'ok']]);
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'rootdse', code: 'ldap.rootdse.timeout', field: 'ldapUrl', data: { timeoutMs: 300 } });
    expect(f.message).toContain('did not answer the rootDSE read within 0.3 s');
    expect(r.layers.slice(5).every((l) => l.status === 'skipped')).toBe(true);
  });

  it('discover() ends with ldap.discover.timeout naming the URL (the bind worked: not the bind DN)', async () => {
    const e = await discover({ url: `ldap://127.0.0.1:${srv.port}`, startTls: false, bindDn: ol.bindDn, bindPassword: ol.bindPassword, timeoutMs: 300 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LdapError);
    expect(e).toMatchObject({ exitCode: 3, code: 'ldap.discover.timeout', field: 'ldapUrl' });
    expect((e as LdapError).message).toContain('0.3 s');
    expect((e as LdapError).hint).toContain('--ldap-timeout');
  });

  it('discover() cancelled while waiting → CancelledError (exit 130), not an LDAP failure', async () => {
    const ac = new AbortController();
    const p = discover({ url: `ldap://127.0.0.1:${srv.port}`, startTls: false, bindDn: ol.bindDn, bindPassword: ol.bindPassword, timeoutMs: 30_000 }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await expect(p).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('a server that refuses StartTLS (52 unavailable, like a DC without a certificate)', () => {
  let srv: { port: number; close: () => Promise<void> };
  beforeAll(async () => { srv = await bindThenSilentServer({ startTlsResult: 52 }); });
  afterAll(async () => { await srv.close(); });

  it('→ ldap.tls.starttls-refused, naming StartTLS and advising LDAPS; the password is not sent', async () => {
    const r = await probeLdap(settingsFor(ol, { url: `ldap://127.0.0.1:${srv.port}`, startTls: true, timeoutMs: 2000 }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'tls', code: 'ldap.tls.starttls-refused', field: 'startTls', data: { resultCode: 52 } });
    expect(f.hint).toContain('ldaps://host:636');
    expect(layer(r, 'bind').status).toBe('skipped');
  });
});

describe('a port behind a dropping firewall (SYNs never answered)', () => {
  let bh: { port: number; close: () => Promise<void> };
  beforeAll(async () => { bh = await blackholePort(); });
  afterAll(async () => { await bh.close(); });

  it('the TCP connect gives up after the timeout → ldap.tcp.timeout, ldapUrl', async () => {
    const r = await probeLdap(settingsFor(ol, { url: `ldap://127.0.0.1:${bh.port}`, timeoutMs: 300 }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'tcp', code: 'ldap.tcp.timeout', field: 'ldapUrl' });
    expect(f.message).toContain('timed out after 0.3 s');
    expect(f.hint).toMatch(/firewall/);
  });
});

describe('unreachable', () => {
  it('a closed port → ldap.tcp.refused, ldapUrl', async () => {
    const port = await closedPort();
    const r = await probeLdap(settingsFor(ol, { url: `ldap://127.0.0.1:${port}` }));
    expect(r.layers.map((l) => l.status)).toEqual(['ok', 'fail', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(firstFail(r)).toMatchObject({ id: 'tcp', code: 'ldap.tcp.refused', field: 'ldapUrl' });
    expect(firstFail(r)!.message).toContain(`port ${port}`);
  });

  it('a name that does not resolve → ldap.dns.not-found', async () => {
    const r = await probeLdap(settingsFor(ol, { url: 'ldap://no-such-host.invalid:389' }));
    expect(firstFail(r)).toMatchObject({ id: 'dns', code: 'ldap.dns.not-found', field: 'ldapUrl' });
  });

  it('a bad URL → ldap.url.invalid at the first layer', async () => {
    const r = await probeLdap(settingsFor(ol, { url: 'http://127.0.0.1:389' }));
    expect(firstFail(r)).toMatchObject({ id: 'dns', code: 'ldap.url.invalid', field: 'ldapUrl' });
  });

  it('StartTLS on ldaps:// → ldap.url.starttls-with-ldaps, startTls', async () => {
    const r = await probeLdap(settingsFor(ol, { url: ol.ldapsUrl, startTls: true, caFile: ol.caFile }));
    expect(firstFail(r)).toMatchObject({ id: 'dns', code: 'ldap.url.starttls-with-ldaps', field: 'startTls' });
  });

  it('discover() throws the first failing layer as an LdapError (exit 3)', async () => {
    const port = await closedPort();
    const e = await discover({ url: `ldap://127.0.0.1:${port}`, startTls: false, bindDn: ol.bindDn, bindPassword: ol.bindPassword }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LdapError);
    expect(e).toMatchObject({ exitCode: 3, code: 'ldap.tcp.refused', field: 'ldapUrl' });
  });
});

describe('wrong protocol on the port', () => {
  it('ldaps:// on the plain LDAP port → ldap.tls.handshake-failed, ldapUrl', async () => {
    const { port } = hostPort(ol.url);
    const r = await probeLdap(settingsFor(ol, { url: `ldaps://127.0.0.1:${port}`, caFile: ol.caFile, timeoutMs: 3000 }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'tls', code: 'ldap.tls.handshake-failed', field: 'ldapUrl' });
    expect(f.hint).toMatch(/--start-tls/);
  });

  it('ldap:// on the LDAPS port → the bind fails with a hint towards ldaps://', async () => {
    const { port } = hostPort(ol.ldapsUrl);
    const r = await probeLdap(settingsFor(ol, { url: `ldap://127.0.0.1:${port}`, timeoutMs: 3000 }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'bind', code: 'ldap.bind.connection-closed', field: 'ldapUrl' });
    expect(f.hint).toContain('ldaps://');
  });
});

describe('certificate problems (a loopback TLS server with a certificate made here)', () => {
  // openssl ca can back-date a certificate (x509 -req cannot in OpenSSL 3.0): an expired, self-signed one.
  let dir = '';
  let srv: tls.Server | undefined;
  let port = 0;
  let fresh: tls.Server | undefined;
  let freshPort = 0;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dirlink-expired-'));
    fs.writeFileSync(path.join(dir, 'ca.cnf'), '[ca]\ndefault_ca=d\n[d]\ndir=.\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n');
    fs.writeFileSync(path.join(dir, 'index.txt'), '');
    fs.writeFileSync(path.join(dir, 'serial'), '01\n');
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-out', 'req.csr']);
    run(['ca', '-config', 'ca.cnf', '-batch', '-selfsign', '-keyfile', 'key.pem', '-in', 'req.csr', '-startdate', '20200101000000Z', '-enddate', '20210101000000Z', '-out', 'cert.pem']);
    srv = tls.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, (s) => s.on('error', () => {}));
    await new Promise<void>((res) => srv!.listen(0, '127.0.0.1', res));
    port = (srv.address() as net.AddressInfo).port;
    // and a current self-signed one (an expired one is reported as expired first by OpenSSL)
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k2.pem', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '365', '-out', 'c2.pem']);
    fresh = tls.createServer({ key: fs.readFileSync(path.join(dir, 'k2.pem')), cert: fs.readFileSync(path.join(dir, 'c2.pem')) }, (s) => s.on('error', () => {}));
    await new Promise<void>((res) => fresh!.listen(0, '127.0.0.1', res));
    freshPort = (fresh.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const x of [srv, fresh]) await new Promise<void>((res) => (x ? x.close(() => res()) : res()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('expired certificate (its CA trusted) → ldap.tls.cert-expired with the expiry date', async () => {
    const r = await probeLdap(settingsFor(ol, { url: `ldaps://127.0.0.1:${port}`, caFile: path.join(dir, 'cert.pem'), timeoutMs: 3000 }));
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'tls', code: 'ldap.tls.cert-expired', field: 'ldapUrl' });
    expect(f.message).toContain('2021-01-01');
    expect(f.data).toMatchObject({ subject: 'CN=localhost', validTo: '2021-01-01T00:00:00.000Z' });
  });

  it('self-signed certificate, no CA file → ldap.tls.self-signed, caFile', async () => {
    const r = await probeLdap(settingsFor(ol, { url: `ldaps://localhost:${freshPort}`, timeoutMs: 3000 }));
    expect(firstFail(r)).toMatchObject({ id: 'tls', code: 'ldap.tls.self-signed', field: 'caFile', data: { missingCa: 'CN=localhost' } });
  });

  it('expired AND self-signed, no CA file → expiry is reported first (what OpenSSL checks first)', async () => {
    const r = await probeLdap(settingsFor(ol, { url: `ldaps://localhost:${port}`, timeoutMs: 3000 }));
    expect(firstFail(r)).toMatchObject({ id: 'tls', code: 'ldap.tls.cert-expired', field: 'ldapUrl' });
  });
});
