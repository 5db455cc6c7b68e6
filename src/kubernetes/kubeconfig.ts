// dirlink's kubeconfig loader: which API server, with which TLS settings and which user, the way
// kubectl picks them (client-go tools/clientcmd: loader.go, client_config.go, validation.go).
// It replaces @kubernetes/client-node for this one job: that package costs ~0.35 s and ~70 MB to
// import, and its KUBECONFIG merge differs from kubectl's (last current-context wins, a name
// repeated across files throws). Credentials themselves are turned into headers in credentials.ts.
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { DEFAULT_SCHEMA, load as loadYaml, Type } from 'js-yaml';
import { KubeError } from '../errors.js';

type Raw = Record<string, unknown>;

export interface ExecConfig {
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  installHint?: string;
  provideClusterInfo: boolean;
  /** Never | IfAvailable | Always (v1beta1 defaults to IfAvailable; v1 requires it) */
  interactiveMode: string;
}

export interface UserConfig {
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  /** PEM, from client-certificate-data or the client-certificate file */
  cert?: Buffer;
  key?: Buffer;
  exec?: ExecConfig;
  authProvider?: { name: string; config: Record<string, string> };
  impersonate?: { user: string; uid?: string; groups: string[]; extra: Record<string, string[]> };
}

export interface ClusterConfig {
  server: string;
  /** PEM, from certificate-authority-data or the certificate-authority file */
  ca?: Buffer;
  insecure: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  disableCompression: boolean;
  /** extensions[client.authentication.k8s.io/exec].extension, handed to exec plugins */
  execExtension?: unknown;
}

export interface SelectedConfig {
  cluster: ClusterConfig;
  user: UserConfig;
  /** undefined in a pod (in-cluster) */
  context?: string;
  /** the context's namespace (in a pod: the service account's) */
  namespace?: string;
  inCluster: boolean;
  /** where it came from, for messages */
  source: string;
}

function configError(message: string, hint: string, cause?: unknown): KubeError {
  return new KubeError('kube.config', message, { hint, cause, field: 'kubeconfig' });
}

const VIEW_HINT = 'Check it with: kubectl config view --minify';

interface Entry { value: Raw; file: string }
interface Merged { clusters: Map<string, Entry>; users: Map<string, Entry>; contexts: Map<string, Entry>; currentContext?: string; files: string[] }

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Typed reads, as strict as kubectl's decoder: `token: 12345` (a YAML number) or
 * `insecure-skip-tls-verify: "true"` (a string) are errors there too. `where` names the entry.
 */
function typeError(where: string, key: string, want: string): KubeError {
  return configError(`${key} of ${where} must be a ${want}`, want === 'string' ? `Quote the value in the kubeconfig (${key}: "...").` : `Write ${key}: true or false, without quotes.`);
}
function str(o: Raw, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw typeError(where, key, 'string');
  return v;
}
function bool(o: Raw, key: string, where: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw typeError(where, key, 'boolean');
  return v;
}

/**
 * kubectl reads YAML with go-yaml v2, i.e. YAML 1.1: y/yes/on and n/no/off are booleans too
 * (`insecure-skip-tls-verify: yes`; and a cluster named `y` is a boolean there, an error).
 * js-yaml's default schema plus these keeps that, at a fraction of the `yaml` package's load time
 * (≈8 ms against ≈35 ms, paid by every check that reads a kubeconfig).
 */
// (it replaces the core schema's bool type, which has the same tag, so it lists true/false too)
const YAML11_TRUE = /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const YAML11_BOOL = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (d: string | null) => d !== null && (YAML11_TRUE.test(d) || /^(?:n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/.test(d)),
  construct: (d: string) => YAML11_TRUE.test(d),
});
const KUBECTL_YAML = DEFAULT_SCHEMA.extend({ implicit: [YAML11_BOOL] }); // DEFAULT: with << merge keys, as go-yaml

/** Parsed files of this run (the Auth0 check and the Kubernetes step read the same kubeconfig); reused while the text is the same. */
const parsed = new Map<string, { text: string; doc: Raw }>();

/** One kubeconfig file as plain data ({} when empty); a file that is not one is kube.config. Read-only: it may be shared. */
export function readKubeconfigFile(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw configError(`could not read the kubeconfig ${file}: ${(e as Error).message}`, 'Check the path and its permissions (--kubeconfig, KUBECONFIG).', e);
  }
  const known = parsed.get(file);
  if (known?.text === text) return known.doc;
  let doc: unknown;
  // Parse errors are reported without the parser's text or cause: V8 and js-yaml quote the
  // offending source, which may be a token or a key.
  if (/^\s*\{/.test(text)) {
    // JSON is valid kubeconfig YAML, and JSON.parse is faster still
    try {
      doc = JSON.parse(text);
    } catch {
      throw configError(`the kubeconfig ${file} is not valid JSON`, `Fix the file; ${VIEW_HINT} --kubeconfig ${file}`);
    }
  } else {
    try {
      doc = loadYaml(text, { schema: KUBECTL_YAML, filename: file });
    } catch (e) {
      const at = (e as { mark?: { line: number; column: number } }).mark;
      throw configError(`the kubeconfig ${file} is not valid YAML${at ? ` (line ${at.line + 1}, column ${at.column + 1})` : ''}`, `Fix the file; ${VIEW_HINT} --kubeconfig ${file}`);
    }
  }
  if (doc === null || doc === undefined) doc = {}; // kubectl treats an empty file as an empty config
  if (!isObj(doc)) throw configError(`the kubeconfig ${file} is not a kubeconfig (expected a mapping with clusters, users and contexts)`, `${VIEW_HINT} --kubeconfig ${file}`);
  parsed.set(file, { text, doc });
  return doc;
}

/** clusters/users/contexts of one file by name; a name listed twice in one file is an error in kubectl too. */
function named(doc: Raw, list: 'clusters' | 'users' | 'contexts', inner: string, file: string): Map<string, Raw> {
  const out = new Map<string, Raw>();
  const items = doc[list];
  if (items === undefined || items === null) return out;
  if (!Array.isArray(items)) throw configError(`the kubeconfig ${file}: "${list}" is not a list`, `${VIEW_HINT} --kubeconfig ${file}`);
  for (const it of items) {
    if (!isObj(it)) continue;
    const name = str(it, 'name', `an entry of ${list} in ${file}`) ?? '';
    if (out.has(name)) throw configError(`the kubeconfig ${file} lists ${list.slice(0, -1)} "${name}" twice`, `Remove one of them; ${VIEW_HINT} --kubeconfig ${file}`);
    out.set(name, isObj(it[inner]) ? (it[inner] as Raw) : {});
  }
  return out;
}

/**
 * Loads and merges kubeconfig files with kubectl's rules: the first file to define a cluster,
 * user or context name wins (entries are never merged field by field), the first non-empty
 * current-context wins, and missing files in a list are skipped.
 */
export async function loadFiles(files: string[]): Promise<Merged> {
  const m: Merged = { clusters: new Map(), users: new Map(), contexts: new Map(), files };
  for (const file of files) {
    const doc = readKubeconfigFile(file);
    for (const [list, inner] of [['clusters', 'cluster'], ['users', 'user'], ['contexts', 'context']] as const) {
      const target = m[list];
      for (const [name, value] of named(doc, list, inner, file)) if (!target.has(name)) target.set(name, { value, file });
    }
    m.currentContext ??= str(doc, 'current-context', file);
  }
  return m;
}

/** kubectl resolves relative paths against the directory of the file that holds the entry. */
function pathIn(entry: Entry, p: string | undefined): string | undefined {
  if (!p) return undefined;
  return isAbsolute(p) ? p : join(resolve(dirname(entry.file)), p);
}

function readPem(path: string, what: string, owner: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw configError(`unable to read ${what} ${path} for ${owner}: ${(e as Error).message}`, `Fix the path in the kubeconfig; ${VIEW_HINT}`, e);
  }
}

function base64Data(o: Raw, key: string, owner: string): Buffer | undefined {
  const s = str(o, key, owner);
  if (!s) return undefined;
  const b = Buffer.from(s.replace(/\s+/g, ''), 'base64');
  if (b.length === 0) throw configError(`${key} of ${owner} is not base64`, `Fix it in the kubeconfig; ${VIEW_HINT}`);
  return b;
}

function clusterConfig(name: string, e: Entry): ClusterConfig {
  const c = e.value;
  const owner = `cluster "${name}"`;
  const server = str(c, 'server', owner);
  if (!server) throw configError(`no server found for ${owner} in ${e.file}`, `Set clusters[].cluster.server, or pick another context with --context; ${VIEW_HINT}`);
  const caFile = pathIn(e, str(c, 'certificate-authority', owner));
  const caData = base64Data(c, 'certificate-authority-data', owner);
  if (caFile && caData) throw configError(`certificate-authority-data and certificate-authority are both specified for ${owner}`, `Keep only one of them in the kubeconfig (${e.file}).`);
  const insecure = bool(c, 'insecure-skip-tls-verify', owner);
  if (insecure && (caFile || caData)) {
    throw configError(`${owner} sets both insecure-skip-tls-verify and a certificate authority, which kubectl refuses too`, `Remove insecure-skip-tls-verify (or the certificate authority) in ${e.file}.`);
  }
  const ext = Array.isArray(c.extensions) ? (c.extensions as unknown[]).find((x) => isObj(x) && x.name === 'client.authentication.k8s.io/exec') as Raw | undefined : undefined;
  return {
    // client-go reads a server without a scheme as plain http (and then sends no credentials)
    server: /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `http://${server}`,
    ca: caData ?? (caFile ? readPem(caFile, 'certificate-authority', owner) : undefined),
    insecure,
    tlsServerName: str(c, 'tls-server-name', owner),
    proxyUrl: str(c, 'proxy-url', owner),
    disableCompression: bool(c, 'disable-compression', owner),
    execExtension: ext?.extension,
  };
}

function execConfig(raw: Raw, e: Entry, owner: string): ExecConfig {
  const where = `the exec plugin of ${owner}`;
  const apiVersion = str(raw, 'apiVersion', where) ?? '';
  if (!['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'].includes(apiVersion)) {
    throw configError(`the exec credential plugin of ${owner} has apiVersion "${apiVersion}"; kubectl and dirlink accept client.authentication.k8s.io/v1 and v1beta1`,
      'Update the plugin and its kubeconfig entry (e.g. re-run the cloud CLI\'s "get-credentials" command).');
  }
  let command = str(raw, 'command', where);
  if (!command) throw configError(`the exec credential plugin of ${owner} has no command`, `Set users[].user.exec.command; ${VIEW_HINT}`);
  // a command with a slash is a path relative to the kubeconfig; a bare name is looked up on PATH
  if (command.includes(sep)) command = pathIn(e, command)!;
  const mode = str(raw, 'interactiveMode', where) ?? (apiVersion.endsWith('/v1beta1') ? 'IfAvailable' : undefined);
  if (!mode) throw configError(`interactiveMode must be specified for ${owner} to use its exec credential plugin (client.authentication.k8s.io/v1)`, 'Add interactiveMode: Never (or IfAvailable) under users[].user.exec.');
  if (!['Never', 'IfAvailable', 'Always'].includes(mode)) throw configError(`invalid interactiveMode "${mode}" for ${owner}`, 'Use Never, IfAvailable or Always.');
  const env = Array.isArray(raw.env) ? (raw.env as unknown[]).filter(isObj).map((v) => ({ name: str(v, 'name', where) ?? '', value: str(v, 'value', where) ?? '' })) : [];
  if (env.some((v) => !v.name)) throw configError(`an env entry of the exec credential plugin of ${owner} has no name`, `Fix users[].user.exec.env; ${VIEW_HINT}`);
  return {
    command,
    args: Array.isArray(raw.args) ? (raw.args as unknown[]).map((a) => { if (typeof a !== 'string') throw typeError(where, 'args', 'list of strings'); return a; }) : [],
    env,
    apiVersion,
    installHint: str(raw, 'installHint', where),
    provideClusterInfo: bool(raw, 'provideClusterInfo', where),
    interactiveMode: mode,
  };
}

function userConfig(name: string, e: Entry | undefined): UserConfig {
  if (!e) return {};
  const u = e.value;
  const owner = `user "${name}"`;
  const out: UserConfig = {};
  out.token = str(u, 'token', owner);
  out.tokenFile = pathIn(e, str(u, 'tokenFile', owner));
  out.username = str(u, 'username', owner);
  out.password = str(u, 'password', owner);
  if (out.token && (out.username || out.password)) {
    throw configError(`more than one authentication method found for ${owner}: token and username/password; only one is allowed`, `Keep one of them in ${e.file}.`);
  }
  const certFile = pathIn(e, str(u, 'client-certificate', owner));
  const certData = base64Data(u, 'client-certificate-data', owner);
  const keyFile = pathIn(e, str(u, 'client-key', owner));
  const keyData = base64Data(u, 'client-key-data', owner);
  if (certFile || certData) {
    if (certFile && certData) throw configError(`client-certificate-data and client-certificate are both specified for ${owner}`, `Keep only one of them in ${e.file}.`);
    if (keyFile && keyData) throw configError(`client-key-data and client-key are both specified for ${owner}`, `Keep only one of them in ${e.file}.`);
    if (!keyFile && !keyData) throw configError(`${owner} has a client certificate but no client-key or client-key-data`, `Add the key in ${e.file}.`);
    out.cert = certData ?? readPem(certFile!, 'client-certificate', owner);
    out.key = keyData ?? readPem(keyFile!, 'client-key', owner);
  }
  if (isObj(u.exec)) out.exec = execConfig(u.exec, e, owner);
  if (isObj(u['auth-provider'])) {
    if (out.exec) throw configError(`${owner} has both an auth-provider and an exec plugin`, `Keep only one of them in ${e.file}.`);
    const ap = u['auth-provider'];
    const config: Record<string, string> = {};
    if (isObj(ap.config)) for (const k of Object.keys(ap.config)) { const v = str(ap.config, k, `the auth-provider of ${owner}`); if (v !== undefined) config[k] = v; }
    out.authProvider = { name: str(ap, 'name', `the auth-provider of ${owner}`) ?? '', config };
  }
  const as = str(u, 'as', owner);
  const uid = str(u, 'as-uid', owner);
  const groups = Array.isArray(u['as-groups']) ? (u['as-groups'] as unknown[]).map(String) : [];
  const extra: Record<string, string[]> = {};
  if (isObj(u['as-user-extra'])) for (const [k, v] of Object.entries(u['as-user-extra'])) extra[k] = Array.isArray(v) ? v.map(String) : [String(v)];
  if (!as && (uid || groups.length || Object.keys(extra).length)) {
    throw configError(`${owner} requests as-uid, as-groups or as-user-extra without impersonating a user (as)`, `Add "as" or remove them in ${e.file}.`);
  }
  if (as) out.impersonate = { user: as, uid, groups, extra };
  return out;
}

/** Picks cluster and user for `context` (else the current context) from the merged files, like kubectl. */
export async function selectKubeconfig(files: string[], context: string | undefined, source: string): Promise<SelectedConfig> {
  const m = await loadFiles(files);
  const names = [...m.contexts.keys()];
  const list = names.join(', ') || '(none)';
  let name = context;
  if (name !== undefined) {
    if (!m.contexts.has(name)) throw configError(`the kubeconfig has no context named "${name}"`, `Use one of: ${list} with --context.`);
  } else {
    name = m.currentContext;
    if (!name) throw configError(`the kubeconfig (${source}) has no current context with a cluster`, `Pick one with --context (${names.length ? list : 'no contexts defined'}).`);
    if (!m.contexts.has(name)) throw configError(`the current-context "${name}" of the kubeconfig (${source}) does not exist`, `Pick one with --context (${list}), or fix it: kubectl config use-context NAME.`);
  }
  const ctx = m.contexts.get(name)!;
  const clusterName = str(ctx.value, 'cluster', `context "${name}"`) ?? '';
  const cluster = m.clusters.get(clusterName);
  if (!cluster) {
    throw configError(`context "${name}" uses cluster "${clusterName}", which the kubeconfig (${source}) does not define`,
      `Add the cluster or pick another context with --context (${list}); ${VIEW_HINT}`);
  }
  const userName = str(ctx.value, 'user', `context "${name}"`) ?? '';
  return {
    cluster: clusterConfig(clusterName, cluster),
    user: userConfig(userName, m.users.get(userName)),
    context: name,
    namespace: str(ctx.value, 'namespace', `context "${name}"`),
    inCluster: false,
    source,
  };
}

/** kubectl's KUBECONFIG list: split on the path delimiter, empty names and repeats dropped. */
export function splitList(value: string): string[] {
  return [...new Set(value.split(delimiter).filter(Boolean))];
}

/**
 * The kubeconfig files in loading order, as kubectl resolves them: the --kubeconfig / KUBECONFIG
 * value (a list joined with the path delimiter), else ~/.kube/config.
 */
export function kubeconfigChain(value: string | undefined, env: NodeJS.ProcessEnv): string[] {
  const listed = splitList(value ?? '');
  return listed.length ? listed : [join(env.HOME || homedir(), '.kube', 'config')];
}

export const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * In a pod: client-go's InClusterConfig. The token file is kept as a path (credentials.ts reads
 * it for each request) because bound service-account tokens are rotated by the kubelet.
 */
export function inClusterConfig(dir: string, host: string, port: string, env: NodeJS.ProcessEnv): SelectedConfig {
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) {
    throw configError(`KUBERNETES_SERVICE_HOST is set but there is no service-account token at ${tokenFile}`,
      'Mount the service-account token in the pod (automountServiceAccountToken: true), or pass --kubeconfig.');
  }
  const caFile = join(dir, 'ca.crt');
  const nsFile = join(dir, 'namespace');
  return {
    cluster: { server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`, ca: existsSync(caFile) ? readPem(caFile, 'the service-account CA', 'the pod') : undefined, insecure: false, disableCompression: false },
    user: { tokenFile },
    namespace: env.POD_NAMESPACE || (existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : undefined),
    inCluster: true,
    source: 'in-cluster service account',
  };
}

export interface FindOptions {
  /** --kubeconfig FILE, or KUBECONFIG (which may be a list of files) */
  kubeconfig?: string;
  context?: string;
  inCluster?: 'auto' | 'never';
  serviceAccountDir?: string;
  env: NodeJS.ProcessEnv;
  home: string;
}

/**
 * kubectl's loading rules: an explicit file must exist; a KUBECONFIG list skips missing files;
 * without either, ~/.kube/config; without that, the pod's service account.
 */
export async function findConfig(o: FindOptions): Promise<SelectedConfig> {
  const value = o.kubeconfig;
  if (value) {
    // a single existing path is --kubeconfig's meaning; a list (from KUBECONFIG) is merged
    const files = existsSync(value) ? [value] : splitList(value);
    if (files.length === 1) {
      if (!existsSync(files[0]!)) throw configError(`the kubeconfig file ${files[0]} does not exist`, 'Pass the path of an existing kubeconfig with --kubeconfig (or KUBECONFIG).');
      return selectKubeconfig(files, o.context, files[0]!);
    }
    const found = files.filter((f) => existsSync(f));
    if (found.length === 0) throw configError(`none of the files in KUBECONFIG exist (${files.join(delimiter)})`, 'Fix KUBECONFIG or pass --kubeconfig.');
    return selectKubeconfig(found, o.context, `KUBECONFIG=${files.join(delimiter)}`);
  }
  const homeConfig = join(o.home, '.kube', 'config');
  if (existsSync(homeConfig)) return selectKubeconfig([homeConfig], o.context, homeConfig);
  const host = o.env.KUBERNETES_SERVICE_HOST;
  if (o.inCluster !== 'never' && host) {
    if (o.context) throw configError(`--context ${o.context} was given, but there is no kubeconfig (running in a pod with its service account)`, 'Drop --context, or pass --kubeconfig FILE with that context.');
    return inClusterConfig(o.serviceAccountDir ?? SA_DIR, host, o.env.KUBERNETES_SERVICE_PORT || '443', o.env);
  }
  throw configError('no Kubernetes configuration found: no --kubeconfig, no KUBECONFIG, no ~/.kube/config, and not running in a pod',
    'Pass --kubeconfig FILE (and --context if needed), or run dirlink as a Job in the cluster (templates/rbac.yaml).');
}
