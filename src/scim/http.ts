// The one place scim-check talks HTTP: Node's fetch with a per-request timeout, no redirects
// followed (a redirect means the Tenant URL is wrong, and fetch would drop the Authorization header
// on the way), and every answer reduced to a ScimResponse or a classified TransportFailure. The token
// goes into the Authorization header only; nothing here returns or logs headers.
import type { ScimResponse, TransportFailure } from './types.js';

export interface ScimRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** appended to the base URL, e.g. "/Users" */
  path: string;
  query?: Record<string, string>;
  /** omitted: the request goes without Authorization (the "is a token required" check) */
  token?: string;
  body?: unknown;
  /** null sends fetch's default Accept (*∕*), as Entra's Test Connection does */
  accept?: string | null;
  timeoutMs: number;
  /** the run's Ctrl-C signal */
  signal?: AbortSignal;
}

export type ScimOutcome = { ok: true; res: ScimResponse } | { ok: false; failure: TransportFailure };

/** Entra sends SCIM bodies as application/scim+json with a charset (MicrosoftDocs azure-docs#12728). */
export const SCIM_BODY_TYPE = 'application/scim+json; charset=utf-8';
const SCIM_ACCEPT = 'application/scim+json, application/json;q=0.9';

export function scimUrl(baseUrl: string, path: string, query?: Record<string, string>): string {
  // URLSearchParams writes spaces as "+", which is how Entra sends filter=userName+eq+"…"
  const qs = query ? `?${new URLSearchParams(query).toString()}` : '';
  return `${baseUrl.replace(/\/+$/, '')}${path}${qs}`;
}

/** The Node/undici error code hidden in fetch's "fetch failed" TypeError, if any. */
function errorCode(e: unknown): string | undefined {
  let cur = e as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; cur && depth < 4; depth++) {
    if (typeof cur.code === 'string' && cur.code !== 'UND_ERR') return cur.code;
    const first = Array.isArray(cur.errors) ? (cur.errors[0] as typeof cur) : undefined;
    cur = (cur.cause as typeof cur) ?? first;
  }
  return undefined;
}

function innermostMessage(e: unknown): string {
  let cur = e as { message?: string; cause?: unknown } | undefined;
  let msg = cur?.message ?? String(e);
  for (let depth = 0; cur && depth < 4; depth++) {
    if (cur.message) msg = cur.message;
    cur = cur.cause as typeof cur;
  }
  return msg;
}

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|EPROTO|HOSTNAME|ALTNAME/;

/** Sorts a fetch failure into what the user can act on. */
export function classifyTransportError(e: unknown, how: { timedOut: boolean; aborted: boolean }, ms: number): TransportFailure {
  const code = errorCode(e);
  const detail = innermostMessage(e);
  if (how.timedOut) return { kind: 'timeout', code, detail, ms };
  if (how.aborted) return { kind: 'aborted', code, detail, ms };
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { kind: 'timeout', code, detail, ms };
  }
  if (code && TLS_CODE.test(code)) return { kind: 'tls', code, detail, ms };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return { kind: 'dns', code, detail, ms };
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { kind: 'refused', code, detail, ms };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return { kind: 'reset', code, detail, ms };
  return { kind: 'other', code, detail, ms };
}

/** The media type without parameters, lower-cased: "application/scim+json; charset=utf-8" → "application/scim+json". */
export function mediaType(header: string | null): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

export async function scimRequest(baseUrl: string, req: ScimRequest): Promise<ScimOutcome> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
  const headers: Record<string, string> = {};
  if (req.accept !== null) headers.accept = req.accept ?? SCIM_ACCEPT;
  if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
  if (req.body !== undefined) headers['content-type'] = SCIM_BODY_TYPE;
  try {
    const r = await fetch(scimUrl(baseUrl, req.path, req.query), {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      redirect: 'manual',
      signal,
    });
    const text = await r.text();
    let json: unknown;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return {
      ok: true,
      res: {
        status: r.status,
        contentType: mediaType(r.headers.get('content-type')),
        text,
        json,
        location: r.headers.get('location') ?? undefined,
        ms: performance.now() - started,
      },
    };
  } catch (e) {
    return {
      ok: false,
      failure: classifyTransportError(e, { timedOut: timeout.aborted, aborted: req.signal?.aborted === true }, performance.now() - started),
    };
  }
}
