// KeycloakPort over @keycloak/keycloak-admin-client. The client is loaded lazily (it is only
// needed once inputs are complete), tokens are re-acquired before they expire (master tokens live
// 60 s; client_credentials grants have no refresh token), and every failure becomes a
// KeycloakError that says what failed and what to do.
import { KeycloakError } from '../errors.js';
import type { Component, KeycloakAuth, KeycloakPort, RealmRef, TestLdapRequest, TestLdapResult } from './types.js';
import { LDAP_MAPPER_TYPE, LDAP_PROVIDER_TYPE } from './types.js';

type KcAdminClient = import('@keycloak/keycloak-admin-client').default;

export interface ConnectOptions {
  baseUrl: string;
  auth: KeycloakAuth;
  /** per request, ms */
  timeoutMs?: number;
}

function jwtExpiry(token: string): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : 0;
  } catch {
    return 0;
  }
}

/** Maps anything the admin client throws to a KeycloakError; `what` says which call failed. */
export function keycloakError(e: unknown, what: string, baseUrl: string): KeycloakError {
  if (e instanceof KeycloakError) return e;
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string }; response?: { status: number }; responseData?: unknown };
  const status = err.response?.status;
  if (status === undefined) {
    const code = err.cause?.code ?? (err.name === 'TimeoutError' || err.name === 'AbortError' ? 'ETIMEDOUT' : undefined);
    const reason =
      code === 'ECONNREFUSED' ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host name not found'
      : code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'no answer before the timeout'
      : code?.startsWith('ERR_TLS') || code?.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ? `TLS error ${code}`
      : (err.cause?.message ?? err.message ?? 'network error');
    return new KeycloakError('keycloak.unreachable', `cannot reach Keycloak at ${baseUrl} while trying to ${what}: ${reason}`, {
      field: 'keycloakUrl',
      hint: code?.includes('CERT') || code?.startsWith('ERR_TLS')
        ? 'trust the Keycloak CA with NODE_EXTRA_CA_CERTS=/path/ca.pem'
        : 'check --keycloak-url (scheme, host and port) and that Keycloak is reachable from this machine',
      cause: e,
    });
  }
  const data = err.responseData as { error?: string; error_description?: string; errorMessage?: string } | string | undefined;
  const detail = typeof data === 'object' && data ? (data.errorMessage ?? data.error_description ?? data.error) : undefined;
  if (status === 401) {
    return new KeycloakError('keycloak.unauthorized', `Keycloak rejected the credentials while trying to ${what}${detail ? `: ${detail}` : ''}`, {
      field: 'keycloakPassword',
      hint: 'check --keycloak-user and the password (or the client id and secret); the admin account lives in the master realm',
      data: { status },
    });
  }
  if (status === 403) {
    return new KeycloakError('keycloak.forbidden', `Keycloak refused to ${what}: the account lacks the permission`, {
      hint: 'use an admin of the master realm, or a client whose service account has the realm-management roles manage-realm and view-realm for this realm',
      data: { status },
    });
  }
  if (status === 404) {
    return new KeycloakError('keycloak.not-found', `Keycloak answered 404 while trying to ${what}${detail ? `: ${detail}` : ''}`, {
      field: 'keycloakUrl',
      hint: 'check --keycloak-url: it is the base URL (older Keycloak versions need the /auth suffix)',
      data: { status },
    });
  }
  if (status === 400) {
    return new KeycloakError('keycloak.rejected', `Keycloak rejected the request to ${what}: ${detail ?? 'bad request'}`, {
      hint: 'the values sent are shown in the plan; correct the input named in the message',
      data: { status, keycloakError: detail },
    });
  }
  return new KeycloakError('keycloak.server-error', `Keycloak failed (HTTP ${status}) while trying to ${what}${detail ? `: ${detail}` : ''}`, {
    hint: 'Keycloak logged the cause; a rerun of dirlink resumes where this one stopped',
    data: { status },
  });
}

export async function connectKeycloak(opts: ConnectOptions): Promise<KeycloakPort> {
  const { default: KcAdminClient } = await import('@keycloak/keycloak-admin-client');
  const baseUrl = opts.baseUrl;
  const timeout = opts.timeoutMs ?? 15_000;
  let requests = 0;

  // Tokens come from a dedicated client so the main one can use a token provider: it re-acquires
  // a token shortly before it expires, whichever grant was used.
  const tokenClient = new KcAdminClient({ baseUrl, realmName: 'master', timeout });
  let token: string | undefined;
  let expiresAt = 0;
  const credentials =
    opts.auth.kind === 'password'
      ? { grantType: 'password' as const, clientId: 'admin-cli', username: opts.auth.user, password: opts.auth.password }
      : { grantType: 'client_credentials' as const, clientId: opts.auth.clientId, clientSecret: opts.auth.clientSecret };
  async function freshToken(force = false): Promise<string> {
    if (!force && token && expiresAt - Date.now() > 10_000) return token;
    requests++;
    try {
      await tokenClient.auth(credentials);
    } catch (e) {
      throw keycloakError(e, 'log in to the master realm', baseUrl);
    }
    token = tokenClient.accessToken!;
    expiresAt = jwtExpiry(token) || Date.now() + 50_000;
    return token;
  }
  await freshToken();

  const kc: KcAdminClient = new KcAdminClient({ baseUrl, realmName: 'master', timeout });
  kc.registerTokenProvider({ getAccessToken: () => freshToken() });

  /** One request; on a 401 (token revoked or expired early) log in again and retry once. */
  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    requests++;
    try {
      return await fn();
    } catch (e) {
      if ((e as { response?: { status: number } }).response?.status === 401) {
        await freshToken(true);
        requests++;
        try {
          return await fn();
        } catch (e2) {
          throw keycloakError(e2, what, baseUrl);
        }
      }
      throw keycloakError(e, what, baseUrl);
    }
  }

  return {
    baseUrl,
    get requestCount() {
      return requests;
    },
    async getRealm(name) {
      const r = await call(`read realm "${name}"`, () => kc.realms.findOne({ realm: name }));
      return r?.id ? { id: r.id, name: r.realm ?? name } : undefined;
    },
    async listRealms() {
      const list = await call('list realms', () => kc.realms.find());
      return list.map((r) => r.realm ?? '').filter(Boolean);
    },
    async listLdapProviders(realm: RealmRef) {
      const list = await call(`list the user federations of realm "${realm.name}"`, () =>
        kc.components.find({ realm: realm.name, parent: realm.id, type: LDAP_PROVIDER_TYPE }),
      );
      return (list as Component[]).filter((c) => c.providerId === 'ldap');
    },
    async listMappers(realm, parentId) {
      const list = await call(`list the mappers of the federation`, () =>
        kc.components.find({ realm: realm.name, parent: parentId, type: LDAP_MAPPER_TYPE }),
      );
      return list as Component[];
    },
    async getComponent(realm, id) {
      const c = await call('read a component', () => kc.components.findOne({ realm: realm.name, id }));
      return (c ?? undefined) as Component | undefined;
    },
    async createComponent(realm, c) {
      const { id } = await call(`create component "${c.name}"`, () => kc.components.create({ realm: realm.name, ...c }));
      return id;
    },
    async updateComponent(realm, id, c) {
      await call(`update component "${c.name ?? id}"`, () => kc.components.update({ realm: realm.name, id }, c));
    },
    async deleteComponent(realm, id) {
      await call('delete a component', () => kc.components.del({ realm: realm.name, id }));
    },
    async testLdapConnection(realm, req: TestLdapRequest): Promise<TestLdapResult> {
      requests++;
      try {
        await kc.realms.testLDAPConnection({ realm: realm.name }, req as unknown as Record<string, unknown>);
        return { ok: true };
      } catch (e) {
        const status = (e as { response?: { status: number } }).response?.status;
        if (status === 400) {
          const data = (e as { responseData?: { errorMessage?: string } }).responseData;
          return { ok: false, code: data?.errorMessage ?? 'UnknownError' };
        }
        throw keycloakError(e, 'run Keycloak\'s LDAP connection test', baseUrl);
      }
    },
    async findClient(realm, clientId) {
      const list = await call(`look up client "${clientId}"`, () => kc.clients.find({ realm: realm.name, clientId }));
      const c = list[0];
      if (!c?.id) return undefined;
      return {
        id: c.id,
        enabled: c.enabled !== false,
        directAccessGrantsEnabled: c.directAccessGrantsEnabled === true,
        publicClient: c.publicClient === true,
        // Keycloak's default for a new client is on; only an explicit false turns it off
        standardFlowEnabled: c.standardFlowEnabled !== false,
        redirectUris: c.redirectUris ?? [],
        rootUrl: c.rootUrl || undefined,
      };
    },
    async listClientIds(realm) {
      const list = await call(`list the clients of realm "${realm.name}"`, () => kc.clients.find({ realm: realm.name }));
      return list.map((c) => c.clientId ?? '').filter(Boolean);
    },
  };
}
