// POST /admin/realms/{r}/testLDAPConnection — LDAPServerCapabilitiesManager.testLDAP (keycloak.md §3),
// performed for real against the directory with ldapts.
import { classify, closeQuietly, connect, LdapFailure, splitUrls, tcpProbe, type LdapTarget } from './ldap.js';
import { SECRET_MASK, USER_STORAGE, first } from './factories.js';
import { HttpError, type EmulatorState, type RealmModel } from './types.js';

export const DEFAULT_TEST_TIMEOUT = 30_000;

type TestRep = Partial<Record<
  'action' | 'connectionUrl' | 'bindDn' | 'bindCredential' | 'useTruststoreSpi' | 'connectionTimeout' | 'componentId' | 'startTls' | 'authType',
  string
>>;

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? (v[0] === undefined ? undefined : String(v[0])) : String(v);
}

/** java.net.URI#equals is case-insensitive on scheme and host only; good enough: compare normalized */
function sameUrlList(a: string, b: string): boolean {
  const x = splitUrls(a);
  const y = splitUrls(b);
  if (x.length !== y.length) return false;
  const norm = (u: string) => {
    try {
      const p = new URL(u);
      return `${p.protocol}//${p.hostname.toLowerCase()}:${p.port}${p.pathname === '/' ? '' : p.pathname}`;
    } catch {
      return u;
    }
  };
  return x.every((u, i) => norm(u) === norm(y[i]!));
}

/** Returns undefined on success (→ 204) or Keycloak's error code (→ 400 {"errorMessage": code}). */
export async function testLdap(state: EmulatorState, realm: RealmModel, body: unknown): Promise<string | undefined> {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const rep: TestRep = {};
  for (const k of ['action', 'connectionUrl', 'bindDn', 'bindCredential', 'useTruststoreSpi', 'connectionTimeout', 'componentId', 'startTls', 'authType'] as const) {
    rep[k] = str(raw[k]);
  }
  try {
    const action = rep.action;
    if (action !== 'testConnection' && action !== 'testAuthentication') {
      throw new LdapFailure('NamingError', 'testLDAP unknown action');
    }
    // testConnection never binds (PR #31081, 25.0.2); authType "none" means an anonymous connection
    const authType = action === 'testConnection' ? 'none' : (rep.authType ?? 'simple');
    const bindDn = rep.bindDn ?? '';
    let credential = rep.bindCredential ?? '';
    if (action === 'testAuthentication' && authType === 'simple' && bindDn.trim() === '') {
      throw new LdapFailure('InvalidBindDN', 'Unknown bind DN');
    }
    // The stored secret is reused only when nothing that identifies the target changed (#30434/#31196).
    if (rep.componentId && authType !== 'none' && credential === SECRET_MASK) {
      const stored = realm.components.get(rep.componentId);
      if (
        stored && stored.providerType === USER_STORAGE &&
        sameUrlList(rep.connectionUrl ?? '', first(stored.config, 'connectionUrl') ?? '') &&
        bindDn.toLowerCase() === (first(stored.config, 'bindDn') ?? '').toLowerCase()
      ) {
        credential = first(stored.config, 'bindCredential') ?? '';
      }
      // otherwise the literal mask is sent as the password and the bind fails — as in Keycloak
    }
    const timeout = Number.parseInt(rep.connectionTimeout ?? '', 10);
    const timeoutMs = Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_TEST_TIMEOUT;
    const urls = splitUrls(rep.connectionUrl ?? '');
    if (urls.length === 0) throw new LdapFailure('MalformedURL', 'no connection URL');
    let lastError: unknown;
    for (const url of urls) {
      const target: LdapTarget = {
        url, startTls: rep.startTls === 'true', useTruststoreSpi: rep.useTruststoreSpi ?? 'always', timeoutMs, truststore: state.truststore, network: state.network,
      };
      try {
        await attempt(target, action, authType, bindDn, credential);
        return undefined;
      } catch (err) {
        lastError = err;
        // JNDI fails over to the next URL only when the connection itself fails
        const code = classify(err);
        if (!['ConnectionFailed', 'UnknownHost', 'NoRouteToHost', 'CommunicationError', 'SocketReset'].includes(code)) break;
      }
    }
    throw lastError;
  } catch (err) {
    return classify(err);
  }
}

async function attempt(t: LdapTarget, action: string, authType: string, bindDn: string, credential: string): Promise<void> {
  if (action === 'testConnection' && !t.startTls) {
    // No bind means nothing is written on the socket: JNDI's lazy LDAPS handshake never runs, so
    // "Test connection" succeeds against an untrusted LDAPS server while "Test authentication"
    // fails with SSLHandshakeFailed — the well-known quirk (keycloak.md §3, §10.2). TCP only.
    await tcpProbe(t);
    return;
  }
  let client;
  try {
    client = await connect(t); // with StartTLS this already negotiated TLS
    if (action === 'testConnection') return;
    // authType none: ldapContext.reconnect(null) → an anonymous bind
    if (authType === 'none') await client.bind('', '');
    else await client.bind(bindDn, credential);
  } finally {
    await closeQuietly(client);
  }
}

/** The form-encoded (deprecated) and JSON variants take the same field names. */
export async function handleTestLdap(state: EmulatorState, realm: RealmModel, body: unknown): Promise<void> {
  const code = await testLdap(state, realm, body);
  if (code) throw new HttpError(400, { errorMessage: code });
}

