// End-to-end harness: a sandbox of the Keycloak and Kubernetes emulators next to a real directory
// of the test world, and a runner that spawns the built CLI (bin/dirlink.js) exactly as a user or
// a CI pipeline would: environment variables, secret files, no stdin, CI=true.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKeycloakEmulator, type KeycloakEmulator, type KeycloakEmulatorOptions } from '../world/keycloak/index.js';
import { startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions } from '../world/kubernetes/index.js';
import type { DirectoryInfo } from '../world/types.js';

export const BIN = fileURLToPath(new URL('../../bin/dirlink.js', import.meta.url));
export const KC_ADMIN_PASSWORD = 'kc-Admin-Pa55';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** Spawns `node bin/dirlink.js ...args`; kills it after timeoutMs so a hang fails the test instead of stalling it. */
export function runCli(args: string[], o: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...o.env })) if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, signal });
    });
    if (o.input !== undefined) child.stdin.end(o.input);
    else child.stdin.end();
  });
}

export interface Sandbox {
  dir: string;
  kc: KeycloakEmulator;
  kube: KubeEmulator;
  kubeconfig: string;
  /** secret files */
  files: { bindPassword: string; keycloakPassword: string; verifyPassword: string };
  /** the environment a CI pipeline would set for this directory */
  env(dir: DirectoryInfo, extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  run(args: string[], dir: DirectoryInfo, o?: RunOptions): Promise<RunResult>;
  /** the federation and its mappers as stored in the emulator */
  federation(realm?: string, name?: string): { id: string; config: Record<string, string[]>; mappers: { name: string; config: Record<string, string[]> }[] } | undefined;
  close(): Promise<void>;
}

export async function startSandbox(o: { keycloak?: KeycloakEmulatorOptions; kube?: KubeEmulatorOptions; kubeToken?: string } = {}): Promise<Sandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'dirlink-e2e-'));
  const kc = await startKeycloakEmulator({ adminPassword: KC_ADMIN_PASSWORD, ...o.keycloak });
  const kube = await startKubeEmulator({ ...o.kube });
  kube.controller.stepMs = 20;
  const kubeconfig = kube.writeKubeconfig(dir, { token: o.kubeToken ?? 'admin-token' });
  const secret = (name: string, value: string) => {
    const p = join(dir, name);
    writeFileSync(p, `${value}\n`, { mode: 0o600 });
    return p;
  };
  const files = { bindPassword: '', keycloakPassword: secret('kc-password', KC_ADMIN_PASSWORD), verifyPassword: '' };

  const sb: Sandbox = {
    dir,
    kc,
    kube,
    kubeconfig,
    files,
    env(d, extra = {}) {
      files.bindPassword = secret(`bind-${d.kind}`, d.bindPassword);
      files.verifyPassword = secret('verify-password', d.userPassword);
      return {
        CI: 'true',
        NO_COLOR: '1',
        HOME: dir,
        DIRLINK_STATE_DIR: join(dir, 'state'),
        KUBECONFIG: kubeconfig,
        DIRLINK_LDAP_URL: d.url,
        DIRLINK_BIND_DN: d.bindDn,
        DIRLINK_BIND_PASSWORD: d.bindPassword,
        DIRLINK_USERS_DN: d.usersDn,
        DIRLINK_KEYCLOAK_URL: kc.url,
        DIRLINK_KEYCLOAK_PASSWORD: KC_ADMIN_PASSWORD,
        DIRLINK_CA_FILE: d.caFile,
        DIRLINK_ROLLOUT_TIMEOUT: '60s',
        ...extra,
      };
    },
    run(args, d, ro = {}) {
      return runCli(args, { ...ro, env: { ...sb.env(d), ...ro.env } });
    },
    federation(realm = 'runai', name = 'ldap') {
      const r = kc.state.realms.get(realm);
      if (!r) return undefined;
      const all = [...r.components.values()];
      const fed = all.find((c) => c.name === name && c.providerId === 'ldap' && c.parentId === r.id);
      if (!fed) return undefined;
      return { id: fed.id, config: fed.config, mappers: all.filter((c) => c.parentId === fed.id).map((m) => ({ name: m.name, config: m.config })) };
    },
    async close() {
      await Promise.allSettled([kc.close(), kube.close()]);
    },
  };
  return sb;
}

/** Requests that change Keycloak state (testLDAPConnection only reads). */
export const kcWrites = (kc: KeycloakEmulator) => kc.writes();
/** PATCH/POST/PUT/DELETE sent to the cluster. */
export const kubeWrites = (kube: KubeEmulator) => kube.writes();
