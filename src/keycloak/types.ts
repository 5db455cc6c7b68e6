// Keycloak's ComponentRepresentation as dirlink uses it (keycloak.md §1.4): config values are
// always arrays of strings, and GET returns secrets as the 10-asterisk mask.

export const LDAP_PROVIDER_TYPE = 'org.keycloak.storage.UserStorageProvider';
export const LDAP_MAPPER_TYPE = 'org.keycloak.storage.ldap.mappers.LDAPStorageMapper';
export const SECRET_MASK = '**********';

export type Config = Record<string, string[]>;

export interface Component {
  id?: string;
  name?: string;
  providerId?: string;
  providerType?: string;
  parentId?: string;
  subType?: string;
  config?: Config;
}

export interface RealmRef {
  /** internal id: what parentId must hold (keycloak.md §1.2) */
  id: string;
  /** the name used in URLs */
  name: string;
}

export type KeycloakAuth =
  | { kind: 'password'; user: string; password: string }
  | { kind: 'client'; clientId: string; clientSecret: string };

export interface TestLdapRequest {
  action: 'testConnection' | 'testAuthentication';
  connectionUrl: string;
  bindDn: string;
  bindCredential: string;
  authType?: 'simple' | 'none';
  useTruststoreSpi?: string;
  connectionTimeout?: string;
  startTls?: string;
  componentId?: string;
}

/** 204 → ok; 400 → Keycloak's error code (AuthenticationFailure, SSLHandshakeFailed, …). */
export type TestLdapResult = { ok: true } | { ok: false; code: string };

/** What dirlink reads of a ClientRepresentation. */
export interface ClientInfo {
  id: string;
  enabled: boolean;
  publicClient: boolean;
  /** password grant (the CLI's `cli` auth flow, verify's admin-cli login) */
  directAccessGrantsEnabled: boolean;
  /** authorization-code flow (the browser / remote-browser login) */
  standardFlowEnabled: boolean;
  /** "Valid redirect URIs": absolute, relative to rootUrl, or ending in a * wildcard */
  redirectUris: string[];
  rootUrl?: string;
}

/** The narrow view of Keycloak the pipeline needs; the real one is in admin.ts. */
export interface KeycloakPort {
  readonly baseUrl: string;
  getRealm(name: string): Promise<RealmRef | undefined>;
  listRealms(): Promise<string[]>;
  /** LDAP providers of the realm (type UserStorageProvider, providerId ldap, parent = realm id) */
  listLdapProviders(realm: RealmRef): Promise<Component[]>;
  listMappers(realm: RealmRef, parentId: string): Promise<Component[]>;
  /** every component of the realm (GET /components without a filter, keycloak.md §2): a new federation and its default mappers in one request */
  listComponents(realm: RealmRef): Promise<Component[]>;
  getComponent(realm: RealmRef, id: string): Promise<Component | undefined>;
  createComponent(realm: RealmRef, c: Component): Promise<string>;
  updateComponent(realm: RealmRef, id: string, c: Component): Promise<void>;
  deleteComponent(realm: RealmRef, id: string): Promise<void>;
  testLdapConnection(realm: RealmRef, req: TestLdapRequest): Promise<TestLdapResult>;
  /** the realm's client with this clientId (verify: admin-cli's direct grants; kubeconfig: the researchers' client) */
  findClient(realm: RealmRef, clientId: string): Promise<ClientInfo | undefined>;
  /** the clientIds of the realm's clients (to suggest one when a client is missing) */
  listClientIds(realm: RealmRef): Promise<string[]>;
  /** how many requests were sent (for the benchmark's request count) */
  readonly requestCount: number;
}
