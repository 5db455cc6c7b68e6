// The federation's lifecycle through the CLI: the masked secret, rotation, URL change, status,
// undo after create and after update, verify, and a fault between two writes.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSandbox, type Sandbox } from './harness.js';

const world = inject('world');
const d = world.openldap;
const other = { DIRLINK_VENDOR: 'other' };

describe('lifecycle on OpenLDAP', () => {
  let sb: Sandbox;
  const run = (args: string[], env: Record<string, string | undefined> = {}) => sb.run(args, d, { env: { ...other, ...env } });
  const credentialWrites = () =>
    sb.kc.writes().filter((w) => w.method === 'PUT' && ((w.body as { config?: Record<string, string[]> })?.config?.bindCredential ?? []).length > 0);

  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => sb?.close());

  it('setup creates; the rerun keeps the masked secret with zero writes', async () => {
    expect((await run(['setup'])).code).toBe(0);
    sb.kc.resetRequests();
    const r = await run(['setup', '--json']);
    expect(r.code).toBe(0);
    expect(sb.kc.writes()).toEqual([]);
    const tests = sb.kc.requests.filter((q) => q.path.endsWith('/testLDAPConnection'));
    expect(tests).toHaveLength(1);
    expect(tests[0]!.body).toMatchObject({ action: 'testAuthentication', bindCredential: '**********', componentId: sb.federation()!.id });
    // request budget of a rerun: token, realm, providers, mappers, Keycloak's test
    expect(sb.kc.requests.length).toBeLessThanOrEqual(5);
  });

  it('--rotate-bind-password sends the real password', async () => {
    sb.kc.resetRequests();
    const r = await run(['setup', '--rotate-bind-password', '--no-restart']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const puts = credentialWrites();
    expect(puts).toHaveLength(1);
    expect((puts[0]!.body as { config: Record<string, string[]> }).config.bindCredential).toEqual([d.bindPassword]);
    expect(r.stdout).not.toContain(d.bindPassword);
  });

  it('a changed URL sends the real password, never the mask', async () => {
    const fed = sb.federation()!;
    // simulate a federation saved with another URL form: dirlink must not keep the stored secret
    fed.config.connectionUrl = [d.url.replace('127.0.0.1', 'localhost')];
    sb.kc.resetRequests();
    const r = await run(['setup', '--json', '--no-restart']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout).plan;
    expect(plan[0]).toMatchObject({ kind: 'update-federation', credential: { action: 'send' } });
    const sent = (credentialWrites()[0]!.body as { config: Record<string, string[]> }).config;
    expect(sent.connectionUrl).toEqual([d.url]);
    expect(sent.bindCredential).toEqual([d.bindPassword]);
  });

  it('status shows the federation masked and no drift', async () => {
    const r = await run(['status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.federation.config.bindCredential).toEqual(['**********']);
    expect(out.drift).toEqual([]);
    expect(out.deployment).toMatchObject({ done: true });
    expect(r.stdout).not.toContain(d.bindPassword);
  });

  it('undo after an update restores the snapshot', async () => {
    const before = sb.federation()!;
    const r1 = await run(['setup', '--users-dn', d.baseDn, '--json']);
    expect(r1.code, r1.stderr).toBe(0);
    expect(sb.federation()!.config.usersDn).toEqual([d.baseDn]);
    const r2 = await run(['undo', '--json']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(sb.federation()!.config.usersDn).toEqual(before.config.usersDn);
    expect(sb.federation()!.config.bindCredential).toEqual([d.bindPassword]);
  });

  it('verify logs a directory user in and checks the claims; a wrong password exits 6', async () => {
    const ok = await run(['verify', '--verify-user', d.users.normal, '--json'], { DIRLINK_VERIFY_PASSWORD: d.userPassword });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).verify.claims).toMatchObject({ preferred_username: d.users.normal });
    const bad = await run(['verify', '--verify-user', d.users.normal, '--json'], { DIRLINK_VERIFY_PASSWORD: 'wrong-Passw0rd' });
    expect(bad.code).toBe(6);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'verify.invalid-credentials' });
    expect(bad.stdout + bad.stderr).not.toContain('wrong-Passw0rd');
  });

  it('verify explains direct grants turned off on admin-cli', async () => {
    const cli = sb.kc.state.realms.get('runai')!.clients.find((c) => c.clientId === 'admin-cli')!;
    cli.directAccessGrantsEnabled = false;
    try {
      const r = await run(['verify', '--verify-user', d.users.normal, '--json'], { DIRLINK_VERIFY_PASSWORD: d.userPassword });
      expect(r.code).toBe(6);
      expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'verify.client', hint: expect.stringContaining('Direct access grants') });
    } finally {
      cli.directAccessGrantsEnabled = true;
    }
  });
});

describe('undo after create, and a fault between writes', () => {
  let sb: Sandbox;
  const run = (args: string[], env: Record<string, string | undefined> = {}) => sb.run(args, d, { env: { ...other, ...env } });
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => sb?.close());

  it('undo deletes the federation setup created', async () => {
    expect((await run(['setup'])).code).toBe(0);
    expect(sb.federation()).toBeDefined();
    const r = await run(['undo']);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.federation()).toBeUndefined();
  });

  it('undo after a setup that failed between writes deletes the federation it created', async () => {
    sb.kc.faults.add({ method: 'PUT', path: /\/components\/[^/]+$/, status: 500, body: { error: 'unknown_error' } });
    const r = await run(['setup', '--json', '--email-attribute', 'cn']);
    expect(r.code).toBe(4);
    const created = sb.federation()!.id;
    const u = await run(['undo', '--json']);
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(sb.kc.state.realms.get('runai')!.components.has(created)).toBe(false);
  });

  it('a 500 on the mapper update after the federation was created: exit 4, a report, and a rerun converges', async () => {
    sb.kc.faults.add({ method: 'PUT', path: /\/components\/[^/]+$/, status: 500, body: { error: 'unknown_error' } });
    const r = await run(['setup', '--json', '--email-attribute', 'cn']);
    expect(r.code).toBe(4);
    const out = JSON.parse(r.stdout);
    expect(out.error.data.applied).toEqual(['create federation "ldap"']);
    expect(out.error.data.notApplied).toEqual(['set mapper "email" to cn', 'restart runai-backend/runai-backend-deployment']);
    expect(out.error.hint).toMatch(/again/);
    const again = await run(['setup', '--json', '--email-attribute', 'cn']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).plan.map((a: { kind: string }) => a.kind)).toEqual(['update-mapper', 'restart']);
    const fed = sb.federation()!;
    expect(fed.mappers.filter((m) => m.name === 'email')).toHaveLength(1);
    expect(fed.mappers.find((m) => m.name === 'email')!.config['ldap.attribute']).toEqual(['cn']);
    const third = await run(['setup', '--json', '--email-attribute', 'cn']);
    expect(JSON.parse(third.stdout).plan).toEqual([]);
  });
});
