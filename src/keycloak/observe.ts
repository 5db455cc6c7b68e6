// Read-only look at the realm: the realm's internal id, the federation with the chosen name, its
// mappers, and whether Keycloak's stored bind password still works. Nothing here writes.
import { KeycloakError } from '../errors.js';
import type { CredentialDecision, ObservedKeycloak } from '../plan/plan.js';
import type { FederationSettings } from './federation.js';
import { adviceFor } from './test-codes.js';
import { SECRET_MASK, type Component, type KeycloakPort, type RealmRef, type TestLdapRequest } from './types.js';

function similar(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.includes(y) || y.includes(x) || levenshtein(x, y) <= 2;
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

export async function findRealm(kc: KeycloakPort, name: string): Promise<RealmRef> {
  const realm = await kc.getRealm(name);
  if (realm) return realm;
  const names = await kc.listRealms().catch(() => [] as string[]);
  const close = names.filter((n) => similar(n, name));
  throw new KeycloakError('keycloak.realm-missing', `realm "${name}" does not exist in Keycloak`, {
    field: 'realm',
    hint: close.length ? `did you mean ${close.map((n) => `"${n}"`).join(' or ')}? (--realm)` : `existing realms: ${names.join(', ') || 'none visible'}; pass --realm`,
    data: { realms: names },
  });
}

export interface FederationLookup {
  federation?: Component;
  /** other LDAP providers in the realm (they also answer user searches) */
  others: Component[];
}

export async function findFederation(kc: KeycloakPort, realm: RealmRef, name: string): Promise<FederationLookup> {
  const all = await kc.listLdapProviders(realm);
  const same = all.filter((c) => c.name === name);
  if (same.length > 1) {
    throw new KeycloakError('keycloak.duplicate-federations', `realm "${realm.name}" has ${same.length} LDAP federations named "${name}"`, {
      field: 'federationName',
      hint: `dirlink will not guess which one to change: delete the extra ones in the admin console (ids ${same.map((c) => c.id).join(', ')}) or pick another --federation-name`,
      data: { ids: same.map((c) => c.id) },
    });
  }
  return { federation: same[0], others: all.filter((c) => c.name !== name) };
}

/** Keycloak's testAuthentication of these settings; the mask plus componentId tests the stored password. */
export function authenticationTest(s: FederationSettings, bindCredential: string, componentId?: string): TestLdapRequest {
  return {
    action: 'testAuthentication',
    connectionUrl: s.url,
    bindDn: s.bindDn,
    bindCredential,
    authType: 'simple',
    useTruststoreSpi: 'always',
    connectionTimeout: String(s.timeoutMs),
    startTls: String(s.startTls),
    ...(componentId ? { componentId } : {}),
  };
}

/**
 * How to treat the bind password, which Keycloak only ever shows masked. The stored one is kept
 * only when URL and bind DN are unchanged AND Keycloak itself says it still authenticates;
 * whenever URL or bind DN change, the real password is sent (Keycloak issue 47295).
 */
export async function decideCredential(
  kc: KeycloakPort,
  realm: RealmRef,
  s: FederationSettings,
  bindPassword: string,
  fed: Component | undefined,
  rotate: boolean,
): Promise<{ decision: CredentialDecision; keycloakTest: { ok: boolean; code?: string; advice?: string } }> {
  const base = authenticationTest(s, bindPassword);
  const cfg = fed?.config ?? {};
  const unchanged = fed && cfg.connectionUrl?.[0] === s.url && cfg.bindDn?.[0]?.toLowerCase() === s.bindDn.toLowerCase();

  if (fed && unchanged && !rotate) {
    const r = await kc.testLdapConnection(realm, authenticationTest(s, SECRET_MASK, fed.id));
    if (r.ok) return { decision: { action: 'keep', reason: "Keycloak's stored password still authenticates" }, keycloakTest: { ok: true } };
    if (r.code !== 'AuthenticationFailure') {
      return { decision: { action: 'send', reason: `Keycloak could not test its stored password (${r.code})` }, keycloakTest: { ok: false, code: r.code, advice: adviceFor(r.code) } };
    }
    // The stored one fails: make sure the new one works from Keycloak before planning to send it.
    const again = await kc.testLdapConnection(realm, base);
    return {
      decision: { action: 'send', reason: "Keycloak's stored password no longer authenticates" },
      keycloakTest: again.ok ? { ok: true } : { ok: false, code: again.code, advice: adviceFor(again.code) },
    };
  }
  const r = await kc.testLdapConnection(realm, base);
  const decision: CredentialDecision = !fed
    ? { action: 'set', reason: 'the bind password you gave' }
    : rotate
      ? { action: 'send', reason: '--rotate-bind-password' }
      : { action: 'send', reason: 'connection URL or bind DN changed: a stored password is never re-used for another server' };
  return { decision, keycloakTest: r.ok ? { ok: true } : { ok: false, code: r.code, advice: adviceFor(r.code) } };
}

export async function observeKeycloak(
  kc: KeycloakPort,
  s: FederationSettings,
  bindPassword: string,
  opts: { realm: string; rotate: boolean },
): Promise<{ observed: ObservedKeycloak; others: Component[]; keycloakTest: { ok: boolean; code?: string; advice?: string } }> {
  const realm = await findRealm(kc, opts.realm);
  const { federation, others } = await findFederation(kc, realm, s.name);
  const mappers = federation?.id ? await kc.listMappers(realm, federation.id) : [];
  const { decision, keycloakTest } = await decideCredential(kc, realm, s, bindPassword, federation, opts.rotate);
  return { observed: { realm, federation, mappers, credential: decision }, others, keycloakTest };
}
