// The plan is data, built without I/O from (desired settings, what Keycloak and the cluster
// returned). It never holds a secret: the executor adds the bind password when it sends it, so
// the plan can be printed, serialised to JSON and snapshotted safely.
import { desiredConfig, diffConfig, emailMapper, type ConfigChange, type FederationSettings } from '../keycloak/federation.js';
import type { Component, Config, RealmRef } from '../keycloak/types.js';

export type CredentialDecision =
  | { action: 'set'; reason: string }
  | { action: 'send'; reason: string }
  | { action: 'keep'; reason: string };

export type Action =
  | { kind: 'create-federation'; name: string; config: Config; credential: CredentialDecision }
  | { kind: 'update-federation'; id: string; name: string; changes: ConfigChange[]; credential: CredentialDecision }
  | { kind: 'update-mapper'; id?: string; name: 'email' | 'username'; attribute: string; changes: ConfigChange[] }
  | { kind: 'create-mapper'; name: 'email'; config: Config }
  | { kind: 'restart'; namespace: string; deployment: string; reason: string; timeoutMs: number };

export interface Plan {
  realm: string;
  federation: string;
  actions: Action[];
  /** human notes: what stays as it is, and why */
  notes: string[];
  /** true when anything in Keycloak will change */
  changesKeycloak: boolean;
}

export interface ObservedKeycloak {
  realm: RealmRef;
  /** the provider with the chosen name (callers stop earlier when there are several) */
  federation?: Component;
  mappers: Component[];
  /** only for an existing federation with unchanged URL and bind DN */
  credential: CredentialDecision;
}

export interface PlanOptions {
  restart: {
    enabled: boolean;
    force: boolean;
    namespace: string;
    deployment: string;
    timeoutMs: number;
    /** a previous setup changed Keycloak but its restart did not finish (its snapshot says so) */
    pending?: boolean;
  };
}

function mapperChanges(m: Component, attribute: string): ConfigChange[] {
  return diffConfig({ 'ldap.attribute': [attribute] }, m.config);
}

export function buildPlan(s: FederationSettings, observed: ObservedKeycloak, opts: PlanOptions): Plan {
  const actions: Action[] = [];
  const notes: string[] = [];
  const fed = observed.federation;

  if (!fed) {
    actions.push({ kind: 'create-federation', name: s.name, config: desiredConfig(s), credential: observed.credential });
    // Keycloak creates the default mappers itself; its email mapper reads `mail` (keycloak.md §5).
    if (s.emailAttribute !== 'mail') {
      actions.push({ kind: 'update-mapper', name: 'email', attribute: s.emailAttribute, changes: [{ key: 'ldap.attribute', from: ['mail'], to: [s.emailAttribute] }] });
    } else {
      notes.push('the email mapper Keycloak creates already reads "mail"');
    }
  } else {
    const changes = diffConfig(desiredConfig(s), fed.config);
    if (changes.length > 0 || observed.credential.action !== 'keep') {
      actions.push({ kind: 'update-federation', id: fed.id!, name: s.name, changes, credential: observed.credential });
    } else {
      notes.push(`federation "${s.name}" matches (${observed.credential.reason})`);
    }
    const byName = (n: string) => observed.mappers.find((m) => m.name === n);
    const email = byName('email');
    if (!email) {
      actions.push({ kind: 'create-mapper', name: 'email', config: emailMapper(fed.id!, s.emailAttribute).config! });
    } else {
      const ch = mapperChanges(email, s.emailAttribute);
      if (ch.length) actions.push({ kind: 'update-mapper', id: email.id, name: 'email', attribute: s.emailAttribute, changes: ch });
      else notes.push(`email mapper reads "${s.emailAttribute}"`);
    }
    // Older Keycloak versions do not follow a changed username attribute in the username mapper.
    const username = byName('username');
    if (username) {
      const ch = mapperChanges(username, s.usernameAttribute);
      if (ch.length) actions.push({ kind: 'update-mapper', id: username.id, name: 'username', attribute: s.usernameAttribute, changes: ch });
    }
  }

  const changesKeycloak = actions.length > 0;
  const r = opts.restart;
  if (!r.enabled) {
    notes.push('restart skipped (--no-restart)');
  } else if (changesKeycloak || r.force || r.pending) {
    actions.push({
      kind: 'restart',
      namespace: r.namespace,
      deployment: r.deployment,
      reason: changesKeycloak
        ? 'the backend reads the federation at start-up'
        : r.pending
          ? 'a previous setup changed Keycloak, but the backend restart did not finish'
          : '--force-restart',
      timeoutMs: r.timeoutMs,
    });
  } else {
    notes.push('no restart: nothing changed in Keycloak (use --force-restart to restart anyway)');
  }
  return { realm: observed.realm.name, federation: s.name, actions, notes, changesKeycloak };
}
