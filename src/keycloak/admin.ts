// KeycloakPort over the Admin REST API (http.ts; the requests are those of
// @keycloak/keycloak-admin-client, which test/conformance still uses to check the emulator).
// Tokens are re-acquired before they expire (master tokens live 60 s; client_credentials grants
// have no refresh token), and every failure becomes a KeycloakError that says what failed and what to do.
import { KeycloakError } from '../errors.js';
import { HttpFailure, KeycloakHttp } from './http.js';
import type { ClientInfo, Component, KeycloakAuth, KeycloakPort, RealmRef, TestLdapRequest, TestLdapResult } from './types.js';
import { LDAP_MAPPER_TYPE, LDAP_PROVIDER_TYPE } from './types.js';
import { jwtExpiry } from '../auth/jwt.js';

export interface ConnectOptions {
  baseUrl: string;
  auth: KeycloakAuth;
  /** per request, ms */
  timeoutMs?: number;
}

/** Maps a failed request (HttpFailure, or a network error with its cause) to a KeycloakError; `what` says which call failed. */
export function keycloakError(e: unknown, what: string, baseUrl: string, timeoutMs?: number): KeycloakError {
  if (e instanceof KeycloakError) return e;
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string }; response?: { status: number }; responseData?: unknown };
  const status = err.response?.status;
  if (status === undefined) {
    const code = err.cause?.code ?? (err.name === 'TimeoutError' || err.name === 'AbortError' ? 'ETIMEDOUT' : undefined);
    const reason =
      code === 'ECONNREFUSED' ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host name not found'
      : code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' ? `no answer ${timeoutMs ? `within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}` : 'before the timeout'}`
      : code?.startsWith('ERR_TLS') || code?.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ? `TLS error ${code}`
      : (err.cause?.message ?? err.message ?? 'network error');
    return new KeycloakError('keycloak.unreachable', `cannot reach Keycloak at ${baseUrl} while trying to ${what}: ${reason}`, {
      field: 'keycloakUrl',
      hint: code?.includes('CERT') || code?.startsWith('ERR_TLS')
        ? 'trust the Keycloak CA with NODE_EXTRA_CA_CERTS=/path/ca.pem'
        : code === 'ETIMEDOUT'
          ? 'something accepted the connection but never answered: check that --keycloak-url points at Keycloak itself (not a proxy or another service) and that Keycloak is up and not overloaded'
          : 'check --keycloak-url (scheme, host and port) and that Keycloak is reachable from this machine',
      cause: e,
    });
  }
  const data = err.responseData as { error?: string; error_description?: string; errorMessage?: string } | string | undefined;
  const detail = typeof data === 'object' && data ? (data.errorMessage ?? data.error_description ?? data.error) : undefined;
  // The token endpoint answers an unknown user with 400 and a wrong password with 401, both
  // invalid_grant (Keycloak's direct-grant authenticators): both are rejected credentials.
  const oauthError = typeof data === 'object' && data ? data.error : undefined;
  if (status === 401 || (status === 400 && (oauthError === 'invalid_grant' || oauthError === 'invalid_client' || oauthError === 'unauthorized_client'))) {
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

/** The client_secret_basic header: form-encoded id and secret, as RFC 6749 §2.3.1 (and the admin client) do. */
function basicAuth(id: string, secret: string): string {
  const enc = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replaceAll('%20', '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

const seg = encodeURIComponent;

export async function connectKeycloak(opts: ConnectOptions): Promise<KeycloakPort> {
  const baseUrl = opts.baseUrl;
  const timeout = opts.timeoutMs ?? 15_000;
  const http = new KeycloakHttp(baseUrl, timeout);
  let requests = 0;

  let token: string | undefined;
  let expiresAt = 0;
  const a = opts.auth;
  const login = a.kind === 'password'
    ? { form: { username: a.user, password: a.password, grant_type: 'password', client_id: 'admin-cli' } }
    : { form: { grant_type: 'client_credentials', client_id: a.clientId }, headers: { Authorization: basicAuth(a.clientId, a.clientSecret) } };
  async function freshToken(force = false): Promise<string> {
    if (!force && token && expiresAt - Date.now() > 10_000) return token;
    requests++;
    let data: { access_token?: unknown };
    try {
      data = (await http.request('POST', '/realms/master/protocol/openid-connect/token', login)).data as typeof data;
    } catch (e) {
      throw keycloakError(e, 'log in to the master realm', baseUrl, timeout);
    }
    if (typeof data?.access_token !== 'string') {
      throw new KeycloakError('keycloak.unexpected', `Keycloak at ${baseUrl} answered the login without an access token`, { field: 'keycloakUrl', hint: 'check --keycloak-url: it must be the Keycloak base URL (older versions need /auth)' });
    }
    token = data.access_token;
    expiresAt = jwtExpiry(token) || Date.now() + 50_000;
    return token;
  }
  await freshToken();

  /** One admin request; on a 401 (token revoked or expired early) log in again and retry once. */
  async function call(what: string, method: string, path: string, o: Parameters<KeycloakHttp['request']>[2] = {}) {
    const send = async () => http.request(method, `/admin/realms${path}`, { ...o, headers: { Authorization: `Bearer ${await freshToken()}` } });
    requests++;
    try {
      return await send();
    } catch (e) {
      if (e instanceof HttpFailure && e.response.status === 401) {
        await freshToken(true);
        requests++;
        try {
          return await send();
        } catch (e2) {
          throw keycloakError(e2, what, baseUrl, timeout);
        }
      }
      throw keycloakError(e, what, baseUrl, timeout);
    }
  }
  /** A GET whose 404 means "there is none". */
  async function find<T>(what: string, path: string): Promise<T | undefined> {
    try {
      return (await call(what, 'GET', path)).data as T;
    } catch (e) {
      if (e instanceof KeycloakError && e.data?.status === 404) return undefined;
      throw e;
    }
  }
  const components = (realm: RealmRef) => `/${seg(realm.name)}/components`;

  return {
    baseUrl,
    get requestCount() {
      return requests;
    },
    async getRealm(name) {
      const r = await find<{ id?: string; realm?: string }>(`read realm "${name}"`, `/${seg(name)}`);
      return r?.id ? { id: r.id, name: r.realm ?? name } : undefined;
    },
    async listRealms() {
      const list = (await call('list realms', 'GET', '')).data as { realm?: string }[];
      return list.map((r) => r.realm ?? '').filter(Boolean);
    },
    async listLdapProviders(realm: RealmRef) {
      const r = await call(`list the user federations of realm "${realm.name}"`, 'GET', components(realm), { query: { parent: realm.id, type: LDAP_PROVIDER_TYPE } });
      return (r.data as Component[]).filter((c) => c.providerId === 'ldap');
    },
    async listMappers(realm, parentId) {
      const r = await call(`list the mappers of the federation`, 'GET', components(realm), { query: { parent: parentId, type: LDAP_MAPPER_TYPE } });
      return r.data as Component[];
    },
    async listComponents(realm) {
      const r = await call(`list the components of realm "${realm.name}"`, 'GET', components(realm));
      return r.data as Component[];
    },
    async getComponent(realm, id) {
      return find<Component>('read a component', `${components(realm)}/${seg(id)}`);
    },
    async createComponent(realm, c) {
      const r = await call(`create component "${c.name}"`, 'POST', components(realm), { json: c });
      const id = r.location?.split('/').pop();
      if (!id) throw new KeycloakError('keycloak.unexpected', `Keycloak created component "${c.name}" but did not say its id (no Location header)`, { hint: 'rerun dirlink: it finds the component by name and converges' });
      return id;
    },
    async updateComponent(realm, id, c) {
      await call(`update component "${c.name ?? id}"`, 'PUT', `${components(realm)}/${seg(id)}`, { json: c });
    },
    async deleteComponent(realm, id) {
      await call('delete a component', 'DELETE', `${components(realm)}/${seg(id)}`);
    },
    async testLdapConnection(realm, req: TestLdapRequest): Promise<TestLdapResult> {
      requests++;
      try {
        await http.request('POST', `/admin/realms/${seg(realm.name)}/testLDAPConnection`, { json: req, headers: { Authorization: `Bearer ${await freshToken()}` } });
        return { ok: true };
      } catch (e) {
        if (e instanceof HttpFailure && e.response.status === 400) {
          const data = e.responseData as { errorMessage?: string } | undefined;
          return { ok: false, code: data?.errorMessage ?? 'UnknownError' };
        }
        throw keycloakError(e, 'run Keycloak\'s LDAP connection test', baseUrl, timeout);
      }
    },
    async findClient(realm, clientId): Promise<ClientInfo | undefined> {
      type Rep = { id?: string; enabled?: boolean; directAccessGrantsEnabled?: boolean; publicClient?: boolean; standardFlowEnabled?: boolean; redirectUris?: string[]; rootUrl?: string };
      const list = (await call(`look up client "${clientId}"`, 'GET', `/${seg(realm.name)}/clients`, { query: { clientId } })).data as Rep[];
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
      const list = (await call(`list the clients of realm "${realm.name}"`, 'GET', `/${seg(realm.name)}/clients`)).data as { clientId?: string }[];
      return list.map((c) => c.clientId ?? '').filter(Boolean);
    },
  };
}
