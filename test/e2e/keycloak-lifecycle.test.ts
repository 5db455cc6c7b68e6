// Issue 5 end to end (spawned CLI, Keycloak and Kubernetes emulators, the real directories):
// preflight, the username mapper kept consistent, Keycloak's own test after apply, undo, status drift.
// Fault injection between writes and token expiry live in faults.test.ts; verify in verify.test.ts.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSandbox, type Sandbox } from './harness.js';

const world = inject('world');
const d = world.openldap;
const other = { DIRLINK_VENDOR: 'other' };
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

describe('preflight: nothing is written unless the realm is there, the account may manage it, and the federation is unambiguous', () => {
  let sb: Sandbox;
  const run = (args: string[], env: Record<string, string | undefined> = {}) => sb.run(args, d, { env: { ...other, ...env } });
  beforeAll(async () => {
    sb = await startSandbox({
      keycloak: {
        realms: ['runai', 'runai-staging'],
        serviceClients: [
          { clientId: 'dirlink-viewer', secret: 'viewer-Secr3t', roles: ['view-realm'] },
          { clientId: 'dirlink-none', secret: 'none-Secr3t', roles: [] },
          { clientId: 'dirlink-manager', secret: 'manager-Secr3t' },
        ],
      },
    });
  });
  afterAll(async () => sb?.close());

  it('a realm that does not exist: exit 4 with the similar names', async () => {
    const r = await run(['setup', '--json', '--realm', 'runia']);
    expect(r.code).toBe(4);
    const out = json(r.stdout);
    expect(out.error).toMatchObject({ code: 'keycloak.realm-missing', field: 'realm' });
    expect(out.error.hint).toContain('did you mean "runai"');
    expect(out.error.data.realms).toEqual(expect.arrayContaining(['master', 'runai', 'runai-staging']));
    expect(sb.kc.writes()).toEqual([]);
  });

  it('an admin user Keycloak does not know: exit 4, rejected credentials (400 from the token endpoint)', async () => {
    const r = await run(['check', '--json', '--keycloak-user', 'no-such-admin']);
    expect(r.code).toBe(4);
    expect(json(r.stdout).error).toMatchObject({ code: 'keycloak.unauthorized', field: 'keycloakPassword' });
  });

  const asClient = (id: string, secret: string) => ({ DIRLINK_KEYCLOAK_CLIENT_ID: id, DIRLINK_KEYCLOAK_CLIENT_SECRET: secret, DIRLINK_KEYCLOAK_PASSWORD: undefined });

  it('a service account with view-realm only: exit 4 before any write, naming manage-realm', async () => {
    sb.kc.resetRequests();
    const r = await run(['setup', '--json'], asClient('dirlink-viewer', 'viewer-Secr3t'));
    expect(r.code).toBe(4);
    const out = json(r.stdout);
    expect(out.error).toMatchObject({ code: 'keycloak.cannot-manage', data: { missingRole: 'manage-realm', status: 403 } });
    expect(out.error.hint).toContain('manage-realm of client "runai-realm"');
    expect(sb.kc.writes()).toEqual([]);
    expect(sb.kc.requests.some((q) => q.status === 403 && q.path.endsWith('/testLDAPConnection'))).toBe(true);
    expect(sb.federation()).toBeUndefined();
    expect(r.stdout + r.stderr).not.toContain('viewer-Secr3t');
  });

  it('a service account without realm-management roles: exit 4 at the first read', async () => {
    const r = await run(['setup', '--json'], asClient('dirlink-none', 'none-Secr3t'));
    expect(r.code).toBe(4);
    expect(json(r.stdout).error).toMatchObject({ code: 'keycloak.cannot-read', data: { missingRole: 'view-realm' } });
    expect(sb.kc.writes()).toEqual([]);
  });

  it('other LDAP providers in the realm: a warning naming them; dirlink changes only its own', async () => {
    const realm = sb.kc.state.realms.get('runai')!;
    realm.components.set('corp-ldap-id', {
      id: 'corp-ldap-id', name: 'corp-ldap', providerId: 'ldap', providerType: 'org.keycloak.storage.UserStorageProvider', parentId: realm.id,
      config: { connectionUrl: [d.url], enabled: ['false'], editMode: ['READ_ONLY'] },
    });
    const r = await run(['setup', '--no-restart'], asClient('dirlink-manager', 'manager-Secr3t'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/another LDAP federation "corp-ldap" \(ldap:\/\/127\.0\.0\.1:3890\): it answers user searches too/);
    expect(sb.federation()).toBeDefined();
    expect(realm.components.get('corp-ldap-id')!.config).toEqual({ connectionUrl: [d.url], enabled: ['false'], editMode: ['READ_ONLY'] });
  });

  it('more than one federation with the chosen name: exit 4 listing ids, names and URLs, nothing written', async () => {
    const realm = sb.kc.state.realms.get('runai')!;
    const mine = sb.federation()!;
    realm.components.set('dup-id', {
      id: 'dup-id', name: 'ldap', providerId: 'ldap', providerType: 'org.keycloak.storage.UserStorageProvider', parentId: realm.id,
      config: { connectionUrl: ['ldaps://old-dc.example:636'], usersDn: ['ou=old,dc=example,dc=org'], editMode: ['READ_ONLY'] },
    });
    try {
      sb.kc.resetRequests();
      const r = await run(['setup', '--json']);
      expect(r.code).toBe(4);
      const out = json(r.stdout);
      expect(out.error.code).toBe('keycloak.duplicate-federations');
      expect(out.error.message).toContain(`id ${mine.id}  "ldap"  ${d.url}`);
      expect(out.error.message).toContain('id dup-id  "ldap"  ldaps://old-dc.example:636');
      expect(sb.kc.writes()).toEqual([]);
    } finally {
      realm.components.delete('dup-id');
    }
  });
});
