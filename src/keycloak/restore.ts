// What `dirlink undo` will do, computed (without I/O) from a snapshot and what Keycloak has now,
// and the executor that does it. Like setup's plan it lists only real differences, key by key.
//
// The bind password: a snapshot holds only Keycloak's mask (Keycloak never returns the secret), so
// a restore sends the mask, and Keycloak keeps the password it stores now (keycloak.md §6). That is
// right while the restored URL and bind DN are the current ones: the stored password is the newest
// one known to work for that account. When the snapshot points at another URL or bind DN, the mask
// would hand the current password to another server (Keycloak issue 47295, the credential guard of
// setup), so undo then needs the bind password for the restored account and sends it.
import { UsageError } from '../errors.js';
import { diffConfig, type ConfigChange } from './federation.js';
import type { Snapshot } from './snapshot.js';
import { SECRET_MASK, type Component, type Config, type KeycloakPort, type RealmRef } from './types.js';

export type MapperStep =
  | { action: 'update'; id: string; name: string; changes: ConfigChange[]; to: Component }
  | { action: 'create'; name: string; to: Component }
  | { action: 'delete'; id: string; name: string };

export interface RestorePlan {
  kind: 'delete' | 'restore';
  federationId: string;
  federationName: string;
  /** restore: current → snapshot, key by key (keys added since are removed: "(unset)") */
  changes: ConfigChange[];
  credential: { action: 'keep' | 'send'; reason: string };
  mappers: MapperStep[];
  /** what someone else changed after setup (snapshot.after → now); undo overwrites it */
  changedSince: string[];
  /** facts for the reader: mappers left alone, missing after-state, … */
  notes: string[];
  /** false when Keycloak already matches the snapshot */
  changesKeycloak: boolean;
}

const show = (v: string[] | undefined) => (v === undefined ? '(unset)' : v.length === 1 ? v[0]! : JSON.stringify(v));
const configOf = (c: Component | undefined): Config => {
  const { bindCredential: _secret, ...rest } = c?.config ?? {};
  return rest;
};

/** Every key that differs between two configs, as "key: a → b" (bindCredential excluded: always masked). */
function configDiff(a: Config, b: Config): ConfigChange[] {
  const out = diffConfig(b, a);
  for (const k of Object.keys(a)) if (!(k in b)) out.push({ key: k, from: a[k], to: [] });
  return out.sort((x, y) => x.key.localeCompare(y.key));
}

const describeChange = (c: ConfigChange) => `${c.key}: ${show(c.from)} → ${c.to.length ? show(c.to) : '(unset)'}`;

/** Differences of a federation and its mappers between two states (for "changed since setup"). */
function stateDiff(then: { federation: Component; mappers: Component[] }, now: Component | undefined, nowMappers: Component[]): string[] {
  if (!now) return ['the federation was deleted'];
  const out = configDiff(configOf(then.federation), configOf(now)).map((c) => `federation ${describeChange(c)}`);
  for (const m of then.mappers) {
    const live = nowMappers.find((x) => x.id === m.id);
    if (!live) out.push(`mapper "${m.name}" was deleted`);
    else out.push(...configDiff(m.config ?? {}, live.config ?? {}).map((c) => `mapper "${m.name}" ${describeChange(c)}`));
  }
  for (const m of nowMappers) if (!then.mappers.some((x) => x.id === m.id)) out.push(`mapper "${m.name}" was added`);
  return out;
}

export function planRestore(
  snap: Snapshot,
  current: Component | undefined,
  currentMappers: Component[],
  /** the bind password the user gave to undo ('' when none) */
  bindPassword: string,
): RestorePlan {
  const notes: string[] = [];
  const changedSince = snap.after ? stateDiff(snap.after, current, currentMappers) : [];
  if (!snap.after) notes.push('the snapshot has no record of the state setup left, so changes made by others since cannot be told apart');

  if (!snap.before) {
    if (!snap.createdId) {
      throw new UsageError('undo.incomplete-snapshot', 'the snapshot records no federation id: setup stopped before creating it, so there is nothing to undo', { field: 'snapshot' });
    }
    return {
      kind: 'delete', federationId: snap.createdId, federationName: snap.federationName, changes: [], mappers: [],
      credential: { action: 'keep', reason: 'the federation is deleted with its stored password' },
      changedSince, notes, changesKeycloak: current !== undefined,
    };
  }

  const fed = snap.before.federation;
  const changes = current ? configDiff(configOf(current), configOf(fed)) : [];
  const was = fed.config ?? {};
  const now = current?.config ?? {};
  const sameTarget = was.connectionUrl?.[0] === now.connectionUrl?.[0] && (was.bindDn?.[0] ?? '').toLowerCase() === (now.bindDn?.[0] ?? '').toLowerCase();
  let credential: RestorePlan['credential'];
  if (sameTarget) {
    credential = { action: 'keep', reason: 'kept as currently stored: the snapshot holds only the mask, and URL and bind DN stay the ones it authenticates' };
  } else if (bindPassword) {
    credential = { action: 'send', reason: 'the password you gave: the restored URL or bind DN differ from the current ones, and a stored password is never re-used for another server' };
  } else {
    throw new UsageError(
      'undo.bind-password-needed',
      `undo would point federation "${snap.federationName}" back at ${show(was.connectionUrl)} as ${show(was.bindDn)} (now ${show(now.connectionUrl)} as ${show(now.bindDn)}); the snapshot holds only Keycloak's mask, and sending it would make Keycloak use the password stored for the current server (Keycloak issue 47295). Nothing was changed`,
      { field: 'bindPassword', hint: `give the bind password of ${show(was.bindDn)} with --bind-password-file FILE, --bind-password-stdin or DIRLINK_BIND_PASSWORD` },
    );
  }

  const mappers: MapperStep[] = [];
  for (const m of snap.before.mappers) {
    const live = currentMappers.find((x) => x.id === m.id) ?? currentMappers.find((x) => x.name === m.name);
    if (!live) mappers.push({ action: 'create', name: m.name ?? '?', to: { ...m, id: undefined, parentId: fed.id } });
    else {
      const ch = configDiff(live.config ?? {}, m.config ?? {});
      if (ch.length || live.name !== m.name) mappers.push({ action: 'update', id: live.id!, name: m.name ?? '?', changes: ch, to: { ...m, id: live.id } });
    }
  }
  const createdBySetup = new Set((snap.after?.mappers ?? []).filter((m) => !snap.before!.mappers.some((b) => b.id === m.id || b.name === m.name)).map((m) => m.id));
  for (const m of currentMappers) {
    if (snap.before.mappers.some((b) => b.id === m.id || b.name === m.name)) continue;
    if (createdBySetup.has(m.id)) mappers.push({ action: 'delete', id: m.id!, name: m.name ?? '?' });
    else notes.push(`mapper "${m.name}" was not there at the snapshot and not made by setup: left as it is`);
  }
  return {
    kind: 'restore', federationId: fed.id!, federationName: snap.federationName, changes, credential, mappers, changedSince, notes,
    changesKeycloak: current !== undefined && (changes.length > 0 || credential.action === 'send' || mappers.length > 0),
  };
}

/** The plan as lines for people (secrets never: the credential line says what happens to it). */
export function restoreLines(p: RestorePlan): string[] {
  if (p.kind === 'delete') {
    return p.changesKeycloak
      ? [`- delete federation "${p.federationName}" (${p.federationId}) that setup created, with its mappers`]
      : [`= federation "${p.federationName}" (${p.federationId}) that setup created is already gone`];
  }
  if (!p.changesKeycloak) return [`= federation "${p.federationName}" (${p.federationId}) already matches the snapshot`];
  const lines = [`~ restore federation "${p.federationName}" (${p.federationId})`];
  for (const c of p.changes) lines.push(`    ${describeChange(c)}`);
  lines.push(`    bind password: ${p.credential.action === 'keep' ? '' : 'sent: '}${p.credential.reason}`);
  for (const m of p.mappers) {
    if (m.action === 'update') lines.push(`~ restore mapper "${m.name}"`, ...m.changes.map((c) => `    ${describeChange(c)}`));
    else if (m.action === 'create') lines.push(`+ re-create mapper "${m.name}" (deleted since the snapshot)`);
    else lines.push(`- delete mapper "${m.name}" (setup created it)`);
  }
  return lines;
}

/** Runs the plan; `done` collects what was applied, so a failure can say how far it got. */
export async function executeRestore(
  kc: KeycloakPort, realm: RealmRef, p: RestorePlan, snap: Snapshot, bindPassword: string, done: string[], onAction?: (t: string) => void,
): Promise<string[]> {
  if (!p.changesKeycloak) return done;
  if (p.kind === 'delete') {
    onAction?.(`delete federation ${p.federationId}`);
    await kc.deleteComponent(realm, p.federationId);
    done.push(`deleted federation ${p.federationId}`);
    return done;
  }
  const fed = snap.before!.federation;
  if (p.changes.length || p.credential.action === 'send') {
    onAction?.(`restore federation ${p.federationId}`);
    const config: Config = { ...fed.config };
    // keys added since the snapshot: a blank value makes Keycloak remove them (keycloak.md §1.3)
    for (const c of p.changes) if (c.to.length === 0) config[c.key] = [''];
    config.bindCredential = [p.credential.action === 'keep' ? SECRET_MASK : bindPassword];
    await kc.updateComponent(realm, p.federationId, { ...fed, config });
    done.push(`restored federation ${p.federationId}`);
  }
  for (const m of p.mappers) {
    onAction?.(`${m.action} mapper "${m.name}"`);
    if (m.action === 'update') {
      const config: Config = { ...m.to.config };
      for (const c of m.changes) if (c.to.length === 0) config[c.key] = [''];
      await kc.updateComponent(realm, m.id, { ...m.to, config });
    } else if (m.action === 'create') await kc.createComponent(realm, m.to);
    else await kc.deleteComponent(realm, m.id);
    done.push(`${m.action === 'update' ? 'restored' : m.action === 'create' ? 're-created' : 'deleted'} mapper "${m.name}"`);
  }
  return done;
}
