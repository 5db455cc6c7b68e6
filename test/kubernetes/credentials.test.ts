// What reaches the API server for each kind of kubeconfig user (token, token file, basic,
// client certificate, impersonation, exec plugin, oidc), through a proxy-url, and the
// kube.config errors for what kubectl refuses too. An echo server stands in for the API server.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialSource } from '../../src/kubernetes/credentials.js';
import { kubeTransport } from '../../src/kubernetes/index.js';
import { findConfig, type SelectedConfig } from '../../src/kubernetes/kubeconfig.js';
import { selfSigned, startEcho, startProxy, type Echo, type Pem } from './echo.js';
import { failure } from './helpers.js';

type User = Record<string, unknown>;

/** Writes a one-context kubeconfig (JSON is YAML) into a new directory; returns its path. */
function kubeconfig(server: string, user: User, cluster: Record<string, unknown> = {}, dir = mkdtempSync(join(tmpdir(), 'kc-cred-'))): string {
  const file = join(dir, 'config');
  writeFileSync(file, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'k', cluster: { server, ...cluster } }], users: [{ name: 'u', user }], contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
  }));
  return file;
}

const load = (file: string): Promise<SelectedConfig> => findConfig({ kubeconfig: file, env: {}, home: '/nonexistent' });

/** One GET through dirlink's transport; returns what the echo server saw. */
async function echoOnce(file: string): Promise<Record<string, string>> {
  const r = await kubeTransport(await load(file), 10_000).request('GET', '/echo');
  expect(r.status).toBe(200);
  return JSON.parse(r.body) as Record<string, string>;
}

describe('static credentials over TLS', () => {
  let echo: Echo;
  let client: Pem;
  beforeAll(async () => { echo = await startEcho(true); client = selfSigned('dirlink-client'); });
  afterAll(async () => { await echo?.close(); });
  const ca = () => ({ 'certificate-authority': echo.ca!.certFile });

  it('a token is a bearer token; a tokenFile (relative to the kubeconfig, trimmed) wins over it, as in client-go', async () => {
    expect((await echoOnce(kubeconfig(echo.url, { token: 'tok-1' }, ca()))).authorization).toBe('Bearer tok-1');
    const dir = mkdtempSync(join(tmpdir(), 'kc-tf-'));
    writeFileSync(join(dir, 'token.txt'), 'from-file\n');
    expect((await echoOnce(kubeconfig(echo.url, { token: 'tok-1', tokenFile: 'token.txt' }, ca(), dir))).authorization).toBe('Bearer from-file');
  });

  it('username/password is basic auth; as/as-groups/as-uid become Impersonate-* headers', async () => {
    const got = await echoOnce(kubeconfig(echo.url, { username: 'bob', password: 'pw:1', as: 'alice', 'as-groups': ['g1', 'g2'], 'as-uid': '42' }, ca()));
    expect(got.authorization).toBe(`Basic ${Buffer.from('bob:pw:1').toString('base64')}`);
    expect(got).toMatchObject({ 'impersonate-user': 'alice', 'impersonate-group': 'g1, g2', 'impersonate-uid': '42' });
  });

  it('client-certificate/client-key files (relative paths) and the -data forms are presented in the TLS handshake', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-cert-'));
    writeFileSync(join(dir, 'c.pem'), client.cert);
    writeFileSync(join(dir, 'k.pem'), client.key);
    const files = await echoOnce(kubeconfig(echo.url, { 'client-certificate': 'c.pem', 'client-key': 'k.pem' }, ca(), dir));
    expect(files).toMatchObject({ clientCert: 'dirlink-client' });
    expect(files.authorization).toBeUndefined();
    const data = await echoOnce(kubeconfig(echo.url, { 'client-certificate-data': Buffer.from(client.cert).toString('base64'), 'client-key-data': Buffer.from(client.key).toString('base64') },
      { 'certificate-authority-data': Buffer.from(echo.ca!.cert).toString('base64') }));
    expect(data).toMatchObject({ clientCert: 'dirlink-client' });
  });

  it('tls-server-name is the name checked in the server certificate', async () => {
    expect((await echoOnce(kubeconfig(echo.url, { token: 't' }, { ...ca(), 'tls-server-name': 'api.internal' }))).authorization).toBe('Bearer t');
    const e = await failure(echoOnce(kubeconfig(echo.url, { token: 't' }, { ...ca(), 'tls-server-name': 'elsewhere.example' })));
    expect(e.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('over plain http no credentials are sent (kubectl does the same)', async () => {
    const plain = await startEcho(false);
    try {
      expect((await echoOnce(kubeconfig(plain.url, { token: 'secret-token' }))).authorization).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('exec credential plugins', () => {
  let echo: Echo;
  let dir: string;
  let client: Pem;
  const log = () => readFileSync(join(dir, 'runs.log'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { info: any; args: string[]; fromConfig?: string });
  /** A plugin kubeconfig: the plugin is ./plugin.mjs next to it; `reply` is its ExecCredential. */
  const pluginConfig = (exec: Record<string, unknown>, reply: unknown, cluster: Record<string, unknown> = { 'certificate-authority': echo.ca!.certFile }) =>
    kubeconfig(echo.url, { exec: { command: './plugin.mjs', env: [{ name: 'PLUGIN_REPLY', value: JSON.stringify(reply) }, { name: 'PLUGIN_LOG', value: join(dir, 'runs.log') }, { name: 'FROM_CONFIG', value: 'yes' }], ...exec } }, cluster, dir);
  const v1 = 'client.authentication.k8s.io/v1';

  beforeAll(async () => {
    echo = await startEcho(true);
    client = selfSigned('exec-client');
    dir = mkdtempSync(join(tmpdir(), 'kc-exec-'));
    writeFileSync(join(dir, 'plugin.mjs'), `#!${process.execPath}
import { appendFileSync } from 'node:fs';
appendFileSync(process.env.PLUGIN_LOG, JSON.stringify({ info: JSON.parse(process.env.KUBERNETES_EXEC_INFO), args: process.argv.slice(2), fromConfig: process.env.FROM_CONFIG }) + '\\n');
const reply = JSON.parse(process.env.PLUGIN_REPLY);
if (reply.exit) { process.stderr.write('plugin: please log in\\n'); process.exit(reply.exit); }
process.stdout.write(JSON.stringify(reply));
`);
    chmodSync(join(dir, 'plugin.mjs'), 0o755);
  });
  afterAll(async () => { await echo?.close(); });

  it('v1: runs the command (relative to the kubeconfig) with its args and env and KUBERNETES_EXEC_INFO; the token is sent', async () => {
    writeFileSync(join(dir, 'runs.log'), '');
    const file = pluginConfig({ apiVersion: v1, interactiveMode: 'Never', args: ['--flag', 'x'], provideClusterInfo: true },
      { apiVersion: v1, kind: 'ExecCredential', status: { token: 'exec-token' } });
    expect((await echoOnce(file)).authorization).toBe('Bearer exec-token');
    const [run] = log();
    expect(run!.args).toEqual(['--flag', 'x']);
    expect(run!.fromConfig).toBe('yes');
    expect(run!.info).toMatchObject({ kind: 'ExecCredential', apiVersion: v1, spec: { interactive: false, cluster: { server: echo.url, 'certificate-authority-data': Buffer.from(echo.ca!.cert).toString('base64') } } });
  });

  it('the credential is reused until its expirationTimestamp, then the plugin runs again', async () => {
    const cfg = await load(pluginConfig({ apiVersion: v1, interactiveMode: 'Never' },
      { apiVersion: v1, kind: 'ExecCredential', status: { token: 't', expirationTimestamp: '2030-01-01T00:00:00Z' } }));
    writeFileSync(join(dir, 'runs.log'), '');
    let now = Date.parse('2029-12-31T23:00:00Z');
    const creds = credentialSource(cfg.user, cfg.cluster, { env: process.env, stdinIsTTY: false, now: () => now });
    await creds();
    await creds();
    expect(log()).toHaveLength(1);
    now = Date.parse('2030-01-01T00:00:01Z');
    expect((await creds()).headers.Authorization).toBe('Bearer t');
    expect(log()).toHaveLength(2);
  });

  it('v1beta1 defaults to IfAvailable (not interactive without a terminal); a returned client certificate is used for TLS', async () => {
    writeFileSync(join(dir, 'runs.log'), '');
    const beta = 'client.authentication.k8s.io/v1beta1';
    const got = await echoOnce(pluginConfig({ apiVersion: beta }, { apiVersion: beta, kind: 'ExecCredential', status: { clientCertificateData: client.cert, clientKeyData: client.key } }));
    expect(got).toMatchObject({ clientCert: 'exec-client' });
    expect(got.authorization).toBeUndefined();
    expect(log()[0]!.info).toEqual({ kind: 'ExecCredential', apiVersion: beta, spec: { interactive: false } });
  });

  it('a token, password or certificate in the same user means the plugin is not run (client-go)', async () => {
    writeFileSync(join(dir, 'runs.log'), '');
    const file = kubeconfig(echo.url, { token: 'static', exec: { command: join(dir, 'plugin.mjs'), apiVersion: v1, interactiveMode: 'Never' } }, { 'certificate-authority': echo.ca!.certFile });
    expect((await echoOnce(file)).authorization).toBe('Bearer static');
    expect(readFileSync(join(dir, 'runs.log'), 'utf8')).toBe('');
  });

  it('refusals name the fix: no interactiveMode in v1, Always without a terminal, a missing command, a failing plugin, a wrong reply', async () => {
    const ok = { apiVersion: v1, kind: 'ExecCredential', status: { token: 't' } };
    expect(await failure(load(pluginConfig({ apiVersion: v1 }, ok)))).toMatchObject({ code: 'kube.config', message: expect.stringContaining('interactiveMode must be specified') });
    expect(await failure(load(pluginConfig({ apiVersion: 'client.authentication.k8s.io/v1alpha1', interactiveMode: 'Never' }, ok)))).toMatchObject({ code: 'kube.config', message: expect.stringContaining('v1alpha1') });
    expect(await failure(echoOnce(pluginConfig({ apiVersion: v1, interactiveMode: 'Always' }, ok)))).toMatchObject({ code: 'kube.config', message: expect.stringContaining('standard input is not a terminal') });
    const missing = kubeconfig(echo.url, { exec: { command: 'no-such-plugin-dirlink', apiVersion: v1, interactiveMode: 'Never', installHint: 'Install it with: brew install no-such-plugin' } }, { 'certificate-authority': echo.ca!.certFile });
    expect(await failure(echoOnce(missing))).toMatchObject({ code: 'kube.config', hint: 'Install it with: brew install no-such-plugin' });
    expect(await failure(echoOnce(pluginConfig({ apiVersion: v1, interactiveMode: 'Never' }, { exit: 3 })))).toMatchObject({ code: 'kube.config', message: expect.stringContaining('exited with code 3') });
    expect(await failure(echoOnce(pluginConfig({ apiVersion: v1, interactiveMode: 'Never' }, { ...ok, apiVersion: 'client.authentication.k8s.io/v1beta1' }))))
      .toMatchObject({ message: expect.stringContaining('returned version client.authentication.k8s.io/v1beta1') });
    expect(await failure(echoOnce(pluginConfig({ apiVersion: v1, interactiveMode: 'Never' }, { apiVersion: v1, kind: 'ExecCredential', status: { clientCertificateData: client.cert } }))))
      .toMatchObject({ message: expect.stringContaining('only a certificate or a key') });
  });
});

describe('auth-provider', () => {
  let echo: Echo;
  beforeAll(async () => { echo = await startEcho(true); });
  afterAll(async () => { await echo?.close(); });
  const jwt = (exp: number) => `e30.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`;
  const oidc = (idToken: string) => kubeconfig(echo.url, { 'auth-provider': { name: 'oidc', config: { 'id-token': idToken, 'idp-issuer-url': 'https://idp.example', 'client-id': 'k8s' } } }, { 'certificate-authority': echo.ca!.certFile });

  it('oidc: a valid id-token is the bearer token; an expired one is kube.config telling to refresh it with kubectl', async () => {
    const fresh = jwt(Math.floor(Date.now() / 1000) + 3600);
    expect((await echoOnce(oidc(fresh))).authorization).toBe(`Bearer ${fresh}`);
    const e = await failure(echoOnce(oidc(jwt(Math.floor(Date.now() / 1000) - 60))));
    expect(e).toMatchObject({ code: 'kube.config', message: expect.stringContaining('expired') });
    expect(e.hint).toContain('kubectl get namespaces');
  });

  it('gcp and azure (removed from kubectl in 1.26) are refused with the plugin to install', async () => {
    const gcp = kubeconfig(echo.url, { 'auth-provider': { name: 'gcp', config: {} } });
    expect(await failure(echoOnce(gcp))).toMatchObject({ code: 'kube.config', hint: expect.stringContaining('gke-gcloud-auth-plugin') });
  });
});

describe('proxy-url', () => {
  it('https through an HTTP CONNECT proxy: the proxy only sees the tunnel, the token arrives inside TLS', async () => {
    const echo = await startEcho(true);
    const proxy = await startProxy();
    try {
      const got = await echoOnce(kubeconfig(echo.url, { token: 'through-proxy' }, { 'certificate-authority': echo.ca!.certFile, 'proxy-url': proxy.url }));
      expect(got.authorization).toBe('Bearer through-proxy');
      expect(proxy.connects).toEqual([new URL(echo.url).host]);
      expect(proxy.headers).not.toContain('authorization');
    } finally {
      await proxy.close();
      await echo.close();
    }
  });

  it('a socks5 proxy is refused as kube.config', async () => {
    expect(await failure(load(kubeconfig('https://127.0.0.1:1', { token: 't' }, { 'proxy-url': 'socks5://127.0.0.1:1080' })).then((c) => kubeTransport(c, 1000))))
      .toMatchObject({ code: 'kube.config', message: expect.stringContaining('socks5') });
  });
});
