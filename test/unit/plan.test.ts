import { describe, expect, it } from 'vitest';
import { desiredConfig, type FederationSettings } from '../../src/keycloak/federation.js';
import { buildPlan, type ObservedKeycloak } from '../../src/plan/plan.js';
import { formatPlan } from '../../src/output/plan-text.js';
import { Chalk } from 'chalk';

const s: FederationSettings = {
  name: 'ldap', vendor: 'ad', url: 'ldap://dc1:389', startTls: false, bindDn: 'CN=svc,DC=x', usersDn: 'OU=People,DC=x',
  usernameAttribute: 'sAMAccountName', emailAttribute: 'userPrincipalName', timeoutMs: 10000,
};
const realm = { id: 'f1e2-id', name: 'runai' };
const restart = { enabled: true, force: false, namespace: 'runai-backend', deployment: 'runai-backend-deployment', timeoutMs: 300000 };
const mapper = (name: string, attr: string) => ({ id: `m-${name}`, name, providerId: 'user-attribute-ldap-mapper', config: { 'user.model.attribute': [name], 'ldap.attribute': [attr] } });
const existing = (over: Partial<ObservedKeycloak> = {}): ObservedKeycloak => ({
  realm,
  federation: { id: 'fed1', name: 'ldap', providerId: 'ldap', config: { ...desiredConfig(s), bindCredential: ['**********'] } },
  mappers: [mapper('email', 'userPrincipalName'), mapper('username', 'sAMAccountName')],
  credential: { action: 'keep', reason: 'works' },
  ...over,
});

describe('buildPlan', () => {
  it('fresh realm: create with the Run:AI values, fix the email mapper, restart', () => {
    const plan = buildPlan(s, { realm, mappers: [], credential: { action: 'set', reason: 'given' } }, { restart });
    expect(plan.actions.map((a) => a.kind)).toEqual(['create-federation', 'update-mapper', 'restart']);
    const create = plan.actions[0] as Extract<(typeof plan.actions)[0], { kind: 'create-federation' }>;
    expect(create.config).toMatchObject({ importEnabled: ['false'], editMode: ['READ_ONLY'], searchScope: ['2'], usernameLDAPAttribute: ['sAMAccountName'], vendor: ['ad'] });
    expect(create.config).not.toHaveProperty('bindCredential');
    expect(plan.changesKeycloak).toBe(true);
  });

  it('configured realm: nothing to change, no restart', () => {
    const plan = buildPlan(s, existing(), { restart });
    expect(plan.actions).toEqual([]);
    expect(plan.notes.join('\n')).toMatch(/no restart/);
  });

  it('drift is repaired key by key, and only real differences are listed', () => {
    const plan = buildPlan(s, existing({ mappers: [mapper('email', 'mail'), mapper('username', 'sAMAccountName')] }), { restart });
    expect(plan.actions.map((a) => a.kind)).toEqual(['update-mapper', 'restart']);
    expect(plan.actions[0]).toMatchObject({ name: 'email', changes: [{ key: 'ldap.attribute', from: ['mail'], to: ['userPrincipalName'] }] });
  });

  it('a changed users DN updates the federation and says what happens to the password', () => {
    const obs = existing();
    obs.federation!.config!.usersDn = ['OU=Old,DC=x'];
    const plan = buildPlan(s, obs, { restart });
    expect(plan.actions[0]).toMatchObject({ kind: 'update-federation', changes: [{ key: 'usersDn', from: ['OU=Old,DC=x'], to: ['OU=People,DC=x'] }], credential: { action: 'keep' } });
  });

  it('a password that must be sent again is an update even with no other change', () => {
    const plan = buildPlan(s, existing({ credential: { action: 'send', reason: 'rotated' } }), { restart });
    expect(plan.actions[0]).toMatchObject({ kind: 'update-federation', changes: [], credential: { action: 'send' } });
  });

  it('a changed username attribute also updates the username mapper', () => {
    const plan = buildPlan({ ...s, usernameAttribute: 'cn' }, existing(), { restart });
    expect(plan.actions.map((a) => (a.kind === 'update-mapper' ? `mapper:${a.name}` : a.kind))).toEqual(['update-federation', 'mapper:username', 'restart']);
  });

  it('--no-restart and --force-restart', () => {
    expect(buildPlan(s, existing(), { restart: { ...restart, force: true } }).actions.map((a) => a.kind)).toEqual(['restart']);
    expect(buildPlan(s, { realm, mappers: [], credential: { action: 'set', reason: 'x' } }, { restart: { ...restart, enabled: false } }).actions.map((a) => a.kind)).not.toContain('restart');
  });

  it('a restart left pending by a previous setup is planned even when Keycloak needs nothing', () => {
    const plan = buildPlan(s, existing(), { restart: { ...restart, pending: true } });
    expect(plan.actions).toEqual([expect.objectContaining({ kind: 'restart', reason: expect.stringMatching(/previous setup changed Keycloak/) })]);
    expect(plan.changesKeycloak).toBe(false);
    expect(buildPlan(s, existing(), { restart: { ...restart, pending: true, enabled: false } }).actions).toEqual([]);
  });

  it('the printed plan never contains a secret value and marks the credential', () => {
    const plan = buildPlan(s, { realm, mappers: [], credential: { action: 'set', reason: 'the bind password you gave' } }, { restart });
    const text = formatPlan(plan, new Chalk({ level: 0 }));
    expect(text).toContain('+ create User Federation "ldap"');
    expect(text).toContain('bindCredential');
    expect(text).toContain('******** (the bind password you gave)');
    expect(text).toContain('~ update mapper "email"');
    expect(text).toContain('ldap.attribute: mail → userPrincipalName');
  });

  it('StartTLS turns pooling off (Keycloak rejects both)', () => {
    expect(desiredConfig({ ...s, startTls: true })).toMatchObject({ startTls: ['true'], connectionPooling: ['false'] });
  });
});
