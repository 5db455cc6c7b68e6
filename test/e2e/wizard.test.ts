// The guided wizard: first through an injected, scripted prompter (no module mocks: the same
// pipeline, with the Prompter port replaced), then once for real in a terminal (tmux).
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CancelledError } from '../../src/errors.js';
import type { Prompter, Question } from '../../src/inputs/prompter.js';
import { discover } from '../../src/ldap/discover.js';
import { probeLdap } from '../../src/ldap/probe.js';
import type { Discovery } from '../../src/ldap/types.js';
import { runCommand } from '../../src/run.js';
import { KC_ADMIN_PASSWORD, hasTmux, startInTmux, startSandbox, type Sandbox } from './harness.js';

const world = inject('world');

/**
 * Answers by question name; a list means "re-typed after a validation error"; '<default>' takes
 * the offered default. Runs validate like the real prompt, and records what each question offered.
 * An Error as the answer is thrown (to stop the wizard at that question).
 */
function scriptedPrompter(script: Record<string, unknown>) {
  const asked: string[] = [];
  const reasons: string[] = [];
  const offered: Record<string, { message: string; default?: string; choices?: { value: string; name: string }[] }> = {};
  const answer = async (q: Question) => {
    asked.push(q.name);
    offered[q.name] = { message: q.message, ...(q.default !== undefined ? { default: q.default } : {}) };
    if (!(q.name in script)) throw new Error(`unexpected prompt: ${q.name} (${q.message})`);
    if (script[q.name] instanceof Error) throw script[q.name];
    for (const v of [script[q.name]].flat().map((x) => (x === '<default>' ? q.default : x)) as string[]) {
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
      offered[q.name] = { message: q.message, choices: q.choices.map((c) => ({ value: c.value, name: c.name })), ...(q.default !== undefined ? { default: q.default } : {}) };
      if (!(q.name in script)) throw new Error(`unexpected prompt: ${q.name}`);
      const v = script[q.name] as string;
      return (v === '<first>' ? q.choices[0]!.value : v === '<default>' ? q.default : v) as never;
    },
    confirm: async (q) => {
      asked.push(q.name);
      if (!(q.name in script)) throw new Error(`unexpected prompt: ${q.name}`);
      return script[q.name] as boolean;
    },
  };
  return { p, asked, reasons, offered };
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

  it('asks only what is missing, re-asks an invalid answer, offers what discovery found as the defaults and applies after yes', async () => {
    const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
    (stdin as { isTTY?: boolean }).isTTY = true;
    const out = captured();
    const err = captured();
    const d = world.openldap;
    const { p, asked, reasons, offered } = scriptedPrompter({
      ldapUrl: ['ldap//typo', d.url],
      bindDn: d.bindDn,
      bindPassword: d.bindPassword,
      vendor: '<default>',
      usersDnChoice: '<first>',
      usernameAttribute: '<default>',
      emailAttribute: '<default>',
      keycloakUrl: sb.kc.url,
      realm: 'runai',
      keycloakUser: 'admin',
      keycloakPassword: KC_ADMIN_PASSWORD,
      confirm: true,
    });
    const env = { HOME: sb.dir, DIRLINK_STATE_DIR: join(sb.dir, 'state'), KUBECONFIG: sb.kubeconfig, DIRLINK_ROLLOUT_TIMEOUT: '60s' };
    // the real discovery, recorded on its way to the wizard
    const found: Discovery[] = [];
    const ldap = { probe: probeLdap, discover: async (c: Parameters<typeof discover>[0]) => { const x = await discover(c); found.push(x); return x; } };
    const code = await runCommand('setup', {}, { argv: [], stdin, stdout: out.w, stderr: err.w, env, overrides: { prompter: p, ldap } });
    expect(code, out.text() + err.text()).toBe(0);
    expect(asked).toEqual(['ldapUrl', 'bindDn', 'bindPassword', 'vendor', 'usersDnChoice', 'usernameAttribute', 'emailAttribute', 'keycloakUrl', 'realm', 'keycloakUser', 'keycloakPassword', 'confirm']);
    expect(reasons[0]).toMatch(/LDAP URL/);
    // every default offered is what the directory said about itself
    expect(found).toHaveLength(1);
    const f = found[0]!;
    expect(f).toMatchObject({ vendor: 'other', vendorName: 'OpenLDAP', suggestedUsernameAttribute: 'uid', suggestedEmailAttribute: 'mail' });
    expect(offered.vendor).toMatchObject({ default: 'other', message: 'Vendor (detected: OpenLDAP)' }); // without discovery: ad
    expect(offered.usersDnChoice!.choices!.slice(0, -1).map((c) => c.value)).toEqual(f.candidateUsersDns.map((c) => c.dn));
    expect(offered.usersDnChoice!.choices![0]).toEqual({ value: d.usersDn, name: `${d.usersDn}  (${d.userCount} users)` });
    expect(offered.usersDnChoice!.choices!.at(-1)).toMatchObject({ value: '' }); // "Another DN…"
    expect(offered.usernameAttribute!.default).toBe(f.suggestedUsernameAttribute);
    expect(offered.emailAttribute!.default).toBe(f.suggestedEmailAttribute);
    const fed = sb.federation()!;
    expect(fed.config).toMatchObject({ vendor: ['other'], usersDn: [d.usersDn], usernameLDAPAttribute: ['uid'] });
    expect(out.text()).not.toContain(d.bindPassword);
  });

  it('the attribute defaults come from what the entries carry, not from the vendor chosen', async () => {
    // vendor answered "ad" on OpenLDAP: the AD defaults would be sAMAccountName / userPrincipalName,
    // but the users carry uid and mail, so those are offered; the wizard is stopped at the next question
    const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
    (stdin as { isTTY?: boolean }).isTTY = true;
    const out = captured();
    const d = world.openldap;
    sb.kc.resetRequests();
    const { p, offered } = scriptedPrompter({
      ldapUrl: d.url, bindDn: d.bindDn, bindPassword: d.bindPassword,
      vendor: 'ad', usersDnChoice: '<first>', usernameAttribute: '<default>', emailAttribute: '<default>',
      keycloakUrl: new CancelledError('stopped by the test'),
    });
    const env = { HOME: sb.dir, DIRLINK_STATE_DIR: join(sb.dir, 'state'), KUBECONFIG: sb.kubeconfig };
    const code = await runCommand('setup', {}, { argv: [], stdin, stdout: out.w, stderr: out.w, env, overrides: { prompter: p } });
    expect(code, out.text()).toBe(130);
    expect(offered.vendor!.default).toBe('other');
    expect(offered.usernameAttribute!.default).toBe('uid');
    expect(offered.emailAttribute!.default).toBe('mail');
    expect(sb.kc.requests).toEqual([]);
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


describe.skipIf(!hasTmux)('the real wizard in a terminal (tmux)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => sb?.close());

  it('masks the password, and applies after the confirmation', async () => {
    const d = world.openldap;
    const env = { ...sb.env(d), CI: '', DIRLINK_BIND_PASSWORD: '', DIRLINK_USERS_DN: '', DIRLINK_VENDOR: 'other', DIRLINK_USERNAME_ATTRIBUTE: 'uid', DIRLINK_EMAIL_ATTRIBUTE: 'mail', DIRLINK_REALM: 'runai', DIRLINK_KEYCLOAK_USER: 'admin' };
    const t = startInTmux('wizard', env, ['setup']);
    try {
      await t.waitFor(/Bind password/);
      t.keys('-l', d.bindPassword);
      const typed = await t.waitFor(/Bind password.*\*{4,}/);
      expect(typed).not.toContain(d.bindPassword);
      t.keys('Enter');
      await t.waitFor(/Users DN/);
      t.keys('Enter'); // the first suggested OU
      await t.waitFor(/Apply this plan\?/, 60_000);
      t.keys('y', 'Enter');
      const end = await t.waitFor(/EXIT=\d+/, 60_000);
      expect(end).toContain('EXIT=0');
      expect(end).not.toContain(d.bindPassword);
      expect(sb.federation()).toBeDefined();
    } finally {
      t.kill();
    }
  });
});
