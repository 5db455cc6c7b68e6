// A cluster's proxy-url (kubeconfig): every connection to the API server goes through an HTTP
// CONNECT tunnel opened on the proxy, then TLS to the API server inside it, so the proxy never
// sees the credentials. socks5 proxies, which kubectl also accepts, are refused with a hint.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { KubeError } from '../errors.js';
import { NetError } from './http.js';

/** Checks a proxy-url the way the loader reports errors (kube.config). */
export function parseProxyUrl(value: string): URL {
  let u: URL;
  try {
    u = new URL(value);
  } catch (e) {
    throw new KubeError('kube.config', `the proxy-url "${value}" of the cluster is not a URL`, { hint: 'Fix clusters[].cluster.proxy-url in the kubeconfig (e.g. http://proxy:3128).', field: 'kubeconfig', cause: e });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new KubeError('kube.config', `the proxy-url scheme ${u.protocol.replace(/:$/, '')} is not supported by dirlink (http and https proxies are)`, {
      hint: 'Use an HTTP proxy (http://host:port) in clusters[].cluster.proxy-url, or run dirlink where the API server is reachable directly.', field: 'kubeconfig',
    });
  }
  return u;
}

type Done = (err: Error | null, stream: Duplex) => void;

function tunnel(proxy: URL, o: { host?: string | null; port?: number | string | null }, done: (socket: Socket) => void, fail: (e: Error) => void): void {
  const target = `${o.host}:${o.port}`;
  const auth = proxy.username ? { 'Proxy-Authorization': `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` } : {};
  const req = (proxy.protocol === 'https:' ? https : http).request({
    host: proxy.hostname, port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80), method: 'CONNECT', path: target, headers: { Host: target, ...auth }, agent: false,
  });
  req.once('connect', (res, socket) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      fail(new NetError('EPROXY', `the proxy ${proxy.host} refused the tunnel to ${target}: HTTP ${res.statusCode}`));
      return;
    }
    done(socket);
  });
  req.once('error', (e: NodeJS.ErrnoException) => fail(new NetError(e.code ?? 'EPROXY', `the proxy ${proxy.host} failed: ${e.message}`)));
  req.end();
}

/** An agent whose connections are tunnels through `proxy`; TLS options apply to the API server. */
export function proxyAgent(proxy: URL, secure: boolean, options: https.AgentOptions): http.Agent {
  if (secure) {
    class TunnelTls extends https.Agent {
      override createConnection(o: https.RequestOptions, cb?: Done): undefined {
        // the request itself handles the handshake and its errors, as with a direct connection
        tunnel(proxy, o, (socket) => cb!(null, tls.connect({ ...(o as tls.ConnectionOptions), socket })), (e) => cb!(e, undefined as unknown as Duplex));
        return undefined;
      }
    }
    return new TunnelTls(options);
  }
  class Tunnel extends http.Agent {
    override createConnection(o: http.ClientRequestArgs, cb?: Done): undefined {
      tunnel(proxy, o, (socket) => cb!(null, socket), (e) => cb!(e, undefined as unknown as Duplex));
      return undefined;
    }
  }
  return new Tunnel({ keepAlive: options.keepAlive });
}
