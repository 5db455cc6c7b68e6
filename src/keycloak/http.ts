// The HTTP requests of the Keycloak port, on node:http(s). @keycloak/keycloak-admin-client did this
// before; its import (≈200 modules: kiota, OpenTelemetry) and Node's fetch cost ≈0.2 s of CPU and
// ≈45 MB per run, for the dozen Admin REST calls dirlink makes. Failures keep that client's shapes
// (HttpFailure: response.status and responseData; network errors with the Node error as `cause`),
// which keycloakError in admin.ts turns into what to do.
import http from 'node:http';
import https from 'node:https';

export class HttpFailure extends Error {
  constructor(readonly response: { status: number }, readonly responseData: unknown) {
    super(`HTTP ${response.status}`);
  }
}

export interface HttpResult { status: number; location?: string; data: unknown }

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  /** sent as JSON */
  json?: unknown;
  /** sent as application/x-www-form-urlencoded */
  form?: Record<string, string | undefined>;
  headers?: Record<string, string>;
}

/** Keycloak's body: JSON when it parses, else the text ("" when empty), as the admin client read it. */
function parse(text: string): unknown {
  if (text === '') return '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class KeycloakHttp {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(baseUrl: string, private readonly timeoutMs: number) {
    this.base = new URL(baseUrl);
    // keep-alive: a run makes its requests one after the other on one connection
    this.agent = this.base.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  }

  /** `path` below the base URL (which may end in /auth for old Keycloaks), e.g. /admin/realms/x. */
  request(method: string, path: string, o: RequestOptions = {}): Promise<HttpResult> {
    const url = new URL(this.base.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined && v !== '') url.searchParams.append(k, v);
    const headers: Record<string, string> = { Accept: 'application/json, text/plain, */*', ...o.headers };
    let body: string | undefined;
    if (o.form) {
      const f = new URLSearchParams();
      for (const [k, v] of Object.entries(o.form)) if (v !== undefined && v !== '') f.append(k, v);
      body = f.toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['Content-Type'] = 'application/json';
    }
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => { clearTimeout(timer); reject(new Error(e.message, { cause: e })); });
        res.on('end', () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          const data = parse(Buffer.concat(chunks).toString('utf8'));
          if (status < 200 || status > 299) return reject(new HttpFailure({ status }, data));
          resolve({ status, data, location: res.headers.location });
        });
      });
      // one deadline for the whole exchange, like the admin client's AbortSignal.timeout
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { name: 'TimeoutError' })), this.timeoutMs);
      req.on('error', (e: Error) => { clearTimeout(timer); reject(e.name === 'TimeoutError' ? e : new Error(e.message, { cause: e })); });
      req.end(body);
    });
  }
}
