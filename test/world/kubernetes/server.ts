// Request routing for the emulator: discovery, namespaces, and apps/v1 deployments
// (GET, LIST, WATCH, PATCH) with the apiserver's status codes and `Status` bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { API_GROUP_LIST, API_VERSIONS, APPS_V1_RESOURCES, CORE_V1_RESOURCES, VERSION } from './discovery.js';
import { applyPatch, PATCH_TYPES, PatchError } from './patch.js';
import type { Obj, Store, StoredEvent } from './store.js';

export type Rights = 'admin' | 'no-patch' | 'none';

export interface Recorded {
  method: string;
  /** path without the query string */
  path: string;
  query: Record<string, string>;
  url: string;
  headers: { accept?: string; contentType?: string; userAgent?: string; authorization?: string };
  body: string;
  status: number;
  at: number;
}

export interface ServerContext {
  store: Store;
  tokens: Record<string, Rights>;
  requireAuth: boolean;
  requests: Recorded[];
  watches: Set<ServerResponse>;
}

const FIELD_PARAMS = new Set(['metadata.name', 'metadata.namespace']);

function status(code: number, reason: string, message: string, details?: Obj): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function send(res: ServerResponse, rec: Recorded, code: number, body: unknown): void {
  rec.status = code;
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

function parseFieldSelector(sel: string | undefined): Record<string, string> | string {
  const out: Record<string, string> = {};
  if (!sel) return out;
  for (const term of sel.split(',')) {
    const m = /^([^=!]+)==?(.*)$/.exec(term.trim());
    if (!m || !FIELD_PARAMS.has(m[1]!)) return `"${term}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
    out[m[1]!] = m[2]!;
  }
  return out;
}

function matches(obj: Obj, ns: string | undefined, sel: Record<string, string>): boolean {
  const m = obj.metadata as Obj;
  if (ns !== undefined && m.namespace !== ns) return false;
  if (sel['metadata.name'] !== undefined && m.name !== sel['metadata.name']) return false;
  if (sel['metadata.namespace'] !== undefined && m.namespace !== sel['metadata.namespace']) return false;
  return true;
}

/** The caller's name and rights, or undefined when the token is not accepted (→ 401). */
function identify(ctx: ServerContext, req: IncomingMessage): { user: string; rights: Rights } | undefined {
  const auth = req.headers.authorization;
  if (!auth) return ctx.requireAuth ? undefined : { user: 'system:anonymous', rights: 'admin' };
  const m = /^Bearer\s+(.+)$/i.exec(auth);
  const rights = m ? ctx.tokens[m[1]!.trim()] : undefined;
  if (!m || !rights) return undefined;
  const sa = m[1]!.trim().replace(/-token$/, '').replace(/[^a-z0-9-]/gi, '-').toLowerCase();
  const ns = (ctx.store.list(undefined)[0]?.metadata as Obj | undefined)?.namespace ?? 'default';
  return { user: `system:serviceaccount:${String(ns)}:${sa}`, rights };
}

export async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const rec: Recorded = {
    method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), url: req.url ?? '/',
    headers: { accept: req.headers.accept, contentType: req.headers['content-type'], userAgent: req.headers['user-agent'], authorization: req.headers.authorization },
    body: Buffer.concat(chunks).toString('utf8'), status: 0, at: Date.now(),
  };
  ctx.requests.push(rec);
  const who = identify(ctx, req);
  if (!who) return send(res, rec, 401, status(401, 'Unauthorized', 'Unauthorized'));
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const q = url.searchParams;

  if (rec.method === 'GET') {
    const doc = ({ '/version': VERSION, '/api': API_VERSIONS, '/api/v1': CORE_V1_RESOURCES, '/apis': API_GROUP_LIST, '/apis/apps/v1': APPS_V1_RESOURCES } as Record<string, unknown>)[path];
    if (doc) return send(res, rec, 200, doc);
  }
  const forbidden = (verb: string, ns: string | undefined, resource: string, group: string, name?: string) => {
    const what = `${resource}${group ? `.${group}` : ''}${name ? ` "${name}"` : ''}`;
    const where = ns ? ` in the namespace "${ns}"` : ' at the cluster scope';
    return send(res, rec, 403, status(403, 'Forbidden',
      `${what} is forbidden: User "${who.user}" cannot ${verb} resource "${resource}" in API group "${group}"${where}`,
      { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: resource }));
  };

  let m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path);
  if (m && rec.method === 'GET') {
    const ns = decodeURIComponent(m[1]!);
    if (who.rights === 'none') return forbidden('get', undefined, 'namespaces', '', ns);
    if (!ctx.store.namespaces().includes(ns)) return send(res, rec, 404, status(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' }));
    return send(res, rec, 200, {
      kind: 'Namespace', apiVersion: 'v1',
      metadata: { name: ns, uid: `ns-${ns}`, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z', labels: { 'kubernetes.io/metadata.name': ns } },
      spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
    });
  }

  m = /^\/apis\/apps\/v1(?:\/namespaces\/([^/]+))?\/deployments$/.exec(path);
  if (m) {
    if (rec.method !== 'GET') return send(res, rec, 405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
    const ns = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
    const watch = q.get('watch') === 'true' || q.get('watch') === '1';
    if (who.rights === 'none') return forbidden(watch ? 'watch' : 'list', ns, 'deployments', 'apps');
    const sel = parseFieldSelector(q.get('fieldSelector') ?? undefined);
    if (typeof sel === 'string') return send(res, rec, 400, status(400, 'BadRequest', sel));
    if (watch) return startWatch(ctx, req, res, rec, ns, sel);
    return list(ctx, res, rec, ns, sel, q);
  }

  m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(path);
  if (m) {
    const ns = decodeURIComponent(m[1]!);
    const name = decodeURIComponent(m[2]!);
    const notFound = () => send(res, rec, 404, status(404, 'NotFound', `deployments.apps "${name}" not found`, { name, group: 'apps', kind: 'deployments' }));
    if (rec.method === 'GET') {
      if (who.rights === 'none') return forbidden('get', ns, 'deployments', 'apps', name);
      const d = ctx.store.get(ns, name);
      return d ? send(res, rec, 200, d) : notFound();
    }
    if (rec.method === 'PATCH') {
      if (who.rights !== 'admin') return forbidden('patch', ns, 'deployments', 'apps', name);
      return patch(ctx, res, rec, ns, name, notFound);
    }
    return send(res, rec, 405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
  }
  return send(res, rec, 404, status(404, 'NotFound', 'the server could not find the requested resource', {}));
}

function list(ctx: ServerContext, res: ServerResponse, rec: Recorded, ns: string | undefined, sel: Record<string, string>, q: URLSearchParams): void {
  const all = ctx.store.list(ns).filter((d) => matches(d, ns, sel));
  const start = q.get('continue') ? Number(Buffer.from(q.get('continue')!, 'base64url').toString()) : 0;
  const limit = Number(q.get('limit') ?? '0');
  const page = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
  const rest = all.length - start - page.length;
  // a real apiserver leaves apiVersion/kind off list items
  const items = page.map(({ apiVersion: _a, kind: _k, ...item }) => item);
  send(res, rec, 200, {
    kind: 'DeploymentList', apiVersion: 'apps/v1',
    metadata: { resourceVersion: String(ctx.store.rv), ...(rest > 0 ? { continue: Buffer.from(String(start + page.length)).toString('base64url'), remainingItemCount: rest } : {}) },
    items,
  });
}

function startWatch(ctx: ServerContext, _req: IncomingMessage, res: ServerResponse, rec: Recorded, ns: string | undefined, sel: Record<string, string>): void {
  const q = new URL(rec.url, 'http://emulator').searchParams;
  const rvParam = q.get('resourceVersion');
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const timeoutS = Number(q.get('timeoutSeconds') ?? '1800');
  rec.status = 200;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  // The apiserver flushes the headers at once; without this kubectl and client-node block in Watch().
  res.flushHeaders();
  ctx.watches.add(res);
  const write = (o: unknown) => { if (!res.writableEnded) res.write(`${JSON.stringify(o)}\n`); };
  let lastRv = ctx.store.rv;
  const finish = () => {
    clearTimeout(timer);
    unsubscribe();
    ctx.watches.delete(res);
    if (!res.writableEnded) res.end();
  };
  const onEvent = (e: StoredEvent) => { lastRv = e.rv; if (matches(e.object, ns, sel)) write({ type: e.type, object: e.object }); };
  const unsubscribe = ctx.store.subscribe(onEvent);
  const timer = setTimeout(() => {
    if (bookmarks) write({ type: 'BOOKMARK', object: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { resourceVersion: String(lastRv) } } });
    finish();
  }, Math.max(0, timeoutS) * 1000);
  res.on('close', finish);
  if (!rvParam || rvParam === '0') {
    // "Get State and Start at Most Recent": synthetic ADDED for what exists now
    for (const d of ctx.store.list(ns)) if (matches(d, ns, sel)) write({ type: 'ADDED', object: d });
    return;
  }
  const rv = Number(rvParam);
  if (!Number.isInteger(rv) || rv < ctx.store.compactedRv) {
    write({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${rvParam} (${ctx.store.compactedRv})`) });
    return finish();
  }
  for (const e of ctx.store.events) if (e.rv > rv) onEvent(e);
}

function patch(ctx: ServerContext, res: ServerResponse, rec: Recorded, ns: string, name: string, notFound: () => void): void {
  const type = (rec.headers.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const kind = PATCH_TYPES[type];
  if (!kind) {
    return send(res, rec, 415, status(415, 'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`));
  }
  const current = ctx.store.get(ns, name);
  if (!current) return notFound();
  const q = new URL(rec.url, 'http://emulator').searchParams;
  if (kind === 'apply' && !q.get('fieldManager')) {
    return send(res, rec, 422, status(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'));
  }
  let next: Obj;
  try {
    const body = kind === 'apply' ? JSON.stringify(parseYaml(rec.body)) : rec.body;
    next = applyPatch(kind, current, body);
  } catch (e) {
    if (e instanceof PatchError) return send(res, rec, e.code, status(e.code, e.reason, e.message));
    throw e;
  }
  const meta = (next.metadata ?? {}) as Obj;
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== (current.metadata as Obj).resourceVersion) {
    return send(res, rec, 409, status(409, 'Conflict', `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: 'apps', kind: 'deployments' }));
  }
  const replicas = (next.spec as Obj | undefined)?.replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || replicas < 0 || !Number.isInteger(replicas))) {
    return send(res, rec, 422, status(422, 'Invalid', `Deployment.apps "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`));
  }
  send(res, rec, 200, ctx.store.update(ns, name, next, q.get('dryRun') === 'All'));
}
