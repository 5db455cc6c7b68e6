// Standalone emulator for manual trials:
//   node dist/test/world/keycloak/main.js --port 8180 [--admin-password P] [--realm runai] [--truststore ca.pem]
import { parseArgs } from 'node:util';
import { startKeycloakEmulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8180' },
    host: { type: 'string', default: '127.0.0.1' },
    'admin-password': { type: 'string' },
    realm: { type: 'string', multiple: true },
    truststore: { type: 'string', multiple: true },
  },
});

const emu = await startKeycloakEmulator({
  port: Number(values.port),
  host: values.host,
  adminPassword: values['admin-password'],
  realms: values.realm,
  truststore: values.truststore,
});
const ids = [...emu.state.realms.values()].map((r) => `${r.realm}=${r.id}`).join(' ');
process.stdout.write(`${emu.url}\n`);
process.stderr.write(`Keycloak emulator ${emu.state.version} listening; admin user '${emu.state.adminUser}'; realms ${ids}\n`);
const stop = () => void emu.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
