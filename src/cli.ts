// The CLI edge: argv → options, and exit codes. Nothing below this file reads argv, decides the
// exit code or calls process.exit. Only commander and the field table are loaded up front so
// that --help stays instant; the pipeline and its network libraries load when a command runs.
import { buildProgram } from './program.js';

async function main(): Promise<void> {
  let exitCode = 0;
  const program = buildProgram(async (command, opts) => {
    const { runCommand } = await import('./run.js');
    exitCode = await runCommand(command as 'setup', opts, { argv: process.argv });
  });
  try {
    if (process.argv.length <= 2) {
      program.outputHelp();
      process.exitCode = 2;
      return;
    }
    await program.parseAsync(process.argv);
    process.exitCode = exitCode;
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      process.exitCode = 0;
      return;
    }
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
      // commander already printed "error: ..." on stderr
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`dirlink: internal error: ${err.message ?? String(e)}\n`);
    process.exitCode = 1;
  }
}

await main();
