// The CLI edge: the only module that touches the process's argv, streams and exit code. Only
// commander and the field table are loaded up front so that --help stays instant; the pipeline and
// its network libraries load when a command runs.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
