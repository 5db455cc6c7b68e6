// Prove it end to end: log a directory user in through the realm (admin-cli password grant, as a
// person's CLI would) and check the token's claims against what the mappers promise: the values of
// the username and email mappers' LDAP attributes in the user's entry. Exit 6 with Keycloak's own
// reason otherwise.
import { KeycloakError, VerifyError, isDirlinkError } from '../errors.js';
import type { Settings } from '../inputs/resolve.js';
import { findFederation } from '../keycloak/observe.js';
import { LDAP_MAPPER_TYPE, type Component, type KeycloakPort, type RealmRef } from '../keycloak/types.js';
import type { Deps } from './context.js';
import { jwtClaims } from '../auth/jwt.js';

export interface VerifyResult {
  user: string;
  ok: boolean;
  claims?: { preferred_username?: string; email?: string; given_name?: string; family_name?: string };
  /** what the claims were compared with, and where that came from */
  expected?: { preferred_username?: string; email?: string; usernameAttribute: string; emailAttribute: string; from: string; dn?: string };
  notes?: string[];
}

/**
 * Keycloak's direct-grant answers (keycloak.md §7; statuses from Keycloak 26's ValidateUsername,
 * ValidatePassword and ResourceOwnerPasswordCredentialsGrantType): the same "Invalid user
 * credentials" text means "no such user" with 400 and "wrong password" with 401.
 */
function refusal(status: number, desc: string, user: string, realm: string): { code: string; message: string; hint: string } {
  const base = `Keycloak refused the login of "${user}" in realm "${realm}": ${desc}`;
  if (desc === 'Invalid user credentials' && status === 400) {
    return {
      code: 'verify.user-not-found',
      message: `${base} (HTTP 400: Keycloak found no such user)`,
      hint: 'Keycloak looks the name up with the username mapper\'s LDAP attribute under the users DN (and objectClasses / search filter): check the name, --users-dn and --username-attribute. The same 400 comes from a user locked by brute-force detection',
    };
  }
  if (desc === 'Invalid user credentials') {
    return {
      code: 'verify.invalid-credentials',
      message: `${base} (HTTP ${status}: the directory rejected the password)`,
      hint: 'check the verify password; on AD an account that must change its password at next logon (data 773) or whose password expired is refused the same way while the federation is READ_ONLY',
    };
  }
  if (/^Account is not fully set up/.test(desc)) {
    return {
      code: 'verify.not-fully-set-up',
      message: base,
      hint: "the user's profile lacks a required attribute (email, first or last name: the user profile requires them, Keycloak issue 36108) or has a pending required action; on AD map email to userPrincipalName, which every account has (--email-attribute)",
    };
  }
  if (desc === 'Account disabled') {
    return { code: 'verify.disabled', message: base, hint: 'the account is disabled in the directory (AD userAccountControl ACCOUNTDISABLE) or in Keycloak: enable it, or verify with another user' };
  }
  if (desc === 'Account temporarily disabled') {
    return { code: 'verify.locked', message: base, hint: "Keycloak's brute-force detection locked the user: wait, or unlock the user in the admin console" };
  }
  return { code: 'verify.failed', message: base, hint: 'see the Keycloak server log (event type LOGIN_ERROR) for the cause' };
}

/** Logs the user in through the realm's admin-cli; returns the access token's claims. */
export async function loginAs(baseUrl: string, realm: string, user: string, password: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  const url = `${baseUrl}/realms/${encodeURIComponent(realm)}/protocol/openid-connect/token`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: user, password, scope: 'openid' }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new KeycloakError('keycloak.unreachable', `cannot reach Keycloak at ${baseUrl} to log "${user}" in: ${(e as Error).cause ? String(((e as Error).cause as Error).message) : (e as Error).message}`, {
      field: 'keycloakUrl',
      hint: 'check --keycloak-url',
    });
  }
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
  if (res.ok && body.access_token) return jwtClaims(body.access_token);
  const desc = body.error_description ?? body.error ?? `HTTP ${res.status}`;
  if (body.error === 'unauthorized_client') {
    throw new VerifyError('verify.client', `realm "${realm}" does not allow password logins through admin-cli: ${desc}`, {
      hint: 'enable "Direct access grants" on the admin-cli client of the realm, or verify through the Run:AI login page',
      data: { status: res.status, keycloakError: body.error },
    });
  }
  if (body.error === 'invalid_client') {
    throw new VerifyError('verify.client', `realm "${realm}" has no usable admin-cli client: ${desc}`, {
      hint: 'admin-cli exists in every realm unless someone deleted or disabled it (Clients → admin-cli); verify through the Run:AI login page instead',
      data: { status: res.status, keycloakError: body.error },
    });
  }
  if (res.status === 404) throw new KeycloakError('keycloak.realm-missing', `realm "${realm}" does not exist`, { field: 'realm' });
  const r = refusal(res.status, desc, user, realm);
  throw new VerifyError(r.code, r.message, { hint: r.hint, field: 'verifyUser', data: { status: res.status, keycloakError: body.error, keycloakReason: desc } });
}

/** The LDAP attributes the federation's own username and email mappers read, as Keycloak has them. */
async function mapperAttributes(kc: KeycloakPort, realm: RealmRef, federationName: string, notes: string[]): Promise<{ username?: string; email?: string } | undefined> {
  let federation: Component | undefined;
  try {
    ({ federation } = await findFederation(kc, realm, federationName));
  } catch (e) {
    // the login proof still means something with duplicates; setup and status stop on them
    if (!(e instanceof KeycloakError) || e.code !== 'keycloak.duplicate-federations') throw e;
    notes.push(`${e.message.split('\n')[0]}: compared with the settings' attributes`);
    return undefined;
  }
  if (!federation?.id) {
    notes.push(`realm "${realm.name}" has no federation "${federationName}": compared with the settings' attributes`);
    return undefined;
  }
  const mappers: Component[] = (await kc.listMappers(realm, federation.id)).filter((m) => (m.providerType ?? LDAP_MAPPER_TYPE) === LDAP_MAPPER_TYPE);
  const writing = (model: string) => mappers.filter((m) => m.providerId === 'user-attribute-ldap-mapper' && m.config?.['user.model.attribute']?.[0] === model);
  const pick = (model: string) => {
    const all = writing(model);
    if (all.length > 1) notes.push(`${all.length} mappers write ${model} (${all.map((m) => `"${m.name}" ← ${m.config?.['ldap.attribute']?.[0]}`).join(', ')}): Keycloak issue 35194, the result is not predictable`);
    return (all.find((m) => m.name === model) ?? all[0])?.config?.['ldap.attribute']?.[0];
  };
  return { username: pick('username'), email: pick('email') };
}

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : undefined);

export async function runVerify(s: Settings, deps: Deps, kc?: KeycloakPort): Promise<VerifyResult> {
  const v = s.verify!;
  const step = deps.reporter.step('verify', `Login of "${v.user}" through realm "${s.keycloak.realm}"`);
  const notes: string[] = [];
  try {
    let attrs = { username: s.ldap.usernameAttribute, email: s.ldap.emailAttribute };
    let from = 'the settings (--username-attribute, --email-attribute)';
    if (kc) {
      const realm = await kc.getRealm(s.keycloak.realm);
      const client = realm ? await kc.findClient(realm, 'admin-cli') : undefined;
      if (realm && !client) throw new VerifyError('verify.client', `realm "${s.keycloak.realm}" has no admin-cli client, so no password login can be tried`, { hint: 'admin-cli exists in every realm unless deleted; verify through the Run:AI login page instead' });
      if (client && !client.enabled) throw new VerifyError('verify.client', `the admin-cli client of realm "${s.keycloak.realm}" is disabled`, { hint: 'enable admin-cli in that realm, or verify through the Run:AI login page' });
      if (client && !client.directAccessGrantsEnabled) {
        throw new VerifyError('verify.client', `the admin-cli client of realm "${s.keycloak.realm}" has direct access grants off`, {
          hint: 'turn on "Direct access grants" for admin-cli in that realm, or verify through the Run:AI login page',
        });
      }
      const m = realm ? await mapperAttributes(kc, realm, s.keycloak.federationName, notes) : undefined;
      if (m?.username && m.email) {
        for (const k of ['username', 'email'] as const) {
          if (m[k]!.toLowerCase() !== attrs[k].toLowerCase()) notes.push(`the ${k} mapper reads ${m[k]}, the settings say ${attrs[k]} (dirlink status shows the difference; setup repairs it)`);
        }
        attrs = { username: m.username, email: m.email };
        from = `the mappers of federation "${s.keycloak.federationName}"`;
      }
    }

    const claims = (await loginAs(s.keycloak.url, s.keycloak.realm, v.user, v.password)) as VerifyResult['claims'] & Record<string, unknown>;

    // What the mappers promise: the entry's values of their attributes (Keycloak lower-cases both).
    const expected: NonNullable<VerifyResult['expected']> = { usernameAttribute: attrs.username, emailAttribute: attrs.email, from };
    const canRead = deps.ldap.lookupUser && s.ldap.url && s.ldap.bindDn && s.ldap.bindPassword && s.ldap.usersDn;
    const entry = canRead ? await deps.ldap.lookupUser!(s.ldap, v.user, attrs, { signal: deps.signal }) : undefined;
    if (entry) {
      expected.dn = entry.dn;
      expected.preferred_username = lower(entry.values[attrs.username]);
      expected.email = lower(entry.values[attrs.email]);
    } else {
      notes.push(canRead
        ? `"${v.user}" was not found under ${s.ldap.usersDn} with dirlink's settings although Keycloak logged it in: compared the username only`
        : 'no directory settings given (--ldap-url, --bind-dn, bind password, --users-dn): compared the username only');
      if (!v.user.includes('@')) expected.preferred_username = v.user.toLowerCase();
    }

    const problems: string[] = [];
    const got = { preferred_username: lower(claims.preferred_username), email: lower(claims.email) };
    const where = entry ? ` (${entry.dn})` : '';
    if (expected.preferred_username !== undefined && got.preferred_username !== expected.preferred_username) {
      problems.push(`preferred_username is "${claims.preferred_username ?? ''}", but the username mapper promises ${attrs.username} = "${expected.preferred_username}"${where}`);
    }
    if (!got.email) problems.push(`the token has no email claim: the email mapper reads ${attrs.email}, which this user lacks`);
    else if (expected.email !== undefined && got.email !== expected.email) {
      problems.push(`email is "${claims.email}", but the email mapper promises ${attrs.email} = "${expected.email}"${where}`);
    }
    for (const n of notes) deps.reporter.warn(n);
    if (problems.length) {
      throw new VerifyError('verify.claims', `"${v.user}" logged in, but ${problems.join('; ')}`, {
        hint: `another mapper may write the same claim (Keycloak issue 35194), or the mappers changed: run dirlink status, then dirlink setup (--username-attribute ${s.ldap.usernameAttribute}, --email-attribute ${s.ldap.emailAttribute})`,
        field: 'emailAttribute',
        data: { claims: got, expected },
      });
    }
    step.done('ok', `preferred_username=${claims.preferred_username}, email=${claims.email}${entry ? `, as the mappers promise (${attrs.username}, ${attrs.email} of ${entry.dn})` : ''}`);
    return {
      user: v.user,
      ok: true,
      claims: { preferred_username: claims.preferred_username, email: claims.email, given_name: claims.given_name, family_name: claims.family_name },
      expected,
      ...(notes.length ? { notes } : {}),
    };
  } catch (e) {
    step.done('fail', isDirlinkError(e) ? e.message : 'failed');
    throw e;
  }
}
