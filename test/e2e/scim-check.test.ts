// `dirlink scim-check` end to end: the built CLI, spawned as CI would run it, against a real SCIM 2.0
// server from npm (SCIMMY + scimmy-routers, in-memory users, bearer tokens, also over HTTPS) and
// against an endpoint that misbehaves the ways Entra's provisioning rejects. Every output of every
// run is scanned for the tokens at the end.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prompter, Question } from '../../src/inputs/prompter.js';
import { runCommand } from '../../src/run.js';
import { BIN, runCli, type RunOptions, type RunResult } from './harness.js';
import { startMisbehavingScim, type Misbehaviour } from '../world/scim/misbehaving.js';
import { startScimmyServer, type ScimmyServer } from '../world/scim/scimmy-server.js';
import { selfSignedCert, type SelfSigned } from '../world/scim/tls.js';

const TOKEN = 'scim-Bearer-t0ken-4f9a2c';
const READ_ONLY_TOKEN = 'scim-ReadOnly-t0ken-77e1';
const WRONG_TOKEN = 'scim-Wr0ng-t0ken-0b3d';
const SECRETS = [TOKEN, READ_ONLY_TOKEN, WRONG_TOKEN];
const SEED = [
  { userName: 'alice@corp.example', emails: [{ type: 'work', value: 'alice@corp.example' }] },
  { userName: 'bob@corp.example', emails: [{ type: 'work', value: 'bob@corp.example' }] },
];

const dir = mkdtempSync(join(tmpdir(), 'dirlink-scim-e2e-'));
const outputs: { name: string; r: RunResult }[] = [];

/** Runs the CLI the way a CI job would (CI=true, no colour, token from the environment unless told otherwise). */
async function scim(name: string, args: string[], o: RunOptions = {}): Promise<RunResult> {
  const r = await runCli(['scim-check', ...args], {
    ...o,
    env: { CI: 'true', NO_COLOR: '1', HOME: dir, NODE_EXTRA_CA_CERTS: undefined, DIRLINK_SCIM_URL: undefined, DIRLINK_SCIM_TOKEN: TOKEN, ...o.env },
  });
  outputs.push({ name, r });
  return r;
}
const json = (r: RunResult) => JSON.parse(r.stdout) as { ok: boolean; exitCode: number; error?: { code: string; message: string; hint?: string; field?: string }; scim: { checks: { id: string; status: string; reason?: string }[]; testUser?: { userName: string; id?: string; created: boolean; deleted?: boolean } } };

let server: ScimmyServer;
let cert: SelfSigned;

beforeAll(async () => {
  cert = selfSignedCert();
  server = await startScimmyServer({ token: TOKEN, readOnlyToken: READ_ONLY_TOKEN, tls: { key: cert.key, cert: cert.cert }, seed: SEED });
});
afterAll(async () => server?.close());

describe('against a real SCIM 2.0 server (SCIMMY)', () => {
  it("passes Entra's Test Connection and the discovery checks, and sends what Entra sends", async () => {
    const before = server.requests.length;
    const r = await scim('read-only check', ['--url', server.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✔ Test Connection: 200, empty ListResponse \(totalResults 0\), application\/scim\+json/);
    expect(r.stdout).toMatch(/✔ ServiceProviderConfig: PATCH, filter/);
    expect(r.stdout).toMatch(/✔ Schemas: User schema has userName and emails\[type eq "work"\]\.value/);
    expect(r.stdout).toMatch(/✔ Token required: refused without a token \(HTTP 401\)/);
    expect(r.stdout).toContain('add --write-test');
    const seen = server.requests.slice(before);
    // the Test Connection query: a GUID nobody has, with the token, as Entra sends it
    expect(seen[0]).toMatchObject({ method: 'GET', authorized: true, status: 200 });
    expect(decodeURIComponent(seen[0]!.url.replace(/\+/g, ' '))).toMatch(/^\/scim\/v2\/Users\?filter=userName eq "[0-9a-f-]{36}"$/);
    expect(seen.at(-1)).toMatchObject({ authorized: false, status: 401 });
    expect(seen.every((q) => q.method === 'GET')).toBe(true);
  });

  it('--write-test creates a UPN-style user, finds it, disables it with PATCH, deletes it: nothing is left', async () => {
    const before = server.requests.length;
    const r = await scim('write test json', ['--url', server.url, '--write-test', '--json']);
    expect(r.code).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({ ok: true, exitCode: 0 });
    expect(out.scim.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'scim.test-connection:ok', 'scim.service-provider-config:ok', 'scim.schemas:ok', 'scim.token-required:ok',
      'scim.create:ok', 'scim.lookup:ok', 'scim.patch:ok', 'scim.delete:ok', 'scim.gone:ok',
    ]);
    const user = out.scim.testUser!;
    expect(user.userName).toMatch(/^dirlink-scimcheck-[0-9a-f]{8}@example\.com$/);
    expect(user).toMatchObject({ created: true, deleted: true });
    const seen = server.requests.slice(before);
    const post = seen.find((q) => q.method === 'POST')!;
    expect(post).toMatchObject({ status: 201, url: '/scim/v2/Users' });
    expect(post.body).toMatchObject({ userName: user.userName, emails: [{ type: 'work', value: user.userName, primary: true }] });
    expect(seen.find((q) => q.method === 'PATCH')).toMatchObject({ status: 200, url: `/scim/v2/Users/${user.id}`, body: { Operations: [{ op: 'Replace', path: 'active', value: false }] } });
    expect(seen.find((q) => q.method === 'DELETE')).toMatchObject({ status: 204, url: `/scim/v2/Users/${user.id}` });
    expect([...server.users.values()].map((u) => u.userName).sort()).toEqual(['alice@corp.example', 'bob@corp.example']);
  });

  it('takes the test domain, the token from a file, stdin or a config file', async () => {
    const tokenFile = join(dir, 'scim-token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const fromFile = await scim('token file', ['--scim-url', server.url, '--scim-token-file', tokenFile, '--write-test', '--scim-test-domain', 'corp.example.com', '--json'], { env: { DIRLINK_SCIM_TOKEN: undefined } });
    expect(fromFile.code).toBe(0);
    expect(json(fromFile).scim.testUser!.userName).toMatch(/@corp\.example\.com$/);

    const fromStdin = await scim('token stdin', ['--url', server.url, '--scim-token-stdin'], { env: { DIRLINK_SCIM_TOKEN: undefined }, input: `${TOKEN}\n` });
    expect(fromStdin.code).toBe(0);

    const config = join(dir, 'dirlink.yaml');
    writeFileSync(config, `scim:\n  url: ${server.url}\n  tokenFile: ${tokenFile}\n  timeout: 5s\n`);
    const fromConfig = await scim('config file', ['--config', config], { env: { DIRLINK_SCIM_TOKEN: undefined } });
    expect(fromConfig.code).toBe(0);
  });

  it('a wrong token: exit 7, the 401 explained, pointing at the token', async () => {
    const r = await scim('wrong token json', ['--url', server.url, '--json'], { env: { DIRLINK_SCIM_TOKEN: WRONG_TOKEN } });
    expect(r.code).toBe(7);
    const out = json(r);
    expect(out.error).toMatchObject({ code: 'scim.test-connection.unauthorized', field: 'scimToken' });
    expect(out.error!.message).toContain('HTTP 401: the endpoint rejected the token');
    expect(out.error!.hint).toMatch(/wrong, expired or revoked/);
    expect(out.scim.checks.slice(1).every((c) => c.status === 'skipped')).toBe(true);
  });

  it('a read-only token with --write-test: exit 7, the 403 explained, nothing created', async () => {
    const users = server.users.size;
    const r = await scim('read-only token', ['--url', server.url, '--write-test'], { env: { DIRLINK_SCIM_TOKEN: READ_ONLY_TOKEN } });
    expect(r.code).toBe(7);
    expect(r.stdout).toMatch(/✖ Create test user \S+: HTTP 403: the token was recognised but may not create users \("this API key is read-only"\)/);
    expect(r.stderr).toMatch(/SCIM provisioning permission/);
    expect(r.stdout).toMatch(/- Delete it: not run: nothing was created/);
    expect(server.users.size).toBe(users);
  });

  it('HTTPS with a certificate Entra would not trust: exit 7; trusted through NODE_EXTRA_CA_CERTS: exit 0', async () => {
    const untrusted = await scim('tls untrusted', ['--url', server.httpsUrl!]);
    expect(untrusted.code).toBe(7);
    expect(untrusted.stdout).toMatch(/✖ Test Connection: TLS failed with 127\.0\.0\.1:\d+: \S+ \(certificate not trusted\)/);
    expect(untrusted.stderr).toMatch(/Entra only trusts certificates from public CAs/);
    const trusted = await scim('tls trusted', ['--url', server.httpsUrl!, '--write-test'], { env: { NODE_EXTRA_CA_CERTS: cert.certFile } });
    expect(trusted.code).toBe(0);
  });
});

describe('interactive', () => {
  it('asks for the URL, then for the token with a masked prompt, and nothing else', async () => {
    const asked: string[] = [];
    const answers: Record<string, string> = { scimUrl: `${server.url}/`, scimToken: TOKEN };
    const answer = (kind: string) => async (q: Question) => {
      asked.push(`${kind} ${q.name}`);
      const v = answers[q.name];
      if (v === undefined || q.validate?.(v) !== true) throw new Error(`unexpected prompt ${q.name}`);
      return v;
    };
    const unexpected = async (q: { name: string }): Promise<never> => {
      throw new Error(`unexpected prompt ${q.name}`);
    };
    const prompter: Prompter = { input: answer('input'), password: answer('password'), select: unexpected, confirm: unexpected };
    const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
    (stdin as { isTTY?: boolean }).isTTY = true;
    let text = '';
    const sink = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }) as unknown as NodeJS.WriteStream;
    const code = await runCommand('scim-check', {}, { argv: [], stdin, stdout: sink, stderr: sink, env: { NO_COLOR: '1' }, overrides: { prompter } });
    expect(asked).toEqual(['input scimUrl', 'password scimToken']);
    expect(code).toBe(0);
    expect(text).toContain(`SCIM endpoint ${server.url}\n`);
    expect(text).toContain('SCIM check passed');
    expect(text).not.toContain(TOKEN);
  });
});

describe('usage errors (exit 2)', () => {
  it('a missing URL in CI lists the flag, the alias and the variable', async () => {
    const r = await scim('missing url', []);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing input (non-interactive mode never prompts)');
    expect(r.stderr).toContain('SCIM URL: --url / --scim-url / DIRLINK_SCIM_URL / config scim.url');
  });

  it('refuses the token as a flag value, a URL with /Users, and two different URLs', async () => {
    const plain = await scim('token flag', ['--url', 'https://scim.example.com/v2', '--scim-token', WRONG_TOKEN]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/--scim-token is refused: a secret on the command line shows in `ps`/);
    const users = await scim('users url', ['--url', 'https://scim.example.com/v2/Users']);
    expect(users.code).toBe(2);
    expect(users.stderr).toContain('without /Users');
    const both = await scim('two urls', ['--url', 'https://a.example.com/scim', '--scim-url', 'https://b.example.com/scim']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--url and --scim-url name the same input with different values');
  });
});

describe('against an endpoint that misbehaves the ways Entra rejects (exit 7)', () => {
  const cases: [Misbehaviour, string, RegExp, RegExp?][] = [
    ['not-found-on-filter', 'scim.test-connection.not-found-on-filter', /✖ Test Connection: HTTP 404 for a filter that matches nobody/, /Entra's Test Connection fails on 404: answer 200 with an empty ListResponse/],
    ['unauthorized', 'scim.test-connection.unauthorized', /✖ Test Connection: HTTP 401: the endpoint rejected the token/, /generate a new one/],
    ['forbidden', 'scim.test-connection.forbidden', /✖ Test Connection: HTTP 403: the token was recognised but may not answer the Test Connection query/],
    ['wrong-content-type', 'scim.test-connection.content-type', /✖ Test Connection: .*Content-Type is text\/html, not application\/scim\+json/, /Content-Type: application\/scim\+json/],
    ['no-total-results', 'scim.test-connection.no-total-results', /✖ Test Connection: not a valid ListResponse: totalResults is missing/],
    ['no-schemas', 'scim.test-connection.no-list-schema', /✖ Test Connection: not a valid ListResponse: "schemas" does not contain urn:ietf:params:scim:api:messages:2\.0:ListResponse/],
    ['ignores-filter', 'scim.test-connection.filter-ignored', /✖ Test Connection: returned 2 users for a userName nobody has: the filter is ignored/, /update that person instead of creating a new one/],
    ['html-login', 'scim.test-connection.html-page', /✖ Test Connection: the answer is not JSON \(an HTML page\)/, /login page/],
    ['hangs', 'scim.test-connection.timeout', /✖ Test Connection: no answer from 127\.0\.0\.1:\d+ within 1 s/],
    ['patch-unsupported', 'scim.patch.patch-rejected', /✖ Disable it \(PATCH\): HTTP 405/, /Entra sends every update and every disable as PATCH/],
  ];

  for (const [mode, code, line, hint] of cases) {
    it(`${mode}: ${code}`, async () => {
      const m = await startMisbehavingScim({ token: TOKEN, mode, seed: SEED });
      try {
        const r = await scim(`misbehaving ${mode}`, ['--url', m.url, '--write-test', '--timeout', '1s']);
        expect(r.code, r.stdout + r.stderr).toBe(7);
        expect(r.stdout).toMatch(line);
        if (hint) expect(r.stdout + r.stderr).toMatch(hint);
        const j = await scim(`misbehaving ${mode} json`, ['--url', m.url, '--timeout', '1s', '--json', ...(mode === 'patch-unsupported' ? ['--write-test'] : [])]);
        expect(json(j).error?.code).toBe(code);
        // whatever went wrong, no test user stays behind
        expect([...m.users.values()].filter((u) => String(u.userName).startsWith('dirlink-scimcheck-'))).toEqual([]);
      } finally {
        await m.close();
      }
    });
  }

  it('delete fails: exit 7, and the user left on the server is named with the way to remove it', async () => {
    const m = await startMisbehavingScim({ token: TOKEN, mode: 'delete-fails', seed: SEED });
    try {
      const r = await scim('misbehaving delete-fails', ['--url', m.url, '--write-test', '--json']);
      expect(r.code).toBe(7);
      const out = json(r);
      const left = [...m.users.values()].filter((u) => String(u.userName).startsWith('dirlink-scimcheck-'));
      expect(left).toHaveLength(1);
      expect(out.error).toMatchObject({ code: 'scim.delete.delete-failed' });
      expect(out.error!.message).toContain(`the test user ${String(left[0]!.userName)} (id ${String(left[0]!.id)}) is still on the server`);
      expect(out.error!.hint).toContain(`delete it by hand (DELETE ${m.url}/Users/${String(left[0]!.id)})`);
      expect(out.scim.testUser).toMatchObject({ created: true, deleted: false });
    } finally {
      await m.close();
    }
  });

  it('application/json and an open endpoint only warn: exit 0', async () => {
    for (const mode of ['json-content-type', 'open'] as const) {
      const m = await startMisbehavingScim({ token: TOKEN, mode, seed: SEED });
      try {
        const r = await scim(`misbehaving ${mode}`, ['--url', m.url]);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toMatch(mode === 'open' ? /! Token required: answered HTTP 200 without a token/ : /! Test Connection: .*Content-Type is application\/json/);
        expect(r.stdout).toMatch(/1 warning above/);
      } finally {
        await m.close();
      }
    }
  });

  it('Ctrl-C while the endpoint hangs is a cancellation: exit 130, not a verdict', async () => {
    const m = await startMisbehavingScim({ token: TOKEN, mode: 'hangs' });
    try {
      const child = spawn(process.execPath, [BIN, 'scim-check', '--url', m.url, '--timeout', '10m'], {
        env: { ...process.env, CI: 'true', NO_COLOR: '1', DIRLINK_SCIM_TOKEN: TOKEN },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      // interrupt once the Test Connection request is waiting on the endpoint
      while (m.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 30_000))]);
      if (code === 'stuck') child.kill('SIGKILL');
      expect(code, text).toBe(130);
      expect(text).toContain('interrupted (Ctrl-C)');
      outputs.push({ name: 'ctrl-c', r: { code: 130, stdout: text, stderr: '', signal: null } });
    } finally {
      await m.close();
    }
  });

  it('nothing listening: exit 7, connection refused, pointing at the URL', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const r = await scim('refused json', ['--url', `http://127.0.0.1:${port}/scim/v2`, '--json']);
    expect(r.code).toBe(7);
    expect(json(r).error).toMatchObject({ code: 'scim.test-connection.refused', field: 'scimUrl' });
  });
});

describe('secrets', () => {
  it('no token appears in any stdout, stderr or JSON of the runs above', () => {
    expect(outputs.length).toBeGreaterThan(25);
    // the "unauthorized" endpoint echoes the Authorization header in its error: the redactor must catch it
    const echoed = outputs.find((o) => o.name === 'misbehaving unauthorized')!;
    expect(echoed.r.stdout).toContain('Bearer ********');
    const leaks: string[] = [];
    for (const { name, r } of outputs) {
      for (const s of SECRETS) {
        if (r.stdout.includes(s)) leaks.push(`${name}: stdout contains ${s.slice(0, 8)}…`);
        if (r.stderr.includes(s)) leaks.push(`${name}: stderr contains ${s.slice(0, 8)}…`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
