// Before setup changes a realm, the federation and all its mappers are saved as Keycloak returned
// them (the bind credential is already the mask; it is masked again here in case a vault
// reference or a future server leaks one). `dirlink undo` restores the newest snapshot.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { SECRET_MASK, type Component } from './types.js';

export interface Snapshot {
  version: 1;
  takenAt: string;
  keycloakUrl: string;
  realm: string;
  federationName: string;
  /** the federation before setup; null when setup created it */
  before: { federation: Component; mappers: Component[] } | null;
  /** set once setup created a federation, so undo can delete exactly that one */
  createdId?: string;
  /**
   * the federation and its mappers as setup left them (as the apply read and wrote them), so undo can tell
   * what someone else changed since; absent in snapshots of older versions or when the read failed
   */
  after?: { federation: Component; mappers: Component[] };
  /**
   * true from the first accepted Keycloak write until the backend's rollout finished: a rerun
   * that finds nothing left to change in Keycloak must still restart the backend.
   */
  restartPending?: boolean;
}

export interface SnapshotEntry {
  path: string;
  takenAt: string;
  /** what undo of this snapshot does */
  kind: 'restore' | 'delete';
}

export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  if (env.DIRLINK_STATE_DIR) return env.DIRLINK_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'dirlink');
}

function mask(c: Component): Component {
  if (!c.config?.bindCredential) return c;
  return { ...c, config: { ...c.config, bindCredential: [SECRET_MASK] } };
}

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

export function snapshotDir(stateDir: string, realm: string): string {
  return join(stateDir, 'snapshots', fileSafe(realm));
}

/** Writes atomically (temp file + rename) with owner-only permissions; returns the path. */
export function writeSnapshot(stateDir: string, snap: Snapshot, at: Date): string {
  const dir = snapshotDir(stateDir, snap.realm);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${stamp}-${fileSafe(snap.federationName)}.json`);
  const clean: Snapshot = snap.before
    ? { ...snap, before: { federation: mask(snap.before.federation), mappers: snap.before.mappers.map(mask) } }
    : snap;
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(clean, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}

export function updateSnapshot(path: string, patch: Partial<Snapshot>): void {
  const snap = { ...readSnapshot(path), ...patch };
  if (snap.after) snap.after = { federation: mask(snap.after.federation), mappers: snap.after.mappers.map(mask) };
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(snap, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

export function readSnapshot(path: string): Snapshot {
  let doc: Snapshot;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  } catch (e) {
    throw new UsageError('snapshot.unreadable', `cannot read snapshot ${path}: ${(e as Error).message}`, { field: 'snapshot' });
  }
  if (doc?.version !== 1 || typeof doc.realm !== 'string') throw new UsageError('snapshot.invalid', `${path} is not a dirlink snapshot`, { field: 'snapshot' });
  return doc;
}

/** This realm's and federation's snapshots, newest first (names start with an ISO timestamp). */
export function listSnapshots(stateDir: string, realm: string, federationName: string): SnapshotEntry[] {
  const dir = snapshotDir(stateDir, realm);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: SnapshotEntry[] = [];
  for (const n of names.filter((x) => x.endsWith(`-${fileSafe(federationName)}.json`)).sort().reverse()) {
    try {
      const snap = readSnapshot(join(dir, n));
      out.push({ path: join(dir, n), takenAt: snap.takenAt, kind: snap.before ? 'restore' : 'delete' });
    } catch {
      // an unreadable file is not a snapshot to offer
    }
  }
  return out;
}

/** The newest snapshot of this realm and federation, if any. */
export function latestSnapshot(stateDir: string, realm: string, federationName: string): string | undefined {
  return listSnapshots(stateDir, realm, federationName)[0]?.path;
}

/**
 * After apply: the id of a federation setup created (undo deletes exactly that one) and the state
 * setup left (undo shows what others changed since), as the apply knows it without reading back.
 */
export function recordApplied(path: string, res: { federationId?: string; createdFederation: boolean; after?: { federation: Component; mappers: Component[] } }): void {
  const patch: Partial<Snapshot> = res.createdFederation ? { createdId: res.federationId } : {};
  if (res.after) patch.after = res.after;
  updateSnapshot(path, patch);
}

/**
 * The newest snapshot of this federation on this Keycloak when it records a change whose restart
 * never finished (a failure or Ctrl-C after the Keycloak writes), else undefined.
 */
export function pendingRestart(stateDir: string, keycloakUrl: string, realm: string, federationName: string): string | undefined {
  const path = latestSnapshot(stateDir, realm, federationName);
  if (!path) return undefined;
  try {
    const snap = readSnapshot(path);
    return snap.restartPending === true && snap.keycloakUrl === keycloakUrl ? path : undefined;
  } catch {
    return undefined; // an unreadable snapshot is undo's problem, not a reason to restart
  }
}
