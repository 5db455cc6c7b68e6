// Public shapes of the LDAP check. The probe reports every layer (also the skipped ones) so a
// caller can show the whole ladder, and each failing layer names the one input to change.

export type Vendor = 'ad' | 'other' | 'rhds' | 'tivoli' | 'edirectory';

export interface LdapSettings {
  /** ldap://h:389 | ldaps://h:636 */
  url: string;
  startTls: boolean;
  caFile?: string;
  bindDn: string;
  bindPassword: string;
  usersDn: string;
  usernameAttribute: string;
  emailAttribute: string;
  vendor?: Vendor;
  /** per network operation; default 10000 */
  timeoutMs?: number;
}

export type LayerId = 'dns' | 'tcp' | 'tls' | 'bind' | 'rootdse' | 'users-dn' | 'search' | 'attributes';
export const LAYERS: readonly LayerId[] = ['dns', 'tcp', 'tls', 'bind', 'rootdse', 'users-dn', 'search', 'attributes'];

/** The inputs a failure can point at (field keys of the CLI contract). */
export type LdapField =
  | 'ldapUrl' | 'bindDn' | 'bindPassword' | 'usersDn' | 'usernameAttribute' | 'emailAttribute'
  | 'caFile' | 'startTls' | 'vendor';

export interface LayerResult {
  id: LayerId;
  status: 'ok' | 'warn' | 'fail' | 'skipped';
  message: string;
  ms: number;
  hint?: string;
  /** the input to change */
  field?: string;
  /** e.g. 'ldap.bind.invalid-credentials' */
  code?: string;
  data?: Record<string, unknown>;
}

export interface Discovery {
  vendor?: Vendor;
  vendorName?: string;
  namingContexts: string[];
  defaultNamingContext?: string;
  candidateUsersDns: { dn: string; users: number }[];
  suggestedUsernameAttribute?: string;
  suggestedEmailAttribute?: string;
  supportsPaging: boolean;
}

/** One user as Keycloak will show it (username and email lower-cased, names as its mappers fill them). */
export interface UserPreview {
  username?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  dn: string;
  disabled?: boolean;
}

/** A user named in a "who is affected" list of the preview. */
export interface UserRef {
  dn: string;
  username?: string;
}

export interface UserStats {
  /** users seen, at most `cap` */
  count: number;
  /** true when there are more than `cap` users (count === cap then) */
  capped: boolean;
  cap: number;
  withoutEmail: number;
  withoutUsername: number;
  duplicateEmails: { email: string; dns: string[] }[];
  duplicateUsernames: { username: string; dns: string[] }[];
  /** AD accounts with ACCOUNTDISABLE set */
  disabled: number;
  /** the first users (at most 20) without the email attribute */
  withoutEmailUsers: UserRef[];
  /** the first disabled accounts (at most 20) */
  disabledUsers: UserRef[];
  sample: UserPreview[];
}

export interface ProbeReport {
  ok: boolean;
  layers: LayerResult[];
  discovery?: Discovery;
  users: UserStats | undefined;
  warnings: string[];
}

export interface ProbeOptions {
  onLayer?: (l: LayerResult) => void;
  /** default DEFAULT_CAP (300): the preview stops there ("more than 300"), so its cost does not grow with the directory */
  cap?: number;
  /** default 10 */
  sampleSize?: number;
  signal?: AbortSignal;
}
