// The component factories the emulator knows: their config keys (what GET shows and what a PUT may
// touch before the `break`), their secret keys, and the validation of LDAPStorageProviderFactory and
// UserAttributeLDAPStorageMapperFactory (keycloak.md §1.5, §4).
import { HttpError, type ComponentModel, type Config } from './types.js';

export const USER_STORAGE = 'org.keycloak.storage.UserStorageProvider';
export const LDAP_MAPPER = 'org.keycloak.storage.ldap.mappers.LDAPStorageMapper';
export const KEY_PROVIDER = 'org.keycloak.keys.KeyProvider';
export const SECRET_MASK = '**********';

// LDAPConstants + KerberosConstants + newest additions (keycloak.md §2 "Server-side config keys").
const LDAP_KEYS = [
  'editMode', 'importEnabled', 'syncRegistrations', 'vendor', 'usePasswordModifyExtendedOp',
  'usernameLDAPAttribute', 'rdnLDAPAttribute', 'uuidLDAPAttribute', 'userObjectClasses',
  'connectionUrl', 'usersDn', 'relativeCreateDn', 'authType', 'startTls', 'bindDn', 'bindCredential',
  'customUserSearchFilter', 'searchScope', 'validatePasswordPolicy', 'trustEmail', 'useTruststoreSpi',
  'connectionPooling', 'connectionTimeout', 'readTimeout', 'pagination', 'referral',
  'allowKerberosAuthentication', 'serverPrincipal', 'keyTab', 'kerberosRealm', 'krbPrincipalAttribute',
  'debug', 'useKerberosForPasswordAuthentication', 'connectionTrace', 'enableLdapPasswordPolicy',
];
// UserStorageProviderSpi.commonConfig
const USER_STORAGE_COMMON = [
  'enabled', 'priority', 'fullSyncPeriod', 'changedSyncPeriod', 'lastSync', 'batchSizeForSync',
  'importEnabled', 'cachePolicy', 'maxLifespan', 'evictionHour', 'evictionMinute', 'evictionDay',
  'cacheInvalidBefore', 'removeInvalidUsersEnabled',
];
const MAPPER_KEYS: Record<string, string[]> = {
  'user-attribute-ldap-mapper': [
    'user.model.attribute', 'ldap.attribute', 'read.only', 'always.read.value.from.ldap',
    'is.mandatory.in.ldap', 'attribute.default.value', 'is.binary.attribute', 'attribute.force.default',
  ],
  'full-name-ldap-mapper': ['ldap.full.name.attribute', 'read.only', 'write.only'],
  'msad-user-account-control-mapper': ['always.read.enabled.value.from.ldap', 'ldap.password.policy.hints.enabled'],
  'msad-lds-user-account-control-mapper': ['always.read.enabled.value.from.ldap'],
  'hardcoded-ldap-attribute-mapper': ['ldap.attribute.name', 'ldap.attribute.value'],
  'kerberos-principal-attribute-mapper': [],
  'hardcoded-attribute-mapper': ['user.model.attribute', 'attribute.value'],
  'certificate-ldap-mapper': [
    'user.model.attribute', 'ldap.attribute', 'read.only', 'always.read.value.from.ldap',
    'is.mandatory.in.ldap', 'is.binary.attribute', 'is.der.formatted',
  ],
  'group-ldap-mapper': [
    'groups.dn', 'group.name.ldap.attribute', 'group.object.classes', 'preserve.group.inheritance',
    'ignore.missing.groups', 'membership.ldap.attribute', 'membership.attribute.type',
    'membership.user.ldap.attribute', 'groups.ldap.filter', 'mode', 'user.roles.retrieve.strategy',
    'memberof.ldap.attribute', 'mapped.group.attributes', 'drop.non.existing.groups.during.sync', 'groups.path',
  ],
  'role-ldap-mapper': [
    'roles.dn', 'role.name.ldap.attribute', 'role.object.classes', 'membership.ldap.attribute',
    'membership.attribute.type', 'membership.user.ldap.attribute', 'roles.ldap.filter', 'mode',
    'user.roles.retrieve.strategy', 'memberof.ldap.attribute', 'use.realm.roles.mapping', 'client.id',
  ],
  'hardcoded-ldap-role-mapper': ['role'],
  'hardcoded-ldap-group-mapper': ['group'],
};
const KEY_PROVIDER_KEYS: Record<string, string[]> = {
  'rsa-generated': ['priority', 'enabled', 'active', 'keySize', 'algorithm'],
  'rsa-enc-generated': ['priority', 'enabled', 'active', 'keySize', 'algorithm'],
  'hmac-generated': ['priority', 'enabled', 'active', 'secretSize', 'algorithm'],
  'aes-generated': ['priority', 'enabled', 'active', 'secretSize'],
};

/** Known config keys of a component's factory, or undefined when no such provider exists. */
export function knownKeys(providerType: string, providerId: string): Set<string> | undefined {
  if (providerType === USER_STORAGE && providerId === 'ldap') return new Set([...LDAP_KEYS, ...USER_STORAGE_COMMON]);
  if (providerType === LDAP_MAPPER && MAPPER_KEYS[providerId]) return new Set(MAPPER_KEYS[providerId]);
  if (providerType === KEY_PROVIDER && KEY_PROVIDER_KEYS[providerId]) return new Set(KEY_PROVIDER_KEYS[providerId]);
  return undefined;
}

export function isSecretKey(c: { providerType: string; providerId: string }, key: string): boolean {
  return c.providerType === USER_STORAGE && c.providerId === 'ldap' && key === 'bindCredential';
}

export function mapperProviderIds(): string[] {
  return Object.keys(MAPPER_KEYS);
}

export const first = (cfg: Config, k: string): string | undefined => cfg[k]?.[0];

/** English texts of messages_en.properties (keycloak.md §4); keys without a text come back raw. */
const MESSAGES: Record<string, string> = {
  ldapErrorInvalidCustomFilter: 'Custom configured LDAP filter does not start with "(" or does not end with ")".',
  ldapErrorConnectionTimeoutNotNumber: 'Connection Timeout must be a number',
  ldapErrorReadTimeoutNotNumber: 'Read Timeout must be a number',
  ldapErrorCantEnableStartTlsAndConnectionPooling: 'Can not enable both StartTLS and connection pooling.',
  ldapErrorCantEnableUnsyncedAndImportOff: 'Can not disable Importing users when LDAP provider mode is UNSYNCED',
};
function invalid(key: string): never {
  throw new HttpError(400, { errorMessage: MESSAGES[key] ?? key });
}

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [ma = 0, mi = 0] = version.split('.').map((x) => parseInt(x, 10));
  return ma > major || (ma === major && mi >= minor);
}

const isNumber = (v: string) => /^-?\d+$/.test(v.trim());

/** LDAPStorageProviderFactory.validateConfiguration, in Keycloak's order (keycloak.md §4). */
function validateLdap(cfg: Config, version: string): void {
  const filter = first(cfg, 'customUserSearchFilter');
  if (filter && filter.trim() !== '' && !(filter.trim().startsWith('(') && filter.trim().endsWith(')'))) {
    invalid('ldapErrorInvalidCustomFilter');
  }
  const ct = first(cfg, 'connectionTimeout');
  if (ct && !isNumber(ct)) invalid('ldapErrorConnectionTimeoutNotNumber');
  const rt = first(cfg, 'readTimeout');
  if (rt && !isNumber(rt)) invalid('ldapErrorReadTimeoutNotNumber');
  // URL checks arrived with PR keycloak#49556 (≈26.7): version-gated so both behaviours are testable.
  const urls = first(cfg, 'connectionUrl');
  if (urls && versionAtLeast(version, 26, 7)) {
    if (urls.includes(',')) invalid('ldapErrorConnectionUrlContainsComma');
    for (const u of urls.trim().split(/\s+/)) {
      let parsed: URL;
      try {
        parsed = new URL(u);
      } catch {
        invalid('ldapErrorInvalidConnectionUrl');
      }
      if (parsed.protocol !== 'ldap:' && parsed.protocol !== 'ldaps:') invalid('ldapErrorInvalidConnectionUrlScheme');
    }
  }
  // Before ≈26.7 this check was dead code (pooling silently off with StartTLS); the newest rejects it.
  const startTls = first(cfg, 'startTls') === 'true';
  if (startTls && versionAtLeast(version, 26, 7) && first(cfg, 'connectionPooling') === 'true') {
    invalid('ldapErrorCantEnableStartTlsAndConnectionPooling');
  }
  const editMode = first(cfg, 'editMode');
  if (!editMode) invalid('ldapErrorEditModeMandatory');
  if (editMode !== 'WRITABLE' && first(cfg, 'validatePasswordPolicy') === 'true') {
    invalid('ldapErrorValidatePasswordPolicyAvailableForWritableOnly');
  }
  if (first(cfg, 'importEnabled') === 'false' && editMode === 'UNSYNCED') invalid('ldapErrorCantEnableUnsyncedAndImportOff');
}

/** UserAttributeLDAPStorageMapperFactory.validateConfiguration (texts as in keycloak.md §4). */
function validateUserAttributeMapper(cfg: Config): void {
  if (!first(cfg, 'user.model.attribute')?.trim()) {
    throw new HttpError(400, { errorMessage: "Missing configuration for 'User Model Attribute'" });
  }
  if (!first(cfg, 'ldap.attribute')?.trim()) {
    throw new HttpError(400, { errorMessage: "Missing configuration for 'LDAP Attribute'" });
  }
  if (first(cfg, 'is.binary.attribute') === 'true' && first(cfg, 'always.read.value.from.ldap') !== 'true') {
    throw new HttpError(400, {
      errorMessage: "With Binary attribute enabled, the ''Always read value from LDAP'' must be enabled too",
    });
  }
}

export function validateComponent(c: ComponentModel, version: string): void {
  if (c.providerType === USER_STORAGE && c.providerId === 'ldap') validateLdap(c.config, version);
  if (c.providerType === LDAP_MAPPER && c.providerId === 'user-attribute-ldap-mapper') validateUserAttributeMapper(c.config);
}
