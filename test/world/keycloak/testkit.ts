// Helpers for the emulator's conformance tests (test/conformance/keycloak*.test.ts).
import KcAdminClient from '@keycloak/keycloak-admin-client';
import type { DirectoryInfo } from '../types.js';
import type { KeycloakEmulator } from './index.js';

export async function adminClient(emu: KeycloakEmulator, realm = 'runai'): Promise<KcAdminClient> {
  const kc = new KcAdminClient({ baseUrl: emu.url, realmName: 'master' });
  await kc.auth({ grantType: 'password', clientId: 'admin-cli', username: emu.state.adminUser, password: emu.state.adminPassword });
  kc.setConfig({ realmName: realm });
  return kc;
}

/** The wizard's payload (keycloak.md §2 "Minimal wizard payload") for an OpenLDAP directory. */
export function openldapPayload(dir: DirectoryInfo, config: Record<string, string[]> = {}) {
  return {
    name: 'ldap',
    providerId: 'ldap',
    providerType: 'org.keycloak.storage.UserStorageProvider',
    config: {
      enabled: ['true'], vendor: ['other'], editMode: ['READ_ONLY'], importEnabled: ['false'],
      syncRegistrations: ['false'], usernameLDAPAttribute: ['uid'], rdnLDAPAttribute: ['uid'],
      uuidLDAPAttribute: ['entryUUID'], userObjectClasses: ['inetOrgPerson, organizationalPerson'],
      connectionUrl: [dir.url], usersDn: [dir.usersDn], authType: ['simple'], bindDn: [dir.bindDn],
      bindCredential: [dir.bindPassword], searchScope: ['2'], startTls: ['false'], useTruststoreSpi: ['always'],
      connectionPooling: ['true'], pagination: ['true'], trustEmail: ['true'], validatePasswordPolicy: ['false'],
      cachePolicy: ['DEFAULT'], fullSyncPeriod: ['-1'], changedSyncPeriod: ['-1'],
      ...config,
    },
  };
}

/** The Run:AI AD payload (sAMAccountName, READ_ONLY, import off). */
export function adPayload(dir: DirectoryInfo, config: Record<string, string[]> = {}) {
  return openldapPayload(dir, {
    vendor: ['ad'], usernameLDAPAttribute: ['sAMAccountName'], rdnLDAPAttribute: ['cn'], uuidLDAPAttribute: ['objectGUID'],
    userObjectClasses: ['person, organizationalPerson, user'], ...config,
  });
}

/** The password grant a directory user would do (the admin client has no call for it). */
export async function directoryLogin(emu: KeycloakEmulator, username: string, password: string, realm = 'runai', clientId = 'admin-cli') {
  const res = await fetch(`${emu.url}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: clientId, username, password, scope: 'openid' }),
    signal: AbortSignal.timeout(40_000),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export function decodeJwt(token: string): Record<string, unknown> {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Status and JSON body of an admin-client failure (NetworkError). */
export async function failure(p: Promise<unknown>): Promise<{ status: number; data: unknown; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { response?: { status: number }; responseData?: unknown; message: string };
    return { status: err.response?.status ?? -1, data: err.responseData, message: err.message };
  }
  throw new Error('expected the call to fail');
}
