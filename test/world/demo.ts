// `npm run demo`: the seed procedure, start to finish, against a local sandbox — a real Samba AD
// domain controller on loopback plus the Keycloak and Kubernetes emulators of the test world.
//   npm run demo              run setup, setup again (nothing to change), verify, status; then stop
//   npm run demo -- --keep    leave the sandbox running and print the variables to try it by hand
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSambaAdInfo, releaseServer, upServer } from './directories.js';
import { startKeycloakEmulator } from './keycloak/index.js';
import { startKubeEmulator } from './kubernetes/index.js';

const BIN = fileURLToPath(new URL('../../../bin/dirlink.js', import.meta.url));
const keep = process.argv.includes('--keep');
const say = (t: string) => process.stdout.write(`\n\x1b[1m== ${t}\x1b[0m\n`);

function dirlink(args: string[], env: Record<string, string>): Promise<number> {
  process.stdout.write(`\n$ dirlink ${args.join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<number> {
  say('1. A real Active Directory: Samba AD DC, realm EXAMPLE.TEST, on 127.0.0.1 (first run: install + provision, ~30 s)');
  const ad = await upServer('samba-ad', { log: (l) => process.stdout.write(`   ${l}\n`) });
  const d = readSambaAdInfo();
  process.stdout.write(`   ${ad.mode} in ${ad.seconds.toFixed(1)} s: ${d.userCount} users under ${d.usersDn}\n`);

  say('2. Keycloak 26 admin-API emulator (realm "runai") and a Kubernetes API emulator (runai-backend-deployment)');
  const dir = mkdtempSync(join(tmpdir(), 'dirlink-demo-'));
  const kcPassword = randomBytes(9).toString('base64url');
  const kc = await startKeycloakEmulator({ adminPassword: kcPassword });
  const kube = await startKubeEmulator();
  kube.controller.stepMs = 300; // slow enough to watch the rollout progress
  const kubeconfig = kube.writeKubeconfig(dir, { namespace: 'runai-backend' });
  const secret = (name: string, v: string) => {
    const p = join(dir, name);
    writeFileSync(p, `${v}\n`, { mode: 0o600 });
    return p;
  };
  const files = { bind: secret('bind-password', d.bindPassword), kc: secret('keycloak-password', kcPassword), verify: secret('verify-password', d.userPassword) };
  process.stdout.write(`   Keycloak ${kc.url}   Kubernetes ${kube.url}   files in ${dir}\n`);

  const env = { CI: 'true', HOME: dir, DIRLINK_STATE_DIR: join(dir, 'state'), KUBECONFIG: kubeconfig };
  const common = [
    '--ldap-url', d.url, '--bind-dn', d.bindDn, '--bind-password-file', files.bind, '--users-dn', d.usersDn,
    '--keycloak-url', kc.url, '--keycloak-password-file', files.kc,
  ];
  let code = 0;
  const step = async (title: string, args: string[]) => {
    say(title);
    const c = await dirlink(args, env);
    if (c !== 0) code = c;
    return c;
  };
  try {
    await step('3. dirlink setup: check the directory, plan, apply, restart the backend, wait', ['setup', ...common, '--verify-user', d.users.normal, '--verify-password-file', files.verify]);
    await step('4. The same command again: nothing to change, no write, no restart', ['setup', ...common]);
    await step('5. dirlink status: what Keycloak has now (secrets masked)', ['status', '--keycloak-url', kc.url, '--keycloak-password-file', files.kc]);
    say('Your turn');
    process.stdout.write(
      [
        'Against your own systems (interactive: dirlink asks for what is missing):',
        '  dirlink check --ldap-url ldaps://dc1.corp.example.com:636 --keycloak-url https://auth.runai.corp.example.com',
        '  dirlink setup          # guided; --non-interactive + DIRLINK_* variables in CI (see README)',
        '',
      ].join('\n'),
    );
    if (keep) {
      process.stdout.write(
        [
          'The sandbox keeps running (Ctrl-C to stop). In another shell:',
          `  export KUBECONFIG=${kubeconfig} DIRLINK_STATE_DIR=${join(dir, 'state')}`,
          `  export DIRLINK_LDAP_URL=${d.url} DIRLINK_BIND_DN='${d.bindDn}' DIRLINK_KEYCLOAK_URL=${kc.url}`,
          `  # bind password: ${files.bind}   Keycloak admin password: ${files.kc}`,
          '  node bin/dirlink.js setup --federation-name second   # the guided wizard',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    await Promise.allSettled([kc.close(), kube.close()]);
    if (ad.stopAtTeardown) await releaseServer('samba-ad');
  }
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`demo failed: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
