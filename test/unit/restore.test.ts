// The undo plan (pure): key-by-key restore, the bind password decision, mappers, and what someone
// else changed after setup.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { executeRestore, planRestore, restoreLines } from '../../src/keycloak/restore.js';
import type { Snapshot } from '../../src/keycloak/snapshot.js';
import type { Component } from '../../src/keycloak/types.js';
import { fakeKeycloak } from './fake-keycloak.js';

const MASK = '**********';
const fed = (config: Record<string, string[]>): Component => ({
  id: 'fed1', name: 'ldap', providerId: 'ldap', providerType: 'org.keycloak.storage.UserStorageProvider', parentId: 'realm-id-1',
  config: { connectionUrl: ['ldap://dir:389'], bindDn: ['cn=ro,dc=x'], usersDn: ['ou=people,dc=x'], usernameLDAPAttribute: ['uid'], bindCredential: [MASK], ...config },
});
const mapper = (id: string, name: string, attr: string): Component => ({
  id, name, providerId: 'user-attribute-ldap-mapper', parentId: 'fed1', config: { 'user.model.attribute': [name], 'ldap.attribute': [attr] },
});
const snapshot = (over: Partial<Snapshot>): Snapshot => ({
  version: 1, takenAt: '2026-01-01T00:00:00.000Z', keycloakUrl: 'http://kc', realm: 'runai', federationName: 'ldap',
  before: { federation: fed({}), mappers: [mapper('m1', 'username', 'uid'), mapper('m2', 'email', 'mail')] },
  ...over,
});

describe('planRestore', () => {
  it('restores changed keys and mappers, removes keys added since, keeps the stored password when URL and bind DN stay', () => {
    const now = fed({ usersDn: ['dc=x'], usernameLDAPAttribute: ['cn'], pagination: ['true'] });
    const p = planRestore(snapshot({}), now, [mapper('m1', 'username', 'cn'), mapper('m2', 'email', 'mail')], '');
    expect(p.changes).toEqual([
      { key: 'pagination', from: ['true'], to: [] },
      { key: 'usernameLDAPAttribute', from: ['cn'], to: ['uid'] },
      { key: 'usersDn', from: ['dc=x'], to: ['ou=people,dc=x'] },
    ]);
    expect(p.credential.action).toBe('keep');
    expect(p.mappers).toMatchObject([{ action: 'update', id: 'm1', name: 'username', changes: [{ key: 'ldap.attribute', from: ['cn'], to: ['uid'] }] }]);
    const lines = restoreLines(p).join('\n');
    expect(lines).toContain('usersDn: dc=x → ou=people,dc=x');
    expect(lines).toContain('pagination: true → (unset)');
    expect(lines).toContain('bind password: kept as currently stored');
    expect(lines).not.toContain(MASK);
  });

  it('a snapshot that points at another URL or bind DN needs the bind password (exit 2, nothing changed), and sends it when given', () => {
    const now = fed({ connectionUrl: ['ldaps://new-dc:636'] });
    let err: unknown;
    try {
      planRestore(snapshot({}), now, [], '');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code: 'undo.bind-password-needed', field: 'bindPassword', exitCode: 2 });
    expect((err as Error).message).toContain('back at ldap://dir:389 as cn=ro,dc=x (now ldaps://new-dc:636 as cn=ro,dc=x)');
    const p = planRestore(snapshot({}), now, [mapper('m1', 'username', 'uid'), mapper('m2', 'email', 'mail')], 'pw');
    expect(p.credential.action).toBe('send');
    expect(restoreLines(p).join('\n')).toContain('bind password: sent: the password you gave');
    const bindDnChanged = fed({ bindDn: ['cn=other,dc=x'] });
    expect(() => planRestore(snapshot({}), bindDnChanged, [], '')).toThrow(/as cn=ro,dc=x \(now ldap:\/\/dir:389 as cn=other,dc=x\)/);
  });

  it('already as in the snapshot: nothing to change', () => {
    const p = planRestore(snapshot({}), fed({}), [mapper('m1', 'username', 'uid'), mapper('m2', 'email', 'mail')], '');
    expect(p.changesKeycloak).toBe(false);
    expect(restoreLines(p)).toEqual(['= federation "ldap" (fed1) already matches the snapshot']);
  });

  it('mappers: a deleted one is re-created, one setup created is deleted, one someone else added is left alone', () => {
    const setupMade = mapper('m9', 'extra', 'description');
    const snap = snapshot({
      before: { federation: fed({}), mappers: [mapper('m1', 'username', 'uid'), mapper('m2', 'email', 'mail')] },
      after: { federation: fed({}), mappers: [mapper('m1', 'username', 'uid'), mapper('m2', 'email', 'mail'), setupMade] },
    });
    const p = planRestore(snap, fed({}), [mapper('m1', 'username', 'uid'), setupMade, mapper('m7', 'theirs', 'title')], '');
    expect(p.mappers.map((m) => `${m.action} ${m.name}`)).toEqual(['create email', 'delete extra']);
    expect(p.notes.join('\n')).toContain('mapper "theirs" was not there at the snapshot and not made by setup: left as it is');
    expect(p.changedSince).toEqual(['mapper "email" was deleted', 'mapper "theirs" was added']);
  });

  it('changes made after setup by someone else are listed (after-state → now)', () => {
    const after = { federation: fed({ usersDn: ['dc=x'] }), mappers: [mapper('m1', 'username', 'uid'), mapper('m2', 'email', 'mail')] };
    const now = fed({ usersDn: ['dc=x'], editMode: ['WRITABLE'] });
    const p = planRestore(snapshot({ after }), now, [mapper('m1', 'username', 'uid'), mapper('m2', 'email', 'cn')], '');
    expect(p.changedSince).toEqual(['federation editMode: (unset) → WRITABLE', 'mapper "email" ldap.attribute: mail → cn']);
    // and the restore puts the snapshot's values back, the foreign ones included
    expect(p.changes.map((c) => c.key)).toEqual(['editMode', 'usersDn']);
    expect(p.mappers).toMatchObject([{ action: 'update', name: 'email' }]);
  });

  it('after a create: delete, or nothing when it is gone; a snapshot without the created id cannot be undone', () => {
    const snap = snapshot({ before: null, createdId: 'fed1' });
    expect(planRestore(snap, fed({}), [], '')).toMatchObject({ kind: 'delete', changesKeycloak: true });
    expect(restoreLines(planRestore(snap, undefined, [], ''))[0]).toMatch(/already gone/);
    expect(() => planRestore(snapshot({ before: null }), undefined, [], '')).toThrow(UsageError);
  });
});

describe('executeRestore', () => {
  it('sends the mask when keeping, blanks removed keys, and reports what it did', async () => {
    const kc = fakeKeycloak();
    const now = fed({ usersDn: ['dc=x'], pagination: ['true'] });
    kc.components.set('fed1', now);
    const p = planRestore(snapshot({}), now, [mapper('m1', 'username', 'cn'), mapper('m2', 'email', 'mail')], 'given-pw');
    const done: string[] = [];
    await executeRestore(kc, kc.realms[0]!, p, snapshot({}), 'given-pw', done);
    const sent = kc.components.get('fed1')!.config!;
    expect(sent.bindCredential).toEqual([MASK]);
    expect(sent.pagination).toEqual(['']);
    expect(sent.usersDn).toEqual(['ou=people,dc=x']);
    expect(done).toEqual(['restored federation fed1', 'restored mapper "username"']);
  });
});
