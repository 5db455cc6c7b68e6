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

/**
 * A 403 turned into what to grant. dirlink logs in to the master realm, where a realm's admin
 * rights are the roles of the client "<realm>-realm"; reads need view-realm, and writes — and
 * testLDAPConnection, which Keycloak guards with requireManageRealm (keycloak.md §3) — manage-realm.
 */
async function permitted<T>(realm: string, need: 'view-realm' | 'manage-realm', what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof KeycloakError) || e.code !== 'keycloak.forbidden') throw e;
    const manage = need === 'manage-realm';
    throw new KeycloakError(manage ? 'keycloak.cannot-manage' : 'keycloak.cannot-read', `the Keycloak account may not ${manage ? 'manage' : 'read'} realm "${realm}": 403 on ${what}${manage ? '. Nothing was changed' : ''}`, {
      hint: `in the master realm, give the account (or the client's service account) the roles view-realm and manage-realm of client "${realm}-realm" (Role mapping → Assign role → filter by clients), or use a master-realm admin`,
      data: { status: 403, realm, missingRole: need },
      cause: e,
    });
  }
}

export async function findRealm(kc: KeycloakPort, name: string): Promise<RealmRef> {
  const realm = await permitted(name, 'view-realm', `reading the realm`, () => kc.getRealm(name));
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
  const all = await permitted(realm.name, 'view-realm', 'listing the user federations', () => kc.listLdapProviders(realm));
  const same = all.filter((c) => c.name === name);
  if (same.length > 1) {
    // Keycloak allows duplicate names (no 409, keycloak.md §1.3): changing "the" one would be a guess.
    const list = same.map((c) => ({ id: c.id, name: c.name, url: c.config?.connectionUrl?.[0] ?? '(no URL)', usersDn: c.config?.usersDn?.[0] }));
    throw new KeycloakError('keycloak.duplicate-federations', `realm "${realm.name}" has ${same.length} LDAP federations named "${name}":\n${list.map((f) => `  - id ${f.id}  "${f.name}"  ${f.url}${f.usersDn ? `  ${f.usersDn}` : ''}`).join('\n')}`, {
      field: 'federationName',
      hint: 'dirlink will not guess which one to change: delete or rename the extra ones in the admin console (User federation), or pick another --federation-name',
      data: { ids: list.map((f) => f.id), federations: list },
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

  // The first testLDAPConnection is also the permission probe: it needs manage-realm like a write
  // does, and runs before anything is written.
  const probe = (req: TestLdapRequest) => permitted(realm.name, 'manage-realm', "Keycloak's LDAP connection test (it needs manage-realm, as writes do)", () => kc.testLdapConnection(realm, req));
  if (fed && unchanged && !rotate) {
    const r = await probe(authenticationTest(s, SECRET_MASK, fed.id));
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
  const r = await probe(base);
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
  const mappers = federation?.id ? await permitted(realm.name, 'view-realm', 'listing the mappers', () => kc.listMappers(realm, federation.id!)) : [];
  const { decision, keycloakTest } = await decideCredential(kc, realm, s, bindPassword, federation, opts.rotate);
  return { observed: { realm, federation, mappers, credential: decision }, others, keycloakTest };
}
