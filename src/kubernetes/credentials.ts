// The user half of a kubeconfig turned into what each request carries: an Authorization header
// (and impersonation headers) and, for certificate users, a client certificate for the TLS
// handshake. Precedence is client-go's: a token, a token file or username/password is used as is;
// an exec credential plugin runs only when the user has no token, password or certificate (its
// result is cached until its expirationTimestamp); auth-provider oidc uses the id-token kubectl keeps
// fresh. Nothing here logs or returns a secret in a message.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { KubeError } from '../errors.js';
import type { ClusterConfig, ExecConfig, UserConfig } from './kubeconfig.js';
import { jwtExpiry } from '../auth/jwt.js';

export interface Credentials {
  headers: Record<string, string>;
  /** a client certificate from an exec plugin (static ones are part of the TLS options) */
  cert?: string;
  key?: string;
}

export interface CredentialOptions {
  env: NodeJS.ProcessEnv;
  /** whether stdin is a terminal: an exec plugin may then prompt (interactiveMode IfAvailable/Always) */
  stdinIsTTY: boolean;
  /** bound on a plugin that is not interactive; default 60 s */
  execTimeoutMs?: number;
  now?: () => number;
}

function credentialError(message: string, hint: string, cause?: unknown): KubeError {
  return new KubeError('kube.config', message, { hint, cause, field: 'kubeconfig' });
}

function impersonation(u: UserConfig): Record<string, string> {
  const h: Record<string, string> = {};
  if (!u.impersonate) return h;
  h['Impersonate-User'] = u.impersonate.user;
  if (u.impersonate.uid) h['Impersonate-Uid'] = u.impersonate.uid;
  // node joins a repeated header with ", ", which the apiserver splits like separate headers
  if (u.impersonate.groups.length) h['Impersonate-Group'] = u.impersonate.groups.join(', ');
  for (const [k, v] of Object.entries(u.impersonate.extra)) h[`Impersonate-Extra-${encodeURIComponent(k)}`] = v.join(', ');
  return h;
}

/**
 * Returns a function giving fresh credentials for each request. `cluster` is handed to exec
 * plugins that ask for it (provideClusterInfo).
 */
export function credentialSource(u: UserConfig, cluster: ClusterConfig, o: CredentialOptions): () => Promise<Credentials> {
  const extra = impersonation(u);
  const now = o.now ?? Date.now;
  if (u.tokenFile && (u.username || u.password)) throw credentialError('the kubeconfig user has both a tokenFile and username/password; kubectl refuses that too', 'Keep one of them in the kubeconfig user.');
  if (u.token || u.tokenFile) {
    return async () => {
      // client-go reads a token file again and again (bound service-account tokens rotate) and trims it
      let token = u.token;
      if (u.tokenFile) {
        try {
          token = readFileSync(u.tokenFile, 'utf8').trim();
        } catch (e) {
          if (!token) throw credentialError(`could not read the token file ${u.tokenFile}: ${(e as Error).message}`, 'Fix tokenFile in the kubeconfig (or the mounted service-account token).', e);
        }
      }
      return { headers: { Authorization: `Bearer ${token}`, ...extra } };
    };
  }
  if (u.username || u.password) {
    const basic = `Basic ${Buffer.from(`${u.username ?? ''}:${u.password ?? ''}`).toString('base64')}`;
    return async () => ({ headers: { Authorization: basic, ...extra } });
  }
  if (u.cert) return async () => ({ headers: { ...extra } });
  if (u.exec) {
    const exec = u.exec;
    let cached: { c: Credentials; expires: number } | undefined;
    let running: Promise<Credentials> | undefined;
    return async () => {
      if (cached && (cached.expires === 0 || cached.expires > now())) return cached.c;
      // one run for concurrent requests
      running ??= runExecPlugin(exec, cluster, o).then((r) => {
        const c: Credentials = { headers: { ...(r.token ? { Authorization: `Bearer ${r.token}` } : {}), ...extra } };
        if (r.cert) { c.cert = r.cert; c.key = r.key; }
        cached = { c, expires: r.expires };
        return c;
      }).finally(() => { running = undefined; });
      return running;
    };
  }
  if (u.authProvider) {
    const ap = u.authProvider;
    if (ap.name !== 'oidc') {
      // client-go removed the gcp and azure providers in 1.26, so kubectl refuses them as well
      throw credentialError(`the kubeconfig user uses auth-provider "${ap.name}", which kubectl no longer supports either`,
        ap.name === 'gcp' ? 'Install gke-gcloud-auth-plugin and run: gcloud container clusters get-credentials CLUSTER (it writes an exec plugin entry).'
          : ap.name === 'azure' ? 'Install kubelogin and run: kubelogin convert-kubeconfig (it writes an exec plugin entry).'
            : 'Use an exec credential plugin or a token in the kubeconfig user.');
    }
    // Refreshing would mean writing the new tokens back into the user's kubeconfig, as kubectl
    // does; dirlink does not edit it, and a refresh here could invalidate kubectl's refresh token.
    const idToken = ap.config['id-token'];
    return async () => {
      const exp = idToken ? jwtExpiry(idToken) : 0;
      if (!idToken || (exp !== 0 && exp <= now())) {
        throw credentialError(`the OIDC id-token of the kubeconfig user is ${idToken ? 'expired' : 'missing'}`,
          'Run any kubectl command once (e.g. kubectl get namespaces): kubectl refreshes the token in your kubeconfig; then run dirlink again.');
      }
      return { headers: { Authorization: `Bearer ${idToken}`, ...extra } };
    };
  }
  return async () => ({ headers: { ...extra } });
}

interface ExecResult { token?: string; cert?: string; key?: string; expires: number }

function clusterInfo(c: ClusterConfig): Record<string, unknown> {
  const info: Record<string, unknown> = { server: c.server };
  if (c.tlsServerName) info['tls-server-name'] = c.tlsServerName;
  if (c.insecure) info['insecure-skip-tls-verify'] = true;
  if (c.ca) info['certificate-authority-data'] = c.ca.toString('base64');
  if (c.proxyUrl) info['proxy-url'] = c.proxyUrl;
  if (c.disableCompression) info['disable-compression'] = true;
  // client-go always sends `config` (a RawExtension, null without the cluster extension)
  info.config = c.execExtension ?? null;
  return info;
}

/** client-go's exec authenticator: ExecCredential in KUBERNETES_EXEC_INFO, ExecCredential on stdout. */
export async function runExecPlugin(exec: ExecConfig, cluster: ClusterConfig, o: CredentialOptions): Promise<ExecResult> {
  const what = `the credential plugin "${exec.command}"`;
  if (exec.interactiveMode === 'Always' && !o.stdinIsTTY) {
    throw credentialError(`${what} needs an interactive terminal (interactiveMode: Always), but standard input is not a terminal`,
      'Run dirlink in a terminal, or log in with the plugin first so it has a cached credential.');
  }
  const interactive = exec.interactiveMode !== 'Never' && o.stdinIsTTY;
  const input = { kind: 'ExecCredential', apiVersion: exec.apiVersion, spec: { interactive, ...(exec.provideClusterInfo ? { cluster: clusterInfo(cluster) } : {}) } };
  const env: NodeJS.ProcessEnv = { ...o.env };
  for (const v of exec.env) env[v.name] = v.value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify(input);

  const { stdout, code, error } = await new Promise<{ stdout: string; code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
    // stderr goes to the user as kubectl does: plugins print login prompts and reasons there
    const child = spawn(exec.command, exec.args, { env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    let error: NodeJS.ErrnoException | undefined;
    // an interactive plugin waits for a person; any other one is bounded
    const timer = interactive ? undefined : setTimeout(() => { error = Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }); child.kill(); }, o.execTimeoutMs ?? 60_000);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (e) => { error = e; });
    child.on('close', (code) => { clearTimeout(timer); resolve({ stdout: Buffer.concat(chunks).toString('utf8'), code, error }); });
  });
  if (error?.code === 'ENOENT') {
    throw credentialError(`${what} was not found`, exec.installHint ? exec.installHint.trim() : `Install it or put it on PATH; it is named in the kubeconfig user's exec.command.`, error);
  }
  if (error) throw credentialError(`${what} failed: ${error.code === 'ETIMEDOUT' ? `no answer within ${Math.round((o.execTimeoutMs ?? 60_000) / 1000)} s` : error.message}`, 'Run the plugin by hand to see what it needs (e.g. a login).', error);
  if (code !== 0) throw credentialError(`${what} exited with code ${code} (its messages are above)`, 'Fix what it reports (often: log in again with your cloud CLI), then rerun dirlink.');
  let cred: { apiVersion?: string; kind?: string; status?: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string } };
  try {
    cred = JSON.parse(stdout) as typeof cred;
  } catch {
    // no cause: V8's message quotes the start of what was printed, which may be a bare token
    throw credentialError(`${what} did not print an ExecCredential as JSON`, 'Check the plugin version against the apiVersion in the kubeconfig.');
  }
  if (cred.apiVersion !== exec.apiVersion) {
    throw credentialError(`${what} is configured to use API version ${exec.apiVersion}, but returned version ${cred.apiVersion ?? '(none)'}`, 'Set users[].user.exec.apiVersion to what the plugin speaks.');
  }
  const s = cred.status;
  if (!s) throw credentialError(`${what} did not return a status field`, 'Run the plugin by hand to see what it returns.');
  if (!s.token && !s.clientCertificateData && !s.clientKeyData) throw credentialError(`${what} did not return a token or a certificate and key`, 'Run the plugin by hand to see what it returns.');
  if (!s.clientCertificateData !== !s.clientKeyData) throw credentialError(`${what} returned only a certificate or a key, not both`, 'Run the plugin by hand to see what it returns.');
  let expires = 0;
  if (s.expirationTimestamp) {
    expires = Date.parse(s.expirationTimestamp);
    if (Number.isNaN(expires)) throw credentialError(`${what} returned an unreadable expirationTimestamp`, 'It must be an RFC 3339 time.');
  }
  const r: ExecResult = { expires };
  if (s.token) r.token = s.token;
  if (s.clientCertificateData) { r.cert = s.clientCertificateData; r.key = s.clientKeyData; }
  return r;
}
