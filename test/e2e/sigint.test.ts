// Ctrl-C end to end: SIGINT sent to the spawned CLI at a prompt (a real terminal, tmux), while it
// writes to Keycloak, while it waits for the rollout, and during the directory check. Each time:
// exit 130, one clean line saying what was applied and what was not (no stack trace), and a rerun
// that converges. The tests act on output markers and on what the emulators received, never on sleeps.
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { rolloutState, type DeploymentJson } from '../../src/kubernetes/status.js';
import { KC_ADMIN_PASSWORD, filesUnder, findLeaks, hasTmux, silentServer, startInTmux, startSandbox, type RunResult, type Sandbox } from './harness.js';

const world = inject('world');
const d = world.ad;
const STACK = /\n\s+at .+:\d+:\d+/;
const FROZEN_MS = 1e9;

const ldapProviders = (sb: Sandbox) => {
  const r = sb.kc.state.realms.get('runai')!;
  return [...r.components.values()].filter((c) => c.providerId === 'ldap' && c.parentId === r.id);
};
const restarts = (sb: Sandbox) => sb.kube.writes().filter((w) => w.method === 'PATCH' && w.status === 200);
const kcChanges = (sb: Sandbox) => sb.kc.writes().filter((w) => w.status >= 200 && w.status < 300);

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The last "✖ …" line and its "→ …" hint: what a person reads after Ctrl-C. */
function verdict(r: RunResult): { line: string; hint: string } {
  const lines = r.stderr.split('\n');
  const i = lines.findLastIndex((l) => l.startsWith('✖ '));
  expect(i, r.stderr).toBeGreaterThanOrEqual(0);
  return { line: lines[i]!, hint: lines[i + 1]?.trim() ?? '' };
}

/** A CI rerun converges: one federation, the email mapper on userPrincipalName, a finished rollout after the last change; then nothing to do. */
async function rerunConverges(sb: Sandbox): Promise<RunResult[]> {
  const again = await sb.run(['setup'], d);
  expect(again.code, again.stdout + again.stderr).toBe(0);
  const feds = ldapProviders(sb);
  expect(feds).toHaveLength(1);
  const realm = sb.kc.state.realms.get('runai')!;
  const emails = [...realm.components.values()].filter((m) => m.parentId === feds[0]!.id && m.config['user.model.attribute']?.[0] === 'email');
  expect(emails.map((m) => m.config['ldap.attribute'])).toEqual([['userPrincipalName']]);
  expect(Math.max(...restarts(sb).map((w) => w.at))).toBeGreaterThanOrEqual(Math.max(...kcChanges(sb).map((w) => w.at)));
  expect(rolloutState(sb.kube.getDeployment('runai-backend', 'runai-backend-deployment') as unknown as DeploymentJson, 'x').done).toBe(true);
  sb.kc.resetRequests();
  sb.kube.resetRequests();
  const third = await sb.run(['setup', '--json'], d);
  expect(third.code).toBe(0);
  expect(JSON.parse(third.stdout).plan).toEqual([]);
  expect(sb.kc.writes()).toEqual([]);
  expect(sb.kube.writes()).toEqual([]);
  return [again, third];
}

describe('Ctrl-C (SIGINT) in CI mode', () => {
  let sb: Sandbox;
  let inputs: Set<string>;
  const outputs: { name: string; text: string }[] = [];
  const keep = (name: string, ...rs: RunResult[]) => rs.forEach((r, i) => outputs.push({ name: `${name} ${i}: stdout`, text: r.stdout }, { name: `${name} ${i}: stderr`, text: r.stderr }));

  beforeEach(async () => {
    sb = await startSandbox();
    sb.env(d);
    inputs = new Set(filesUnder(sb.dir));
  });
  afterEach(async () => {
    // nothing secret in anything dirlink printed or wrote
    const written = filesUnder(sb.dir).filter((f) => !inputs.has(f));
    expect(findLeaks([d.bindPassword, KC_ADMIN_PASSWORD, d.userPassword], outputs, written)).toEqual([]);
    outputs.length = 0;
    await sb.close();
  });

  it('during the Keycloak writes: the write in flight finishes, the next is not sent; exit 130', async () => {
    let release!: () => void;
    sb.kc.faults.add({ method: 'POST', path: '/admin/realms/runai/components', until: new Promise<void>((r) => (release = r)) });
    const p = sb.start(['setup', '--verbose'], d);
    await p.waitFor(/Apply to Keycloak: create federation "ldap"/);
    await until('Keycloak holds the create', () => sb.kc.requests.some((q) => q.method === 'POST' && /\/components\/?$/.test(q.path)));
    p.child.kill('SIGINT');
    await p.waitFor(/stopping \(Ctrl-C again to quit at once\)/);
    release();
    const r = await p.done;
    keep('apply', r);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    expect(r.stderr).not.toMatch(STACK);
    const v = verdict(r);
    expect(v.line).toBe(
      '✖ interrupted (Ctrl-C) between two Keycloak writes. Applied: create federation "ldap". Not applied: set mapper "email" to userPrincipalName; restart runai-backend/runai-backend-deployment.',
    );
    expect(v.hint).toMatch(/→ To finish, run dirlink setup again/);
    // the emulator agrees: created, mapper untouched, no restart
    expect(ldapProviders(sb)).toHaveLength(1);
    expect(sb.kc.writes().map((w) => w.method)).toEqual(['POST']);
    expect(restarts(sb)).toEqual([]);
    keep('apply rerun', ...(await rerunConverges(sb)));
  });

  it('while waiting for the rollout: exit 130, the rollout state and what was applied are reported', async () => {
    sb.kube.controller.stepMs = FROZEN_MS;
    const p = sb.start(['setup'], d);
    await p.waitFor(/Rollout: /);
    p.child.kill('SIGINT');
    const r = await p.done;
    keep('rollout', r);
    expect(r.code).toBe(130);
    expect(r.stderr).not.toMatch(STACK);
    const v = verdict(r);
    expect(v.line).toMatch(/^✖ interrupted \(Ctrl-C\) while waiting for the rollout of runai-backend\/runai-backend-deployment: Waiting for deployment spec update to be observed\.\.\. Applied: create federation "ldap"; set mapper "email" to userPrincipalName; restart runai-backend\/runai-backend-deployment\. Not applied: nothing\.$/);
    expect(v.hint).toMatch(/kubectl rollout status deployment\/runai-backend-deployment -n runai-backend/);
    expect(restarts(sb)).toHaveLength(1);
    sb.kube.controller.stepMs = 20;
    keep('rollout rerun', ...(await rerunConverges(sb)));
  });

  it('during the directory check: exit 130 at once, nothing sent to Keycloak', async () => {
    const silent = await silentServer();
    try {
      const p = sb.start(['setup', '--verbose'], d, { env: { DIRLINK_LDAP_URL: `ldap://127.0.0.1:${silent.port}`, DIRLINK_LDAP_TIMEOUT: '10m', DIRLINK_VENDOR: 'ad' } });
      await until('dirlink connected to the directory', () => silent.connections() > 0);
      await p.waitFor(/Directory ldap:\/\/127\.0\.0\.1/);
      p.child.kill('SIGINT');
      const r = await p.done;
      keep('ldap', r);
      expect(r.code).toBe(130);
      expect(r.stderr).not.toMatch(STACK);
      expect(verdict(r).line).toMatch(/^✖ .*cancelled/i);
      expect(sb.kc.requests).toEqual([]);
    } finally {
      await silent.close();
    }
    keep('ldap rerun', ...(await rerunConverges(sb)));
  });

  it('a second Ctrl-C leaves at once, even with a Keycloak write held open', async () => {
    let release!: () => void;
    sb.kc.faults.add({ method: 'POST', path: '/admin/realms/runai/components', until: new Promise<void>((r) => (release = r)) });
    const p = sb.start(['setup', '--verbose'], d);
    await p.waitFor(/Apply to Keycloak: create federation "ldap"/);
    await until('Keycloak holds the create', () => sb.kc.requests.some((q) => q.method === 'POST' && /\/components\/?$/.test(q.path)));
    p.child.kill('SIGINT');
    await p.waitFor(/stopping/);
    p.child.kill('SIGINT');
    const r = await p.done;
    keep('twice', r);
    expect(r.code).toBe(130);
    expect(r.stderr).not.toMatch(STACK);
    release();
    keep('twice rerun', ...(await rerunConverges(sb)));
  });
});


describe.skipIf(!hasTmux)('Ctrl-C at a prompt, in a real terminal (tmux)', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startSandbox();
  });
  afterEach(async () => sb?.close());

  /** dirlink setup in a tmux pane, asking for the bind password. */
  const startWizard = (tag: string) => startInTmux(`sigint-${tag}`, { ...sb.env(d), CI: '', DIRLINK_BIND_PASSWORD: '' }, ['setup']);

  for (const how of ['the Ctrl-C key', 'a SIGINT signal'] as const) {
    it(`${how} at the password prompt: exit 130, "nothing was changed", and a rerun converges`, async () => {
      const w = startWizard(how === 'the Ctrl-C key' ? 'key' : 'signal');
      try {
        await w.waitFor(/Bind password/);
        if (how === 'the Ctrl-C key') w.keys('C-c');
        else process.kill(w.pid()!, 'SIGINT');
        const end = await w.waitFor(/EXIT=\d+/);
        expect(end).toContain('EXIT=130');
        expect(end).toMatch(/✖ cancelled at a prompt: nothing was changed/);
        expect(end).not.toMatch(STACK);
        expect(sb.kc.requests).toEqual([]);
        expect(sb.kube.writes()).toEqual([]);
      } finally {
        w.kill();
      }
      await rerunConverges(sb);
    });
  }
});
