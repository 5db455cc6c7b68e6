// The command-line grammar: commands and their flags, generated from the field table. Kept apart
// from cli.ts so tests (and the Job template check) can parse arguments without running anything.
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { FIELDS } from './inputs/fields.js';

/** package.json sits two levels above dist/src/program.js and one above src/program.ts (tests). */
function version(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      /* try the next location */
    }
  }
  return 'unknown';
}

const EXIT_HELP = `
Exit codes:
  0  success (also "nothing to change")      4  Keycloak failed
  1  unexpected internal error                5  Kubernetes failed
  2  usage error: bad or missing input        6  login verification failed
  3  LDAP check failed                        7  SCIM endpoint check failed (scim-check)
                                              130 cancelled (Ctrl-C, or "no" at the question)

Secrets are read from a file (--*-file), stdin (--bind-password-stdin), the environment
(DIRLINK_BIND_PASSWORD, DIRLINK_KEYCLOAK_PASSWORD, DIRLINK_KEYCLOAK_CLIENT_SECRET,
DIRLINK_VERIFY_PASSWORD, DIRLINK_SCIM_TOKEN) or a masked prompt - never from a flag value.
Precedence: flags > environment > --config file > defaults.`;

const KUBECONFIG_HELP = `
The user follows Run:AI's researcher authentication for a self-hosted (Keycloak) control plane:
auth-provider oidc with airgapped "true", auth-flow, realm, client-id, idp-issuer-url
<keycloak-url>/realms/<realm> and, for remote-browser, redirect-uri (a machine without a browser
prints a login URL to open elsewhere; the page it ends on shows a code to paste back).
With Keycloak credentials (--keycloak-password-file / DIRLINK_KEYCLOAK_PASSWORD, or a service
client) the realm and client are checked first; without them that check is skipped.

Examples:
  dirlink kubeconfig --keycloak-url https://runai.example.com/auth > researcher-user.yaml
  dirlink kubeconfig --keycloak-url https://runai.example.com/auth --write --context prod

Migrating from the Auth0 AD/LDAP connector: \`dirlink check\` and \`dirlink status\` list kubeconfig
users that still point at Auth0; --write replaces a user of the same name.`;

const AUTH0_HELP = `
Auth0 connector leftovers (a warning, never a failure): kubeconfig users (--kubeconfig, KUBECONFIG
or ~/.kube/config) that still log in through Run:AI's old Auth0 AD/LDAP connector (an *.auth0.com
issuer, the redirect-uri https://app.run.ai/auth, an auth-flow without an issuer), and a login
name in the connector's <TENANT>/<user> form. With the Keycloak federation logins are the plain
username attribute (sAMAccountName on AD), roles are still assigned in the Run:AI UI, and
\`dirlink kubeconfig --write\` switches a kubeconfig to the Keycloak login.`;

/** Options every command shares. */
function general(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'YAML or JSON config file (see templates/dirlink.example.yaml)')
    .option('--non-interactive', 'never prompt (implied when stdin is not a TTY or CI is set)')
    .option('--json', 'print one JSON object on stdout (progress goes to stderr)')
    .option('--verbose', 'more detail, timings of every step')
    .option('--no-color', 'no colour (also NO_COLOR)');
}

type FieldGroup = 'ldap' | 'keycloak' | 'kubernetes' | 'verify' | 'researcher' | 'scim';
const GROUP: Record<string, FieldGroup> = Object.fromEntries(
  FIELDS.map((f) => [f.key, f.configKey?.split('.')[0] as FieldGroup]),
);

/** Adds the flags of the field table for the given groups (less the `except` fields). */
function fields(cmd: Command, groups: FieldGroup[], except: string[] = []): Command {
  for (const f of FIELDS) {
    if (!groups.includes(GROUP[f.key]!) || !f.flag || except.includes(f.key)) continue;
    const env = f.env ? ` [env ${f.env}]` : '';
    if (f.type === 'secret') {
      cmd.option(`${f.flag} <file>`, `${f.help} — read from this file${env}`);
      if (f.stdinFlag) cmd.option(f.stdinFlag, `read the ${f.label} from stdin`);
      // A plain --bind-password VALUE would land in `ps` and shell history: refuse it with the fix.
      cmd.addOption(new Option(`${f.flag.replace(/-file$/, '')} <value>`).hideHelp());
    } else if (f.type === 'boolean') {
      cmd.option(f.flag, `${f.help}${env}`);
    } else {
      const arg = f.type === 'duration' ? '<duration>' : f.key === 'caFile' || f.key === 'kubeconfig' ? '<file>' : '<value>';
      cmd.option(`${f.flag} ${arg}`, `${f.help}${env}${f.default !== undefined ? ` (default ${f.default})` : ''}`);
      if (f.alias) cmd.option(`${f.alias} ${arg}`, `same as ${f.flag}`);
    }
  }
  return cmd;
}

export function buildProgram(run: (command: string, opts: Record<string, unknown>) => Promise<void>): Command {
  const program = new Command('dirlink')
    .description('Connect an LDAP / Active Directory to the Keycloak inside Run:AI: test the directory, plan, apply, restart the backend, prove a login.')
    .version(version(), '--version')
    .addHelpText('after', EXIT_HELP)
    .showSuggestionAfterError(true)
    .exitOverride();

  const all: FieldGroup[] = ['ldap', 'keycloak', 'kubernetes', 'verify'];
  general(fields(program.command('setup').description('check the directory, show the plan, apply it to Keycloak, restart the backend and wait (guided when interactive)'), all))
    .option('--dry-run', 'stop after the plan: nothing is sent to Keycloak or Kubernetes')
    .option('--yes', 'apply without the confirmation question')
    .option('--force-restart', 'restart the backend even when nothing changed in Keycloak')
    .option('--rotate-bind-password', "send the bind password even when Keycloak's stored one still works")
    .action((opts: Record<string, unknown>) => run('setup', opts));
  general(fields(program.command('check').description('the directory check and the plan, without changing anything (never writes); warns about Auth0-connector leftovers in the kubeconfig'), all))
    .option('--rotate-bind-password', 'plan as if the bind password were rotated')
    .addHelpText('after', AUTH0_HELP)
    .action((opts: Record<string, unknown>) => run('check', opts));
  general(fields(program.command('status').description('the federation and its mappers as Keycloak has them (secrets masked), the deployment, and Auth0-connector leftovers in the kubeconfig'), ['keycloak', 'kubernetes', 'ldap']))
    .addHelpText('after', AUTH0_HELP)
    .action((opts: Record<string, unknown>) => run('status', opts));
  general(fields(program.command('verify').description('log a directory user in through Keycloak and check the token claims'), ['keycloak', 'verify', 'ldap']))
    .action((opts: Record<string, unknown>) => run('verify', opts));
  general(fields(program.command('undo').description('restore the snapshot the last setup saved (or delete the federation it created), then restart'), ['keycloak', 'kubernetes']))
    .option('--snapshot <file>', 'restore this snapshot instead of the newest one')
    .option('--yes', 'apply without the confirmation question')
    .action((opts: Record<string, unknown>) => run('undo', opts));
  // The researcher-side half: kubectl / the Run:AI CLI log in through the same realm. --context is a
  // flag of its own here (not DIRLINK_KUBE_CONTEXT), so an exported admin context is never repointed.
  general(fields(program.command('kubeconfig').description("the kubeconfig user researchers log in with (Run:AI CLI / kubectl through the realm): print it, or merge it into a kubeconfig with --write"),
    ['keycloak', 'researcher', 'kubernetes'], ['federationName', 'context', 'namespace', 'deployment', 'restart', 'rolloutTimeout']))
    .option('--write [file]', 'merge the user into this kubeconfig (default: --kubeconfig, KUBECONFIG or ~/.kube/config); the old file is kept as FILE.dirlink-backup-<time>')
    .option('--context <name>', 'with --write: also point this existing context at the user')
    .addHelpText('after', KUBECONFIG_HELP)
    .action((opts: Record<string, unknown>) => run('kubeconfig', opts));
  general(
    fields(program.command('scim-check').description("test a SCIM 2.0 endpoint the way Entra ID's provisioning Test Connection does, and more (exit 7 when it would fail)"), ['scim'])
      .option('--write-test', 'also create, find, PATCH and delete a test user dirlink-scimcheck-<random>@<domain> (always deleted)'),
  )
    .addHelpText(
      'after',
      `
Checks, in order: the Test Connection query GET /Users?filter=userName eq "<random>" (must answer
200 with an empty ListResponse, application/scim+json), /ServiceProviderConfig (patch, filter,
bearer auth), /Schemas (userName, emails[type eq "work"].value), and that a request without the
token is refused. --write-test adds POST /Users with a UPN-style userName and work email, a filter
lookup of it, a PATCH (active=false, as Entra disables users) and DELETE, then checks it is gone.
Example: DIRLINK_SCIM_TOKEN=... dirlink scim-check --url https://app.example.com/scim/v2 --write-test`,
    )
    .action((opts: Record<string, unknown>) => run('scim-check', opts));
  return program;
}

