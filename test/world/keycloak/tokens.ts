// OpenID Connect token endpoint of the emulator: password, client_credentials and refresh_token
// grants; JWT-shaped tokens (HS256 over a per-process key — Keycloak signs RS256, dirlink only
// decodes); server-side expiry so expireTokens() can invalidate tokens a client still trusts.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { formField, type Ctx } from './http-util.js';
import { HttpError, type ClientModel, type EmulatorState, type RealmModel } from './types.js';

export type Role = 'manage-realm' | 'view-realm';

export interface Principal {
  kind: 'admin' | 'service' | 'directory-user';
  realm: string;
  clientId: string;
  /** realm-management roles; the master admin holds every role */
  roles: Role[];
  /** claims that go into the access token besides the standard ones */
  claims: Record<string, unknown>;
}

interface TokenRecord {
  kind: 'access' | 'refresh';
  principal: Principal;
  expMs: number;
}

/** Result of looking a directory user up for a password grant (federation.ts). */
export type LoginOutcome =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; status: number; error: string; description: string };

export type DirectoryLogin = (realm: RealmModel, username: string, password: string) => Promise<LoginOutcome>;

const b64url = (x: Buffer | string) => Buffer.from(x).toString('base64url');

export class TokenService {
  private readonly key = randomBytes(32);
  private readonly kid = randomUUID();
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(
    private readonly state: EmulatorState,
    private readonly lifespanSeconds: number,
    private readonly directoryLogin: DirectoryLogin,
  ) {}

  /** every access token issued so far stops working (refresh tokens still work) */
  expireAll(): void {
    for (const rec of this.tokens.values()) if (rec.kind === 'access') rec.expMs = 0;
  }

  /** Resolves a Bearer token to its principal, or throws Keycloak's 401. */
  authenticate(authorization: string | undefined): Principal {
    const unauthorized = new HttpError(401, { error: 'HTTP 401 Unauthorized' });
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw unauthorized;
    const rec = this.lookup(m[1]!);
    if (!rec || rec.kind !== 'access' || rec.expMs <= Date.now()) throw unauthorized;
    return rec.principal;
  }

  private lookup(token: string): TokenRecord | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const sig = createHmac('sha256', this.key).update(`${parts[0]}.${parts[1]}`).digest('base64url');
    if (sig !== parts[2]) return undefined;
    try {
      const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { jti?: string };
      return payload.jti ? this.tokens.get(payload.jti) : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(kind: 'access' | 'refresh', p: Principal, lifespan: number, base: string, scope: string): string {
    const now = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    const iss = `${base}/realms/${p.realm}`;
    const payload =
      kind === 'access'
        ? { exp: now + lifespan, iat: now, jti, iss, aud: 'account', typ: 'Bearer', azp: p.clientId, scope, ...p.claims }
        : { exp: now + lifespan, iat: now, jti, iss, aud: iss, typ: 'Refresh', azp: p.clientId, scope, sub: p.claims.sub };
    const header = { alg: 'HS256', typ: 'JWT', kid: this.kid };
    const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const sig = createHmac('sha256', this.key).update(unsigned).digest('base64url');
    this.tokens.set(jti, { kind, principal: p, expMs: Date.now() + lifespan * 1000 });
    return `${unsigned}.${sig}`;
  }

  private respond(p: Principal, base: string, withRefresh: boolean, requestedScope?: string) {
    const scope = [...new Set([...(requestedScope ?? '').split(' ').filter(Boolean), 'profile', 'email'])].join(' ');
    const refreshLifespan = 1800; // SSO session idle default
    return {
      access_token: this.sign('access', p, this.lifespanSeconds, base, scope),
      expires_in: this.lifespanSeconds,
      refresh_expires_in: withRefresh ? refreshLifespan : 0,
      ...(withRefresh ? { refresh_token: this.sign('refresh', p, refreshLifespan, base, scope) } : {}),
      token_type: 'Bearer',
      'not-before-policy': 0,
      ...(withRefresh ? { session_state: randomUUID() } : {}),
      scope,
    };
  }

  /** POST /realms/{realm}/protocol/openid-connect/token */
  async tokenEndpoint(ctx: Ctx, realmName: string): Promise<unknown> {
    const realm = this.state.realms.get(realmName);
    if (!realm) throw new HttpError(404, { error: 'Realm does not exist', error_description: 'Realm does not exist' });
    if (!ctx.contentType.includes('application/x-www-form-urlencoded')) {
      throw new HttpError(400, { error: 'invalid_request', error_description: 'Missing form parameter: grant_type' });
    }
    const f = (k: string) => formField(ctx.body, k);
    const grant = f('grant_type');
    if (!grant) throw new HttpError(400, { error: 'invalid_request', error_description: 'Missing form parameter: grant_type' });
    const client = this.authenticateClient(ctx, realm);
    const scope = f('scope');

    if (grant === 'password') {
      if (!client.directAccessGrantsEnabled) {
        // ResourceOwnerPasswordCredentialsGrantType (Keycloak 26): 400, not 401
        throw new HttpError(400, { error: 'unauthorized_client', error_description: 'Client not allowed for direct access grants' });
      }
      const username = f('username') ?? '';
      const password = f('password') ?? '';
      const badCreds = new HttpError(401, { error: 'invalid_grant', error_description: 'Invalid user credentials' });
      if (realm.realm === 'master') {
        // an unknown user is ValidateUsername's 400, a wrong password ValidatePassword's 401 (see login.ts)
        if (username.toLowerCase() !== this.state.adminUser.toLowerCase()) throw new HttpError(400, { error: 'invalid_grant', error_description: 'Invalid user credentials' });
        if (password !== this.state.adminPassword) throw badCreds;
        const p: Principal = {
          kind: 'admin', realm: realm.realm, clientId: client.clientId, roles: ['manage-realm', 'view-realm'],
          claims: { sub: `admin-${realm.id}`, preferred_username: this.state.adminUser.toLowerCase(), email_verified: false, sid: randomUUID() },
        };
        return this.respond(p, ctx.base, true, scope);
      }
      const outcome = await this.directoryLogin(realm, username, password);
      if (!outcome.ok) throw new HttpError(outcome.status, { error: outcome.error, error_description: outcome.description });
      const p: Principal = { kind: 'directory-user', realm: realm.realm, clientId: client.clientId, roles: [], claims: outcome.claims };
      return this.respond(p, ctx.base, true, scope);
    }
    if (grant === 'client_credentials') {
      if (client.publicClient || !client.serviceAccountsEnabled) {
        throw new HttpError(401, { error: 'unauthorized_client', error_description: 'Client not enabled to retrieve service account' });
      }
      const p: Principal = {
        kind: 'service', realm: realm.realm, clientId: client.clientId, roles: [...client.roles],
        claims: { sub: `service-account-${client.id}`, preferred_username: `service-account-${client.clientId.toLowerCase()}`, email_verified: false, clientId: client.clientId },
      };
      return this.respond(p, ctx.base, false, scope);
    }
    if (grant === 'refresh_token') {
      const rec = this.lookup(f('refresh_token') ?? '');
      if (!rec || rec.kind !== 'refresh' || rec.expMs <= Date.now() || rec.principal.realm !== realm.realm) {
        throw new HttpError(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
      }
      if (rec.principal.clientId !== client.clientId) {
        throw new HttpError(400, { error: 'invalid_grant', error_description: 'Invalid refresh token. Token client and authorized client don\'t match' });
      }
      return this.respond(rec.principal, ctx.base, true, scope);
    }
    throw new HttpError(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant_type' });
  }

  /** client authentication: Basic header, or form client_id (+ client_secret for confidential clients) */
  private authenticateClient(ctx: Ctx, realm: RealmModel): ClientModel {
    let clientId = formField(ctx.body, 'client_id');
    let secret = formField(ctx.body, 'client_secret');
    const auth = ctx.req.headers.authorization ?? '';
    const basic = /^Basic\s+(\S+)$/i.exec(auth);
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      // RFC 6749 §2.3.1: both parts are form-urlencoded before base64
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      clientId = dec(i < 0 ? decoded : decoded.slice(0, i));
      secret = i < 0 ? '' : dec(decoded.slice(i + 1));
    }
    const invalidClient = new HttpError(401, { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' });
    if (!clientId) throw new HttpError(401, { error: 'invalid_client', error_description: 'Missing parameter: client_id' });
    const client = realm.clients.find((c) => c.clientId === clientId);
    if (!client || !client.enabled) throw invalidClient;
    if (!client.publicClient && (secret === undefined || secret !== client.secret)) throw invalidClient;
    return client;
  }
}
