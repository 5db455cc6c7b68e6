// The only code that writes to Keycloak. It executes the plan's Keycloak actions in order and
// reports each one Keycloak accepted, so the caller can say exactly what was applied and what was
// not when one fails (a rerun converges: every action is computed from what Keycloak has, not
// from what dirlink did last time).
import { CancelledError, KeycloakError, isDirlinkError } from '../errors.js';
import type { Action, Plan } from '../plan/plan.js';
import { desiredFederation, emailMapper, type FederationSettings } from './federation.js';
import { LDAP_MAPPER_TYPE, SECRET_MASK, type Component, type KeycloakPort, type RealmRef } from './types.js';

export interface ApplyProgress {
  /** called before each action with a short title */
  onAction?: (title: string) => void;
  /** called after each action Keycloak accepted, with the same title */
  onApplied?: (title: string) => void;
  /** called as soon as the federation exists, so undo can find it even if a later write fails */
  onCreated?: (federationId: string) => void;
  /** checked before each write: Ctrl-C stops between two writes, never inside one */
  signal?: AbortSignal;
}

export interface ApplyResult {
  applied: string[];
  federationId?: string;
  createdFederation: boolean;
  /**
   * the federation and its mappers as this apply left them, for the snapshot (undo tells others'
   * later changes apart with it): built from what was read and written, not read back, so it
   * costs no request (at most one listing for a new federation whose mappers were never needed)
   */
  after?: { federation: Component; mappers: Component[] };
}

export function describe(a: Action): string {
  switch (a.kind) {
    case 'create-federation':
      return `create federation "${a.name}"`;
    case 'update-federation':
      return `update federation "${a.name}" (${[...a.changes.map((c) => c.key), ...(a.credential.action === 'keep' ? [] : ['bindCredential'])].join(', ')})`;
    case 'update-mapper':
      return `set mapper "${a.name}" to ${a.attribute}`;
    case 'create-mapper':
      return `create mapper "${a.name}"`;
    case 'restart':
      return `restart ${a.namespace}/${a.deployment}`;
  }
}

export async function applyKeycloak(
  kc: KeycloakPort,
  realm: RealmRef,
  plan: Plan,
  s: FederationSettings,
  secret: string,
  /** what observe() read: objects are written back from these, saving a GET per write */
  known: { federation?: Component; mappers: Component[] },
  progress: ApplyProgress = {},
): Promise<ApplyResult> {
  const result: ApplyResult = { applied: [], federationId: known.federation?.id, createdFederation: false };
  let mappers: Component[] | undefined = known.federation ? known.mappers : undefined;
  let federation: Component | undefined = known.federation;
  const actions = plan.actions.filter((a) => a.kind !== 'restart');
  for (const a of actions) {
    if (progress.signal?.aborted) throw new CancelledError(`interrupted (Ctrl-C) ${result.applied.length ? 'between two Keycloak writes' : 'before the first Keycloak write'}`);
    progress.onAction?.(describe(a));
    try {
      await execute(a);
    } catch (e) {
      throw isDirlinkError(e) ? e : new KeycloakError('keycloak.apply', `${describe(a)} failed: ${String((e as Error)?.message ?? e)}`, { cause: e });
    }
    result.applied.push(describe(a));
    progress.onApplied?.(describe(a));
  }
  if (result.createdFederation && !mappers) {
    try {
      await readCreated();
    } catch {
      // only the snapshot's record of the state left is lost; undo says so
    }
  }
  if (federation && mappers) result.after = { federation, mappers };
  return result;

  /** A new federation as Keycloak stored it (with the keys it adds) and the mappers it created, in one request. */
  async function readCreated(): Promise<void> {
    const all = await kc.listComponents(realm);
    federation = all.find((c) => c.id === result.federationId);
    mappers = all.filter((c) => c.parentId === result.federationId && c.providerType === LDAP_MAPPER_TYPE);
  }

  async function mapperByName(name: string): Promise<Component | undefined> {
    // a new federation's mappers are created by Keycloak: list them once
    if (!mappers) await readCreated();
    return mappers!.find((m) => m.name === name);
  }

  function remember(m: Component): void {
    mappers = [...(mappers ?? []).filter((x) => x.id !== m.id), m];
  }

  async function execute(a: Action): Promise<void> {
    switch (a.kind) {
      case 'create-federation': {
        const body = desiredFederation(s, secret, realm.id);
        result.federationId = await kc.createComponent(realm, body);
        result.createdFederation = true;
        progress.onCreated?.(result.federationId);
        return;
      }
      case 'update-federation': {
        const current = known.federation!;
        const config = { ...current.config };
        for (const ch of a.changes) config[ch.key] = ch.to;
        // The mask makes Keycloak keep its stored password; the real one is sent only when decided.
        config.bindCredential = [a.credential.action === 'keep' ? SECRET_MASK : secret];
        await kc.updateComponent(realm, a.id, { ...current, config });
        federation = { ...current, config: { ...config, bindCredential: [SECRET_MASK] } };
        return;
      }
      case 'update-mapper': {
        const current = await mapperByName(a.name);
        if (!current?.id) {
          if (a.name !== 'email') throw new KeycloakError('keycloak.mapper-missing', `the federation has no "${a.name}" mapper`);
          const body = emailMapper(result.federationId!, a.attribute);
          remember({ ...body, id: await kc.createComponent(realm, body) });
          return;
        }
        const updated = { ...current, config: { ...current.config, 'ldap.attribute': [a.attribute] } };
        await kc.updateComponent(realm, current.id, updated);
        remember(updated);
        return;
      }
      case 'create-mapper': {
        const body = emailMapper(result.federationId!, a.config['ldap.attribute']![0]!);
        remember({ ...body, id: await kc.createComponent(realm, body) });
        return;
      }
      case 'restart':
        return;
    }
  }
}
