// A SCIM endpoint that goes wrong in the ways Entra's provisioning rejects, one mode at a time, on
// plain node:http so each fault is exactly what the mode says and nothing else. Apart from its
// fault it is a small correct SCIM server (bearer token, filter userName eq, POST/PATCH/DELETE,
// ServiceProviderConfig, a User schema), so every test sees one cause.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Misbehaviour =
  /** correct in every respect (the control) */
  | 'none'
  /** 404 with a SCIM error when a filter matches nobody (Entra's Test Connection fails on it) */
  | 'not-found-on-filter'
  /** 401 to every request, whatever the token (and the Authorization header echoed in the error) */
  | 'unauthorized'
  /** 403 to every request that carries a token */
  | 'forbidden'
  /** SCIM JSON, but served as text/html */
  | 'wrong-content-type'
  /** SCIM JSON served as application/json (Entra reads it; the validator does not) */
  | 'json-content-type'
  /** ListResponse without totalResults */
  | 'no-total-results'
  /** ListResponse without "schemas" */
  | 'no-schemas'
  /** filter ignored: every query answers with all users */
  | 'ignores-filter'
  /** accepts connections and never answers */
  | 'hangs'
  /** everything works except DELETE, which fails with 500 */
  | 'delete-fails'
  /** a login page (HTML, 200) in front of the API */
  | 'html-login'
  /** PATCH answered with 405 */
  | 'patch-unsupported'
  /** 200 to requests without a token */
  | 'open';

export interface MisbehavingScim {
  url: string;
  users: Map<string, Record<string, unknown>>;
  requests: { method: string; url: string; status: number }[];
  mode: Misbehaviour;
  close(): Promise<void>;
}

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

const SERVICE_PROVIDER_CONFIG = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: 100 },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
  authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'bearer token' }],
};

const USER_SCHEMA = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
  id: USER,
  name: 'User',
  attributes: [
    { name: 'userName', type: 'string', multiValued: false, required: true, uniqueness: 'server' },
    { name: 'active', type: 'boolean', multiValued: false },
    { name: 'displayName', type: 'string', multiValued: false },
    {
      name: 'emails',
      type: 'complex',
      multiValued: true,
      subAttributes: [
        { name: 'value', type: 'string' },
        { name: 'type', type: 'string', canonicalValues: ['work', 'home', 'other'] },
        { name: 'primary', type: 'boolean' },
      ],
    },
  ],
};

export async function startMisbehavingScim(o: { token: string; mode: Misbehaviour; seed?: Record<string, unknown>[] }): Promise<MisbehavingScim> {
  const users = new Map<string, Record<string, unknown>>();
  const requests: MisbehavingScim['requests'] = [];
  for (const u of o.seed ?? []) {
    const id = randomUUID();
    users.set(id, { schemas: [USER], ...u, id });
  }
  const mode = o.mode;
  const type = mode === 'wrong-content-type' ? 'text/html; charset=utf-8' : mode === 'json-content-type' ? 'application/json' : 'application/scim+json';

  function send(res: ServerResponse, status: number, body?: unknown): void {
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
  }
  const error = (res: ServerResponse, status: number, detail: string) => send(res, status, { schemas: [ERROR], status: String(status), detail });

  function list(found: Record<string, unknown>[]): Record<string, unknown> {
    const body: Record<string, unknown> = { schemas: [LIST], totalResults: found.length, startIndex: 1, itemsPerPage: found.length, Resources: found };
    if (mode === 'no-total-results') delete body.totalResults;
    if (mode === 'no-schemas') delete body.schemas;
    return body;
  }

  async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const path = u.pathname.replace(/^\/scim\/v2/, '');
    if (mode === 'hangs') return; // never answers: the client's timeout must end it
    if (mode === 'html-login') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Sign in to continue</form></body></html>');
      return;
    }
    const auth = req.headers.authorization;
    // echoes what it got, as careless servers do: the CLI's redaction must catch the token
    if (mode === 'unauthorized') return error(res, 401, `token not accepted: ${auth ?? '(none)'}`);
    if (auth === undefined && mode !== 'open') return error(res, 401, 'Authorization header missing');
    if (mode === 'forbidden') return error(res, 403, 'token lacks the scim:provisioning scope');
    if (auth !== undefined && auth !== `Bearer ${o.token}`) return error(res, 401, 'Invalid bearer token');

    if (path === '/ServiceProviderConfig' && req.method === 'GET') return send(res, 200, SERVICE_PROVIDER_CONFIG);
    if (path === '/Schemas' && req.method === 'GET') return send(res, 200, list([USER_SCHEMA]));
    if (path === '/Users' && req.method === 'GET') {
      const filter = u.searchParams.get('filter');
      const all = [...users.values()];
      if (!filter || mode === 'ignores-filter') return send(res, 200, list(all));
      const m = /^userName eq "((?:[^"\\]|\\.)*)"$/i.exec(filter.trim());
      if (!m) return error(res, 400, `unsupported filter ${filter}`);
      const wanted = m[1]!.replace(/\\(.)/g, '$1').toLowerCase();
      const found = all.filter((x) => String(x.userName).toLowerCase() === wanted);
      if (found.length === 0 && mode === 'not-found-on-filter') return error(res, 404, 'User not found');
      return send(res, 200, list(found));
    }
    if (path === '/Users' && req.method === 'POST') {
      const body = await readBody(req);
      if (!body || typeof body.userName !== 'string') return error(res, 400, 'userName is required');
      const id = randomUUID();
      const user = { ...body, schemas: [USER], id };
      users.set(id, user);
      return send(res, 201, user);
    }
    const byId = /^\/Users\/([^/]+)$/.exec(path);
    if (byId) {
      const id = decodeURIComponent(byId[1]!);
      const user = users.get(id);
      if (!user) return error(res, 404, `User ${id} not found`);
      if (req.method === 'GET') return send(res, 200, user);
      if (req.method === 'PATCH') {
        if (mode === 'patch-unsupported') return error(res, 405, 'PATCH is not supported');
        const body = await readBody(req);
        for (const op of (body?.Operations as { op: string; path?: string; value: unknown }[] | undefined) ?? []) {
          if (op.op.toLowerCase() === 'replace' && op.path) user[op.path] = op.value;
        }
        return send(res, 200, user);
      }
      if (req.method === 'DELETE') {
        if (mode === 'delete-fails') return error(res, 500, 'database is read-only');
        users.delete(id);
        return send(res, 204);
      }
    }
    return error(res, 404, 'Endpoint not found');
  }

  const server = createServer((req, res) => {
    const seen = { method: req.method ?? '', url: req.url ?? '', status: 0 };
    requests.push(seen);
    res.on('finish', () => (seen.status = res.statusCode));
    handle(req, res).catch((e: unknown) => error(res, 500, String(e)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/scim/v2`,
    users,
    requests,
    mode,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
