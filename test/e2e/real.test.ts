// The same CLI against a real Keycloak (and optionally a real cluster), when their coordinates are
// given. Read-only commands only (check, status), so it is safe to point at a live installation.
//   DIRLINK_E2E_KEYCLOAK_URL, DIRLINK_E2E_KEYCLOAK_USER (admin), DIRLINK_E2E_KEYCLOAK_PASSWORD,
//   DIRLINK_E2E_REALM (runai), DIRLINK_E2E_KUBECONFIG (optional: without it --no-restart),
//   DIRLINK_E2E_LDAP_URL / _BIND_DN / _BIND_PASSWORD / _USERS_DN (optional: else the test world's OpenLDAP,
//   which the real Keycloak must then be able to reach).
import { describe, expect, inject, it } from 'vitest';
import { runCli } from './harness.js';

const e = process.env;
const configured = Boolean(e.DIRLINK_E2E_KEYCLOAK_URL && e.DIRLINK_E2E_KEYCLOAK_PASSWORD);
const world = inject('world');

describe.skipIf(!configured)('against a real Keycloak (DIRLINK_E2E_KEYCLOAK_URL is not set: skipped)', () => {
  const env = () => ({
    CI: 'true',
    DIRLINK_KEYCLOAK_URL: e.DIRLINK_E2E_KEYCLOAK_URL,
    DIRLINK_KEYCLOAK_USER: e.DIRLINK_E2E_KEYCLOAK_USER ?? 'admin',
    DIRLINK_KEYCLOAK_PASSWORD: e.DIRLINK_E2E_KEYCLOAK_PASSWORD,
    DIRLINK_REALM: e.DIRLINK_E2E_REALM ?? 'runai',
    DIRLINK_LDAP_URL: e.DIRLINK_E2E_LDAP_URL ?? world.openldap.url,
    DIRLINK_BIND_DN: e.DIRLINK_E2E_LDAP_BIND_DN ?? world.openldap.bindDn,
    DIRLINK_BIND_PASSWORD: e.DIRLINK_E2E_LDAP_BIND_PASSWORD ?? world.openldap.bindPassword,
    DIRLINK_USERS_DN: e.DIRLINK_E2E_LDAP_USERS_DN ?? world.openldap.usersDn,
    KUBECONFIG: e.DIRLINK_E2E_KUBECONFIG,
    DIRLINK_RESTART: e.DIRLINK_E2E_KUBECONFIG ? 'true' : 'false',
  });

  it('check reads the realm and prints a plan without writing', async () => {
    const r = await runCli(['check', '--json'], { env: env(), timeoutMs: 120_000 });
    const out = JSON.parse(r.stdout);
    expect([0, 4]).toContain(r.code);
    expect(out.command).toBe('check');
    if (r.code === 0) expect(Array.isArray(out.plan)).toBe(true);
    else expect(out.error.code).toMatch(/^keycloak\./);
  });

  it('status shows the federation with the secret masked', async () => {
    const r = await runCli(['status', '--json'], { env: env(), timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    if (out.federation?.config?.bindCredential) expect(out.federation.config.bindCredential).toEqual(['**********']);
  });
});

it.skipIf(configured)('real-service tests are skipped: set DIRLINK_E2E_KEYCLOAK_URL and DIRLINK_E2E_KEYCLOAK_PASSWORD to run them', () => {
  expect(configured).toBe(false);
});
