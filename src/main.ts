// The whole CLI as a function: arguments, environment, streams and Ctrl-C in, exit code out. It
// never touches `process`; src/cli.ts is the one caller that hands it the real process, so tests
// can run the exact same parse → validate → run path in-process, many times.
import { printable } from './errors.js';
import { buildProgram } from './program.js';
import type { RunIo } from './run.js';

export interface MainIo {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Ctrl-C, as the CLI edge wires it (see RunIo) */
  onInterrupt?: RunIo['onInterrupt'];
  /** tests inject adapters (the pipeline is the same) */
  overrides?: RunIo['overrides'];
}

/** `args` are the user's arguments only (process.argv without node and the script). */
export async function main(args: string[], io: MainIo): Promise<number> {
  let exitCode = 0;
  // Commander prints its own usage errors and help; send them to the given streams. Its errors
  // quote what was typed (an unknown option), so they pass the same guard as ours.
  const output = {
    writeOut: (s: string) => void io.stdout.write(s),
    writeErr: (s: string) => void io.stderr.write(s),
    outputError: (s: string, write: (s: string) => void) => write(printable(s)),
  };
  const program = buildProgram(async (command, opts) => {
    const { runCommand } = await import('./run.js');
    exitCode = await runCommand(command as 'setup', opts, { argv: args, env: io.env, stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, onInterrupt: io.onInterrupt, overrides: io.overrides });
  }, output);
  try {
    if (args.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    // commander already printed "error: ..." on stderr
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) return 2;
    io.stderr.write(`dirlink: internal error: ${err.message ?? String(e)}\n`);
    return 1;
  }
}
