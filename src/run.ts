// Composition root: turns parsed options into Inputs, builds the real adapters, runs a command,
// and maps its outcome to the exit-code contract and the output (human or --json).
import { CancelledError, DirlinkError, ExitCode, UsageError, isDirlinkError, printable } from './errors.js';
import { FIELDS, type FieldKey } from './inputs/fields.js';
import { MAX_SECRET_BYTES, defaults, fromConfigFile, fromEnv, fromFlags, merge, readSecretFile, type Inputs } from './inputs/sources.js';
import { requireComplete, toSettings, validateInputs, type Command } from './inputs/resolve.js';
import { inquirerPrompter } from './inputs/prompter.js';
import { Redactor } from './output/redact.js';
import { Reporter } from './output/reporter.js';
import { defaultStateDir } from './keycloak/snapshot.js';
import type { Deps } from './commands/context.js';

export interface RunIo {
  argv: string[];
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /**
   * Ctrl-C: `stop` is called on the first one; the result unsubscribes. The CLI edge wires it to
   * SIGINT (and leaves at once on a second one); in-process callers may leave it out.
   */
  onInterrupt?: (stop: () => void) => () => void;
  /** tests inject adapters (the pipeline is the same) */
  overrides?: Partial<Pick<Deps, 'ldap' | 'keycloak' | 'kubernetes' | 'prompter' | 'now'>>;
}

const camel = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The secret piped in; `yes | dirlink --bind-password-stdin` must end, not fill memory. */
async function readStdin(stdin: NodeJS.ReadStream, flag: string, field: FieldKey): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of stdin) {
    total += (c as Buffer).length;
    if (total > MAX_SECRET_BYTES) {
      stdin.destroy();
      throw new UsageError('input.secret-stdin', `${flag}: more than ${MAX_SECRET_BYTES / 1024} KiB arrived on stdin, which no secret is`, { field, hint: 'pipe only the secret into dirlink' });
    }
    chunks.push(Buffer.from(c as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Flags → Inputs. Secret files and stdin are read here; a secret given as a flag value is refused. */
async function flagInputs(opts: Record<string, unknown>, stdin: NodeJS.ReadStream): Promise<Inputs> {
  const flags: Partial<Record<FieldKey, string | boolean>> = {};
  const spelled: Partial<Record<FieldKey, string>> = {};
  for (const f of FIELDS) {
    if (!f.flag) continue;
    if (f.type === 'secret') {
      const plain = opts[camel(f.flag.replace(/-file$/, ''))];
      if (plain !== undefined) {
        throw new UsageError('input.secret-flag', `${f.flag.replace(/-file$/, '')} is refused: a secret on the command line shows in \`ps\` and shell history`, {
          field: f.key,
          hint: `use ${f.flag} FILE${f.stdinFlag ? `, ${f.stdinFlag}` : ''} or ${f.env}`,
        });
      }
      const file = opts[camel(f.flag)];
      if (typeof file === 'string') flags[f.key] = readSecretFile(file, f);
      if (f.stdinFlag && opts[camel(f.stdinFlag)] === true) {
        if (typeof file === 'string') throw new UsageError('input.conflict', `use either ${f.flag} or ${f.stdinFlag}, not both`, { field: f.key });
        const v = await readStdin(stdin, f.stdinFlag, f.key);
        if (!v) throw new UsageError('input.secret-empty', `${f.stdinFlag}: stdin was empty`, { field: f.key, hint: `pipe the ${f.label} into dirlink` });
        flags[f.key] = v;
      }
    } else if (f.key === 'restart') {
      // commander gives --no-restart a default of true: only an explicit "no" is a flag value
      if (opts.restart === false) flags.restart = false;
    } else {
      const v = opts[camel(f.flag)];
      const alias = f.alias ? opts[camel(f.alias)] : undefined;
      if (v !== undefined && alias !== undefined && v !== alias) {
        throw new UsageError('input.conflict', `${f.alias} and ${f.flag} name the same input with different values`, { field: f.key, hint: `give only one of them` });
      }
      if ((v ?? alias) !== undefined) flags[f.key] = (v ?? alias) as string | boolean;
      if (v === undefined && alias !== undefined) spelled[f.key] = f.alias!;
    }
  }
  return fromFlags(flags, spelled);
}

async function realDeps(): Promise<Pick<Deps, 'ldap' | 'keycloak' | 'kubernetes'>> {
  return {
    ldap: {
      probe: async (s, o) => (await import('./ldap/probe.js')).probeLdap(s, o),
      discover: async (p) => (await import('./ldap/discover.js')).discover(p),
      lookupUser: async (s, name, attrs, o) => (await import('./ldap/lookup.js')).lookupUser(s, name, attrs, o),
    },
    keycloak: async (o) => (await import('./keycloak/admin.js')).connectKeycloak(o),
    kubernetes: async (t) => (await import('./kubernetes/index.js')).connectKubernetes(t),
  };
}

function toErrorJson(e: DirlinkError): Record<string, unknown> {
  return { code: e.code, message: e.message, hint: e.hint, field: e.field, ...(e.data ? { data: e.data } : {}) };
}

export async function runCommand(command: Command, opts: Record<string, unknown>, io: RunIo): Promise<number> {
  const { env, stdin, stdout, stderr } = io;
  const jsonMode = opts.json === true;
  const redactor = new Redactor();
  // `dirlink kubeconfig` without --write prints a kubeconfig on stdout: progress goes to stderr, as with --json
  const printsDocument = command === 'kubeconfig' && opts.write === undefined;
  const sink = jsonMode || printsDocument ? stderr : stdout;
  const color = opts.color !== false && !('NO_COLOR' in env && env.NO_COLOR !== '') && sink.isTTY === true && env.TERM !== 'dumb';
  const reporter = new Reporter({ sink: { write: (t) => sink.write(t), isTTY: sink.isTTY === true }, color, verbose: opts.verbose === true, redactor });
  const out: Record<string, unknown> = { ok: false, command, exitCode: 1, steps: reporter.steps };
  const controller = new AbortController();
  // First Ctrl-C: stop waiting and report where we were (a second one is the edge's to handle).
  const unsubscribe = io.onInterrupt?.(() => {
    stderr.write('\nstopping (Ctrl-C again to quit at once)\n');
    controller.abort(new CancelledError('interrupted (Ctrl-C)'));
  });

  let exitCode: number = ExitCode.ok;
  try {
    // `--config ""` (say, --config "$CFG" with CFG unset) is an unreadable path, not "no config file"
    let inputs = merge(defaults(), opts.config !== undefined ? await fromConfigFile(String(opts.config)) : {}, fromEnv(env), await flagInputs(opts, stdin));
    for (const f of FIELDS) if (f.type === 'secret') redactor.add(inputs[f.key]?.value as string | undefined);
    inputs = validateInputs(inputs);

    const interactive = opts.nonInteractive !== true && stdin.isTTY === true && !env.CI;
    const adapters = { ...(await realDeps()), ...io.overrides };
    const deps: Deps = {
      env,
      reporter,
      redactor,
      // prompts only in interactive mode; --json (and a printed kubeconfig) keep stdout for the document
      prompter: interactive ? (io.overrides?.prompter ?? inquirerPrompter({ input: stdin, output: jsonMode || printsDocument ? stderr : stdout, signal: controller.signal })) : undefined,
      ldap: adapters.ldap,
      keycloak: adapters.keycloak,
      kubernetes: adapters.kubernetes,
      now: io.overrides?.now ?? (() => new Date()),
      stateDir: defaultStateDir(env),
      signal: controller.signal,
      print: (t) => stdout.write(redactor.redact(t)),
    };

    const { resolveForCommand } = await import('./commands/inputs.js');
    inputs = await resolveForCommand(command, inputs, deps, interactive);
    for (const f of FIELDS) if (f.type === 'secret') redactor.add(inputs[f.key]?.value as string | undefined);
    requireComplete(command, inputs);
    const settings = toSettings(inputs);

    const { dispatch } = await import('./commands/dispatch.js');
    await dispatch(command, settings, opts, deps, out);
    out.ok = true;
  } catch (e) {
    const err = normalise(e, controller.signal);
    exitCode = err.exitCode;
    out.error = toErrorJson(err);
    if (!jsonMode) {
      stderr.write(printable(redactor.redact(`\n✖ ${err.message}\n${err.hint ? `  → ${err.hint}\n` : ''}`)));
      if (opts.verbose === true && err.cause) stderr.write(redactor.redact(`  cause: ${String((err.cause as Error)?.stack ?? err.cause)}\n`));
    }
  } finally {
    unsubscribe?.();
  }
  out.exitCode = exitCode;
  if (jsonMode) stdout.write(redactor.redact(JSON.stringify(out, null, 2)) + '\n');
  else if (exitCode === 0) (printsDocument ? stderr : stdout).write(redactor.redact(`\n${summaryLine(command, out)}\n`));
  return exitCode;
}

function summaryLine(command: Command, out: Record<string, unknown>): string {
  if (command === 'check') return 'Check complete: nothing was changed.';
  if (command === 'setup') {
    if (out.changed) return `Done: the directory is connected${out.rollout ? ' and the backend restarted' : ''}.${out.snapshot ? ` Undo with: dirlink undo` : ''}`;
    return (out.plan as unknown[] | undefined)?.length ? 'Dry run complete: nothing was changed.' : 'Nothing to change: the realm is already configured.';
  }
  if (command === 'kubeconfig') {
    const k = out.kubeconfig as { file?: string; changed?: boolean } | undefined;
    if (!k?.file) return 'Done: paste the user into the researchers\' kubeconfig, or rerun with --write.';
    return k.changed ? `Done: ${k.file} has the researcher login.` : `Nothing to change: ${k.file} already has the researcher login.`;
  }
  if (command === 'scim-check') return (out.scim as { summary?: string } | undefined)?.summary ?? 'SCIM check passed.';
  return 'Done.';
}

function normalise(e: unknown, signal: AbortSignal): DirlinkError {
  if (isDirlinkError(e)) return e;
  if (signal.aborted || (e as Error)?.name === 'AbortError') return new CancelledError('interrupted (Ctrl-C)');
  const msg = (e as Error)?.message ?? String(e);
  return new DirlinkError(ExitCode.internal, 'internal', `unexpected error: ${msg}`, { hint: 'rerun with --verbose and report it', cause: e });
}
