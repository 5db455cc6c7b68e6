// `dirlink verify`: the login proof on its own. Admin credentials are optional; with them,
// dirlink first checks that the realm's admin-cli allows password logins.
import type { Settings } from '../inputs/resolve.js';
import type { KeycloakPort } from '../keycloak/types.js';
import type { Deps } from './context.js';
import { runVerify } from './verify.js';

export async function verify(s: Settings, deps: Deps, out: Record<string, unknown>): Promise<void> {
  const a = s.keycloak.auth;
  let kc: KeycloakPort | undefined;
  if ((a.kind === 'password' && a.password) || (a.kind === 'client' && a.clientSecret)) {
    kc = await deps.keycloak({ baseUrl: s.keycloak.url, auth: a });
  }
  out.verify = await runVerify(s, deps, kc);
}
