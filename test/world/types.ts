import type {} from 'vitest';
// The contract between the test world (directory servers started by globalSetup) and the tests,
// the demo and the benchmark. Tests read it with `inject('world')` (vitest) or `loadWorld()`.

/** Named accounts seeded on purpose to exercise a diagnosis. Values are login names (uid / sAMAccountName). */
export interface SpecialUsers {
  /** an ordinary, enabled user whose password is `userPassword` */
  normal: string;
  /** a user whose mail differs from its userPrincipalName (AD only) */
  mailDiffers?: string;
  /** users without the mail attribute */
  noMail: string[];
  /** two users that share one mail value */
  duplicateMail: [string, string];
  /** a disabled account (AD: userAccountControl ACCOUNTDISABLE) */
  disabled?: string;
  /** an account that must change its password at next logon (AD: pwdLastSet=0 → bind `data 773`) */
  mustChangePassword?: string;
}

export interface DirectoryInfo {
  kind: 'samba-ad' | 'openldap';
  /** plain LDAP, e.g. ldap://127.0.0.1:389 (StartTLS is offered on it) */
  url: string;
  /** LDAPS, e.g. ldaps://127.0.0.1:636 */
  ldapsUrl: string;
  /** the CA that signed the server certificate (PEM file), made at test time */
  caFile: string;
  /** SANs of the server certificate, for hostname-mismatch tests (e.g. ['localhost', '127.0.0.1', '::1']) */
  certNames: string[];
  baseDn: string;
  /** the OU under which all seeded users live (nested OUs below it on AD) */
  usersDn: string;
  /** read-only service account */
  bindDn: string;
  /** AD only: the service account as a UPN */
  bindUpn?: string;
  bindPassword: string;
  /** rootdn / Administrator: only for seeding and fault set-up, never for dirlink itself */
  adminDn: string;
  adminPassword: string;
  /** the password every seeded user has */
  userPassword: string;
  /** how many users live under usersDn (subtree) */
  userCount: number;
  users: SpecialUsers;
}

export interface World {
  /** Samba AD DC: EXAMPLE.TEST, ≥ 1,000 users in nested OUs */
  ad: DirectoryInfo;
  /** OpenLDAP, small tree (inetOrgPerson) */
  openldap: DirectoryInfo;
  /** OpenLDAP, 20,000-user tree (same slapd, other suffix), AD-like 1,000-entry cap on un-paged searches */
  openldapBig: DirectoryInfo;
  /** OpenLDAP, 10-user tree (same slapd, other suffix), the benchmark's small side */
  openldapTiny: DirectoryInfo;
  /** seconds each server took to come up (restore from cache or provision+seed), for the closing note */
  timings: Record<string, number>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    world: World;
  }
}
