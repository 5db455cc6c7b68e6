// The malformed-input harness: the real CLI (src/main.ts, the function cli.ts hands the process
// to) run in-process thousands of times, a baseline of valid inputs whose every network target is
// a local recorder, and a watch on every TCP connection this process opens. "No network write"
// is then a count that must stay zero, not an assumption about the order of the pipeline.
import http from 'node:http';
import net from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { main } from '../../src/main.js';
import { buildProgram } from '../../src/program.js';
import { FIELDS, FIELD_BY_KEY, type Field, type FieldKey } from '../../src/inputs/fields.js';

export interface Recorder {
  url: string;
  port: number;
  /** requests (HTTP) or connections (TCP) received since the start */
  count(): number;
  close(): Promise<void>;
}

/** Answers every request of any method with 503 and counts it. */
export async function httpRecorder(): Promise<Recorder> {
  let n = 0;
  const server = http.createServer((req, res) => {
    n++;
    req.resume();
    res.writeHead(503, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"recorder"}');
  });
  server.on('connection', () => n++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, count: () => n, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** Accepts and at once closes TCP connections (an LDAP client gets "connection closed"), counting them. */
export async function tcpRecorder(): Promise<Recorder> {
  let n = 0;
  const server = net.createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return { url: `ldap://127.0.0.1:${port}`, port, count: () => n, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * Counts every outgoing TCP connection this process starts: net.connect, tls.connect, http(s)
 * agents and fetch (undici) all end in Socket.prototype.connect. The call still goes through.
 */
export function watchConnects(): { count(): number; targets: string[]; restore(): void } {
  const original = net.Socket.prototype.connect;
  const targets: string[] = [];
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const a = args[0] as { host?: string; port?: number; path?: string } | number | string;
    targets.push(typeof a === 'object' && a !== null ? (a.path ?? `${a.host ?? 'localhost'}:${a.port}`) : String(a));
    return (original as (...x: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
  return { count: () => targets.length, targets, restore: () => void (net.Socket.prototype.connect = original) };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return { stream: s as unknown as NodeJS.WriteStream, text: () => text };
}

/** One in-process run of `dirlink ...args`: no TTY, the given environment only, stdin closed (or `input`). */
export async function dirlink(args: string[], env: Record<string, string>, input = ''): Promise<Run> {
  const out = sink();
  const err = sink();
  const stdin = Readable.from(input ? [Buffer.from(input)] : []) as unknown as NodeJS.ReadStream;
  const code = await main(args, { env, stdin, stdout: out.stream, stderr: err.stream });
  // PassThrough delivers 'data' on the next tick
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out.text(), stderr: err.text() };
}

export interface World {
  dir: string;
  ldap: Recorder;
  http: Recorder;
  /** valid files the baseline points at */
  files: { bindPassword: string; keycloakPassword: string; verifyPassword: string; caFile: string; kubeconfig: string; clientSecret: string };
  /** a valid value for every field, every network target one of the recorders */
  valid: Record<FieldKey, string>;
  /** connections and requests the recorders and the watch saw so far */
  traffic(): number;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'dirlink-fuzz-'));
  const [ldap, web] = await Promise.all([tcpRecorder(), httpRecorder()]);
  const watch = watchConnects();
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  const files = {
    bindPassword: file('bind-password', 'readonly-secret\n'),
    keycloakPassword: file('kc-password', 'kc-secret\n'),
    verifyPassword: file('verify-password', 'Passw0rd!\n'),
    clientSecret: file('client-secret', 'client-secret\n'),
    caFile: file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
    kubeconfig: file('kubeconfig', stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'fuzz',
      clusters: [{ name: 'recorder', cluster: { server: web.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 'fuzz-token' } }],
      contexts: [{ name: 'fuzz', context: { cluster: 'recorder', user: 'u', namespace: 'runai-backend' } }],
    })),
  };
  mkdirSync(join(dir, 'state'));
  const valid: Record<FieldKey, string> = {
    ldapUrl: ldap.url,
    bindDn: 'cn=readonly,dc=example,dc=org',
    bindPassword: files.bindPassword,
    usersDn: 'ou=people,dc=example,dc=org',
    usernameAttribute: 'uid',
    emailAttribute: 'mail',
    vendor: 'other',
    startTls: 'false',
    caFile: files.caFile,
    ldapTimeout: '2s',
    keycloakUrl: web.url,
    realm: 'runai',
    keycloakUser: 'admin',
    keycloakPassword: files.keycloakPassword,
    keycloakClientId: 'dirlink',
    keycloakClientSecret: files.clientSecret,
    federationName: 'ldap',
    kubeconfig: files.kubeconfig,
    context: 'fuzz',
    namespace: 'runai-backend',
    deployment: 'runai-backend-deployment',
    restart: 'true',
    rolloutTimeout: '5s',
    verifyUser: 'alice',
    verifyPassword: files.verifyPassword,
    cliClientId: 'runai-cli',
    kubeconfigUser: 'runai-authenticated-user',
    authFlow: 'remote-browser',
    redirectUri: `${web.url}/oauth-code`,
    scimUrl: `${web.url}/scim/v2`,
    scimToken: files.keycloakPassword,
    scimTimeout: '2s',
    scimTestDomain: 'example.com',
  };
  return {
    dir,
    ldap,
    http: web,
    files,
    valid,
    traffic: () => ldap.count() + web.count() + watch.count(),
    async close() {
      watch.restore();
      await Promise.all([ldap.close(), web.close()]);
    },
  };
}

/** `alias` is a field's second flag spelling (scim-check's --url for --scim-url). */
export type Source = 'flag' | 'alias' | 'env' | 'config';

// The grammar itself says which command takes which input: a command takes a field when it has
// the option the field table generated for it. Matching the help text as well as the flag keeps
// kubeconfig's own --context (a flag of that command, not the kube-context field) apart.
const PROGRAM = buildProgram(async () => {});
const TAKES: ReadonlyMap<string, ReadonlySet<FieldKey>> = new Map(
  PROGRAM.commands.map((c) => [c.name(), new Set(FIELDS.filter((f) => f.flag && c.options.some((o) => o.long === f.flag && o.description.startsWith(f.help))).map((f) => f.key))]),
);

/** The fields `command` takes (flags, and so the variables and config keys it reads for them). */
export function fieldsOf(command: string): ReadonlySet<FieldKey> {
  const taken = TAKES.get(command);
  if (!taken) throw new Error(`no command ${command} in the program`);
  return taken;
}

/** The command a field is exercised through: `check` when it takes it, else the first command that does. */
export function commandFor(key: FieldKey): string {
  const order = ['check', ...[...TAKES.keys()].filter((c) => c !== 'check')];
  const command = order.find((c) => TAKES.get(c)!.has(key));
  if (!command) throw new Error(`no command takes ${key}`);
  return command;
}

/** The commands the malformed-input properties run (each needs its own baseline proof). */
export function commandsUsed(): string[] {
  return [...new Set(FIELDS.filter((f) => f.flag).map((f) => commandFor(f.key)))];
}

/**
 * The environment of a CI job giving `command` every input it takes, valid (secrets as files, by
 * flag), minus `except`. Inputs the command does not take are left out: a flag it does not know
 * is a usage error, and a variable it ignores would prove nothing.
 */
export function baseline(w: World, except: FieldKey[] = [], command = 'check'): { args: string[]; env: Record<string, string> } {
  const env: Record<string, string> = { CI: 'true', NO_COLOR: '1', HOME: w.dir, DIRLINK_STATE_DIR: join(w.dir, 'state') };
  const args: string[] = [];
  const taken = fieldsOf(command);
  const skip = new Set<FieldKey>([...except, 'keycloakClientId', 'keycloakClientSecret', 'startTls', 'restart']);
  for (const [key, value] of Object.entries(w.valid) as [FieldKey, string][]) {
    if (skip.has(key) || !taken.has(key)) continue;
    const f = FIELD_BY_KEY[key];
    if (f.type === 'secret') args.push(f.flag!, value);
    else env[f.env!] = value;
  }
  return { args, env };
}

let configCounter = 0;
/** Writes {section: {key: value}} as YAML or JSON (both are read by --config). */
export function configFile(w: World, doc: unknown, format: 'yaml' | 'json'): string {
  const p = join(w.dir, `config-${process.pid}-${configCounter++}.${format}`);
  writeFileSync(p, format === 'json' ? JSON.stringify(doc) : stringify(doc));
  return p;
}

export function nest(configKey: string, value: unknown): Record<string, unknown> {
  const [section, key] = configKey.split('.') as [string, string];
  return { [section]: { [key]: value } };
}

/** How an error must name the field for this source: its flag, its variable or its config key. */
export function originOf(f: Field, source: Source): string {
  if (source === 'flag') return f.flag!;
  if (source === 'alias') return f.alias!;
  if (source === 'env') return f.env!;
  return f.configKey!;
}

/** The arguments and environment that give `field` the raw `value` through `source`, on the command that takes it. */
export function withValue(w: World, key: FieldKey, value: string, source: Source, o: { json?: boolean; format?: 'yaml' | 'json'; equals?: boolean } = {}): { args: string[]; env: Record<string, string> } {
  const f = FIELD_BY_KEY[key];
  const command = commandFor(key);
  const { args, env } = baseline(w, [key], command);
  const cmd = [command, '--non-interactive', ...(o.json ? ['--json'] : [])];
  if (source === 'flag' || source === 'alias') {
    const flag = originOf(f, source);
    return { args: [...cmd, ...args, ...(o.equals ? [`${flag}=${value}`] : [flag, value])], env };
  }
  if (source === 'env') return { args: [...cmd, ...args], env: { ...env, [f.env!]: value } };
  return { args: [...cmd, ...args, '--config', configFile(w, nest(f.configKey!, value), o.format ?? 'yaml')], env };
}

// C0 controls but newline, DEL, C1 controls: none may reach the terminal from an error message
// (an echoed ESC can rewrite a CI log; an echoed newline can forge lines).
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/**
 * The contract for a refused input: exit 2, the message names `origin` (flag, variable or config
 * key), no stack trace, nothing Node printed, no raw control character, and zero network traffic.
 * In --json mode stdout is one JSON object whose error names the field. (The checks are plain
 * comparisons gathered into one expect: this runs tens of thousands of times.)
 */
export function expectRefused(r: Run, o: { origin: string; field?: string; json?: boolean; trafficBefore: number; traffic: number }): void {
  const all = `${r.stdout}\n${r.stderr}`;
  const problems: string[] = [];
  if (r.code !== 2) problems.push(`exit ${r.code}, not 2`);
  if (/^\s+at /m.test(all)) problems.push('a stack trace');
  if (/^\w*(Error|Exception)\b[^\n]*:/m.test(all)) problems.push('an "Error:" line from Node');
  if (/internal error|unexpected error/.test(all)) problems.push('an internal error');
  if (o.traffic !== o.trafficBefore) problems.push(`${o.traffic - o.trafficBefore} connection(s) or request(s)`);
  if (o.json) {
    let out: { ok?: boolean; exitCode?: number; error?: { message?: string; field?: string } } = {};
    try {
      out = JSON.parse(r.stdout) as typeof out;
    } catch {
      problems.push('stdout is not one JSON object');
    }
    if (out.ok !== false || out.exitCode !== 2) problems.push('JSON: not ok:false, exitCode:2');
    if (!out.error?.message?.includes(o.origin)) problems.push(`JSON: the message does not name ${o.origin}`);
    if (o.field && out.error?.field !== o.field) problems.push(`JSON: error.field is ${out.error?.field}, not ${o.field}`);
  } else {
    if (!r.stderr.includes(o.origin)) problems.push(`stderr does not name ${o.origin}`);
    if (CONTROL.test(r.stderr)) problems.push('a raw control character on stderr');
    if (r.stdout !== '') problems.push('output on stdout');
  }
  if (problems.length > 0) {
    expect(problems, JSON.stringify({ code: r.code, stdout: r.stdout.slice(0, 2000), stderr: r.stderr.slice(0, 2000) })).toEqual([]);
  }
}
