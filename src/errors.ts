// Every failure below the CLI edge is thrown as a DirlinkError: it carries the exit code of the
// contract (design.md), a stable machine code for --json, the input to change and the fix.
// Only src/cli.ts turns these into process.exitCode and printed text.

export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  ldap: 3,
  keycloak: 4,
  kubernetes: 5,
  verify: 6,
  scim: 7,
  cancelled: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  /** what to do about it, in one or two sentences */
  hint?: string;
  /** the input (field key, e.g. "bindPassword") the user should change */
  field?: string;
  /** the underlying error, never printed unless --verbose (and then redacted) */
  cause?: unknown;
  /** extra structured facts for --json (must never contain secrets) */
  data?: Record<string, unknown>;
}

export class DirlinkError extends Error {
  readonly hint?: string;
  readonly field?: string;
  readonly data?: Record<string, unknown>;

  constructor(
    readonly exitCode: ExitCode,
    /** stable, dotted machine code, e.g. "ldap.bind.invalid-credentials" */
    readonly code: string,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.hint = details.hint;
    this.field = details.field;
    this.data = details.data;
  }
}

export class UsageError extends DirlinkError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(ExitCode.usage, code, message, details);
  }
}
export class LdapError extends DirlinkError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(ExitCode.ldap, code, message, details);
  }
}
export class KeycloakError extends DirlinkError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(ExitCode.keycloak, code, message, details);
  }
}
export class KubeError extends DirlinkError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(ExitCode.kubernetes, code, message, details);
  }
}
export class VerifyError extends DirlinkError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(ExitCode.verify, code, message, details);
  }
}
/** `dirlink scim-check`: the SCIM endpoint would fail Entra's provisioning (or the write test). */
export class ScimError extends DirlinkError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(ExitCode.scim, code, message, details);
  }
}
export class CancelledError extends DirlinkError {
  constructor(message = 'cancelled', details?: ErrorDetails) {
    super(ExitCode.cancelled, 'cancelled', message, details);
  }
}

export function isDirlinkError(e: unknown): e is DirlinkError {
  return e instanceof DirlinkError;
}

// Control characters (C0 but newline, DEL, C1), line and paragraph separators, and bidi overrides:
// echoed into a terminal or a CI log they can rewrite the screen, forge a line, or reorder text.
// Zero-width characters and direction marks too: shown raw, an error about one would show nothing.
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const escapeChar = (c: string) =>
  ({ '\0': '\\0', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A value someone typed, as an error message may show it: every unprintable character (newline
 * included) escaped, and cut after `max` characters, so the message stays one readable line.
 */
export function shown(value: string, max = 120): string {
  // code points, so a cut never splits a surrogate pair; only the head is split, values can be megabytes
  const head = [...value.slice(0, 2 * max + 2)];
  const cut = head.length > max ? `${head.slice(0, max).join('')}… (${value.length} characters)` : value;
  return cut.replace(/\n/g, '\\n').replace(UNPRINTABLE, escapeChar);
}

/** The last guard before text reaches a terminal: unprintable characters escaped, line breaks kept. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar);
}
