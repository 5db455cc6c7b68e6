// The layers before LDAP, against loopback sockets: a server that accepts and never answers,
// a closed port, a name that does not resolve, the wrong protocol on a port, cancellation.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { probeLdap } from '../../src/ldap/probe.js';
import { discover } from '../../src/ldap/discover.js';
import { CancelledError, LdapError } from '../../src/errors.js';
import { closedPort, firstFail, hostPort, layer, settingsFor, silentServer } from './helpers.js';

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
