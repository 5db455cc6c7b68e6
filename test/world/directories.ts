// The test world's real directory servers: a Samba AD DC and one OpenLDAP slapd with three trees.
// The heavy lifting (install, provision, seed, cache, start, stop) is done by the shell scripts in
// test/world/ldap/; this module runs them, reads what they seeded (world.json in each data dir) and
// handles the lifecycle rules shared by globalSetup, the demo and the benchmark:
//   - a server that is already running and healthy (same script version) is reused;
//   - a run stops at teardown only what it started (or adopted from a run that died), and only when
//     no other live run still uses it; DIRLINK_KEEP_WORLD=1 keeps everything running.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DirectoryInfo, World } from './types.js';

export type ServerName = 'samba-ad' | 'openldap';
export const SERVERS: readonly ServerName[] = ['samba-ad', 'openldap'];

/** Where the data dirs live. Paths are baked into smb.conf/slapd.conf, so it is fixed per machine. */
export const WORLD_ROOT = process.env.DIRLINK_WORLD_ROOT ?? '/tmp/dirlink-world';

export interface ServerStartup {
  /** reused: already running and healthy; restored: from the cache tarball; provisioned: built from scratch */
  mode: 'reused' | 'restored' | 'provisioned';
  /** wall-clock seconds until the server accepted binds */
  seconds: number;
  pid: number;
  /** whether this run will stop it at teardown (false: reused from another run, manual, or kept) */
  stopAtTeardown: boolean;
  /** who is responsible for stopping it: this run, another live run (the last user stops it), or nobody (kept / started by hand) */
  owner: 'this run' | 'another run' | 'kept';
  /** the scripts' own timings, e.g. 'samba-ad.provision', 'samba-ad.seed', 'samba-ad.restore', 'samba-ad.start' */
  timings: Record<string, number>;
}

/** A World plus how each server came up (an optional extension of the contract in types.ts). */
export interface StartedWorldInfo extends World {
  startup: Partial<Record<ServerName, ServerStartup>>;
}

export interface StartedWorld {
  world: StartedWorldInfo;
  /** one line for stderr: how each server came up and how long it took */
  summary: string;
  /** stop what this run is responsible for (see the module comment); idempotent */
  teardown(): Promise<void>;
}

export interface StartOptions {
  /** progress lines (the scripts' stderr); default: silent */
  log?: (line: string) => void;
  /** overall limit per server in ms (install + provision + seed + start); default 15 min */
  timeoutMs?: number;
}

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'test', 'world', 'ldap', 'samba-ad.sh'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('dirlink test world: cannot find test/world/ldap/ above ' + fileURLToPath(import.meta.url));
}

/** Directory of the server scripts (works from test/world and from dist/test/world). */
export const LDAP_SCRIPTS_DIR = join(findRepoRoot(), 'test', 'world', 'ldap');
const SCRIPT: Record<ServerName, string> = {
  'samba-ad': join(LDAP_SCRIPTS_DIR, 'samba-ad.sh'),
  openldap: join(LDAP_SCRIPTS_DIR, 'openldap.sh'),
};

interface ScriptResult {
  stdout: string;
  stderr: string;
}

function runScript(
  server: ServerName,
  args: string[],
  timeoutMs: number,
  log?: (line: string) => void,
): Promise<ScriptResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [SCRIPT[server], ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WORLD_ROOT, WORLD_CACHE_DIR: join(findRepoRoot(), '.cache', 'world') },
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!log) return;
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) log(l);
    });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolvePromise({ stdout, stderr });
      const why = signal ? `was killed (${signal}; limit ${Math.round(timeoutMs / 1000)}s)` : `exited ${code}`;
      const tail = stderr.trim().split('\n').slice(-40).join('\n');
      reject(new Error(`test world: ${server} ${args.join(' ')} ${why}\n${tail}`));
    });
  });
}

function parseTimings(stdout: string): Record<string, number> {
  const t: Record<string, number> = {};
  for (const m of stdout.matchAll(/^TIMING (\S+) ([\d.]+)$/gm)) t[m[1]!] = Number(m[2]);
  return t;
}

// --- who uses / owns a running server -------------------------------------------------------------
const usersDir = (s: ServerName) => join(WORLD_ROOT, '.users', s);
const ownerFile = (s: ServerName) => join(WORLD_ROOT, `.owner-${s}`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
function readOwner(s: ServerName): string | undefined {
  try {
    return readFileSync(ownerFile(s), 'utf8').trim();
  } catch {
    return undefined;
  }
}
function liveUsers(s: ServerName): number[] {
  let names: string[] = [];
  try {
    names = readdirSync(usersDir(s));
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const n of names) {
    const pid = Number(n);
    if (Number.isInteger(pid) && alive(pid)) pids.push(pid);
    else rmSync(join(usersDir(s), n), { force: true });
  }
  return pids;
}
function register(s: ServerName) {
  mkdirSync(usersDir(s), { recursive: true });
  writeFileSync(join(usersDir(s), String(process.pid)), '');
}
function unregister(s: ServerName) {
  rmSync(join(usersDir(s), String(process.pid)), { force: true });
}

/** Bring one server up (reuse / restore / provision) and claim it when this process started it. */
export async function upServer(server: ServerName, opts: StartOptions = {}): Promise<ServerStartup> {
  const { stdout } = await runScript(server, ['up'], opts.timeoutMs ?? 15 * 60_000, opts.log);
  const m = /^RESULT (\S+) (reused|restored|provisioned) ([\d.]+) (\d+)$/m.exec(stdout);
  if (!m) throw new Error(`test world: ${server} up printed no RESULT line:\n${stdout}`);
  const mode = m[2] as ServerStartup['mode'];
  const owner = readOwner(server);
  if (mode !== 'reused' || (owner !== undefined && /^\d+$/.test(owner) && !alive(Number(owner)))) {
    // started here, or left behind by a run that died: this run owns it
    writeFileSync(ownerFile(server), String(process.pid));
  }
  register(server);
  const o = readOwner(server);
  return {
    owner: o === String(process.pid) ? 'this run' : o !== undefined && /^\d+$/.test(o) ? 'another run' : 'kept',
    mode,
    seconds: Number(m[3]),
    pid: Number(m[4]),
    stopAtTeardown: readOwner(server) === String(process.pid) && process.env.DIRLINK_KEEP_WORLD !== '1',
    timings: parseTimings(stdout),
  };
}

/** Stop a server unconditionally (the scripts wait for it to exit and kill leftovers). */
export async function stopServer(server: ServerName, opts: StartOptions = {}): Promise<void> {
  await runScript(server, ['stop'], opts.timeoutMs ?? 60_000, opts.log);
  rmSync(ownerFile(server), { force: true });
}

/** Teardown rule for one server: see the module comment. Returns what happened. */
export async function releaseServer(server: ServerName, opts: StartOptions = {}): Promise<'stopped' | 'kept' | 'shared' | 'not-ours'> {
  unregister(server);
  const owner = readOwner(server);
  if (process.env.DIRLINK_KEEP_WORLD === '1') {
    if (owner === String(process.pid)) writeFileSync(ownerFile(server), 'keep');
    await ensureStrongAuthOff(server, opts);
    return 'kept';
  }
  const ours = owner !== undefined && /^\d+$/.test(owner) && (owner === String(process.pid) || !alive(Number(owner)));
  if (!ours) {
    await ensureStrongAuthOff(server, opts);
    return 'not-ours';
  }
  if (liveUsers(server).length > 0) {
    await ensureStrongAuthOff(server, opts);
    return 'shared';
  }
  await stopServer(server, opts);
  return 'stopped';
}

// --- what was seeded --------------------------------------------------------------------------------
function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new Error(`test world: cannot read ${file} (is the server provisioned? run globalSetup or test/world/ldap/*.sh up): ${(e as Error).message}`);
  }
}

export function readSambaAdInfo(): DirectoryInfo {
  return readJson<DirectoryInfo>(join(WORLD_ROOT, 'samba-ad', 'world.json'));
}

export function readOpenLdapInfo(): { openldap: DirectoryInfo; openldapBig: DirectoryInfo; openldapTiny: DirectoryInfo } {
  return readJson(join(WORLD_ROOT, 'openldap', 'world.json'));
}

/**
 * The World of servers that are already running (for the demo and the benchmark, which run outside
 * vitest): reads the seeded descriptions; does not start anything. Timings are empty.
 */
export function loadWorld(): World {
  return { ad: readSambaAdInfo(), ...readOpenLdapInfo(), timings: {} };
}

// --- the whole world --------------------------------------------------------------------------------
export function formatSummary(startup: Partial<Record<ServerName, ServerStartup>>, totalSeconds: number): string {
  const parts = SERVERS.filter((s) => startup[s]).map((s) => {
    const st = startup[s]!;
    const detail =
      st.mode === 'provisioned'
        ? ` (provision ${st.timings[`${s}.provision`] ?? '?'}s + seed ${st.timings[`${s}.seed`] ?? '?'}s)`
        : st.mode === 'restored'
          ? ` (restore ${st.timings[`${s}.restore`] ?? '?'}s + start ${st.timings[`${s}.start`] ?? '?'}s)`
          : '';
    return `${s} ${st.mode} in ${st.seconds.toFixed(1)}s${detail}, pid ${st.pid}${st.owner === 'this run' ? (st.stopAtTeardown ? '' : ', kept running') : st.owner === 'another run' ? ', shared with another run' : ', kept running'}`;
  });
  return `[world] ${parts.join('; ')}; ready after ${totalSeconds.toFixed(1)}s`;
}

/**
 * Start (or reuse) both servers in parallel and describe them. If one fails, whatever this call
 * started is stopped again and the error (with the server's log tail) is thrown.
 */
export async function startWorld(opts: StartOptions = {}): Promise<StartedWorld> {
  const t0 = Date.now();
  const results = await Promise.allSettled(SERVERS.map((s) => upServer(s, opts)));
  const startup: Partial<Record<ServerName, ServerStartup>> = {};
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') startup[SERVERS[i]!] = r.value;
  });
  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    const errors: unknown[] = [];
    for (const s of SERVERS) {
      if (!startup[s]) continue;
      try {
        await releaseServer(s, opts);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length) throw errors[0];
  };
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length) {
    await teardown().catch(() => {});
    throw failed[0]!.reason;
  }
  const totalSeconds = (Date.now() - t0) / 1000;
  const timings: Record<string, number> = {};
  for (const s of SERVERS) {
    const st = startup[s]!;
    Object.assign(timings, st.timings);
    // e.g. 'samba-ad.restore+start' or 'samba-ad.provision+seed+start': total per server, by mode
    const label = st.mode === 'provisioned' ? 'provision+seed+start' : st.mode === 'restored' ? 'restore+start' : 'reuse';
    timings[`${s}.${label}`] = st.seconds;
  }
  timings.total = Number(totalSeconds.toFixed(2));
  const world: StartedWorldInfo = { ad: readSambaAdInfo(), ...readOpenLdapInfo(), timings, startup };
  return { world, summary: formatSummary(startup, totalSeconds), teardown };
}

// --- fault set-up -------------------------------------------------------------------------------------
async function ensureStrongAuthOff(server: ServerName, opts: StartOptions) {
  if (server !== 'samba-ad') return;
  if (sambaStrongAuthRequired()) await setSambaStrongAuth(false, opts);
}

/** What smb.conf currently says about 'ldap server require strong auth'. */
export function sambaStrongAuthRequired(): boolean {
  let conf: string;
  try {
    conf = readFileSync(join(WORLD_ROOT, 'samba-ad', 'etc', 'smb.conf'), 'utf8');
  } catch {
    return false; // not provisioned
  }
  const m = /^\s*ldap server require strong auth\s*=\s*(\S+)/im.exec(conf);
  return !!m && m[1]!.toLowerCase() !== 'no';
}

/**
 * Require (true) or stop requiring (false) strong authentication on Samba: with `true`, a simple bind
 * on plain ldap:// is refused with result 8 (strongerAuthRequired, "BindSimple: Transport encryption
 * required."); LDAPS and StartTLS binds still work. Rewrites smb.conf and restarts Samba (~2 s) —
 * every test using the AD at that moment sees the restart. Always restore with `false` (teardown and
 * the next `up` also turn it off).
 */
export async function setSambaStrongAuth(required: boolean, opts: StartOptions = {}): Promise<void> {
  await runScript('samba-ad', ['strong-auth', required ? 'yes' : 'no'], opts.timeoutMs ?? 120_000, opts.log);
}

/** Absolute path of a data dir (for log inspection in failing tests). */
export function serverDir(server: ServerName): string {
  return resolve(WORLD_ROOT, server);
}
