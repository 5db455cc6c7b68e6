// LDAPStorageProviderFactory.onCreate: the mappers Keycloak creates with a new LDAP provider, and the
// krbPrincipalAttribute it writes into the provider config (keycloak.md §5).
import { randomUUID } from 'node:crypto';
import { LDAP_MAPPER, first } from './factories.js';
import type { ComponentModel, Config } from './types.js';

const eqi = (a: string | undefined, b: string) => (a ?? '').toLowerCase() === b.toLowerCase();

/** LDAPConfig defaults when a key is absent */
export function effectiveLdapConfig(cfg: Config) {
  const vendor = first(cfg, 'vendor') ?? '';
  const isAd = vendor === 'ad';
  const username = first(cfg, 'usernameLDAPAttribute') ?? (isAd ? 'cn' : 'uid');
  const rdn = first(cfg, 'rdnLDAPAttribute') ?? (eqi(username, 'sAMAccountName') ? 'cn' : username);
  const editMode = first(cfg, 'editMode') ?? 'READ_ONLY';
  return { vendor, isAd, username, rdn, editMode };
}

export function defaultKerberosPrincipalAttribute(vendor: string): string {
  if (vendor === 'rhds') return 'krbPrincipalName';
  if (vendor === 'ad') return 'userPrincipalName';
  return 'krb5PrincipalName';
}

function userAttr(model: string, ldap: string, readOnly: string, alwaysRead: string, mandatory: string): Config {
  return {
    'user.model.attribute': [model],
    'ldap.attribute': [ldap],
    'read.only': [readOnly],
    'always.read.value.from.ldap': [alwaysRead],
    'is.mandatory.in.ldap': [mandatory],
  };
}

/** Returns the default mappers for a freshly created LDAP component (does not store them). */
export function defaultMappers(ldap: ComponentModel): ComponentModel[] {
  const cfg = ldap.config;
  const { isAd, username, rdn, editMode } = effectiveLdapConfig(cfg);
  const readOnly = editMode === 'READ_ONLY' || editMode === 'UNSYNCED' ? 'true' : 'false';
  const alwaysRead = editMode === 'READ_ONLY' || editMode === 'WRITABLE' ? 'true' : 'false';
  const out: ComponentModel[] = [];
  const add = (name: string, providerId: string, config: Config) =>
    out.push({ id: randomUUID(), name, providerId, providerType: LDAP_MAPPER, parentId: ldap.id, config });

  add('username', 'user-attribute-ldap-mapper', userAttr('username', username, readOnly, 'false', 'true'));
  if (eqi(rdn, 'cn')) {
    if (eqi(username, 'cn')) {
      add('first name', 'user-attribute-ldap-mapper', userAttr('firstName', 'givenName', readOnly, alwaysRead, 'true'));
    } else if (editMode === 'WRITABLE') {
      add('first name', 'user-attribute-ldap-mapper', userAttr('firstName', 'givenName', readOnly, alwaysRead, 'true'));
      add('username-cn', 'user-attribute-ldap-mapper', userAttr('username', 'cn', readOnly, alwaysRead, 'true'));
    } else {
      // The Run:AI case (AD, sAMAccountName, READ_ONLY): no "first name" mapper, cn is split instead.
      add('full name', 'full-name-ldap-mapper', {
        'ldap.full.name.attribute': ['cn'],
        'read.only': [readOnly],
        'write.only': ['false'],
      });
    }
  } else {
    add('first name', 'user-attribute-ldap-mapper', userAttr('firstName', 'cn', readOnly, alwaysRead, 'true'));
  }
  add('last name', 'user-attribute-ldap-mapper', userAttr('lastName', 'sn', readOnly, alwaysRead, 'true'));
  add('email', 'user-attribute-ldap-mapper', userAttr('email', 'mail', readOnly, 'false', 'false'));
  add('creation date', 'user-attribute-ldap-mapper',
    userAttr('createTimestamp', isAd ? 'whenCreated' : 'createTimestamp', 'true', alwaysRead, 'false'));
  add('modify date', 'user-attribute-ldap-mapper',
    userAttr('modifyTimestamp', isAd ? 'whenChanged' : 'modifyTimestamp', 'true', alwaysRead, 'false'));
  if (!isAd && first(cfg, 'syncRegistrations') === 'true' && first(cfg, 'usePasswordModifyExtendedOp') === 'true') {
    add('random initial password', 'hardcoded-ldap-attribute-mapper', {
      'ldap.attribute.name': ['userpassword'],
      'ldap.attribute.value': ['RANDOM'],
    });
  }
  if (isAd) {
    add('MSAD account controls', 'msad-user-account-control-mapper', {
      'always.read.enabled.value.from.ldap': [alwaysRead],
    });
  }
  add('Kerberos principal attribute mapper', 'kerberos-principal-attribute-mapper', {});
  return out;
}
