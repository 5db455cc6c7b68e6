// From merged raw inputs to typed Settings: validate every value where it entered (naming the
// flag or variable it came from), list every missing field at once, apply vendor defaults.
import { UsageError } from '../errors.js';
import { defaultAttributes } from '../keycloak/federation.js';
import type { KeycloakAuth } from '../keycloak/types.js';
import { FIELD_BY_KEY, describeSources, type FieldKey } from './fields.js';
import type { Inputs } from './sources.js';
import type { LdapSettings, Vendor } from '../ldap/types.js';
import { parseDuration } from './validate.js';

export type Command = 'setup' | 'check' | 'status' | 'verify' | 'undo' | 'kubeconfig' | 'scim-check';

export interface Settings {
  /** the directory settings the LDAP check takes, with vendor and timeout always resolved */
  ldap: LdapSettings & { vendor: Vendor; timeoutMs: number };
  keycloak: { url: string; realm: string; auth: KeycloakAuth; federationName: string };
  kube: { restart: boolean; kubeconfig?: string; context?: string; namespace: string; deployment: string; rolloutTimeoutMs: number };
  verify?: { user: string; password: string };
  /** `dirlink kubeconfig`: the researchers' kubeconfig user (redirectUri undefined = derived from the Keycloak URL) */
  researcher: { clientId: string; userName: string; authFlow: 'remote-browser' | 'cli'; redirectUri?: string };
  /** scim-check only: the endpoint as Entra's Tenant URL and Secret Token */
  scim: { url: string; token: string; timeoutMs: number; testDomain: string };
}

/** Validates and normalises every value present; all problems are reported together. */
export function validateInputs(inputs: Inputs): Inputs {
  const out: Inputs = { ...inputs };
  const problems: string[] = [];
  let firstField: string | undefined;
  for (const [key, v] of Object.entries(inputs) as [FieldKey, NonNullable<Inputs[FieldKey]>][]) {
    const f = FIELD_BY_KEY[key];
    if (!f.validate || typeof v.value !== 'string') continue;
    const verdict = f.validate(v.value);
    if (verdict.ok) out[key] = { ...v, value: verdict.value };
    else {
      problems.push(`${f.label} (${v.origin}) ${verdict.reason}`);
      firstField ??= key;
    }
  }
  if (problems.length > 0) {
    throw new UsageError('input.invalid', problems.length === 1 ? `invalid input: ${problems[0]}` : `invalid inputs:\n  - ${problems.join('\n  - ')}`, {
      field: firstField,
      hint: 'correct the value and run again',
      data: { problems },
    });
  }
  return out;
}

/** The fields a command cannot do without, given what is already known. */
export function requiredFields(command: Command, inputs: Inputs): FieldKey[] {
  const keycloak: FieldKey[] = ['keycloakUrl', ...(inputs.keycloakClientId ? (['keycloakClientSecret'] as FieldKey[]) : (['keycloakPassword'] as FieldKey[]))];
  switch (command) {
    case 'setup':
    case 'check':
      return ['ldapUrl', 'bindDn', 'bindPassword', 'usersDn', ...keycloak, ...(inputs.verifyUser ? (['verifyPassword'] as FieldKey[]) : [])];
    case 'status':
    case 'undo':
      return keycloak;
    case 'verify':
      return ['keycloakUrl', 'verifyUser', 'verifyPassword'];
    case 'kubeconfig':
      // Keycloak credentials are optional: without them the realm/client check is skipped
      return ['keycloakUrl'];
    case 'scim-check':
      return ['scimUrl', 'scimToken'];
  }
}

export function missing(command: Command, inputs: Inputs): FieldKey[] {
  return requiredFields(command, inputs).filter((k) => inputs[k] === undefined || inputs[k]!.value === '');
}

/** Non-interactive mode: a missing input is an error listing each field's flag and variable. */
export function requireComplete(command: Command, inputs: Inputs): void {
  const keys = missing(command, inputs);
  if (keys.length === 0) return;
  const lines = keys.map((k) => `${FIELD_BY_KEY[k].label}: ${describeSources(FIELD_BY_KEY[k])}`);
  throw new UsageError('input.missing', `missing ${keys.length === 1 ? 'input' : `${keys.length} inputs`} (non-interactive mode never prompts):\n  - ${lines.join('\n  - ')}`, {
    field: keys[0],
    hint: 'pass each as a flag, an environment variable or a --config file key; secrets from a file, stdin or the environment',
    data: { missing: keys },
  });
}

const str = (inputs: Inputs, k: FieldKey): string | undefined => {
  const v = inputs[k]?.value;
  return typeof v === 'string' && v !== '' ? v : undefined;
};
const bool = (inputs: Inputs, k: FieldKey): boolean => inputs[k]?.value === true;

/** Typed settings; callers have checked completeness (missing Keycloak/LDAP parts become ''). */
export function toSettings(inputs: Inputs): Settings {
  const vendor = (str(inputs, 'vendor') ?? 'ad') as Vendor;
  const attrs = defaultAttributes(vendor);
  const clientId = str(inputs, 'keycloakClientId');
  const auth: KeycloakAuth = clientId
    ? { kind: 'client', clientId, clientSecret: str(inputs, 'keycloakClientSecret') ?? '' }
    : { kind: 'password', user: str(inputs, 'keycloakUser') ?? 'admin', password: str(inputs, 'keycloakPassword') ?? '' };
  const verifyUser = str(inputs, 'verifyUser');
  return {
    ldap: {
      url: str(inputs, 'ldapUrl') ?? '',
      startTls: bool(inputs, 'startTls'),
      caFile: str(inputs, 'caFile'),
      bindDn: str(inputs, 'bindDn') ?? '',
      bindPassword: str(inputs, 'bindPassword') ?? '',
      usersDn: str(inputs, 'usersDn') ?? '',
      usernameAttribute: str(inputs, 'usernameAttribute') ?? attrs.username,
      emailAttribute: str(inputs, 'emailAttribute') ?? attrs.email,
      vendor,
      timeoutMs: parseDuration(str(inputs, 'ldapTimeout') ?? '10s') ?? 10_000,
    },
    keycloak: { url: str(inputs, 'keycloakUrl') ?? '', realm: str(inputs, 'realm') ?? 'runai', auth, federationName: str(inputs, 'federationName') ?? 'ldap' },
    kube: {
      restart: inputs.restart?.value !== false,
      kubeconfig: str(inputs, 'kubeconfig'),
      context: str(inputs, 'context'),
      namespace: str(inputs, 'namespace') ?? 'runai-backend',
      deployment: str(inputs, 'deployment') ?? 'runai-backend-deployment',
      rolloutTimeoutMs: parseDuration(str(inputs, 'rolloutTimeout') ?? '5m') ?? 300_000,
    },
    verify: verifyUser ? { user: verifyUser, password: str(inputs, 'verifyPassword') ?? '' } : undefined,
    researcher: {
      clientId: str(inputs, 'cliClientId') ?? 'runai-cli',
      userName: str(inputs, 'kubeconfigUser') ?? 'runai-authenticated-user',
      authFlow: str(inputs, 'authFlow') === 'cli' ? 'cli' : 'remote-browser',
      redirectUri: str(inputs, 'redirectUri'),
    },
    scim: {
      url: str(inputs, 'scimUrl') ?? '',
      token: str(inputs, 'scimToken') ?? '',
      timeoutMs: parseDuration(str(inputs, 'scimTimeout') ?? '10s') ?? 10_000,
      testDomain: str(inputs, 'scimTestDomain') ?? 'example.com',
    },
  };
}
