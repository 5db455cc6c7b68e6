// Small node:http helpers: body parsing, JSON replies, request context handed to the route handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './types.js';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  /** raw body text ('' when none) */
  raw: string;
  /** parsed body: JSON object, form fields (Record<string,string>), or undefined */
  body: unknown;
  contentType: string;
  /** http://host:port of this emulator as the client addressed it */
  base: string;
}

export async function readBody(req: IncomingMessage, limit = 5_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, { error: 'Request Entity Too Large' });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseBody(raw: string, contentType: string): unknown {
  if (raw === '') return undefined;
  if (contentType.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  if (contentType.includes('json')) {
    try {
      return JSON.parse(raw);
    } catch {
      // Keycloak (RESTEasy/Jackson) answers unparseable JSON with 400
      throw new HttpError(400, { error: 'unknown_error', error_description: 'For more on this error consult the server log.' });
    }
  }
  return raw;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  if (body === undefined || status === 204) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function queryObject(q: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of q) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export const formField = (body: unknown, k: string): string | undefined =>
  body && typeof body === 'object' && typeof (body as Record<string, unknown>)[k] === 'string'
    ? ((body as Record<string, string>)[k])
    : undefined;

/** fields whose values never reach the request log */
const SECRET_FORM_FIELDS = new Set(['password', 'client_secret', 'refresh_token', 'bindCredential']);

/** Copy of a parsed body for the request log, with token-endpoint secrets and form bindCredential redacted. */
export function redactForLog(path: string, body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const isForm = path.endsWith('/protocol/openid-connect/token');
  if (!isForm) return structuredClone(body);
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const k of Object.keys(copy)) if (SECRET_FORM_FIELDS.has(k)) copy[k] = '[redacted]';
  return copy;
}
