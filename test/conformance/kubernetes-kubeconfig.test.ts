// dirlink's kubeconfig loader checked against two loaders nobody here wrote: kubectl (the
// reference: `kubectl config view --minify --flatten`, what `kubectl get --raw` sends on the wire,
// and what it refuses) and @kubernetes/client-node (for the single-file cases where it follows
// kubectl; with a KUBECONFIG list it does not: the last current-context wins and a name defined in
// two files throws).
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialSource } from '../../src/kubernetes/credentials.js';
import { kubeTransport } from '../../src/kubernetes/index.js';
import { findConfig, type SelectedConfig } from '../../src/kubernetes/kubeconfig.js';
import { selfSigned, startEcho, type Echo, type Pem } from '../kubernetes/echo.js';
import { findKubectls } from '../world/kubernetes/kubectl.js';

const kubectl = findKubectls().at(-1);
const root = mkdtempSync(join(tmpdir(), 'kc-oracle-'));
const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubectlRun(args: string[], kubeconfig: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(kubectl!.path, args, { timeout: 30_000, env: { ...process.env, KUBECONFIG: kubeconfig, HOME: root } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

/** The facts both loaders must agree on, from a minified, flattened kubectl view. */
function fromKubectl(view: any) {
  const c = view.clusters?.[0]?.cluster ?? {};
  const u = view.users?.[0]?.user ?? {};
  return {
    context: view['current-context'], namespace: view.contexts?.[0]?.context?.namespace, server: c.server, ca: c['certificate-authority-data'],
    insecure: c['insecure-skip-tls-verify'] === true, tlsServerName: c['tls-server-name'], proxyUrl: c['proxy-url'],
    token: u.token, username: u.username, password: u.password, cert: u['client-certificate-data'], key: u['client-key-data'],
  };
}

function fromDirlink(s: SelectedConfig) {
  const u = s.user;
  return {
    context: s.context, namespace: s.namespace, server: s.cluster.server, ca: s.cluster.ca?.toString('base64'),
    insecure: s.cluster.insecure, tlsServerName: s.cluster.tlsServerName, proxyUrl: s.cluster.proxyUrl,
    token: u.token, username: u.username, password: u.password, cert: u.cert?.toString('base64'), key: u.key?.toString('base64'),
  };
}

interface Fixture { name: string; files: string[]; context?: string; clientNode: boolean; tokenFile?: string }

function writeFixtures(): Fixture[] {
  const sub = join(root, 'sub');
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(sub, 'ca.pem'), 'CA-ONE\n');
  writeFileSync(join(sub, 'c.pem'), 'CERT-ONE\n');
  writeFileSync(join(sub, 'k.pem'), 'KEY-ONE\n');
  writeFileSync(join(sub, 'tok'), ' from-token-file\n');
  const w = (name: string, text: string) => { writeFileSync(name, text); return name; };
  const one = w(join(sub, 'one.yaml'), `apiVersion: v1
kind: Config
current-context: main
clusters:
- name: prod
  cluster: { server: "https://prod.example:6443", certificate-authority: ca.pem, tls-server-name: api.prod }
- name: lab
  cluster:
    server: https://lab.example
    proxy-url: http://proxy.example:3128
    insecure-skip-tls-verify: true
users:
- name: token-user
  user: { token: "tok-123" }
- name: cert-user
  user: { client-certificate: c.pem, client-key: k.pem }
contexts:
- name: main
  context: { cluster: prod, user: token-user, namespace: ns-main }
- name: lab
  context: { cluster: lab, user: cert-user }
`);
  const json = w(join(root, 'data.json'), JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'd',
    clusters: [{ name: 'd', cluster: { server: 'https://data.example', 'certificate-authority-data': b64('CA-DATA\n') } }],
    users: [{ name: 'd', user: { 'client-certificate-data': b64('CERT-DATA\n'), 'client-key-data': b64('KEY-DATA\n') } }],
    contexts: [{ name: 'd', context: { cluster: 'd', user: 'd', namespace: 'ns-d' } }],
  }));
  const basic = w(join(root, 'basic.yaml'), `apiVersion: v1
kind: Config
current-context: b
clusters: [{ name: b, cluster: { server: https://basic.example, insecure-skip-tls-verify: true } }]
users: [{ name: b, user: { username: bob, password: "p:w" } }]
contexts: [{ name: b, context: { cluster: b, user: b } }]
`);
  const first = w(join(root, 'first.yaml'), `apiVersion: v1
kind: Config
current-context: shared
clusters: [{ name: shared, cluster: { server: https://first.example } }]
users: [{ name: shared, user: { tokenFile: sub/tok } }]
contexts: [{ name: shared, context: { cluster: shared, user: shared, namespace: from-first } }]
`);
  const second = w(join(root, 'second.yaml'), `apiVersion: v1
kind: Config
current-context: only-second
clusters:
- { name: shared, cluster: { server: https://second.example } }
- { name: own, cluster: { server: https://own.example } }
users: [{ name: shared, user: { token: second-token } }]
contexts:
- { name: shared, context: { cluster: own, user: shared, namespace: from-second } }
- { name: only-second, context: { cluster: shared, user: shared } }
`);
  const noCurrent = w(join(root, 'no-current.yaml'), `apiVersion: v1
kind: Config
clusters: [{ name: x, cluster: { server: https://x.example } }]
`);
  // go-yaml reads YAML 1.1, where on/yes are booleans (js-yaml in client-node reads the string "on"), with << merge keys
  const yaml11 = w(join(root, 'yaml11.yaml'), `apiVersion: v1
kind: Config
current-context: yy
x-defaults: &defaults { server: https://y.example, tls-server-name: api.y }
clusters: [{ name: yy, cluster: { <<: *defaults, insecure-skip-tls-verify: on } }]
users: [{ name: yy, user: { token: "0123" } }]
contexts: [{ name: yy, context: { cluster: yy, user: yy } }]
`);
  const missing = join(root, 'missing.yaml');
  return [
    { name: 'YAML, CA path relative to the file, token, context namespace', files: [one], clientNode: true },
    { name: '--context: proxy-url, insecure, client certificate files relative to the file', files: [one], context: 'lab', clientNode: true },
    { name: 'YAML 1.1 booleans and merge keys', files: [yaml11], clientNode: false },
    { name: 'JSON with *-data fields', files: [json], clientNode: true },
    { name: 'username/password', files: [basic], clientNode: true },
    { name: 'KUBECONFIG list: first current-context and first definition of each name win; missing files skipped', files: [first, missing, second], clientNode: false, tokenFile: join(sub, 'tok') },
    { name: 'KUBECONFIG list with --context defined only in the second file', files: [first, second], context: 'only-second', clientNode: false, tokenFile: join(sub, 'tok') },
    { name: 'KUBECONFIG list whose first file has no current-context', files: [noCurrent, second], clientNode: false },
  ];
}

describe.runIf(kubectl)(`kubeconfig selection against kubectl ${kubectl?.version}`, () => {
  const fixtures = writeFixtures();

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_n, f) => {
    const args = ['config', 'view', '--minify', '--flatten', '-o', 'json', ...(f.context ? ['--context', f.context] : [])];
    const r = await kubectlRun(args, f.files.join(delimiter));
    expect(r.code, r.stderr).toBe(0);
    const ours = await findConfig({ kubeconfig: f.files.join(delimiter), context: f.context, env: {}, home: root });
    expect(fromDirlink(ours)).toEqual(fromKubectl(JSON.parse(r.stdout)));
    // kubectl shows tokenFile as written; it reads it relative to the file that defines the user
    if (f.tokenFile) expect(ours.user.tokenFile).toBe(f.tokenFile);
  });

  it.each(fixtures.filter((f) => f.clientNode).map((f) => [f.name, f] as const))('client-node agrees: %s', async (_n, f) => {
    const kc = new KubeConfig();
    kc.loadFromFile(f.files[0]!);
    if (f.context) kc.setCurrentContext(f.context);
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const ours = await findConfig({ kubeconfig: f.files[0], context: f.context, env: {}, home: root });
    const cluster = kc.getCurrentCluster()!;
    const creds = await credentialSource(ours.user, ours.cluster, { env: {}, stdinIsTTY: false })();
    expect({ server: ours.cluster.server, insecure: ours.cluster.insecure, tlsServerName: ours.cluster.tlsServerName, proxyUrl: ours.cluster.proxyUrl })
      .toEqual({ server: cluster.server, insecure: cluster.skipTLSVerify, tlsServerName: cluster.tlsServerName, proxyUrl: cluster.proxyUrl });
    expect(ours.cluster.ca?.toString()).toBe((opts.ca as Buffer | undefined)?.toString());
    expect(ours.user.cert?.toString()).toBe((opts.cert as Buffer | undefined)?.toString());
    expect(ours.user.key?.toString()).toBe((opts.key as Buffer | undefined)?.toString());
    const theirs = opts.auth ? `Basic ${Buffer.from(opts.auth).toString('base64')}` : (opts.headers?.Authorization as string | undefined);
    expect(creds.headers.Authorization).toBe(theirs);
  });
});

describe.runIf(kubectl)('what kubectl and dirlink send, and what both refuse', () => {
  let echo: Echo;
  let client: Pem;
  let dir: string;
  beforeAll(async () => {
    echo = await startEcho(true);
    client = selfSigned('oracle-client');
    dir = mkdtempSync(join(tmpdir(), 'kc-wire-'));
    writeFileSync(join(dir, 'plugin.mjs'), `#!${process.execPath}
import { appendFileSync } from 'node:fs';
appendFileSync(process.env.PLUGIN_LOG, process.env.KUBERNETES_EXEC_INFO + '\\n');
process.stdout.write(JSON.stringify({ apiVersion: JSON.parse(process.env.KUBERNETES_EXEC_INFO).apiVersion, kind: 'ExecCredential', status: { token: 'from-plugin-' + process.argv[2] } }));
`);
    chmodSync(join(dir, 'plugin.mjs'), 0o755);
  });
  afterAll(async () => { await echo?.close(); });

  const config = (name: string, user: Record<string, unknown>, cluster: Record<string, unknown> = { 'certificate-authority': echo.ca!.certFile }) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'c', clusters: [{ name: 'k', cluster: { server: echo.url, ...cluster } }],
      users: [{ name: 'u', user }], contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }] }));
    return file;
  };

  async function both(file: string): Promise<{ kubectl: unknown; dirlink: unknown }> {
    const r = await kubectlRun(['get', '--raw', '/echo', '--request-timeout', '10s'], file);
    expect(r.code, r.stderr).toBe(0);
    const fromKubectl = echo.seen.at(-1);
    const res = await kubeTransport(await findConfig({ kubeconfig: file, env: {}, home: root }), 10_000).request('GET', '/echo');
    expect(res.status).toBe(200);
    const pick = (s: Record<string, string | undefined> | undefined) => Object.fromEntries(Object.entries(s ?? {}).filter(([k, v]) => k !== 'path' && v !== undefined));
    return { kubectl: pick(fromKubectl), dirlink: pick(echo.seen.at(-1)) };
  }

  it.each([
    ['a token and impersonation', { token: 'wire-token', as: 'alice', 'as-groups': ['devs'] }],
    ['username and password', { username: 'bob', password: 'p:w' }],
    ['client certificate data', { 'client-certificate-data': () => b64(client.cert), 'client-key-data': () => b64(client.key) }],
  ] as const)('%s: the same Authorization, Impersonate-* and client certificate reach the server', async (name, user) => {
    const u = Object.fromEntries(Object.entries(user).map(([k, v]) => [k, typeof v === 'function' ? v() : v]));
    const seen = await both(config(name.replace(/\W+/g, '-'), u));
    expect(seen.dirlink).toEqual(seen.kubectl);
    expect(Object.keys(seen.dirlink as object).length).toBeGreaterThan(0);
  });

  it('an exec plugin gets the same KUBERNETES_EXEC_INFO (with provideClusterInfo) and its token is sent alike', async () => {
    const log = join(dir, 'exec.log');
    writeFileSync(log, '');
    const file = config('exec', { exec: { command: './plugin.mjs', args: ['a'], apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', provideClusterInfo: true, env: [{ name: 'PLUGIN_LOG', value: log }] } });
    const seen = await both(file);
    expect(seen.dirlink).toEqual(seen.kubectl);
    expect(seen.dirlink).toEqual({ authorization: 'Bearer from-plugin-a' });
    const [k, d] = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(d).toEqual(k);
  });

  it.each([
    ['a name listed twice in one file', { clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1' } }, { name: 'k', cluster: { server: 'https://127.0.0.1:2' } }] }],
    ['certificate-authority and -data together', { clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority': '/etc/hostname', 'certificate-authority-data': b64('x') } }] }],
    ['insecure-skip-tls-verify with a CA', { clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true, 'certificate-authority-data': b64('x') } }] }],
    ['token and password together', { users: [{ name: 'u', user: { token: 't', username: 'x', password: 'y' } }] }],
    ['a v1 exec plugin without interactiveMode', { users: [{ name: 'u', user: { exec: { command: 'true', apiVersion: 'client.authentication.k8s.io/v1' } } }] }],
    ['a number where a string belongs', { users: [{ name: 'u', user: { token: 12345 } }] }],
    ['a quoted boolean', { clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': 'true' } }] }],
    ['a current-context that does not exist', { 'current-context': 'nope' }],
  ] as const)('both refuse %s before any request', async (name, patch) => {
    const file = join(dir, `bad-${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'c', clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 't' } }], contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }], ...patch }));
    const r = await kubectlRun(['get', '--raw', '/version', '--request-timeout', '5s'], file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(/connection refused|dial tcp|Unable to connect/);
    const e = await findConfig({ kubeconfig: file, env: {}, home: root }).then((c) => kubeTransport(c, 1000)).then(() => undefined, (x: unknown) => x);
    expect(e).toMatchObject({ code: 'kube.config', exitCode: 5 });
  });
});
