// End-to-end harness: a sandbox of the Keycloak and Kubernetes emulators next to a real directory
// of the test world, and a runner that spawns the built CLI (bin/dirlink.js) exactly as a user or
// a CI pipeline would: environment variables, secret files, no stdin, CI=true.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
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

/** A CLI run still going: its output so far, a wait for a marker in it, and its end. */
export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived */
  output(): string;
  /** resolves once the output matches `re`; rejects if the process ends first or after `ms` */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  done: Promise<RunResult>;
}

/** Spawns `node bin/dirlink.js ...args`; kills it after timeoutMs so a hang fails the test instead of stalling it. */
export function startCli(args: string[], o: RunOptions = {}): CliProcess {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...o.env })) if (v !== undefined) env[k] = v;
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let both = '';
  const waiters = new Set<() => void>();
  const seen = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout!.on('data', (d: Buffer) => ((stdout += d.toString()), (both += d.toString()), seen()));
  child.stderr!.on('data', (d: Buffer) => ((stderr += d.toString()), (both += d.toString()), seen()));
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, signal });
      seen();
    });
  });
  if (o.input !== undefined) child.stdin!.end(o.input);
  else child.stdin!.end();
  let ended = false;
  void done.then(() => (ended = true));
  return {
    child,
    output: () => both,
    done,
    waitFor: (re, ms = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (re.test(both)) finish();
          else if (ended) finish(new Error(`dirlink ended before printing ${re}; output:\n${both}`));
        };
        const t = setTimeout(() => finish(new Error(`timed out waiting for ${re}; output:\n${both}`)), ms);
        function finish(e?: Error) {
          clearTimeout(t);
          waiters.delete(check);
          if (e) reject(e);
          else resolve();
        }
        waiters.add(check);
        check();
      }),
  };
}

export function runCli(args: string[], o: RunOptions = {}): Promise<RunResult> {
  return startCli(args, o).done;
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
  /** like run, but returns at once so a test can act on the output while dirlink runs */
  start(args: string[], dir: DirectoryInfo, o?: RunOptions): CliProcess;
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
    start(args, d, ro = {}) {
      return startCli(args, { ...ro, env: { ...sb.env(d), ...ro.env } });
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

/** A port nothing listens on (bound, then released): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never sends a byte (a hung service, a black-holing proxy). */
export async function silentServer(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const srv = net.createServer((s) => {
    count++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    port: (srv.address() as net.AddressInfo).port,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

/** Every file under dir (recursively). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/**
 * Where any of `secrets` occurs in the given texts and files, as "where: contains abc…" lines
 * (only the first three characters of a secret are named, so the report itself leaks nothing).
 */
export function findLeaks(secrets: string[], texts: { name: string; text: string }[], files: string[] = []): string[] {
  const leaks: string[] = [];
  const scan = (where: string, text: string) => {
    for (const s of secrets) if (s && text.includes(s)) leaks.push(`${where} contains ${s.slice(0, 3)}…`);
  };
  for (const t of texts) scan(t.name, t.text);
  for (const f of files) scan(f, readFileSync(f, 'utf8'));
  return leaks;
}

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

export interface TmuxCli {
  session: string;
  /** send keys to the pane (`-l TEXT` types literally, `Enter`, `C-c`) */
  keys(...keys: string[]): void;
  /** the pane's text once it matches `re`; throws with the screen after `ms` */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  /** dirlink's own pid (the shell execs node), once it started */
  pid(): number | undefined;
  kill(): void;
}

/**
 * dirlink in a real terminal (a tmux pane, 160x50): for what only a TTY shows (masked typing, the
 * Ctrl-C key). `env` values that are '' are unset (and CI always is, so dirlink is interactive);
 * the pane prints EXIT=<code> when dirlink ends and stays open for capture.
 */
export function startInTmux(tag: string, env: Record<string, string>, args: string[]): TmuxCli {
  const dir = mkdtempSync(join(tmpdir(), 'dirlink-tmux-'));
  const session = `dirlink-${tag}-${process.pid}`;
  const pidFile = join(dir, 'pid');
  const script = join(dir, 'run.sh');
  writeFileSync(
    script,
    `#!/bin/sh\n${Object.entries(env).map(([k, v]) => (v ? `export ${k}='${v}'` : `unset ${k}`)).join('\n')}\nunset CI\nsh -c 'echo $$ > ${pidFile}; exec "${process.execPath}" "${BIN}" ${args.join(' ')}'; echo "EXIT=$?"; sleep 30\n`,
    { mode: 0o755 },
  );
  const tmux = (...a: string[]) => execFileSync('tmux', a, { encoding: 'utf8' });
  tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '50', script);
  const screen = () => tmux('capture-pane', '-p', '-t', session, '-S', '-200');
  return {
    session,
    keys: (...keys) => void tmux('send-keys', '-t', session, ...keys),
    async waitFor(re, ms = 30_000) {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const text = screen();
        if (re.test(text)) return text;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`timed out waiting for ${re}; screen:\n${screen()}`);
    },
    pid: () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined),
    kill: () => void spawnSync('tmux', ['kill-session', '-t', session]),
  };
}
