// dirlink setup / check end to end: the built CLI, spawned as CI would run it, against the real
// Samba AD and OpenLDAP of the test world and the Keycloak and Kubernetes emulators.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSandbox, type Sandbox } from './harness.js';

const world = inject('world');

describe('setup on Samba AD (CI mode: flags and environment)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => sb?.close());

  it('check on an empty realm plans the creation and sends no write', async () => {
    const r = await sb.run(['check'], world.ad);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ create User Federation "ldap"');
    expect(r.stdout).toContain('usernameLDAPAttribute   sAMAccountName');
    expect(r.stdout).toContain('ldap.attribute: mail → userPrincipalName');
    expect(r.stdout).toContain('Check complete: nothing was changed.');
    expect(sb.kc.writes()).toEqual([]);
    expect(sb.kube.writes()).toEqual([]);
    expect(sb.federation()).toBeUndefined();
  });

  it('a fresh setup creates the federation as the procedure asks, fixes the email mapper and restarts', async () => {
    const before = sb.kube.getDeployment('runai-backend', 'runai-backend-deployment') as { metadata: { generation: number } };
    const r = await sb.run(['setup'], world.ad);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const fed = sb.federation()!;
    expect(fed).toBeDefined();
    expect(fed.config).toMatchObject({
      vendor: ['ad'],
      importEnabled: ['false'],
      editMode: ['READ_ONLY'],
      usernameLDAPAttribute: ['sAMAccountName'],
      rdnLDAPAttribute: ['cn'],
      uuidLDAPAttribute: ['objectGUID'],
      searchScope: ['2'],
      connectionUrl: [world.ad.url],
      usersDn: [world.ad.usersDn],
      bindDn: [world.ad.bindDn],
      bindCredential: [world.ad.bindPassword],
      authType: ['simple'],
    });
    const emails = fed.mappers.filter((m) => m.config['user.model.attribute']?.[0] === 'email');
    expect(emails).toHaveLength(1);
    expect(emails[0]!.config['ldap.attribute']).toEqual(['userPrincipalName']);
    // the other server-created mappers are still there
    expect(fed.mappers.map((m) => m.name)).toEqual(expect.arrayContaining(['username', 'full name', 'last name', 'MSAD account controls']));
    const after = sb.kube.getDeployment('runai-backend', 'runai-backend-deployment') as {
      metadata: { generation: number };
      spec: { template: { metadata: { annotations: Record<string, string> } } };
      status: { observedGeneration: number; updatedReplicas: number };
    };
    expect(after.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    expect(after.status.observedGeneration).toBe(after.metadata.generation);
    expect(r.stdout).toContain('successfully rolled out');
    // the password never reaches the output
    expect(r.stdout + r.stderr).not.toContain(world.ad.bindPassword);
  });

  it('a second run makes no write and no restart', async () => {
    sb.kc.resetRequests();
    sb.kube.resetRequests();
    const r = await sb.run(['setup', '--json'], world.ad);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, command: 'setup', exitCode: 0, plan: [], changed: false });
    expect(sb.kc.writes()).toEqual([]);
    expect(sb.kube.writes()).toEqual([]);
    expect(r.stderr).toContain('nothing to change');
  });

  it('drift is repaired: an email mapper set back to mail is set to userPrincipalName again', async () => {
    const realm = sb.kc.state.realms.get('runai')!;
    const email = [...realm.components.values()].find((c) => c.name === 'email' && c.parentId === sb.federation()!.id)!;
    email.config['ldap.attribute'] = ['mail'];
    sb.kc.resetRequests();
    const r = await sb.run(['setup', '--json'], world.ad);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.plan.map((a: { kind: string }) => a.kind)).toEqual(['update-mapper', 'restart']);
    expect(sb.federation()!.mappers.find((m) => m.name === 'email')!.config['ldap.attribute']).toEqual(['userPrincipalName']);
    expect(sb.kc.writes().map((w) => `${w.method} ${w.path}`)).toEqual([`PUT /admin/realms/runai/components/${email.id}`]);
  });

  it('a wrong bind password stops at the directory check: exit 3, nothing written', async () => {
    sb.kc.resetRequests();
    sb.kube.resetRequests();
    const r = await sb.run(['setup', '--json'], world.ad, { env: { DIRLINK_BIND_PASSWORD: 'not-the-password' } });
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe('ldap.bind.invalid-credentials');
    expect(out.error.field).toBe('bindPassword');
    expect(sb.kc.requests).toEqual([]);
    expect(sb.kube.writes()).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain('not-the-password');
  });
});

describe('inputs in CI mode', () => {
  it('a missing input ends with exit 2 and every missing field, without waiting for stdin', async () => {
    const { runCli } = await import('./harness.js');
    const r = await runCli(['setup'], { env: { CI: 'true', DIRLINK_LDAP_URL: 'ldap://127.0.0.1:1', DIRLINK_KEYCLOAK_URL: undefined, DIRLINK_BIND_PASSWORD: undefined }, timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--bind-dn / DIRLINK_BIND_DN');
    expect(r.stderr).toContain('--keycloak-url / DIRLINK_KEYCLOAK_URL');
    expect(r.stderr).toContain('--users-dn / DIRLINK_USERS_DN');
  });

  it('refuses a secret given as a flag value', async () => {
    const { runCli } = await import('./harness.js');
    const r = await runCli(['check', '--bind-password', 'hunter22'], { env: { CI: 'true' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--bind-password-file');
    expect(r.stderr).not.toContain('hunter22');
  });

  it('an unknown flag is a usage error', async () => {
    const { runCli } = await import('./harness.js');
    const r = await runCli(['setup', '--ldap-ulr', 'x'], { env: { CI: 'true' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--ldap-ulr'[\s\S]*--ldap-url/);
  });
});

describe('failures of Keycloak and Kubernetes', () => {
  it('Keycloak unreachable: exit 4 naming the URL', async () => {
    const sb = await startSandbox();
    try {
      const r = await sb.run(['check', '--json'], world.openldap, { env: { DIRLINK_KEYCLOAK_URL: 'http://127.0.0.1:9' } });
      expect(r.code).toBe(4);
      const out = JSON.parse(r.stdout);
      expect(out.error).toMatchObject({ code: 'keycloak.unreachable', field: 'keycloakUrl' });
      expect(out.error.message).toContain('http://127.0.0.1:9');
    } finally {
      await sb.close();
    }
  });

  it('Kubernetes forbidden on the restart: exit 5, Keycloak changes reported as applied; the rerun restarts', async () => {
    // over https: like kubectl, dirlink sends no credentials to a plain-http API server
    const sb = await startSandbox({ kube: { tls: true, requireAuth: true }, kubeToken: 'readonly-token' });
    try {
      const r = await sb.run(['setup', '--json'], world.openldap);
      expect(r.code).toBe(5);
      const out = JSON.parse(r.stdout);
      expect(out.error.code).toBe('kube.forbidden');
      expect(out.error.hint).toMatch(/patch/);
      expect(out.changed).toBe(true);
      expect(sb.federation()).toBeDefined();
      // with the right to patch, a rerun restarts although Keycloak has nothing left to change
      const admin = sb.kube.writeKubeconfig(join(sb.dir, 'admin'), { token: 'admin-token' });
      const again = await sb.run(['setup', '--json'], world.openldap, { env: { KUBECONFIG: admin } });
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).plan).toEqual([expect.objectContaining({ kind: 'restart', reason: expect.stringMatching(/previous setup changed Keycloak/) })]);
      expect(sb.kube.writes().filter((w) => w.method === 'PATCH' && w.status === 200)).toHaveLength(1);
      const third = await sb.run(['setup', '--json'], world.openldap, { env: { KUBECONFIG: admin } });
      expect(JSON.parse(third.stdout).plan).toEqual([]);
    } finally {
      await sb.close();
    }
  });
});

describe('a paused deployment', () => {
  it('stops setup before any change (exit 5); check warns', async () => {
    const sb = await startSandbox();
    try {
      sb.kube.setPaused('runai-backend', 'runai-backend-deployment', true);
      const c = await sb.run(['check'], world.openldap, { env: { DIRLINK_VENDOR: 'other' } });
      expect(c.code).toBe(0);
      expect(c.stdout).toMatch(/is paused, so the restart the plan needs would not roll out: setup would stop here/);
      const r = await sb.run(['setup', '--json'], world.openldap, { env: { DIRLINK_VENDOR: 'other' } });
      expect(r.code).toBe(5);
      expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'kube.paused', hint: expect.stringContaining('kubectl rollout resume deployment/runai-backend-deployment -n runai-backend') });
      expect(sb.kc.writes()).toEqual([]);
      expect(sb.kube.writes()).toEqual([]);
    } finally {
      await sb.close();
    }
  });
});

describe('OpenLDAP with vendor other', () => {
  it('sets uid/mail and leaves the server-made email mapper alone', async () => {
    const sb = await startSandbox();
    try {
      const r = await sb.run(['setup', '--vendor', 'other'], world.openldap);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const fed = sb.federation()!;
      expect(fed.config).toMatchObject({ vendor: ['other'], usernameLDAPAttribute: ['uid'], rdnLDAPAttribute: ['uid'], uuidLDAPAttribute: ['entryUUID'] });
      expect(fed.mappers.find((m) => m.name === 'email')!.config['ldap.attribute']).toEqual(['mail']);
      expect(r.stdout).toContain('the email mapper Keycloak creates already reads "mail"');
    } finally {
      await sb.close();
    }
  });
});
