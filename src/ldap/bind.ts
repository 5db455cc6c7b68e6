// Explains a failed simple bind. AD puts the real reason in the diagnostic message of result 49
// ("... AcceptSecurityContext error, data 52e, v1db1"); other servers only give the result code.
import type { Failure } from './util.js';
import { errorText, resultCode } from './util.js';

interface AdReason { code: string; what: string; hint: string; field: 'bindDn' | 'bindPassword' }

const AD_DATA: Record<string, AdReason> = {
  '525': { code: 'ldap.bind.user-not-found', what: 'the bind account does not exist', hint: 'Check the bind DN: a full DN (CN=svc-ldap,OU=Service Accounts,DC=corp,DC=example), a UPN (svc-ldap@corp.example) or DOMAIN\\svc-ldap.', field: 'bindDn' },
  '52e': { code: 'ldap.bind.invalid-credentials', what: 'invalid password for the bind DN', hint: 'Check the bind password. AD also answers 52e when the account name is wrong, so check the bind DN too.', field: 'bindPassword' },
  '530': { code: 'ldap.bind.logon-hours', what: 'the bind account may not log on at this time', hint: 'Allow the service account to log on at all hours (its "Logon Hours" in AD).', field: 'bindDn' },
  '531': { code: 'ldap.bind.workstation', what: 'the bind account may not log on from this workstation', hint: 'Remove the "Log On To" workstation restriction of the service account, or use another account.', field: 'bindDn' },
  '532': { code: 'ldap.bind.password-expired', what: 'the bind account\'s password has expired', hint: 'Set a new password for the service account (consider "Password never expires" for it) and use that.', field: 'bindPassword' },
  '533': { code: 'ldap.bind.account-disabled', what: 'the bind account is disabled', hint: 'Enable the service account in AD, or use another one.', field: 'bindDn' },
  '701': { code: 'ldap.bind.account-expired', what: 'the bind account has expired', hint: 'Extend the account expiry date of the service account, or use another one.', field: 'bindDn' },
  '773': { code: 'ldap.bind.must-change-password', what: 'the bind account must change its password before it can be used', hint: 'Log in once as the service account and set a new password (or clear "User must change password at next logon"), then use the new password.', field: 'bindPassword' },
  '775': { code: 'ldap.bind.account-locked', what: 'the bind account is locked out (too many bad passwords)', hint: 'Unlock the service account in AD (or wait for the lockout to expire); look for another system still using an old password.', field: 'bindDn' },
};

/** "data 52e" in AD's diagnostic message, lower-cased, or undefined. */
export function adDataCode(diagnostic: string): string | undefined {
  return /\bdata ([0-9a-f]{3,4})\b/i.exec(diagnostic)?.[1]?.toLowerCase();
}

const TLS_HINT = 'Use ldaps://host:636, or keep ldap:// and turn on StartTLS (--start-tls).';

export function bindFailure(e: unknown, bindDn: string, encrypted: boolean): Failure {
  const rc = resultCode(e);
  const diag = errorText(e);
  const data: Record<string, unknown> = { resultCode: rc, diagnostic: diag };
  if (rc === 49) {
    const ad = adDataCode(diag);
    const r = ad ? AD_DATA[ad] : undefined;
    if (r) return { code: r.code, message: `Bind as "${bindDn}" failed: ${r.what} (AD data ${ad})`, hint: r.hint, field: r.field, data: { ...data, adData: ad } };
    return {
      code: 'ldap.bind.invalid-credentials',
      message: `Bind as "${bindDn}" failed: invalid credentials (LDAP 49)`,
      hint: 'Check the bind password, and that the bind DN is the exact full DN of the service account (OpenLDAP and 389-ds answer 49 for an unknown DN too).',
      field: 'bindPassword',
      data: ad ? { ...data, adData: ad } : data,
    };
  }
  switch (rc) {
    case 8:
      return { code: 'ldap.bind.strong-auth-required', message: `The server refuses a simple bind on an unencrypted connection (LDAP 8 strongerAuthRequired)`, hint: TLS_HINT, field: encrypted ? 'ldapUrl' : 'startTls', data };
    case 13:
      return { code: 'ldap.bind.confidentiality-required', message: 'The server requires an encrypted connection (LDAP 13 confidentialityRequired)', hint: TLS_HINT, field: encrypted ? 'ldapUrl' : 'startTls', data };
    case 34:
      return { code: 'ldap.bind.invalid-dn-syntax', message: `The bind DN "${bindDn}" is not a valid DN (LDAP 34 invalidDNSyntax)`, hint: 'Give the full DN of the service account, e.g. cn=readonly,dc=example,dc=org (AD also accepts svc@corp.example).', field: 'bindDn', data };
    case 50:
      return { code: 'ldap.bind.insufficient-rights', message: `The bind account "${bindDn}" is not allowed to bind (LDAP 50 insufficientAccessRights)`, hint: 'Use a service account that may bind and read the users, or ask the directory administrators for the rights.', field: 'bindDn', data };
    case 53:
      return { code: 'ldap.bind.unwilling', message: `The server is unwilling to perform the bind as "${bindDn}" (LDAP 53): ${diag}`, hint: 'Check the bind DN and password; some servers refuse binds of disabled or locked accounts with 53.', field: 'bindDn', data };
    case 7:
      return { code: 'ldap.bind.method-not-supported', message: 'The server does not support simple binds (LDAP 7)', hint: 'Keycloak binds with a simple bind; enable it on the server, over TLS.', field: 'ldapUrl', data };
    default:
      return rc === undefined
        ? { code: 'ldap.bind.connection-closed', message: `The server closed the connection during the bind: ${diag}`, hint: encrypted ? 'Check that the port serves LDAP.' : 'If this is an LDAPS port (636, 3269), use ldaps:// in the URL.', field: 'ldapUrl', data }
        : { code: 'ldap.bind.failed', message: `Bind as "${bindDn}" failed (LDAP ${rc}): ${diag}`, hint: 'Check the bind DN and password.', field: 'bindDn', data };
  }
}
