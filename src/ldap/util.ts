// Small pieces every layer needs: a failure type that carries the code/hint/field, timeouts that
// tear the socket down (so a silent server ends the probe instead of hanging it), and redaction.
import { CancelledError } from '../errors.js';
import type { LdapField } from './types.js';

export interface Failure {
  code: string;
  message: string;
  hint?: string;
  field?: LdapField;
  data?: Record<string, unknown>;
}

/** Thrown inside a layer: becomes that layer's `fail` result. */
export class LayerFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

export function fail(f: Failure): never {
  throw new LayerFailure(f);
}

export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

/**
 * Races `p` against a timer and the abort signal. On either, `cleanup` runs first (destroy the
 * socket: ldapts and Node would otherwise keep waiting), then the promise rejects.
 */
export function withTimeout<T>(p: Promise<T>, ms: number, cleanup: () => void, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => finish(() => { cleanup(); reject(new CancelledError('LDAP check cancelled')); });
    const timer = setTimeout(() => finish(() => { cleanup(); reject(new TimeoutError(ms)); }), ms);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then((v) => finish(() => resolve(v)), (e: unknown) => finish(() => reject(e)));
  });
}

/** Replaces every occurrence of the secret. Server diagnostics are echoed into messages, so they pass through here. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join('********');
}

/** Deep copy with the secret redacted from every string (the last line of defence before a report leaves). */
export function scrub<T>(value: T, secret: string | undefined): T {
  if (!secret) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v, secret);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** The text of an error without ldapts' trailing " Code: 0x31". */
export function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s*Code: 0x[0-9a-f]+$/i, '').trim();
}

/** The LDAP result code of an ldapts ResultCodeError, if it is one. */
export function resultCode(e: unknown): number | undefined {
  const c = (e as { code?: unknown } | undefined)?.code;
  return typeof c === 'number' ? c : undefined;
}

/** Node system error code (ECONNREFUSED, ENOTFOUND, ...). */
export function sysCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | undefined)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** The second half of every timeout hint: the one input that changes how long dirlink waits. */
export function raiseTimeout(ms: number): string {
  return `If the server is only slow, raise --ldap-timeout (now ${seconds(ms)}).`;
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
