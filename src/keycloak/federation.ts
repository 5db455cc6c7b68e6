// What the federation and its mappers should look like (pure). The values are the Run:AI
// procedure's (seed 001) spelled out explicitly, as in keycloak.md's "minimal wizard payload":
// never rely on the console's presets (it defaults the username attribute to cn).
import type { Vendor } from '../ldap/types.js';
import type { Component, Config } from './types.js';
import { LDAP_MAPPER_TYPE, LDAP_PROVIDER_TYPE } from './types.js';

export interface FederationSettings {
  name: string;
  vendor: Vendor;
  url: string;
  startTls: boolean;
  bindDn: string;
  usersDn: string;
  usernameAttribute: string;
  emailAttribute: string;
  timeoutMs: number;
}

// Per-vendor values the console would fill in (keycloak.md §2, setVendorDefaultValues).
const VENDOR_DEFAULTS: Record<Vendor, { uuid: string; objectClasses: string }> = {
  ad: { uuid: 'objectGUID', objectClasses: 'person, organizationalPerson, user' },
  rhds: { uuid: 'nsuniqueid', objectClasses: 'inetOrgPerson, organizationalPerson' },
  tivoli: { uuid: 'uniqueidentifier', objectClasses: 'inetOrgPerson, organizationalPerson' },
  edirectory: { uuid: 'guid', objectClasses: 'inetOrgPerson, organizationalPerson' },
  other: { uuid: 'entryUUID', objectClasses: 'inetOrgPerson, organizationalPerson' },
};

export function defaultAttributes(vendor: Vendor): { username: string; email: string } {
  return vendor === 'ad' ? { username: 'sAMAccountName', email: 'userPrincipalName' } : { username: 'uid', email: 'mail' };
}

/** The RDN attribute Keycloak itself derives: username, except sAMAccountName → cn (LDAPConfig). */
export function rdnAttribute(s: Pick<FederationSettings, 'vendor' | 'usernameAttribute'>): string {
  if (s.vendor === 'ad') return 'cn';
  return s.usernameAttribute === 'sAMAccountName' ? 'cn' : s.usernameAttribute;
}

/** The provider's config without the bind credential (that is decided separately: it comes back masked). */
export function desiredConfig(s: FederationSettings): Config {
  const v = VENDOR_DEFAULTS[s.vendor];
  return {
    enabled: ['true'],
    vendor: [s.vendor],
    editMode: ['READ_ONLY'],
    importEnabled: ['false'],
    syncRegistrations: ['false'],
    usernameLDAPAttribute: [s.usernameAttribute],
    rdnLDAPAttribute: [rdnAttribute(s)],
    uuidLDAPAttribute: [v.uuid],
    userObjectClasses: [v.objectClasses],
    connectionUrl: [s.url],
    usersDn: [s.usersDn],
    authType: ['simple'],
    bindDn: [s.bindDn],
    searchScope: ['2'],
    startTls: [String(s.startTls)],
    useTruststoreSpi: ['always'],
    // Keycloak rejects StartTLS together with pooling (keycloak.md §4.5).
    connectionPooling: [String(!s.startTls)],
    connectionTimeout: [String(s.timeoutMs)],
    pagination: ['true'],
    trustEmail: ['true'],
    validatePasswordPolicy: ['false'],
    cachePolicy: ['DEFAULT'],
    fullSyncPeriod: ['-1'],
    changedSyncPeriod: ['-1'],
  };
}

export function desiredFederation(s: FederationSettings, bindCredential: string, realmId: string): Component {
  return {
    name: s.name,
    providerId: 'ldap',
    providerType: LDAP_PROVIDER_TYPE,
    parentId: realmId,
    config: { ...desiredConfig(s), bindCredential: [bindCredential] },
  };
}

export interface ConfigChange {
  key: string;
  from?: string[];
  to: string[];
}

function same(a: string[] | undefined, b: string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Key-by-key difference between what we want and what Keycloak returned (secrets excluded). */
export function diffConfig(want: Config, have: Config | undefined): ConfigChange[] {
  const out: ConfigChange[] = [];
  for (const [key, to] of Object.entries(want)) {
    if (key === 'bindCredential') continue;
    const from = have?.[key];
    if (!same(from, to)) out.push(from === undefined ? { key, to } : { key, from, to });
  }
  return out;
}

/** A fresh email mapper, used only when the server-created one was deleted by someone. */
export function emailMapper(parentId: string, attribute: string): Component {
  return {
    name: 'email',
    providerId: 'user-attribute-ldap-mapper',
    providerType: LDAP_MAPPER_TYPE,
    parentId,
    config: {
      'user.model.attribute': ['email'],
      'ldap.attribute': [attribute],
      'read.only': ['true'],
      'always.read.value.from.ldap': ['false'],
      'is.mandatory.in.ldap': ['false'],
    },
  };
}
