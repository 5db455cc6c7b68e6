// INTERIM (replaced by the directory-server work of issue 2): provides a World that points every
// directory at the developer OpenLDAP in /tmp/dev-openldap (ports 3891/6361), so emulator work can start.
import type { TestProject } from 'vitest/node';
import type { DirectoryInfo, World } from './types.js';

export default function setup(project: TestProject) {
  const ol: DirectoryInfo = {
    kind: 'openldap',
    url: 'ldap://127.0.0.1:3891',
    ldapsUrl: 'ldaps://127.0.0.1:6361',
    caFile: '/tmp/dev-openldap/tls/ca.pem',
    certNames: ['localhost', '127.0.0.1', '::1'],
    baseDn: 'dc=example,dc=org',
    usersDn: 'ou=people,dc=example,dc=org',
    bindDn: 'cn=readonly,dc=example,dc=org',
    bindPassword: 'readonly-secret',
    adminDn: 'cn=admin,dc=example,dc=org',
    adminPassword: 'admin-secret',
    userPassword: 'Passw0rd!',
    userCount: 200,
    users: { normal: 'user00001', noMail: [], duplicateMail: ['user00002', 'user00003'] },
  };
  const world: World = { ad: ol, openldap: ol, openldapBig: ol, openldapTiny: ol, timings: {} };
  project.provide('world', world);
}
