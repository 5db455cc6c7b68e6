// Prove it end to end: log a directory user in through the realm (admin-cli password grant, as a
// person's CLI would) and check the token's claims. Exit 6 with Keycloak's own reason otherwise.
import { KeycloakError, VerifyError, isDirlinkError } from '../errors.js';
import type { Settings } from '../inputs/resolve.js';
import type { KeycloakPort } from '../keycloak/types.js';
import type { Deps } from './context.js';

export interface VerifyResult {
  user: string;
  ok: boolean;
  claims?: { preferred_username?: string; email?: string; given_name?: string; family_name?: string };
}

function decodeJwt(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const REASONS: Record<string, { code: string; hint: string }> = {
  'Invalid user credentials': { code: 'verify.invalid-credentials', hint: 'the directory rejected the user name or password (or the user is outside the users DN / filter)' },
  'Account is not fully set up': {
    code: 'verify.not-fully-set-up',
    hint: "the user's profile misses a required attribute (email, first or last name) or has a pending required action; mapping email to userPrincipalName on AD avoids the commonest case",
  },
  'Account disabled': { code: 'verify.disabled', hint: 'the account is disabled in the directory (AD userAccountControl) or in Keycloak' },
  'Account is not fully set up.': { code: 'verify.not-fully-set-up', hint: 'see above' },
};

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
  if (res.ok && body.access_token) return decodeJwt(body.access_token);
  const desc = body.error_description ?? body.error ?? `HTTP ${res.status}`;
  if (body.error === 'unauthorized_client' || /direct access grants|Client not allowed/i.test(desc)) {
    throw new VerifyError('verify.client', `realm "${realm}" does not allow password logins through admin-cli: ${desc}`, {
      hint: 'enable "Direct access grants" on the admin-cli client of the realm, or verify through the Run:AI login page',
    });
  }
  if (res.status === 404) throw new KeycloakError('keycloak.realm-missing', `realm "${realm}" does not exist`, { field: 'realm' });
  const known = REASONS[desc];
  throw new VerifyError(known?.code ?? 'verify.failed', `Keycloak refused the login of "${user}": ${desc}`, { hint: known?.hint, field: 'verifyUser' });
}

export async function runVerify(s: Settings, deps: Deps, kc?: KeycloakPort): Promise<VerifyResult> {
  const v = s.verify!;
  const step = deps.reporter.step('verify', `Login of "${v.user}" through realm "${s.keycloak.realm}"`);
  try {
    if (kc) {
      const realm = await kc.getRealm(s.keycloak.realm);
      const client = realm ? await kc.findClient(realm, 'admin-cli') : undefined;
      if (realm && !client) throw new VerifyError('verify.client', `realm "${s.keycloak.realm}" has no admin-cli client`, { hint: 'verify through the Run:AI login page instead' });
      if (client && !client.directAccessGrantsEnabled) {
        throw new VerifyError('verify.client', `the admin-cli client of realm "${s.keycloak.realm}" has direct access grants off`, {
          hint: 'turn on "Direct access grants" for admin-cli in that realm, or verify through the Run:AI login page',
        });
      }
    }
    const claims = (await loginAs(s.keycloak.url, s.keycloak.realm, v.user, v.password)) as VerifyResult['claims'] & Record<string, unknown>;
    const problems: string[] = [];
    if (String(claims.preferred_username ?? '').toLowerCase() !== v.user.toLowerCase()) problems.push(`preferred_username is "${claims.preferred_username}", expected "${v.user}"`);
    if (!claims.email) problems.push('the token has no email claim: the email mapper reads an attribute this user lacks');
    if (problems.length) throw new VerifyError('verify.claims', `logged in, but ${problems.join('; ')}`, { hint: `check the username and email mappers (--username-attribute ${s.ldap.usernameAttribute}, --email-attribute ${s.ldap.emailAttribute})` });
    step.done('ok', `preferred_username=${claims.preferred_username}, email=${claims.email}`);
    return { user: v.user, ok: true, claims: { preferred_username: claims.preferred_username, email: claims.email, given_name: claims.given_name, family_name: claims.family_name } };
  } catch (e) {
    step.done('fail', isDirlinkError(e) ? e.message : 'failed');
    throw e;
  }
}
