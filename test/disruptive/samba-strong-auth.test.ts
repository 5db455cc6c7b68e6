// Samba with 'ldap server require strong auth = yes': a simple bind on plain ldap:// is refused
// with result 8, as on a hardened Windows DC (LDAP signing / channel binding policies).
// Turning it on restarts the shared Samba (~2 s), so this file lives in the 'disruptive' vitest
// project, which runs alone after every other test file (vitest.config.ts). The setting is
// turned off again in the last test and, whatever happens, in afterAll (and at world teardown).
import { readFileSync } from 'node:fs';
import { Client, StrongAuthRequiredError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ldapErrorFromReport, probeLdap } from '../../src/ldap/probe.js';
import { setSambaStrongAuth, sambaStrongAuthRequired } from '../world/directories.js';
import { firstFail, layer, settingsFor } from '../ldap/helpers.js';

const ad = inject('world').ad;

/** The error a simple bind on `url` throws, or undefined when it succeeds. */
async function bindError(url: string, tlsCa?: Buffer, startTls = false): Promise<any> {
  const c = new Client({ url, timeout: 20_000, connectTimeout: 5_000, ...(tlsCa && !startTls ? { tlsOptions: { ca: tlsCa } } : {}) });
  try {
    if (startTls) await c.startTLS({ ca: tlsCa });
    await c.bind(ad.bindDn, ad.bindPassword);
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await c.unbind().catch(() => {});
  }
}

describe.skipIf(ad.kind !== 'samba-ad')('Samba AD requiring strong authentication (restarts Samba)', () => {
  const ca = () => readFileSync(ad.caFile);
  beforeAll(async () => {
    await setSambaStrongAuth(true);
  });
  afterAll(async () => {
    if (sambaStrongAuthRequired()) await setSambaStrongAuth(false);
  });

  it('the server refuses a plain simple bind with result 8, and still accepts LDAPS and StartTLS binds', async () => {
    expect(sambaStrongAuthRequired()).toBe(true);
    const e = await bindError(ad.url);
    expect(e).toBeInstanceOf(StrongAuthRequiredError);
    expect(e.code).toBe(8);
    expect(e.message).toMatch(/BindSimple: Transport encryption required/);
    expect(await bindError(ad.ldapsUrl, ca())).toBeUndefined();
    expect(await bindError(ad.url, ca(), true)).toBeUndefined();
  });

  it('probe over ldap:// → ldap.bind.strong-auth-required naming StartTLS, advising LDAPS or StartTLS; nothing after the bind runs', async () => {
    const r = await probeLdap(settingsFor(ad));
    expect(r.ok).toBe(false);
    const f = firstFail(r)!;
    expect(f).toMatchObject({ id: 'bind', code: 'ldap.bind.strong-auth-required', field: 'startTls', data: { resultCode: 8 } });
    expect(f.hint).toMatch(/ldaps:\/\/host:636/);
    expect(f.hint).toMatch(/--start-tls/);
    expect(layer(r, 'tls')).toMatchObject({ status: 'warn', code: 'ldap.tls.plaintext' });
    expect(r.layers.filter((l) => ['rootdse', 'users-dn', 'search', 'attributes'].includes(l.id)).map((l) => l.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(ldapErrorFromReport(r)).toMatchObject({ exitCode: 3, code: 'ldap.bind.strong-auth-required', field: 'startTls' });
    expect(JSON.stringify(r)).not.toContain(ad.bindPassword);
  });

  it('following the advice works: LDAPS with the CA and StartTLS with the CA pass every layer', async () => {
    const ldaps = await probeLdap(settingsFor(ad, { url: ad.ldapsUrl, caFile: ad.caFile }), { cap: 200 });
    expect(ldaps.layers.filter((l) => l.status === 'fail')).toEqual([]);
    expect(layer(ldaps, 'bind').status).toBe('ok');
    const startTls = await probeLdap(settingsFor(ad, { startTls: true, caFile: ad.caFile }), { cap: 200 });
    expect(startTls.layers.filter((l) => l.status === 'fail')).toEqual([]);
    expect(layer(startTls, 'tls')).toMatchObject({ status: 'ok', message: expect.stringContaining('StartTLS') });
  });

  it('turned off again: a plain simple bind works', async () => {
    await setSambaStrongAuth(false);
    expect(sambaStrongAuthRequired()).toBe(false);
    expect(await bindError(ad.url)).toBeUndefined();
    expect(layer(await probeLdap(settingsFor(ad), { cap: 200 }), 'bind').status).toBe('ok');
  });
});
