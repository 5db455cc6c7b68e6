// What every command receives: adapters built in cli.ts (real libraries) or in tests (against
// the test world), so the pipeline itself never imports a network library or reads argv.
import type { Prompter } from '../inputs/prompter.js';
import type { ConnectOptions } from '../keycloak/admin.js';
import type { KeycloakPort } from '../keycloak/types.js';
import type { KubePort, KubeTarget } from '../kubernetes/index.js';
import type { Discovery, LdapSettings, ProbeOptions, ProbeReport } from '../ldap/types.js';
import type { Redactor } from '../output/redact.js';
import type { Reporter } from '../output/reporter.js';

export interface LdapAdapter {
  probe(s: LdapSettings, o?: ProbeOptions): Promise<ProbeReport>;
  discover(p: { url: string; startTls: boolean; caFile?: string; bindDn: string; bindPassword: string; timeoutMs?: number }): Promise<Discovery>;
}

export interface Deps {
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  redactor: Redactor;
  /** present only in interactive mode */
  prompter?: Prompter;
  ldap: LdapAdapter;
  keycloak(o: ConnectOptions): Promise<KeycloakPort>;
  kubernetes(t: KubeTarget): Promise<KubePort>;
  now(): Date;
  /** where snapshots are kept (DIRLINK_STATE_DIR, else $XDG_STATE_HOME/dirlink, else ~/.local/state/dirlink) */
  stateDir: string;
  /** aborted on SIGINT: long waits stop and report where they were */
  signal?: AbortSignal;
  /** a document for stdout (`dirlink kubeconfig`'s YAML); progress then goes to stderr */
  print?(text: string): void;
}

/** What a command hands back to the CLI edge for the summary and --json. */
export interface CommandResult {
  /** extra top-level fields of the --json object (plan, ldap, snapshot, rollout, …) */
  json: Record<string, unknown>;
}
