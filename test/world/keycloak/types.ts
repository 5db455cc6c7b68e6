// Shapes shared by the Keycloak 26 admin-API emulator's modules (see index.ts for the public API).

export type Config = Record<string, string[]>;

export interface ComponentModel {
  id: string;
  name: string;
  providerId: string;
  providerType: string;
  /** realm *id* normally; a realm *name* here makes the component an orphan, as in Keycloak */
  parentId: string;
  subType?: string;
  /** everything stored, including keys the factory does not know (hidden on GET) and the real secret */
  config: Config;
}

export interface ClientModel {
  id: string;
  clientId: string;
  enabled: boolean;
  publicClient: boolean;
  directAccessGrantsEnabled: boolean;
  standardFlowEnabled: boolean;
  serviceAccountsEnabled: boolean;
  secret?: string;
  /** "Valid redirect URIs" (the seeded clients have none, as admin-cli has none in Keycloak) */
  redirectUris?: string[];
  rootUrl?: string;
  /** realm-management roles of the service account (emulator simplification: they apply to every realm) */
  roles: ('manage-realm' | 'view-realm')[];
}

export interface RealmModel {
  id: string;
  realm: string;
  enabled: boolean;
  /** Keycloak default: false. Only the duplicate-email search behaviour looks at it. */
  duplicateEmailsAllowed: boolean;
  clients: ClientModel[];
  /** insertion-ordered, keyed by component id */
  components: Map<string, ComponentModel>;
}

export interface EmulatorState {
  /** keyed by realm name */
  realms: Map<string, RealmModel>;
  adminUser: string;
  adminPassword: string;
  version: string;
  /** PEM texts of the CAs Keycloak's truststore SPI trusts (opts.truststore files, read at start) */
  truststore: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  at: number;
}

export interface FaultSpec {
  method?: string;
  path: RegExp | string;
  status?: number;
  body?: unknown;
  delayMs?: number;
  times?: number;
  hang?: boolean;
}

export interface ServiceClientOption {
  clientId: string;
  secret: string;
  roles?: ('manage-realm' | 'view-realm')[];
}

export interface KeycloakEmulatorOptions {
  port?: number;
  host?: string;
  adminUser?: string;
  adminPassword?: string;
  serviceClients?: ServiceClientOption[];
  realms?: string[];
  tokenLifespanSeconds?: number;
  version?: string;
  /** PEM CA files in Keycloak's truststore (used when useTruststoreSpi is always/ldapsOnly) */
  truststore?: string[];
}

/** Thrown inside handlers; turned into an HTTP response by the router. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}
