// Password grant for directory users (keycloak.md §7): the user is found through the realm's LDAP
// providers and authenticated by a real LDAP bind as the user's DN.
import { randomUUID } from 'node:crypto';
import { first } from './factories.js';
import { findByUsername, providersOf, type FederatedUser, type Provider } from './federation.js';
import { closeQuietly, connect, splitUrls } from './ldap.js';
import type { LoginOutcome } from './tokens.js';
import type { EmulatorState, RealmModel } from './types.js';

// The direct-grant flow (Keycloak 26 source, services/…/authenticators/directgrant): ValidateUsername
// answers an unknown user with 400, ValidatePassword a wrong password with 401 — both
// invalid_grant "Invalid user credentials" (keycloak.md §7 gives the body; the two statuses are the
// only way a client can tell "no such user" from "wrong password").
const invalidCredentials: LoginOutcome = { ok: false, status: 401, error: 'invalid_grant', description: 'Invalid user credentials' };
const userNotFound: LoginOutcome = { ok: false, status: 400, error: 'invalid_grant', description: 'Invalid user credentials' };
const notSetUp: LoginOutcome = { ok: false, status: 400, error: 'invalid_grant', description: 'Account is not fully set up' };
// Direct grant with a disabled user: ValidateUsername → "Account disabled", 400 invalid_grant
// (AbstractUsernameFormAuthenticator/DirectGrant; checked before the password, so a wrong password
// on a disabled AD account also says "Account disabled"). For LDAP users "disabled" comes from the
// MSAD account controls mapper (userAccountControl & ACCOUNTDISABLE) — keycloak.md §7 [I].
const disabled: LoginOutcome = { ok: false, status: 400, error: 'invalid_grant', description: 'Account disabled' };

async function bindAsUser(state: EmulatorState, p: Provider, dn: string, password: string): Promise<'ok' | 'bad' | 'mustChange'> {
  const cfg = p.comp.config;
  for (const url of splitUrls(first(cfg, 'connectionUrl') ?? '')) {
    let client;
    try {
      const t = Number.parseInt(first(cfg, 'connectionTimeout') ?? '', 10);
      client = await connect({
        url, startTls: first(cfg, 'startTls') === 'true', useTruststoreSpi: first(cfg, 'useTruststoreSpi') ?? 'always',
        timeoutMs: Number.isFinite(t) && t > 0 ? t : 5000, truststore: state.truststore, network: state.network,
      });
      await client.bind(dn, password);
      return 'ok';
    } catch (err) {
      const e = err as { code?: unknown; message?: string };
      if (typeof e.code === 'number') {
        // AD "data 773": correct password, must change it. The MSAD mapper turns it into the
        // UPDATE_PASSWORD required action only in WRITABLE mode (processAuthErrorCode); in
        // READ_ONLY (the Run:AI setting) the failed bind is just invalid credentials.
        if (p.msad && p.writable && /data 773/i.test(e.message ?? '')) return 'mustChange';
        return 'bad';
      }
      // connection problem: try the next URL
    } finally {
      await closeQuietly(client);
    }
  }
  return 'bad';
}

export async function login(state: EmulatorState, realm: RealmModel, username: string, password: string): Promise<LoginOutcome> {
  if (!username) return userNotFound;
  let found: { p: Provider; u: FederatedUser } | undefined;
  for (const p of providersOf(realm)) {
    try {
      let u = await findByUsername(state, realm, p, username);
      // loginWithEmailAllowed (default on): an "@" name is also tried as an email
      if (!u && username.includes('@')) u = await findByUsername(state, realm, p, username, true);
      if (u) {
        found = { p, u };
        break;
      }
    } catch {
      return invalidCredentials; // provider unreachable: Keycloak logs it and the login fails
    }
  }
  if (!found) return userNotFound;
  const { p, u } = found;
  if (!u.enabled) return disabled;
  if (!password) return invalidCredentials; // Keycloak never sends an empty password to LDAP
  const bound = await bindAsUser(state, p, u.dn, password);
  if (bound === 'bad') return invalidCredentials;
  // pending UPDATE_PASSWORD, or a profile without email / first / last name (default user profile,
  // issue #36108) → the direct grant cannot complete
  if (bound === 'mustChange' || u.mustChangePassword) return notSetUp;
  if (!u.email || !u.firstName || !u.lastName) return notSetUp;
  return {
    ok: true,
    claims: {
      sub: u.id,
      sid: randomUUID(),
      preferred_username: u.username,
      email: u.email,
      email_verified: u.emailVerified,
      given_name: u.firstName,
      family_name: u.lastName,
      name: `${u.firstName} ${u.lastName}`,
    },
  };
}
