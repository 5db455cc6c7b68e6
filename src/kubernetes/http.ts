// A small HTTP client for the three calls dirlink makes (GET, PATCH, WATCH), on node:http(s),
// so that every call has a deadline and a watch can be cut the moment the rollout is done.
// TLS material comes from the kubeconfig (kubeconfig.ts), credentials from credentials.ts.
import http from 'node:http';
import https from 'node:https';
import type { Credentials } from './credentials.js';
import { proxyAgent } from './proxy.js';

export interface TlsOptions { ca?: Buffer | string; cert?: Buffer | string; key?: Buffer | string; rejectUnauthorized?: boolean; servername?: string }

export interface TransportOptions {
  server: string;
  tls: TlsOptions;
  /** fresh credentials for each call: tokens rotate, exec plugins may hand out client certificates */
  credentials: () => Promise<Credentials>;
  /** the cluster's proxy-url: connections become CONNECT tunnels through it */
  proxy?: URL;
  requestTimeoutMs: number;
}

export interface Response { status: number; body: string }

/** A network-level failure (no HTTP status): refused, DNS, TLS, timeout. */
export class NetError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

export class Transport {
  readonly base: URL;
  private readonly lib: typeof http | typeof https;
  /** one keep-alive agent per client certificate (an exec plugin may rotate it) */
  private agent?: { cert?: string; agent: http.Agent };

  constructor(private readonly o: TransportOptions) {
    this.base = new URL(o.server);
    this.lib = this.base.protocol === 'https:' ? https : http;
  }

  private agentFor(c: Credentials): http.Agent {
    if (this.agent && this.agent.cert === c.cert) return this.agent.agent;
    this.agent?.agent.destroy();
    const secure = this.lib === https;
    const options: https.AgentOptions = { keepAlive: true, ...(secure ? { ...this.o.tls, ...(c.cert ? { cert: c.cert, key: c.key } : {}) } : {}) };
    const agent = this.o.proxy ? proxyAgent(this.o.proxy, secure, options) : secure ? new https.Agent(options) : new http.Agent(options);
    this.agent = { cert: c.cert, agent };
    return agent;
  }

  private url(path: string, query?: Record<string, string>): URL {
    const u = new URL(this.base.href.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, v);
    return u;
  }

  private async open(method: string, url: URL, body: string | undefined, contentType: string | undefined,
    timeoutMs: number, signal?: AbortSignal): Promise<http.IncomingMessage & { req: http.ClientRequest }> {
    const cred = await this.o.credentials();
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'dirlink', ...cred.headers };
    if (body !== undefined) { headers['Content-Type'] = contentType ?? 'application/json'; headers['Content-Length'] = String(Buffer.byteLength(body)); }
    return new Promise((resolve, reject) => {
      const req = this.lib.request(url, { method, headers, agent: this.agentFor(cred), signal }, (res) => {
        clearTimeout(timer);
        resolve(Object.assign(res, { req }));
      });
      // until the response headers arrive; afterwards the caller owns the deadline
      const timer = setTimeout(() => req.destroy(new NetError('ETIMEDOUT', `no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      req.on('error', (e: Error & { code?: string }) => {
        clearTimeout(timer);
        reject(e instanceof NetError || e.name === 'AbortError' ? e : new NetError(e.code ?? 'ERR', e.message));
      });
      req.end(body);
    });
  }

  /** One request, whole body read, bounded by requestTimeoutMs from start to end. */
  async request(method: string, path: string, o: { query?: Record<string, string>; body?: string; contentType?: string } = {}): Promise<Response> {
    const signal = AbortSignal.timeout(this.o.requestTimeoutMs);
    try {
      const res = await this.open(method, this.url(path, o.query), o.body, o.contentType, this.o.requestTimeoutMs, signal);
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      return { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
    } catch (e) {
      if (signal.aborted) throw new NetError('ETIMEDOUT', `no answer within ${Math.round(this.o.requestTimeoutMs / 1000)} s`);
      throw e;
    }
  }

  /**
   * A watch: calls onEvent for each NDJSON line until the server ends the stream, onEvent
   * returns 'stop', or `signal` aborts. A non-200 answer resolves with its status and body.
   * `idleMs` bounds the silence on an open stream (a dead connection sends nothing forever).
   */
  async watch(path: string, query: Record<string, string>, o: { signal: AbortSignal; idleMs: number; onEvent: (e: unknown) => 'stop' | void }): Promise<Response | undefined> {
    const res = await this.open('GET', this.url(path, { ...query, watch: 'true' }), undefined, undefined, this.o.requestTimeoutMs, o.signal);
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      return { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
    }
    return new Promise((resolve, reject) => {
      let buf = '';
      let idle = setTimeout(onIdle, o.idleMs);
      function onIdle() { res.req.destroy(new NetError('ETIMEDOUT', `the watch stream was silent for ${Math.round(o.idleMs / 1000)} s`)); }
      const stop = () => { clearTimeout(idle); res.req.destroy(); resolve(undefined); };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        clearTimeout(idle);
        idle = setTimeout(onIdle, o.idleMs);
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          let ev: unknown;
          try { ev = JSON.parse(line); } catch { continue; } // a torn line: the resumed watch replays it
          let verdict: 'stop' | void;
          try { verdict = o.onEvent(ev); } catch (e) { clearTimeout(idle); res.req.destroy(); return reject(e); }
          if (verdict === 'stop') return stop();
        }
      });
      res.on('end', () => { clearTimeout(idle); resolve(undefined); });
      res.on('error', (e: Error & { code?: string }) => {
        clearTimeout(idle);
        if (o.signal.aborted || e.name === 'AbortError') resolve(undefined);
        else reject(e instanceof NetError ? e : new NetError(e.code ?? 'ERR', e.message));
      });
      res.on('close', () => { clearTimeout(idle); resolve(undefined); });
    });
  }
}
