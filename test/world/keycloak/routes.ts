// Request routing of the emulator: OIDC endpoints and the /admin/realms subset dirlink uses.
import { createComponent, deleteComponent, getComponent, listComponents, subComponentTypes, updateComponent } from './components.js';
import { mapperProviderIds } from './factories.js';
import { getUser, searchUsers, userRepresentation } from './federation.js';
import { handleTestLdap } from './ldap-test.js';
import type { Ctx } from './http-util.js';
import type { Principal, Role, TokenService } from './tokens.js';
import { HttpError, type ClientModel, type EmulatorState, type RealmModel } from './types.js';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const noRoute = () =>
  new HttpError(404, { error: 'Unable to find matching target resource method', error_description: 'For more on this error consult the server log.' });

function requireRole(p: Principal, role: Role): void {
  // only master-realm principals administer realms here (the emulator has no per-realm realm-management)
  if (p.realm !== 'master' || !p.roles.includes(role)) throw new HttpError(403, { error: 'HTTP 403 Forbidden' });
}

function clientRepresentation(c: ClientModel) {
  return {
    id: c.id, clientId: c.clientId, enabled: c.enabled, publicClient: c.publicClient,
    directAccessGrantsEnabled: c.directAccessGrantsEnabled, standardFlowEnabled: c.standardFlowEnabled,
    serviceAccountsEnabled: c.serviceAccountsEnabled, implicitFlowEnabled: false, bearerOnly: false,
    fullScopeAllowed: true, protocol: 'openid-connect', attributes: {},
    redirectUris: c.redirectUris ?? [], ...(c.rootUrl ? { rootUrl: c.rootUrl } : {}),
  };
}

function realmRepresentation(r: RealmModel) {
  return {
    id: r.id, realm: r.realm, enabled: r.enabled, duplicateEmailsAllowed: r.duplicateEmailsAllowed,
    loginWithEmailAllowed: true, registrationEmailAsUsername: false, verifyEmail: false,
    accessTokenLifespan: 300, sslRequired: 'external',
  };
}

export async function route(ctx: Ctx, state: EmulatorState, tokens: TokenService): Promise<Reply> {
  const seg = ctx.path.split('/').filter(Boolean).map(decodeURIComponent);
  const m = ctx.method;

  // /realms/{realm}/protocol/openid-connect/token
  if (seg[0] === 'realms' && seg.length === 5 && seg[2] === 'protocol' && seg[3] === 'openid-connect' && seg[4] === 'token') {
    if (m !== 'POST') throw noRoute();
    return { status: 200, body: await tokens.tokenEndpoint(ctx, seg[1]!) };
  }
  if (seg[0] === 'realms' && seg.length === 4 && seg[2] === '.well-known' && seg[3] === 'openid-configuration' && m === 'GET') {
    const realm = state.realms.get(seg[1]!);
    if (!realm) throw new HttpError(404, { error: 'Realm does not exist' });
    const iss = `${ctx.base}/realms/${realm.realm}`;
    return { status: 200, body: { issuer: iss, token_endpoint: `${iss}/protocol/openid-connect/token`, grant_types_supported: ['password', 'client_credentials', 'refresh_token'] } };
  }
  if (seg[0] !== 'admin') throw noRoute();

  const principal = tokens.authenticate(ctx.req.headers.authorization);
  if (seg[1] === 'serverinfo' && seg.length === 2 && m === 'GET') {
    return { status: 200, body: { systemInfo: { version: state.version }, componentTypes: {} } };
  }
  if (seg[1] !== 'realms') throw noRoute();
  if (seg.length === 2) {
    if (m !== 'GET') throw noRoute();
    requireRole(principal, 'view-realm');
    return { status: 200, body: [...state.realms.values()].map(realmRepresentation) };
  }
  const realm = state.realms.get(seg[2]!);
  const read = () => requireRole(principal, 'view-realm');
  const write = () => requireRole(principal, 'manage-realm');
  if (!realm) {
    read();
    throw new HttpError(404, { error: 'Realm not found.' });
  }
  const rest = seg.slice(3);
  if (rest.length === 0) {
    if (m !== 'GET') throw noRoute();
    read();
    return { status: 200, body: realmRepresentation(realm) };
  }
  const [res, id, sub] = rest;
  if (res === 'clients' && rest.length === 1 && m === 'GET') {
    read();
    const clientId = ctx.query.get('clientId');
    return { status: 200, body: realm.clients.filter((c) => clientId === null || c.clientId === clientId).map(clientRepresentation) };
  }
  if (res === 'components') {
    if (rest.length === 1) {
      if (m === 'GET') {
        read();
        return { status: 200, body: listComponents(realm, ctx.query) };
      }
      if (m === 'POST') {
        write();
        const newId = createComponent(state, realm, ctx.body);
        const location = `${ctx.base}/admin/realms/${encodeURIComponent(realm.realm)}/components/${encodeURIComponent(newId)}`;
        return { status: 201, headers: { location } };
      }
    } else if (rest.length === 2) {
      if (m === 'GET') {
        read();
        return { status: 200, body: getComponent(realm, id!) };
      }
      if (m === 'PUT') {
        write();
        updateComponent(state, realm, id!, ctx.body);
        return { status: 204 };
      }
      if (m === 'DELETE') {
        write();
        deleteComponent(realm, id!);
        return { status: 204 };
      }
    } else if (rest.length === 3 && sub === 'sub-component-types' && m === 'GET') {
      read();
      return { status: 200, body: subComponentTypes(realm, id!, ctx.query.get('type'), mapperProviderIds()) };
    }
    throw noRoute();
  }
  if (res === 'testLDAPConnection' && rest.length === 1 && m === 'POST') {
    write(); // auth.realm().requireManageRealm()
    await handleTestLdap(state, realm, ctx.body);
    return { status: 204 };
  }
  if (res === 'users' && m === 'GET') {
    read(); // Keycloak: view-users (granted with view-realm/manage-realm here)
    if (rest.length === 1) {
      const brief = ctx.query.get('briefRepresentation') === 'true';
      const users = await searchUsers(state, realm, ctx.query);
      return { status: 200, body: users.map((u) => userRepresentation(u, brief)) };
    }
    if (rest.length === 2) {
      const u = await getUser(state, realm, id!);
      if (!u) throw new HttpError(404, { error: 'User not found' });
      return { status: 200, body: userRepresentation(u, false) };
    }
  }
  throw noRoute();
}
