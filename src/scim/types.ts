// The shapes scim-check reports: one ScimCheck per request-and-judgement, in the order they ran,
// so the human lines, --json and the exit code all come from the same list.

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export interface ScimCheck {
  /** stable id, e.g. "scim.test-connection" (also the prefix of the error code on failure) */
  id: string;
  title: string;
  status: CheckStatus;
  /** what was seen, in one line */
  message: string;
  /** on warn/fail: the cause and the fix */
  hint?: string;
  /** stable machine reason on warn/fail, e.g. "not-found-on-filter" */
  reason?: string;
  /** on warn/fail: the input to change (scimUrl, scimToken, scimTimeout, scimTestDomain), if one is to blame */
  field?: string;
  /** the request behind the verdict (never headers: they carry the token) */
  request?: { method: string; path: string; status?: number; contentType?: string };
  ms: number;
}

export interface ScimTestUser {
  userName: string;
  id?: string;
  created: boolean;
  /** true once DELETE succeeded; false when it failed (the user is still on the server) */
  deleted?: boolean;
}

export interface ScimReport {
  url: string;
  ok: boolean;
  writeTest: boolean;
  checks: ScimCheck[];
  testUser?: ScimTestUser;
  /** the closing line for people */
  summary: string;
}

/** What the HTTP layer hands to the judges: the parts of a response that matter, body parsed once. */
export interface ScimResponse {
  status: number;
  /** the media type without parameters, lower-cased ("" when the header is missing) */
  contentType: string;
  text: string;
  /** the parsed body when it is JSON, whatever the Content-Type said */
  json?: unknown;
  /** the Location header of a redirect */
  location?: string;
  ms: number;
}

/** A request that got no HTTP answer: DNS, TCP, TLS or the timeout. */
export interface TransportFailure {
  kind: 'timeout' | 'tls' | 'dns' | 'refused' | 'reset' | 'aborted' | 'other';
  /** the Node / undici error code, when there is one */
  code?: string;
  detail: string;
  ms: number;
}
