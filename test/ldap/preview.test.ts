// Pure parts of discovery and of the user preview: the vendor from recorded rootDSEs (servers the
// test world does not run: 389-ds, RHDS, AD LDS, eDirectory, IBM), names as Keycloak's default
// mappers fill them, and the duplicate / missing-email / disabled detectors.
import type { Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { dataContexts, detectVendor } from '../../src/ldap/rootdse.js';
import { keycloakNames, UserAccumulator } from '../../src/ldap/users.js';

// rootDSEs as the servers answer a base search of "" for these attributes (values shortened)
const ROOT_DSE = {
  '389-ds': {
    dn: '', objectClass: ['top'], namingContexts: ['dc=example,dc=com', 'o=netscaperoot'],
    supportedControl: ['2.16.840.1.113730.3.4.2', '1.2.840.113556.1.4.319', '1.2.840.113556.1.4.473'],
    vendorName: '389 Project', vendorVersion: '389-Directory/2.4.5 B2024.017.0000',
  },
  rhds: {
    dn: '', objectClass: ['top'], namingContexts: ['dc=corp,dc=example', 'o=NetscapeRoot'],
    supportedControl: ['1.2.840.113556.1.4.319'], vendorName: 'Red Hat, Inc.', vendorVersion: 'Red Hat-Directory/11.7.0.6',
  },
  ad: {
    dn: '', defaultNamingContext: 'DC=corp,DC=example',
    namingContexts: ['DC=corp,DC=example', 'CN=Configuration,DC=corp,DC=example', 'CN=Schema,CN=Configuration,DC=corp,DC=example', 'DC=DomainDnsZones,DC=corp,DC=example', 'DC=ForestDnsZones,DC=corp,DC=example'],
    supportedCapabilities: ['1.2.840.113556.1.4.800', '1.2.840.113556.1.4.1670', '1.2.840.113556.1.4.1791'],
    supportedControl: ['1.2.840.113556.1.4.319'],
  },
  adLds: { dn: '', namingContexts: ['O=App'], supportedCapabilities: ['1.2.840.113556.1.4.1851', '1.2.840.113556.1.4.1670'] },
  openldap: { dn: '', objectClass: ['top', 'OpenLDAProotDSE'], namingContexts: ['dc=example,dc=org'], supportedControl: ['1.2.840.113556.1.4.319'] },
  edirectory: { dn: '', namingContexts: [''], vendorName: 'NetIQ Corporation', vendorVersion: 'LDAP Agent for NetIQ eDirectory 9.2.4' },
  ibm: { dn: '', namingContexts: ['o=sample'], vendorName: 'International Business Machines (IBM)', vendorVersion: '6.4' },
  unknown: { dn: '', namingContexts: ['dc=x'] },
};

describe('vendor from the rootDSE', () => {
  it.each([
    ['389-ds', 'rhds', '389 Project'],
    ['rhds', 'rhds', 'Red Hat, Inc.'],
    ['ad', 'ad', 'Active Directory'],
    ['adLds', 'ad', 'Active Directory'],
    ['openldap', 'other', 'OpenLDAP'],
    ['edirectory', 'edirectory', 'NetIQ Corporation'],
    ['ibm', 'tivoli', 'International Business Machines (IBM)'],
  ] as const)('%s → %s (%s)', (server, vendor, vendorName) => {
    expect(detectVendor(ROOT_DSE[server])).toEqual({ vendor, vendorName });
  });

  it('a server that says nothing about itself has no vendor (the caller falls back to ad)', () => {
    expect(detectVendor(ROOT_DSE.unknown)).toEqual({});
  });

  it('data naming contexts: AD\'s default one; 389\'s without o=NetscapeRoot', () => {
    expect(dataContexts({ namingContexts: ROOT_DSE.ad.namingContexts, defaultNamingContext: ROOT_DSE.ad.defaultNamingContext, supportsPaging: true })).toEqual(['DC=corp,DC=example']);
    expect(dataContexts({ namingContexts: ROOT_DSE['389-ds'].namingContexts, supportsPaging: true })).toEqual(['dc=example,dc=com']);
    expect(dataContexts({ namingContexts: ['DC=DomainDnsZones,DC=corp,DC=example', 'cn=config', 'dc=corp,dc=example'], supportsPaging: true })).toEqual(['dc=corp,dc=example']);
  });
});

describe('names as Keycloak\'s default mappers fill them (keycloak.md §5)', () => {
  const e = { cn: ['Normal, Alice (IT)'], givenName: ['Alice'], sn: ['Normal'] };
  it('RDN cn, username sAMAccountName (the Run:AI AD case): cn split at its last space, sn as last name', () => {
    expect(keycloakNames(e, 'cn', 'sAMAccountName')).toEqual({ firstName: 'Normal, Alice', lastName: 'Normal' });
    expect(keycloakNames({ cn: ['Bob Smith'] }, 'cn', 'sAMAccountName')).toEqual({ firstName: 'Bob', lastName: 'Smith' });
    expect(keycloakNames({ cn: ['svc-backup'] }, 'cn', 'sAMAccountName')).toEqual({ lastName: 'svc-backup' });
  });
  it('RDN cn, username cn: givenName and sn', () => {
    expect(keycloakNames(e, 'cn', 'cn')).toEqual({ firstName: 'Alice', lastName: 'Normal' });
  });
  it('any other RDN (uid): the whole cn as first name, sn as last name', () => {
    expect(keycloakNames(e, 'uid', 'uid')).toEqual({ firstName: 'Normal, Alice (IT)', lastName: 'Normal' });
    expect(keycloakNames({ sn: ['Only'] }, 'uid', 'uid')).toEqual({ lastName: 'Only' });
  });
  it('the accumulator uses the RDN Keycloak derives: cn on AD, the username attribute elsewhere', () => {
    const entry = { dn: 'CN=Normal\\, Alice,OU=People,DC=x', sAMAccountName: ['alice'], uid: ['alice'], ...e } as unknown as Entry;
    const ad = new UserAccumulator('sAMAccountName', 'mail', 'ad', 5);
    ad.add(entry);
    expect(ad.sample[0]).toMatchObject({ username: 'alice', firstName: 'Normal, Alice', lastName: 'Normal' });
    const other = new UserAccumulator('uid', 'mail', 'other', 5);
    other.add(entry);
    expect(other.sample[0]).toMatchObject({ firstName: 'Normal, Alice (IT)', lastName: 'Normal' });
  });
});
