// Leftovers of Run:AI's Auth0 AD/LDAP connector, the procedure dirlink replaces: kubeconfig users
// that still log in through Auth0, and login names in the connector's `<TENANT>/<user>` form.
// Pure: it reads parsed kubeconfig data and names what it found; callers decide how to report it.
//
// What the Auth0 era looked like (Run:AI docs, github.com/run-ai/docs):
//  - docs/admin/runai-setup/advanced/researcher-authentication.md, SaaS tab: auth-provider oidc with
//    idp-issuer-url https://runai-prod.auth0.com/ (older pages: auth-flow, realm, client-id only,
//    the CLI supplying Run:AI's own login);
//  - "Integrate Run:AI with the Organization's Directory" (the connector): auth-flow remote-browser,
//    redirect-uri https://app.run.ai/auth, and logins as <TENANT-NAME>/<LDAP-USER-NAME>.
// With Keycloak the user has an idp-issuer-url .../realms/<realm> and redirect-uri .../oauth-code.

export type Auth0FindingKind = 'kubeconfig-user' | 'tenant-login';

export interface Auth0Finding {
  kind: Auth0FindingKind;
  /** the kubeconfig file (kubeconfig-user) */
  file?: string;
  /** the kubeconfig user entry's name, or the login name (tenant-login) */
  name: string;
  /** why it is an Auth0-era entry, one short phrase each */
  reasons: string[];
}

/** "ACME/alice" → { tenant: "ACME", user: "alice" }: the connector's tenant-prefixed login. */
export function tenantLogin(name: string): { tenant: string; user: string } | undefined {
  const m = /^([^\s/\\@]+)\/([^\s/\\]+)$/.exec(name.trim());
  return m ? { tenant: m[1]!, user: m[2]! } : undefined;
}

function hostOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

const isAuth0Host = (host: string | undefined) => host !== undefined && (host === 'auth0.com' || host.endsWith('.auth0.com'));

/** The connector's redirect: app.run.ai's /auth page itself (Keycloak's issuer lives under /auth/realms/…). */
function isConnectorRedirect(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  try {
    const u = new URL(url);
    return u.hostname.toLowerCase() === 'app.run.ai' && /^\/auth\/?$/.test(u.pathname);
  } catch {
    return false;
  }
}

/** URLs inside free text (exec args such as --oidc-issuer-url=https://x.auth0.com/). */
const urlsIn = (text: string) => text.match(/https?:\/\/[^\s"',]+/g) ?? [];

function providerReasons(config: Record<string, unknown>): string[] {
  const reasons: string[] = [];
  const issuer = config['idp-issuer-url'];
  if (isAuth0Host(hostOf(issuer))) reasons.push(`idp-issuer-url ${String(issuer)} is Auth0`);
  if (isConnectorRedirect(config['redirect-uri'])) reasons.push(`redirect-uri ${String(config['redirect-uri'])} is the Auth0 connector's`);
  // A Run:AI CLI user (it has an auth-flow) without an issuer relied on the CLI's built-in SaaS
  // login, which was Auth0; every Keycloak-era profile names its issuer.
  if (config['auth-flow'] !== undefined && issuer === undefined) {
    reasons.push(`auth-flow ${String(config['auth-flow'])} without idp-issuer-url${config.realm === undefined ? ' or realm' : ''} (Run:AI's Auth0-era login)`);
  }
  return reasons;
}

function execReasons(exec: Record<string, unknown>): string[] {
  const texts: string[] = [];
  if (Array.isArray(exec.args)) texts.push(...exec.args.map(String));
  if (Array.isArray(exec.env)) for (const e of exec.env) texts.push(String((e as { value?: unknown } | null)?.value ?? ''));
  const plugin = typeof exec.command === 'string' && exec.command ? `exec plugin ${exec.command}` : 'exec plugin';
  const reasons: string[] = [];
  for (const url of texts.flatMap(urlsIn)) {
    if (isAuth0Host(hostOf(url))) reasons.push(`${plugin} uses ${url} (Auth0)`);
    else if (isConnectorRedirect(url)) reasons.push(`${plugin} uses the Auth0 connector's ${url}`);
  }
  return reasons;
}

/** Auth0-era user entries of one parsed kubeconfig (any shape: a broken entry is skipped, not fatal). */
export function auth0Users(config: unknown, file: string): Auth0Finding[] {
  const users = (config as { users?: unknown } | null)?.users;
  if (!Array.isArray(users)) return [];
  const out: Auth0Finding[] = [];
  for (const entry of users) {
    const name = String((entry as { name?: unknown } | null)?.name ?? '(unnamed)');
    const user = (entry as { user?: unknown } | null)?.user as Record<string, unknown> | null | undefined;
    if (!user || typeof user !== 'object') continue;
    const reasons: string[] = [];
    const provider = user['auth-provider'] as { config?: unknown } | undefined;
    if (provider && typeof provider.config === 'object' && provider.config) reasons.push(...providerReasons(provider.config as Record<string, unknown>));
    if (user.exec && typeof user.exec === 'object') reasons.push(...execReasons(user.exec as Record<string, unknown>));
    if (typeof user.username === 'string' && tenantLogin(user.username)) reasons.push(`username ${user.username} has the connector's <TENANT>/<user> form`);
    if (reasons.length) out.push({ kind: 'kubeconfig-user', file, name, reasons: [...new Set(reasons)] });
  }
  return out;
}

/** A login name given to dirlink (e.g. --verify-user) in the connector's form. */
export function tenantLoginFinding(name: string | undefined, where: string): Auth0Finding | undefined {
  const t = name ? tenantLogin(name) : undefined;
  if (!t) return undefined;
  return { kind: 'tenant-login', name: name!, reasons: [`${where} has the Auth0 connector's <TENANT>/<user> form: with Keycloak the login name is "${t.user}"`] };
}

/**
 * What changes for people when the Keycloak federation replaces the connector, with the command
 * that switches the kubeconfig users found (named with --user-name unless they have the default name).
 */
export function migrationAdvice(usernameAttribute: string, keycloakUrl: string, userNames: string[] = []): string[] {
  const base = `dirlink kubeconfig --keycloak-url ${keycloakUrl || 'URL'} --write`;
  const names = [...new Set(userNames)];
  const commands = names.length === 0 ? [base] : names.map((n) => (n === 'runai-authenticated-user' ? base : `${base} --user-name ${n}`));
  return [
    `logins are the plain ${usernameAttribute} value (alice, not ACME/alice): the <TENANT>/ prefix is gone`,
    'roles are still assigned in the Run:AI UI (Users / Access rules), as with the connector',
    `researchers' kubeconfigs switch with: ${commands.join(' ; ')} (it replaces the user of that name and keeps a backup)`,
  ];
}
