// Federated users with import OFF (keycloak.md §7): user search and password login go to every
// enabled LDAP provider of the realm, for real, through the provider's mappers.
import type { Entry } from 'ldapts';
import { LDAP_MAPPER, USER_STORAGE, first } from './factories.js';
import { closeQuietly, connect, splitUrls, classify, type LdapTarget } from './ldap.js';
import { effectiveLdapConfig } from './default-mappers.js';
import { HttpError, type ComponentModel, type EmulatorState, type RealmModel } from './types.js';

/** RFC 4515 value escaping (ldapts' escapeFilter is a template tag) */
function escapeFilter(v: string): string {
  return v.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

interface Provider {
  comp: ComponentModel;
  /** user model attribute → LDAP attribute (user-attribute-ldap-mapper) */
  attr: Map<string, string>;
  /** full-name-ldap-mapper's LDAP attribute, if any */
  fullName?: string;
  mappers: ComponentModel[];
  msad: boolean;
  /** editMode WRITABLE: only then does the MSAD mapper turn pwdLastSet=0 / data 773 into UPDATE_PASSWORD */
  writable: boolean;
}

export interface FederatedUser {
  id: string;
  username: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  enabled: boolean;
  emailVerified: boolean;
  dn: string;
  /** AD pwdLastSet=0: the MSAD mapper adds the UPDATE_PASSWORD required action */
  mustChangePassword: boolean;
  attributes: Record<string, string[]>;
}

const serverError = () =>
  new HttpError(500, { error: 'unknown_error', error_description: 'For more on this error consult the server log.' });

/** Enabled LDAP providers whose parent is the realm id (orphans with parentId=name are invisible), by priority. */
export function providersOf(realm: RealmModel): Provider[] {
  const comps = [...realm.components.values()];
  return comps
    .filter((c) => c.providerType === USER_STORAGE && c.providerId === 'ldap' && c.parentId === realm.id && first(c.config, 'enabled') !== 'false')
    .sort((a, b) => Number(first(a.config, 'priority') ?? 0) - Number(first(b.config, 'priority') ?? 0))
    .map((comp) => {
      const mappers = comps.filter((m) => m.parentId === comp.id && m.providerType === LDAP_MAPPER);
      const attr = new Map<string, string>();
      let fullName: string | undefined;
      for (const m of mappers) {
        if (m.providerId === 'user-attribute-ldap-mapper') {
          const model = first(m.config, 'user.model.attribute');
          const ldap = first(m.config, 'ldap.attribute');
          if (model && ldap && !attr.has(model)) attr.set(model, ldap);
        } else if (m.providerId === 'full-name-ldap-mapper') {
          fullName = first(m.config, 'ldap.full.name.attribute') ?? 'cn';
        }
      }
      const msad = mappers.some((m) => m.providerId === 'msad-user-account-control-mapper');
      return { comp, attr, fullName, mappers, msad, writable: first(comp.config, 'editMode') === 'WRITABLE' };
    });
}

function target(state: EmulatorState, cfg: Record<string, string[]>, url: string): LdapTarget {
  const t = Number.parseInt(first(cfg, 'connectionTimeout') ?? '', 10);
  return {
    url,
    startTls: first(cfg, 'startTls') === 'true',
    useTruststoreSpi: first(cfg, 'useTruststoreSpi') ?? 'always',
    timeoutMs: Number.isFinite(t) && t > 0 ? t : 5000, // LDAPConfig default connect timeout
    truststore: state.truststore,
    network: state.network,
  };
}

/** Runs fn on a connection bound as the provider's service account, failing over across URLs. */
async function withProvider<T>(state: EmulatorState, p: Provider, fn: (c: Awaited<ReturnType<typeof connect>>) => Promise<T>): Promise<T> {
  const cfg = p.comp.config;
  let lastErr: unknown = new Error('no connection URL');
  for (const url of splitUrls(first(cfg, 'connectionUrl') ?? '')) {
    let client;
    try {
      client = await connect(target(state, cfg, url));
      // a ${vault.x} reference cannot be resolved here: it is sent literally and the bind fails
      if (first(cfg, 'authType') !== 'none') await client.bind(first(cfg, 'bindDn') ?? '', first(cfg, 'bindCredential') ?? '');
      return await fn(client);
    } catch (err) {
      lastErr = err;
      if (!['ConnectionFailed', 'UnknownHost', 'NoRouteToHost', 'CommunicationError'].includes(classify(err))) break;
    } finally {
      await closeQuietly(client);
    }
  }
  throw lastErr;
}

function objectClassFilter(p: Provider): string {
  const classes = (first(p.comp.config, 'userObjectClasses') ?? 'inetOrgPerson, organizationalPerson')
    .split(',').map((s) => s.trim()).filter(Boolean);
  const custom = first(p.comp.config, 'customUserSearchFilter')?.trim() ?? '';
  return classes.map((c) => `(objectClass=${escapeFilter(c)})`).join('') + custom;
}

async function search(state: EmulatorState, p: Provider, condition: string, limit: number): Promise<Entry[]> {
  const cfg = p.comp.config;
  const uuid = first(cfg, 'uuidLDAPAttribute') ?? 'entryUUID';
  const filter = `(&${objectClassFilter(p)}${condition})`;
  return withProvider(state, p, async (c) => {
    const opts = {
      scope: first(cfg, 'searchScope') === '1' ? ('one' as const) : ('sub' as const), // absent = SUBTREE
      filter,
      attributes: ['*', uuid, 'createTimestamp', 'modifyTimestamp'],
      explicitBufferAttributes: ['objectGUID'],
    };
    const out: Entry[] = [];
    if (first(cfg, 'pagination') === 'true') {
      for await (const page of c.searchPaginated(first(cfg, 'usersDn') ?? '', { ...opts, paged: { pageSize: 500 } })) {
        out.push(...page.searchEntries);
        if (out.length >= limit) break;
      }
    } else {
      out.push(...(await c.search(first(cfg, 'usersDn') ?? '', opts)).searchEntries);
    }
    return out.slice(0, limit);
  });
}

function get(entry: Entry, attr: string): string | undefined {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attr.toLowerCase());
  if (!key) return undefined;
  const v = entry[key];
  const one = Array.isArray(v) ? v[0] : v;
  if (one === undefined) return undefined;
  return Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
}

/** AD objectGUID bytes → Keycloak's string form (first three groups little-endian) */
function guidString(b: Buffer): string {
  const h = (i: number) => b[i]!.toString(16).padStart(2, '0');
  const order = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];
  return order.map((i) => (i < 0 ? '-' : h(i))).join('');
}

function toUser(p: Provider, e: Entry): FederatedUser | undefined {
  const cfg = p.comp.config;
  const uname = get(e, p.attr.get('username') ?? effectiveLdapConfig(cfg).username);
  if (!uname) return undefined; // Keycloak: "User returned from LDAP has null username" — skipped here
  const uuidAttr = first(cfg, 'uuidLDAPAttribute') ?? 'entryUUID';
  const rawUuid = Object.entries(e).find(([k]) => k.toLowerCase() === uuidAttr.toLowerCase())?.[1];
  const uuidVal = Array.isArray(rawUuid) ? rawUuid[0] : rawUuid;
  const ldapId = Buffer.isBuffer(uuidVal) ? guidString(uuidVal) : (uuidVal as string | undefined) ?? '';
  const u: FederatedUser = {
    id: `f:${p.comp.id}:${uname.toLowerCase()}`,
    username: uname.toLowerCase(), // Keycloak stores usernames lower-case
    enabled: true,
    emailVerified: first(cfg, 'trustEmail') === 'true',
    dn: e.dn,
    mustChangePassword: false,
    attributes: { LDAP_ID: [ldapId], LDAP_ENTRY_DN: [e.dn] },
  };
  // mappers apply in their stored order, so the "last name" (sn) mapper wins over the cn split
  for (const m of p.mappers) {
    if (m.providerId === 'user-attribute-ldap-mapper') {
      const model = first(m.config, 'user.model.attribute');
      const v = get(e, first(m.config, 'ldap.attribute') ?? '');
      if (!model || v === undefined || model === 'username') continue;
      if (model === 'email') u.email = v.toLowerCase();
      else if (model === 'firstName') u.firstName = v;
      else if (model === 'lastName') u.lastName = v;
      else u.attributes[model] = [v];
    } else if (m.providerId === 'full-name-ldap-mapper') {
      const full = get(e, first(m.config, 'ldap.full.name.attribute') ?? 'cn')?.trim();
      if (full) {
        const i = full.lastIndexOf(' ');
        if (i < 0) u.lastName = full;
        else {
          u.firstName = full.slice(0, i);
          u.lastName = full.slice(i + 1);
        }
      }
    }
  }
  if (p.msad) {
    // MSAD account controls mapper: ACCOUNTDISABLE (0x2) → disabled; pwdLastSet=0 → UPDATE_PASSWORD,
    // the latter only in WRITABLE mode (MSADUserModelDelegate.getRequiredActionsStream)
    const uac = Number.parseInt(get(e, 'userAccountControl') ?? '0', 10);
    u.enabled = (uac & 2) === 0;
    u.mustChangePassword = p.writable && get(e, 'pwdLastSet') === '0';
  }
  return u;
}

const orOver = (attrs: (string | undefined)[], v: string) => {
  const parts = [...new Set(attrs.filter((a): a is string => !!a))].map((a) => `(${a}=${v})`);
  return parts.length === 1 ? parts[0]! : `(|${parts.join('')})`;
};

/** LDAP condition for the admin API's user query, or undefined when the query lists no federated users. */
function condition(p: Provider, q: URLSearchParams): string | undefined | null {
  const exact = q.get('exact') === 'true';
  const parts: string[] = [];
  const fn = p.attr.get('firstName') ?? p.fullName;
  const ln = p.attr.get('lastName') ?? p.fullName;
  const search = q.get('search');
  if (search !== null) {
    for (const tok of search.trim().split(/\s+/)) {
      if (tok === '' || tok === '*') continue; // presence: everything
      const quoted = /^".*"$/.test(tok);
      const v = quoted ? escapeFilter(tok.slice(1, -1)) : `${escapeFilter(tok.replace(/\*/g, ''))}*`;
      parts.push(orOver([p.attr.get('username'), p.attr.get('email'), fn, ln], v));
    }
  }
  const field = (param: string, attr: string | undefined) => {
    const v = q.get(param);
    if (v === null || v === '') return true;
    if (!attr) return false; // a query on an unmapped attribute finds nothing
    parts.push(`(${attr}=${exact ? escapeFilter(v) : `*${escapeFilter(v)}*`})`);
    return true;
  };
  const ok = field('username', p.attr.get('username')) && field('email', p.attr.get('email')) &&
    field('firstName', fn) && field('lastName', ln);
  if (!ok) return null;
  if (search === null && parts.length === 0) return undefined;
  return parts.join('');
}

/** GET /admin/realms/{r}/users — federated results only (the emulator has no local users in realms). */
export async function searchUsers(state: EmulatorState, realm: RealmModel, q: URLSearchParams): Promise<FederatedUser[]> {
  const firstIdx = Math.max(0, Number.parseInt(q.get('first') ?? '0', 10) || 0);
  const max = Number.parseInt(q.get('max') ?? '100', 10);
  const limit = firstIdx + (Number.isFinite(max) && max >= 0 ? max : 100);
  const users: FederatedUser[] = [];
  for (const p of providersOf(realm)) {
    const cond = condition(p, q);
    if (!cond && cond !== '') continue;
    let entries: Entry[];
    try {
      entries = await search(state, p, cond, limit);
    } catch {
      // a broken provider fails the whole search (issue #41083)
      throw serverError();
    }
    for (const e of entries) {
      const u = toUser(p, e);
      if (u) users.push(u);
    }
  }
  // Duplicate emails among federated results (issues #22441, #30040, #39345): Keycloak's email
  // mapper raises ModelDuplicateException while the result stream is serialized, so the request
  // fails and the admin UI shows "No users found…". Emulated as 500 unknown_error.
  if (!realm.duplicateEmailsAllowed) {
    const seen = new Set<string>();
    for (const u of users) {
      if (!u.email) continue;
      if (seen.has(u.email)) throw serverError();
      seen.add(u.email);
    }
  }
  return users.slice(firstIdx, limit);
}

export async function findByUsername(state: EmulatorState, realm: RealmModel, p: Provider, username: string, byEmail = false) {
  const attr = byEmail ? p.attr.get('email') : p.attr.get('username');
  if (!attr) return undefined;
  const entries = await search(state, p, `(${attr}=${escapeFilter(username)})`, 2);
  return entries[0] ? toUser(p, entries[0]) : undefined;
}

/** GET /admin/realms/{r}/users/{id} for ids f:<componentId>:<username> */
export async function getUser(state: EmulatorState, realm: RealmModel, id: string): Promise<FederatedUser | undefined> {
  const m = /^f:([^:]+):(.+)$/.exec(id);
  if (!m) return undefined;
  const p = providersOf(realm).find((x) => x.comp.id === m[1]);
  if (!p) return undefined;
  try {
    return await findByUsername(state, realm, p, m[2]!);
  } catch {
    throw serverError();
  }
}

export function userRepresentation(u: FederatedUser, brief: boolean) {
  return {
    id: u.id,
    username: u.username,
    ...(u.firstName !== undefined ? { firstName: u.firstName } : {}),
    ...(u.lastName !== undefined ? { lastName: u.lastName } : {}),
    ...(u.email !== undefined ? { email: u.email } : {}),
    emailVerified: u.emailVerified,
    ...(brief ? {} : { attributes: u.attributes }),
    createdTimestamp: Date.now(),
    enabled: u.enabled,
    totp: false,
    disableableCredentialTypes: [],
    requiredActions: u.mustChangePassword ? ['UPDATE_PASSWORD'] : [],
    notBefore: 0,
    access: { manage: true },
  };
}

export type { Provider };
