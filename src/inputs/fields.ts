// One table describes every input: its flag, environment variable, config-file key, default,
// validation and prompt. The option parser, the "missing inputs" error, the config-file checker
// and the README's table are all driven by it, so they cannot drift apart.
import { validators, type Validator } from './validate.js';

export type FieldKey =
  | 'ldapUrl'
  | 'bindDn'
  | 'bindPassword'
  | 'usersDn'
  | 'usernameAttribute'
  | 'emailAttribute'
  | 'vendor'
  | 'startTls'
  | 'caFile'
  | 'ldapTimeout'
  | 'keycloakUrl'
  | 'realm'
  | 'keycloakUser'
  | 'keycloakPassword'
  | 'keycloakClientId'
  | 'keycloakClientSecret'
  | 'federationName'
  | 'kubeconfig'
  | 'context'
  | 'namespace'
  | 'deployment'
  | 'restart'
  | 'rolloutTimeout'
  | 'verifyUser'
  | 'verifyPassword'
  | 'cliClientId'
  | 'kubeconfigUser'
  | 'authFlow'
  | 'redirectUri'
  | 'scimUrl'
  | 'scimToken'
  | 'scimTimeout'
  | 'scimTestDomain';

export type FieldType = 'string' | 'boolean' | 'secret' | 'duration';

export interface Field {
  key: FieldKey;
  type: FieldType;
  /** human label used in prompts and errors */
  label: string;
  /** the flag as the user types it ("--ldap-url"); for secrets the *file* flag */
  flag?: string;
  /** a shorter second spelling of the flag, e.g. scim-check's "--url" */
  alias?: string;
  /** secrets only: the flag that reads the value from stdin */
  stdinFlag?: string;
  env?: string;
  /** dotted key in the config file; for secrets this names a *file* holding the secret */
  configKey?: string;
  /** a fixed default (vendor-dependent defaults are applied in resolve.ts) */
  default?: string | boolean;
  validate?: Validator;
  /** one line of help for --help and the README */
  help: string;
}

export const FIELDS: readonly Field[] = [
  { key: 'ldapUrl', type: 'string', label: 'LDAP URL', flag: '--ldap-url', env: 'DIRLINK_LDAP_URL', configKey: 'ldap.url', validate: validators.ldapUrl,
    help: 'ldap://host:389, ldaps://host:636 (a bare host or host:port means ldap://host:389)' },
  { key: 'bindDn', type: 'string', label: 'bind DN', flag: '--bind-dn', env: 'DIRLINK_BIND_DN', configKey: 'ldap.bindDn', validate: validators.bindDn,
    help: 'DN of a read-only service account (AD also accepts user@domain)' },
  { key: 'bindPassword', type: 'secret', label: 'bind password', flag: '--bind-password-file', stdinFlag: '--bind-password-stdin', env: 'DIRLINK_BIND_PASSWORD', configKey: 'ldap.bindPasswordFile',
    help: 'password of the bind DN (file, stdin, environment or masked prompt)' },
  { key: 'usersDn', type: 'string', label: 'users DN', flag: '--users-dn', env: 'DIRLINK_USERS_DN', configKey: 'ldap.usersDn', validate: validators.dn,
    help: 'where the users live; searched with subtree scope (suggested from the rootDSE)' },
  { key: 'usernameAttribute', type: 'string', label: 'username LDAP attribute', flag: '--username-attribute', env: 'DIRLINK_USERNAME_ATTRIBUTE', configKey: 'ldap.usernameAttribute', validate: validators.attribute,
    help: 'AD: sAMAccountName, others: uid' },
  { key: 'emailAttribute', type: 'string', label: 'email LDAP attribute', flag: '--email-attribute', env: 'DIRLINK_EMAIL_ATTRIBUTE', configKey: 'ldap.emailAttribute', validate: validators.attribute,
    help: 'AD: userPrincipalName, others: mail' },
  { key: 'vendor', type: 'string', label: 'vendor', flag: '--vendor', env: 'DIRLINK_VENDOR', configKey: 'ldap.vendor', validate: validators.vendor,
    help: 'ad | other | rhds | tivoli | edirectory (detected from the rootDSE, else ad)' },
  { key: 'startTls', type: 'boolean', label: 'StartTLS', flag: '--start-tls', env: 'DIRLINK_START_TLS', configKey: 'ldap.startTls', default: false,
    help: 'upgrade ldap:// with StartTLS' },
  { key: 'caFile', type: 'string', label: 'CA file', flag: '--ca-file', env: 'DIRLINK_CA_FILE', configKey: 'ldap.caFile', validate: validators.readableFile,
    help: 'PEM file with the CA that signed the directory certificate (default: system CAs)' },
  { key: 'ldapTimeout', type: 'duration', label: 'LDAP timeout', flag: '--ldap-timeout', env: 'DIRLINK_LDAP_TIMEOUT', configKey: 'ldap.timeout', default: '10s', validate: validators.duration,
    help: 'timeout of each LDAP network operation' },
  { key: 'keycloakUrl', type: 'string', label: 'Keycloak URL', flag: '--keycloak-url', env: 'DIRLINK_KEYCLOAK_URL', configKey: 'keycloak.url', validate: validators.httpUrl,
    help: 'base URL of Keycloak, e.g. https://auth.runai.example.com' },
  { key: 'realm', type: 'string', label: 'realm', flag: '--realm', env: 'DIRLINK_REALM', configKey: 'keycloak.realm', default: 'runai', validate: validators.realm,
    help: 'the realm to configure' },
  { key: 'keycloakUser', type: 'string', label: 'Keycloak admin user', flag: '--keycloak-user', env: 'DIRLINK_KEYCLOAK_USER', configKey: 'keycloak.user', default: 'admin', validate: validators.nonEmpty,
    help: 'admin user of the master realm' },
  { key: 'keycloakPassword', type: 'secret', label: 'Keycloak admin password', flag: '--keycloak-password-file', env: 'DIRLINK_KEYCLOAK_PASSWORD', configKey: 'keycloak.passwordFile',
    help: 'password of the Keycloak admin user' },
  { key: 'keycloakClientId', type: 'string', label: 'Keycloak client id', flag: '--keycloak-client-id', env: 'DIRLINK_KEYCLOAK_CLIENT_ID', configKey: 'keycloak.clientId', validate: validators.nonEmpty,
    help: 'or: a service-account client (client credentials) instead of the admin user' },
  { key: 'keycloakClientSecret', type: 'secret', label: 'Keycloak client secret', flag: '--keycloak-client-secret-file', env: 'DIRLINK_KEYCLOAK_CLIENT_SECRET', configKey: 'keycloak.clientSecretFile',
    help: 'secret of that client' },
  { key: 'federationName', type: 'string', label: 'federation name', flag: '--federation-name', env: 'DIRLINK_FEDERATION_NAME', configKey: 'keycloak.federationName', default: 'ldap', validate: validators.nonEmpty,
    help: 'console display name of the User Federation' },
  { key: 'kubeconfig', type: 'string', label: 'kubeconfig', flag: '--kubeconfig', env: 'KUBECONFIG', configKey: 'kubernetes.kubeconfig',
    help: 'kubeconfig file (default loading rules; in-cluster when run in a pod)' },
  { key: 'context', type: 'string', label: 'kube context', flag: '--context', env: 'DIRLINK_KUBE_CONTEXT', configKey: 'kubernetes.context', validate: validators.nonEmpty,
    help: 'kubeconfig context' },
  { key: 'namespace', type: 'string', label: 'namespace', flag: '--namespace', env: 'DIRLINK_NAMESPACE', configKey: 'kubernetes.namespace', default: 'runai-backend', validate: validators.k8sName,
    help: 'namespace of the backend deployment' },
  { key: 'deployment', type: 'string', label: 'deployment', flag: '--deployment', env: 'DIRLINK_DEPLOYMENT', configKey: 'kubernetes.deployment', default: 'runai-backend-deployment', validate: validators.k8sName,
    help: 'the deployment restarted after a change' },
  { key: 'restart', type: 'boolean', label: 'restart', flag: '--no-restart', env: 'DIRLINK_RESTART', configKey: 'kubernetes.restart', default: true,
    help: 'skip restarting the backend (and reading the cluster)' },
  { key: 'rolloutTimeout', type: 'duration', label: 'rollout timeout', flag: '--rollout-timeout', env: 'DIRLINK_ROLLOUT_TIMEOUT', configKey: 'kubernetes.rolloutTimeout', default: '5m', validate: validators.duration,
    help: 'how long to wait for the rollout (e.g. 90s, 5m)' },
  { key: 'verifyUser', type: 'string', label: 'verify user', flag: '--verify-user', env: 'DIRLINK_VERIFY_USER', configKey: 'verify.user', validate: validators.nonEmpty,
    help: 'log this directory user in through Keycloak at the end' },
  { key: 'verifyPassword', type: 'secret', label: 'verify password', flag: '--verify-password-file', env: 'DIRLINK_VERIFY_PASSWORD', configKey: 'verify.passwordFile',
    help: 'password of the verify user' },
  // `dirlink kubeconfig`: the kubeconfig user researchers log in with (Run:AI researcher authentication)
  { key: 'cliClientId', type: 'string', label: 'researcher client id', flag: '--client-id', env: 'DIRLINK_CLI_CLIENT_ID', configKey: 'researcher.clientId', default: 'runai-cli', validate: validators.nonEmpty,
    help: "the realm's client the Run:AI CLI / kubectl log in through (not the admin client of --keycloak-client-id)" },
  { key: 'kubeconfigUser', type: 'string', label: 'kubeconfig user name', flag: '--user-name', env: 'DIRLINK_KUBECONFIG_USER', configKey: 'researcher.userName', default: 'runai-authenticated-user', validate: validators.nonEmpty,
    help: 'name of the user entry in the kubeconfig (contexts point at it)' },
  { key: 'authFlow', type: 'string', label: 'auth flow', flag: '--auth-flow', env: 'DIRLINK_AUTH_FLOW', configKey: 'researcher.authFlow', default: 'remote-browser', validate: validators.authFlow,
    help: 'remote-browser (log in from any browser, paste the code back: works on machines without one) | cli (user name and password typed into the CLI)' },
  { key: 'redirectUri', type: 'string', label: 'redirect URI', flag: '--redirect-uri', env: 'DIRLINK_REDIRECT_URI', configKey: 'researcher.redirectUri', validate: validators.redirectUri,
    help: 'where Keycloak sends the browser after a remote-browser login (default: https://<Keycloak host>/oauth-code)' },
  { key: 'scimUrl', type: 'string', label: 'SCIM URL', flag: '--scim-url', alias: '--url', env: 'DIRLINK_SCIM_URL', configKey: 'scim.url', validate: validators.scimUrl,
    help: "the SCIM endpoint as Entra's Tenant URL, e.g. https://app.example.com/scim/v2" },
  { key: 'scimToken', type: 'secret', label: 'SCIM token', flag: '--scim-token-file', stdinFlag: '--scim-token-stdin', env: 'DIRLINK_SCIM_TOKEN', configKey: 'scim.tokenFile',
    help: "the bearer token (Entra's Secret Token)" },
  { key: 'scimTimeout', type: 'duration', label: 'SCIM timeout', flag: '--scim-timeout', alias: '--timeout', env: 'DIRLINK_SCIM_TIMEOUT', configKey: 'scim.timeout', default: '10s', validate: validators.duration,
    help: 'timeout of each SCIM request' },
  { key: 'scimTestDomain', type: 'string', label: 'SCIM test domain', flag: '--scim-test-domain', env: 'DIRLINK_SCIM_TEST_DOMAIN', configKey: 'scim.testDomain', default: 'example.com', validate: validators.domain,
    help: 'UPN domain of the --write-test user (dirlink-scimcheck-<random>@DOMAIN)' },
];

export const FIELD_BY_KEY: Readonly<Record<FieldKey, Field>> = Object.fromEntries(FIELDS.map((f) => [f.key, f])) as Record<FieldKey, Field>;

/** "--ldap-url / DIRLINK_LDAP_URL" — how an error tells the user where a value can come from. */
export function describeSources(f: Field): string {
  const parts: string[] = [];
  if (f.alias) parts.push(f.alias);
  if (f.flag) parts.push(f.flag + (f.type === 'secret' ? ' FILE' : ''));
  if (f.stdinFlag) parts.push(f.stdinFlag);
  if (f.env) parts.push(f.env);
  if (f.configKey) parts.push(`config ${f.configKey}`);
  return parts.join(' / ');
}
