// The CLI edge: the only module that touches the process's argv, streams and exit code. Only
// commander and the field table are loaded up front so that --help stays instant; the pipeline and
// its network libraries load when a command runs.
import { main } from './main.js';

/** First Ctrl-C: the command stops waiting and reports where it was. Second: leave at once (130). */
function onInterrupt(stop: () => void): () => void {
  let stopping = false;
  const handler = () => {
    if (stopping) process.exit(130);
    stopping = true;
    stop();
  };
  process.on('SIGINT', handler);
  return () => void process.removeListener('SIGINT', handler);
}

process.exitCode = await main(process.argv.slice(2), { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, onInterrupt });
