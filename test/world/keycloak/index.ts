// Keycloak 26 admin-API emulator for dirlink's test suite (issue 2). node:http only.
// Behaviour follows shared/docs/research/keycloak.md; deviations are listed in README.md here.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seedKeyProviders } from './components.js';
import { login } from './login.js';
import { parseBody, queryObject, readBody, redactForLog, sendJson, type Ctx } from './http-util.js';
import { route } from './routes.js';
import { TokenService } from './tokens.js';
import {
  HttpError, type ClientModel, type EmulatorState, type FaultSpec, type KeycloakEmulatorOptions, type RealmModel, type RecordedRequest,
} from './types.js';

export type { ComponentModel, ClientModel, EmulatorState, FaultSpec, KeycloakEmulatorOptions, RealmModel, RecordedRequest } from './types.js';
export { SECRET_MASK, USER_STORAGE, LDAP_MAPPER } from './factories.js';

export interface KeycloakEmulator {
  url: string;
  port: number;
  state: EmulatorState;
  requests: RecordedRequest[];
  /** non-GET admin requests that can change state (testLDAPConnection is not one: it only reads) */
  writes(): RecordedRequest[];
  resetRequests(): void;
  faults: { add(f: FaultSpec): void; clear(): void };
  expireTokens(): void;
  close(): Promise<void>;
}

/** admin-cli as RealmManager.setupAdminCli() creates it in every realm */
function adminCli(): ClientModel {
  return {
    id: randomUUID(), clientId: 'admin-cli', enabled: true, publicClient: true, directAccessGrantsEnabled: true,
    standardFlowEnabled: false, serviceAccountsEnabled: false, roles: [],
  };
}

export function newRealm(name: string): RealmModel {
  // ApplianceBootstrap/RealmManager.createRealm(name): a generated id that differs from the name
  const realm: RealmModel = { id: randomUUID(), realm: name, enabled: true, duplicateEmailsAllowed: false, clients: [adminCli()], components: new Map() };
  seedKeyProviders(realm);
  return realm;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
  /** matching requests still to let through before the fault fires */
  skip: number;
}

function matches(f: ActiveFault, method: string, path: string): boolean {
  if (f.method && f.method.toUpperCase() !== method) return false;
  if (f.path instanceof RegExp) return f.path.test(path);
  const strip = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  return strip(f.path) === strip(path);
}

export async function startKeycloakEmulator(opts: KeycloakEmulatorOptions = {}): Promise<KeycloakEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const state: EmulatorState = {
    realms: new Map(),
    adminUser: opts.adminUser ?? 'admin',
    adminPassword: opts.adminPassword ?? 'admin',
    version: opts.version ?? '26.4.0',
    truststore: (opts.truststore ?? []).map((f) => readFileSync(f, 'utf8')),
    network: new Map(Object.entries(opts.network ?? {})),
  };
  const master = newRealm('master');
  for (const sc of opts.serviceClients ?? []) {
    master.clients.push({
      id: randomUUID(), clientId: sc.clientId, enabled: true, publicClient: false, directAccessGrantsEnabled: false,
      standardFlowEnabled: false, serviceAccountsEnabled: true, secret: sc.secret, roles: [...(sc.roles ?? ['manage-realm', 'view-realm'])],
    });
  }
  state.realms.set('master', master);
  for (const name of opts.realms ?? ['runai']) if (!state.realms.has(name)) state.realms.set(name, newRealm(name));

  const tokens = new TokenService(state, opts.tokenLifespanSeconds ?? 60, (realm, u, p) => login(state, realm, u, p));
  const requests: RecordedRequest[] = [];
  let faults: ActiveFault[] = [];
  const sockets = new Set<Socket>();
  let base = '';

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const method = (req.method ?? 'GET').toUpperCase();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        headers[k.toLowerCase()] = k.toLowerCase() === 'authorization' ? '[redacted]' : Array.isArray(v) ? v.join(', ') : String(v ?? '');
      }
      const rec: RecordedRequest = { method, path: url.pathname, query: queryObject(url.searchParams), headers, body: undefined, status: 0, at: Date.now() };
      requests.push(rec);
      const reply = (status: number, body: unknown, extra: Record<string, string> = {}) => {
        rec.status = status;
        sendJson(res, status, body, extra);
      };
      try {
        const raw = await readBody(req);
        const contentType = String(req.headers['content-type'] ?? '');
        let body: unknown;
        try {
          body = parseBody(raw, contentType);
        } finally {
          rec.body = redactForLog(url.pathname, body === undefined && raw !== '' ? raw : body);
        }
        let fault = faults.find((f) => f.remaining > 0 && matches(f, method, url.pathname) && (!f.when || f.when(body)));
        if (fault && fault.skip > 0) {
          fault.skip--;
          fault = undefined;
        }
        if (fault) {
          fault.remaining--;
          if (fault.hang) return; // never answered; close() destroys the socket
          if (fault.until) await fault.until.catch(() => {});
          if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
          if (fault.status !== undefined) {
            reply(fault.status, fault.body ?? { error: 'injected fault' });
            return;
          }
        }
        const ctx: Ctx = { req, res, method, path: url.pathname, query: url.searchParams, raw, body, contentType, base };
        const out = await route(ctx, state, tokens);
        reply(out.status, out.body, out.headers);
      } catch (err) {
        if (err instanceof HttpError) reply(err.status, err.body, err.headers);
        else reply(500, { error: 'unknown_error', error_description: 'For more on this error consult the server log.' });
      }
    })();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: base,
    port,
    state,
    requests,
    writes: () => requests.filter((r) => r.method !== 'GET' && r.path.startsWith('/admin/') && !/\/(testLDAPConnection|ldap-server-capabilities)\/?$/.test(r.path)),
    resetRequests: () => {
      requests.length = 0;
    },
    faults: {
      add: (f) => faults.push({ ...f, remaining: f.times ?? 1, skip: f.after ?? 0 }),
      clear: () => {
        faults = [];
      },
    },
    expireTokens: () => tokens.expireAll(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
