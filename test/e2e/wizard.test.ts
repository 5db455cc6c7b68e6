// The guided wizard: first through an injected, scripted prompter (no module mocks: the same
// pipeline, with the Prompter port replaced), then once for real in a terminal (tmux).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Prompter, Question } from '../../src/inputs/prompter.js';
import { runCommand } from '../../src/run.js';
import { BIN, KC_ADMIN_PASSWORD, startSandbox, type Sandbox } from './harness.js';

const world = inject('world');

/** Answers by question name; a list means "re-typed after a validation error". Runs validate like the real prompt. */
function scriptedPrompter(script: Record<string, unknown>) {
  const asked: string[] = [];
  const reasons: string[] = [];
  const answer = async (q: Question) => {
    asked.push(q.name);
    if (!(q.name in script)) throw new Error(`unexpected prompt: ${q.name} (${q.message})`);
    for (const v of [script[q.name]].flat() as string[]) {
      const verdict = q.validate?.(v) ?? true;
      if (verdict === true) return v;
      reasons.push(verdict);
    }
    throw new Error(`no valid scripted answer for ${q.name}`);
  };
  const p: Prompter = {
    input: answer,
    password: answer,
    select: async (q) => {
      asked.push(q.name);
      if (!(q.name in script)) throw new Error(`unexpected prompt: ${q.name}`);
      const v = script[q.name] as string;
      return (v === '<first>' ? q.choices[0]!.value : v) as never;
    },
    confirm: async (q) => {
      asked.push(q.name);
      if (!(q.name in script)) throw new Error(`unexpected prompt: ${q.name}`);
      return script[q.name] as boolean;
    },
  };
  return { p, asked, reasons };
}

function captured() {
  let text = '';
  const w = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }) as unknown as NodeJS.WriteStream;
  (w as { isTTY?: boolean }).isTTY = false;
  return { w, text: () => text };
}

describe('wizard through an injected prompter', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => sb?.close());

  it('asks only what is missing, re-asks an invalid answer, uses discovery and applies after yes', async () => {
    const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
    (stdin as { isTTY?: boolean }).isTTY = true;
    const out = captured();
    const err = captured();
    const d = world.openldap;
    const { p, asked, reasons } = scriptedPrompter({
      ldapUrl: ['ldap//typo', d.url],
      bindDn: d.bindDn,
      bindPassword: d.bindPassword,
      vendor: 'other',
      usersDnChoice: '<first>',
      usernameAttribute: 'uid',
      emailAttribute: 'mail',
      keycloakUrl: sb.kc.url,
      realm: 'runai',
      keycloakUser: 'admin',
      keycloakPassword: KC_ADMIN_PASSWORD,
      confirm: true,
    });
    const env = { HOME: sb.dir, DIRLINK_STATE_DIR: join(sb.dir, 'state'), KUBECONFIG: sb.kubeconfig, DIRLINK_ROLLOUT_TIMEOUT: '60s' };
    const code = await runCommand('setup', {}, { argv: [], stdin, stdout: out.w, stderr: err.w, env, overrides: { prompter: p } });
    expect(code, out.text() + err.text()).toBe(0);
    expect(asked).toEqual(['ldapUrl', 'bindDn', 'bindPassword', 'vendor', 'usersDnChoice', 'usernameAttribute', 'emailAttribute', 'keycloakUrl', 'realm', 'keycloakUser', 'keycloakPassword', 'confirm']);
    expect(reasons[0]).toMatch(/LDAP URL/);
    expect(sb.federation()!.config.usersDn).toEqual([d.usersDn]);
    expect(out.text()).not.toContain(d.bindPassword);
  });

  it('"no" at the confirmation cancels with 130 and changes nothing', async () => {
    const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
    (stdin as { isTTY?: boolean }).isTTY = true;
    const out = captured();
    const d = world.openldap;
    sb.kc.resetRequests();
    const { p } = scriptedPrompter({ confirm: false });
    const env = { ...sb.env(d), CI: undefined, DIRLINK_VENDOR: 'other', DIRLINK_USERNAME_ATTRIBUTE: 'uid', DIRLINK_EMAIL_ATTRIBUTE: 'mail', DIRLINK_FEDERATION_NAME: 'second', DIRLINK_REALM: 'runai', DIRLINK_KEYCLOAK_USER: 'admin' } as NodeJS.ProcessEnv;
    const code = await runCommand('setup', {}, { argv: [], stdin, stdout: out.w, stderr: out.w, env, overrides: { prompter: p } });
    expect(code, out.text()).toBe(130);
    expect(out.text()).toMatch(/Nothing was changed/);
    expect(sb.kc.writes()).toEqual([]);
  });
});

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

describe.skipIf(!hasTmux)('the real wizard in a terminal (tmux)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => sb?.close());

  it('masks the password, and applies after the confirmation', async () => {
    const d = world.openldap;
    const dir = mkdtempSync(join(tmpdir(), 'dirlink-tmux-'));
    const session = `dirlink-${process.pid}`;
    const env = { ...sb.env(d), CI: '', DIRLINK_BIND_PASSWORD: '', DIRLINK_USERS_DN: '', DIRLINK_VENDOR: 'other', DIRLINK_USERNAME_ATTRIBUTE: 'uid', DIRLINK_EMAIL_ATTRIBUTE: 'mail', DIRLINK_REALM: 'runai', DIRLINK_KEYCLOAK_USER: 'admin' };
    const script = join(dir, 'run.sh');
    writeFileSync(
      script,
      `#!/bin/sh\n${Object.entries(env).map(([k, v]) => (v ? `export ${k}='${v}'` : `unset ${k}`)).join('\n')}\nunset CI\n'${process.execPath}' '${BIN}' setup; echo "EXIT=$?"; sleep 30\n`,
      { mode: 0o755 },
    );
    const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
    tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '50', script);
    const screen = () => tmux('capture-pane', '-p', '-t', session, '-S', '-200');
    const waitFor = async (re: RegExp, ms = 30_000) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const s = screen();
        if (re.test(s)) return s;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${re}; screen:\n${screen()}`);
    };
    try {
      await waitFor(/Bind password/);
      tmux('send-keys', '-t', session, '-l', d.bindPassword);
      const typed = await waitFor(/Bind password.*\*{4,}/);
      expect(typed).not.toContain(d.bindPassword);
      tmux('send-keys', '-t', session, 'Enter');
      await waitFor(/Users DN/);
      tmux('send-keys', '-t', session, 'Enter'); // the first suggested OU
      await waitFor(/Apply this plan\?/, 60_000);
      tmux('send-keys', '-t', session, 'y', 'Enter');
      const end = await waitFor(/EXIT=\d+/, 60_000);
      expect(end).toContain('EXIT=0');
      expect(end).not.toContain(d.bindPassword);
      expect(sb.federation()).toBeDefined();
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  });
});
