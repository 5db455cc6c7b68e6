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

/**
 * One targeted search for a kind of problem account (no email, no username, disabled): run on the
 * server across the whole users DN, so the accounts are found wherever they are, and bounded by a
 * size limit or one page (a directory where 15,000 users lack mail returns `limit` + 1 entries).
 */
export interface ProblemCheck {
  /** the filter sent: the user filter and the condition */
  filter: string;
  /** 'directory': the search ran; 'window': the server refused it (or found fewer than the users read show: an attribute outside its schema), so the figures come from the users read */
  scope: 'directory' | 'window';
  /** accounts found, at most `limit` */
  count: number;
  /** more than `limit` accounts match */
  capped: boolean;
  limit: number;
  /** the accounts as Keycloak will show them (at most `limit`) */
  users: UserPreview[];
  /** why the server could not be asked ("could not check"); the figures are then the window's */
  error?: string;
}

/** An email or username value held by several users. */
export interface Duplicate {
  dns: string[];
  /** 'window': found among the users read; 'directory': a value shown in the preview, searched across the users DN */
  scope: 'window' | 'directory';
  /** more users hold it than `dns` lists */
  capped: boolean;
}

export interface UserStats {
  /** users counted, at most `cap` */
  count: number;
  /** true when there are more than `cap` users (count === cap then) */
  capped: boolean;
  cap: number;
  /** users read with their attributes (the first ones the server returns, at most SAMPLE_WINDOW): the sample and the duplicates among them come from them */
  window: number;
  /** users without the email attribute, found across the users DN: at most problems.withoutEmail.limit (20), more when problems.withoutEmail.capped */
  withoutEmail: number;
  /** the same for the username attribute */
  withoutUsername: number;
  /** shared values among the users read, and the values shown in the preview searched across the users DN */
  duplicateEmails: ({ email: string } & Duplicate)[];
  duplicateUsernames: ({ username: string } & Duplicate)[];
  /** what the duplicate detection covered (it does not compare the whole directory) */
  duplicatesChecked: { usersRead: number; valuesSearched: number; error?: string };
  /** AD accounts with ACCOUNTDISABLE set (see problems.disabled) */
  disabled: number;
  /** the first users (at most 20) without the email attribute */
  withoutEmailUsers: UserRef[];
  /** the first disabled accounts (at most 20) */
  disabledUsers: UserRef[];
  /** the targeted searches; `disabled` on AD only */
  problems: { withoutEmail: ProblemCheck; withoutUsername: ProblemCheck; disabled?: ProblemCheck };
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
  /** default DEFAULT_CAP: the count stops there ("more than N"), so its cost does not grow with the directory */
  cap?: number;
  /** users read with their attributes (the sample, duplicates among them); default SAMPLE_WINDOW, at most `cap` */
  window?: number;
  /** default 10 */
  sampleSize?: number;
  signal?: AbortSignal;
}
