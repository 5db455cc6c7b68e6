// A real SCIM 2.0 server for scim-check's tests: SCIMMY (RFC 7643/7644 resources, filters, PatchOp,
// ListResponse, SCIM errors) behind its express routers, with an in-memory user store and bearer
// tokens. SCIMMY's configuration is module state, so one process runs one of these (vitest runs
// each test file in its own fork). `readOnlyToken` may read but gets 403 on writes, the way an API
// key without the provisioning scope does.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

export interface ScimmyServerOptions {
  token: string;
  readOnlyToken?: string;
  /** also listen with TLS (PEM key and certificate) */
  tls?: { key: string; cert: string };
  /** users present from the start */
  seed?: Record<string, unknown>[];
}

export interface SeenRequest {
  method: string;
  url: string;
  status: number;
  authorized: boolean;
  body?: unknown;
}

export interface ScimmyServer {
  /** http://127.0.0.1:PORT/scim/v2 */
  url: string;
  /** https://127.0.0.1:PORT/scim/v2 when tls was given */
  httpsUrl?: string;
  users: Map<string, Record<string, unknown>>;
  requests: SeenRequest[];
  close(): Promise<void>;
}

let started = false;

export async function startScimmyServer(o: ScimmyServerOptions): Promise<ScimmyServer> {
  if (started) throw new Error('SCIMMY keeps its configuration in module state: one server per process');
  started = true;
  const users = new Map<string, Record<string, unknown>>();
  const requests: SeenRequest[] = [];
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
  for (const u of o.seed ?? []) {
    const id = randomUUID();
    users.set(id, { ...u, id, meta: { created: new Date(), lastModified: new Date() } });
  }

  SCIMMY.Resources.declare(SCIMMY.Resources.User, {
    egress: (resource: InstanceType<typeof SCIMMY.Resources.User>) => {
      if (resource.id) {
        const u = users.get(resource.id);
        if (!u) throw new SCIMMY.Types.Error(404, null!, `Resource ${resource.id} not found`);
        return u;
      }
      const all = [...users.values()];
      return resource.filter ? resource.filter.match(all) : all;
    },
    ingress: (resource: InstanceType<typeof SCIMMY.Resources.User>, instance: unknown) => {
      const data = plain(instance);
      const userName = String(data.userName ?? '');
      const clash = [...users.values()].find((u) => String(u.userName).toLowerCase() === userName.toLowerCase() && u.id !== resource.id);
      if (clash) throw new SCIMMY.Types.Error(409, 'uniqueness', `userName ${userName} is already taken`);
      const now = new Date();
      if (resource.id) {
        const old = users.get(resource.id);
        if (!old) throw new SCIMMY.Types.Error(404, null!, `Resource ${resource.id} not found`);
        const next = { ...data, id: resource.id, meta: { created: (old.meta as { created: Date }).created, lastModified: now } };
        users.set(resource.id, next);
        return next;
      }
      const id = randomUUID();
      const created = { ...data, id, meta: { created: now, lastModified: now } };
      users.set(id, created);
      return created;
    },
    degress: (resource: InstanceType<typeof SCIMMY.Resources.User>) => {
      if (!resource.id || !users.delete(resource.id)) throw new SCIMMY.Types.Error(404, null!, `Resource ${resource.id} not found`);
    },
  } as never);

  const app = express();
  app.use((req, res, next) => {
    const authorized = req.header('authorization') === `Bearer ${o.token}` || (o.readOnlyToken !== undefined && req.header('authorization') === `Bearer ${o.readOnlyToken}`);
    const seen: SeenRequest = { method: req.method, url: req.originalUrl, status: 0, authorized };
    requests.push(seen);
    res.on('finish', () => {
      seen.status = res.statusCode;
      seen.body = req.body;
    });
    next();
  });
  // An API key without the provisioning scope: reads pass, writes are forbidden.
  app.use('/scim/v2', (req, res, next) => {
    if (o.readOnlyToken !== undefined && req.header('authorization') === `Bearer ${o.readOnlyToken}` && req.method !== 'GET') {
      res.status(403).type('application/scim+json').send(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403', detail: 'this API key is read-only' }));
      return;
    }
    next();
  });
  app.use(
    '/scim/v2',
    new SCIMMYRouters({
      type: 'bearer',
      docUri: 'https://example.test/scim-auth',
      handler: (req) => {
        const auth = req.header('authorization');
        if (auth === `Bearer ${o.token}` || (o.readOnlyToken !== undefined && auth === `Bearer ${o.readOnlyToken}`)) return 'scim-client';
        throw new Error(auth ? 'Invalid bearer token' : 'Authorization header missing');
      },
    }),
  );

  const listen = (server: Server) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const servers: Server[] = [createHttpServer(app)];
  const port = await listen(servers[0]!);
  let httpsUrl: string | undefined;
  if (o.tls) {
    const s = createHttpsServer({ key: o.tls.key, cert: o.tls.cert }, app);
    servers.push(s);
    httpsUrl = `https://127.0.0.1:${await listen(s)}/scim/v2`;
  }
  return {
    url: `http://127.0.0.1:${port}/scim/v2`,
    httpsUrl,
    users,
    requests,
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
