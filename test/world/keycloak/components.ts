// /admin/realms/{r}/components — ComponentResource semantics of Keycloak 26 (keycloak.md §1.3–1.4, §6).
import { randomBytes, randomUUID } from 'node:crypto';
import { defaultKerberosPrincipalAttribute, defaultMappers } from './default-mappers.js';
import { KEY_PROVIDER, LDAP_MAPPER, SECRET_MASK, USER_STORAGE, first, isSecretKey, knownKeys, validateComponent } from './factories.js';
import { javaHashSetOrder } from './java-order.js';
import { HttpError, type ComponentModel, type Config, type EmulatorState, type RealmModel } from './types.js';

const notFound = () => new HttpError(404, { error: 'Could not find component' });
const VAULT = /^\$\{vault\.(.+?)}$/;

/** StripSecretsUtils + ModelToRepresentation: known keys only, secrets masked unless vault references. */
export function toRepresentation(c: ComponentModel) {
  const known = knownKeys(c.providerType, c.providerId);
  const config: Config = {};
  for (const [k, v] of Object.entries(c.config)) {
    if (known && !known.has(k)) continue; // stored but hidden
    config[k] = isSecretKey(c, k) ? v.map((x) => (VAULT.test(x) ? x : SECRET_MASK)) : [...v];
  }
  return {
    id: c.id,
    name: c.name,
    providerId: c.providerId,
    providerType: c.providerType,
    parentId: c.parentId,
    ...(c.subType !== undefined ? { subType: c.subType } : {}),
    config,
  };
}

/** JSON config → MultivaluedHashMap<String,String>; a bare string is taken as a one-element list (Jackson's ACCEPT_SINGLE_VALUE_AS_ARRAY is unverified for KC — keycloak.md §1.4). */
function readConfig(raw: unknown): Record<string, (string | null)[] | null> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: Record<string, (string | null)[] | null> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (v === null || v === undefined) out[k] = null;
    else if (Array.isArray(v)) out[k] = v.map((x) => (x === null || x === undefined ? null : String(x)));
    else out[k] = [String(v)];
  }
  return out;
}

const blank = (v: (string | null)[] | null): boolean => { const x = v?.[0]; return x === null || x === undefined || x.trim() === ''; };

function realmList(realm: RealmModel): ComponentModel[] {
  return [...realm.components.values()];
}

/** GET /components?parent=&type=&name=&providerId= */
export function listComponents(realm: RealmModel, q: URLSearchParams) {
  let parent = q.get('parent');
  const type = q.get('type');
  const name = q.get('name');
  const providerId = q.get('providerId');
  let list = realmList(realm);
  if (parent === null && type === null) {
    // every component of the realm
  } else if (type === null) {
    list = list.filter((c) => c.parentId === parent);
  } else {
    parent ??= realm.id; // type only: realm.getComponentsStream(realm.getId(), type)
    list = list.filter((c) => c.parentId === parent && c.providerType === type);
  }
  if (name !== null) list = list.filter((c) => c.name === name);
  if (providerId !== null) list = list.filter((c) => c.providerId === providerId);
  return list.map(toRepresentation);
}

export function getComponent(realm: RealmModel, id: string) {
  const c = realm.components.get(id);
  if (!c) throw notFound();
  return toRepresentation(c);
}

/** POST /components → id of the new component (the router answers 201 + Location). */
export function createComponent(state: EmulatorState, realm: RealmModel, body: unknown): string {
  const rep = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const providerType = typeof rep.providerType === 'string' ? rep.providerType : '';
  const providerId = typeof rep.providerId === 'string' ? rep.providerId : '';
  if (!knownKeys(providerType, providerId)) {
    throw new HttpError(400, { errorMessage: 'Invalid provider type or no such provider' });
  }
  const config: Config = {};
  // RepresentationToModel.toModel: null/blank values and empty lists dropped, unknown keys kept
  for (const [k, v] of Object.entries(readConfig(rep.config))) {
    if (!blank(v)) config[k] = v!.filter((x): x is string => x !== null);
  }
  const c: ComponentModel = {
    id: typeof rep.id === 'string' && rep.id !== '' ? rep.id : '',
    name: typeof rep.name === 'string' ? rep.name : '',
    providerId,
    providerType,
    parentId: typeof rep.parentId === 'string' && rep.parentId !== '' ? rep.parentId : realm.id,
    ...(typeof rep.subType === 'string' ? { subType: rep.subType } : {}),
    config,
  };
  validateComponent(c, state.version);
  const isLdap = providerType === USER_STORAGE && providerId === 'ldap';
  // KC ≥ 26.1 (PR #34815): LDAP components get a 22-char base64url short id; others a UUID
  if (!c.id) c.id = isLdap ? randomBytes(16).toString('base64url').slice(0, 22) : randomUUID();
  if (realm.components.has(c.id)) throw new HttpError(409, { errorMessage: 'Component with same id exists' });
  realm.components.set(c.id, c);
  if (isLdap) {
    // onCreate: krbPrincipalAttribute written if absent, then the default mappers
    if (!first(c.config, 'krbPrincipalAttribute')) {
      c.config.krbPrincipalAttribute = [defaultKerberosPrincipalAttribute(first(c.config, 'vendor') ?? '')];
    }
    for (const m of defaultMappers(c)) realm.components.set(m.id, m);
  }
  return c.id;
}

/** PUT /components/{id}: RepresentationToModel.updateComponent merge, then validation of the merged model. */
export function updateComponent(state: EmulatorState, realm: RealmModel, id: string, body: unknown): void {
  const stored = realm.components.get(id);
  if (!stored) throw notFound();
  const rep = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const next: ComponentModel = structuredClone(stored);
  if (typeof rep.name === 'string') next.name = rep.name;
  if (typeof rep.parentId === 'string') next.parentId = rep.parentId;
  if (typeof rep.providerType === 'string') next.providerType = rep.providerType;
  if (typeof rep.providerId === 'string') next.providerId = rep.providerId;
  if (typeof rep.subType === 'string') next.subType = rep.subType;
  const known = knownKeys(next.providerType, next.providerId);
  if (!known) throw new HttpError(400, { errorMessage: 'Invalid provider type or no such provider' });
  const cfg = readConfig(rep.config);
  for (const k of javaHashSetOrder(Object.keys(cfg))) {
    // ⚠ Keycloak: `if (!providerConfiguration.containsKey(k)) break;` — the first unknown key ends the loop
    if (!known.has(k)) break;
    const v = cfg[k]!;
    if (blank(v)) {
      delete next.config[k];
    } else if (isSecretKey(next, k) && v![0] === SECRET_MASK) {
      // the mask keeps the stored secret — even when connectionUrl changed in the same PUT (#47295)
    } else {
      next.config[k] = v!.filter((x): x is string => x !== null);
    }
  }
  validateComponent(next, state.version); // failure leaves the stored component untouched (rollback)
  realm.components.set(id, next);
}

/** DELETE /components/{id}: removes the component and, recursively, its sub-components (mappers). */
export function deleteComponent(realm: RealmModel, id: string): void {
  if (!realm.components.has(id)) throw notFound();
  const doomed = [id];
  for (let i = 0; i < doomed.length; i++) {
    for (const c of realm.components.values()) if (c.parentId === doomed[i]) doomed.push(c.id);
  }
  for (const d of doomed) realm.components.delete(d);
}

/** GET /components/{id}/sub-component-types?type=… */
export function subComponentTypes(realm: RealmModel, id: string, type: string | null, mapperIds: string[]) {
  const c = realm.components.get(id);
  if (!c) throw notFound();
  if (type !== LDAP_MAPPER || c.providerId !== 'ldap') return [];
  return mapperIds.map((pid) => ({ id: pid, helpText: '', properties: [], metadata: {} }));
}

/** Key providers every new realm has (so "all components" is not just LDAP, as in a real realm). */
export function seedKeyProviders(realm: RealmModel): void {
  for (const [name, providerId] of [
    ['rsa-generated', 'rsa-generated'], ['rsa-enc-generated', 'rsa-enc-generated'],
    ['hmac-generated-hs512', 'hmac-generated'], ['aes-generated', 'aes-generated'],
  ] as const) {
    const id = randomUUID();
    realm.components.set(id, { id, name, providerId, providerType: KEY_PROVIDER, parentId: realm.id, config: { priority: ['100'] } });
  }
}
