// The command-line grammar: commands and their flags, generated from the field table. Kept apart
// from cli.ts so tests (and the Job template check) can parse arguments without running anything.
import { Command, Option, type OutputConfiguration } from 'commander';
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
  3  LDAP check failed                        130 cancelled (Ctrl-C, or "no" at the question)

Secrets are read from a file (--*-file), stdin (--bind-password-stdin), the environment
(DIRLINK_BIND_PASSWORD, DIRLINK_KEYCLOAK_PASSWORD, DIRLINK_KEYCLOAK_CLIENT_SECRET,
DIRLINK_VERIFY_PASSWORD) or a masked prompt - never from a flag value.
Precedence: flags > environment > --config file > defaults.`;

/** Options every command shares. */
function general(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'YAML or JSON config file (see templates/dirlink.example.yaml)')
    .option('--non-interactive', 'never prompt (implied when stdin is not a TTY or CI is set)')
    .option('--json', 'print one JSON object on stdout (progress goes to stderr)')
    .option('--verbose', 'more detail, timings of every step')
    .option('--no-color', 'no colour (also NO_COLOR)');
}

type FieldGroup = 'ldap' | 'keycloak' | 'kubernetes' | 'verify';
const GROUP: Record<string, FieldGroup> = Object.fromEntries(
  FIELDS.map((f) => [f.key, f.configKey?.split('.')[0] as FieldGroup]),
);

/** Adds the flags of the field table for the given groups. */
function fields(cmd: Command, groups: FieldGroup[]): Command {
  for (const f of FIELDS) {
    if (!groups.includes(GROUP[f.key]!) || !f.flag) continue;
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
    }
  }
  return cmd;
}

/** `output` redirects commander's help and error text (set before the subcommands copy it). */
export function buildProgram(run: (command: string, opts: Record<string, unknown>) => Promise<void>, output?: OutputConfiguration): Command {
  const program = new Command('dirlink');
  if (output) program.configureOutput(output);
  program
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
  general(fields(program.command('check').description('the directory check and the plan, without changing anything (never writes)'), all))
    .option('--rotate-bind-password', 'plan as if the bind password were rotated')
    .action((opts: Record<string, unknown>) => run('check', opts));
  general(fields(program.command('status').description('the federation and its mappers as Keycloak has them (secrets masked), and the deployment'), ['keycloak', 'kubernetes', 'ldap']))
    .action((opts: Record<string, unknown>) => run('status', opts));
  general(fields(program.command('verify').description('log a directory user in through Keycloak and check the token claims'), ['keycloak', 'verify', 'ldap']))
    .action((opts: Record<string, unknown>) => run('verify', opts));
  general(fields(program.command('undo').description('restore the snapshot the last setup saved (or delete the federation it created), then restart'), ['keycloak', 'kubernetes']))
    .option('--snapshot <file>', 'restore this snapshot instead of the newest one')
    .option('--yes', 'apply without the confirmation question')
    .action((opts: Record<string, unknown>) => run('undo', opts));
  return program;
}

