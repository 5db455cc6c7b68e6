// Will the researchers' client let the kubeconfig's login through? Pure checks over what Keycloak
// says about the client: each problem is a sentence naming the console setting that fixes it.
import type { ClientInfo } from '../keycloak/types.js';
import type { AuthFlow } from './template.js';

/**
 * Keycloak's redirect check, as RedirectUtils does it for the common forms: an exact match, a
 * trailing "*" wildcard (prefix match; "*" alone allows any URI), and relative entries ("/x")
 * resolved against the client's root URL. Entries relative to an unset root URL resolve against
 * Keycloak's own host, which dirlink does not know: they count as not matching.
 */
export function redirectAllowed(uri: string, client: Pick<ClientInfo, 'redirectUris' | 'rootUrl'>): boolean {
  for (const raw of client.redirectUris) {
    let valid = raw.trim();
    if (valid === '') continue;
    if (valid.startsWith('/')) {
      if (!client.rootUrl) continue;
      valid = client.rootUrl.replace(/\/+$/, '') + valid;
    }
    if (valid.endsWith('*')) {
      if (uri.startsWith(valid.slice(0, -1))) return true;
    } else if (uri === valid) {
      return true;
    }
  }
  return false;
}

/** What stands between a researcher and a login with this client; empty when nothing does. */
export function clientProblems(client: ClientInfo, clientId: string, flow: AuthFlow, redirectUri: string | undefined): string[] {
  const out: string[] = [];
  if (!client.publicClient) {
    out.push(`client "${clientId}" is confidential (Client authentication on), but the kubeconfig holds no client secret: turn Client authentication off for it`);
  }
  if (flow === 'remote-browser') {
    if (!client.standardFlowEnabled) out.push(`client "${clientId}" has the Standard flow off: the remote-browser login needs it (Capability config → Standard flow)`);
    if (redirectUri && !redirectAllowed(redirectUri, client)) {
      out.push(
        `client "${clientId}" does not allow the redirect URI ${redirectUri} (Valid redirect URIs: ${client.redirectUris.length ? client.redirectUris.join(', ') : 'none'}): add it, or pass the one Run:AI uses with --redirect-uri`,
      );
    }
  } else if (!client.directAccessGrantsEnabled) {
    out.push(`client "${clientId}" has Direct access grants off: the cli flow sends the password to Keycloak and needs them`);
  }
  return out;
}
