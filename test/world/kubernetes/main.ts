// Standalone emulator for manual runs:
//   node dist/test/world/kubernetes/main.js --port 18080 [--tls] [--mode ok|stuck|deadline] [--step-ms 50] [--paused]
// Prints the URL and a kubeconfig path, then logs every request until Ctrl-C.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DEPLOYMENT, startKubeEmulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    tls: { type: 'boolean', default: false },
    mode: { type: 'string', default: 'ok' },
    'step-ms': { type: 'string', default: '500' },
    paused: { type: 'boolean', default: false },
    token: { type: 'string' },
  },
});
const mode = values.mode as 'ok' | 'stuck' | 'deadline';
if (!['ok', 'stuck', 'deadline'].includes(mode)) throw new Error(`--mode must be ok, stuck or deadline, not ${values.mode}`);

const emulator = await startKubeEmulator({
  port: Number(values.port), tls: values.tls,
  deployments: [{ ...DEFAULT_DEPLOYMENT, paused: values.paused }],
});
emulator.controller.mode = mode;
emulator.controller.stepMs = Number(values['step-ms']);
const kubeconfig = emulator.writeKubeconfig(mkdtempSync(join(tmpdir(), 'kube-emulator-cfg-')), { token: values.token, namespace: DEFAULT_DEPLOYMENT.namespace });
console.log(`kube emulator on ${emulator.url}\nkubeconfig: ${kubeconfig}`);

let seen = 0;
const log = setInterval(() => {
  for (const r of emulator.requests.slice(seen)) console.log(`${r.status} ${r.method} ${r.url} ${r.headers.contentType ?? ''} ${r.body}`);
  seen = emulator.requests.length;
}, 200);
const stop = () => { clearInterval(log); void emulator.close().then(() => process.exit(0)); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
