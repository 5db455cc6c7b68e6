// `npm run bench`: whole-process figures of dirlink, each next to its goal, measured side by side
// in one run on one machine (ratios of medians, A and B alternating so drift hits both).
// Writes the table to stdout; `--write` also records it in BENCHMARKS.md with the date and the
// machine. BENCH_RUNS sets the counted runs per side (default 7).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { DEFAULT_CAP } from '../../src/ldap/probe.js';
import { startWorld } from '../world/directories.js';
import { startKeycloakEmulator } from '../world/keycloak/index.js';
import { startKubeEmulator } from '../world/kubernetes/index.js';
import { findKubectls } from '../world/kubernetes/kubectl.js';
import type { DirectoryInfo } from '../world/types.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'dirlink.js');
const EXPERT = join(ROOT, 'test', 'bench', 'expert-check.sh');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'dirlink-bench-'));
// Peak RSS of the child, written at exit by a preload (bench-only; dirlink itself has no hook).
const PRELOAD = join(dir, 'rss.cjs');
writeFileSync(PRELOAD, "process.on('exit',()=>{try{const u=process.resourceUsage();require('fs').writeFileSync(process.env.BENCH_RSS_FILE,u.maxRSS+' '+(u.userCPUTime+u.systemCPUTime))}catch{}})\n");

/** cpuMs: user + system CPU of a node child (NaN for others); on a loaded machine it moves less than wall time */
interface Sample { ms: number; rssMb: number; cpuMs: number; code: number | null; end: number }

const GNU_TIME = '/usr/bin/time';

/**
 * One whole run. Node children report their peak RSS and CPU through the preload; `rusage` runs
 * the command under GNU time instead, which counts the CPU of every process it starts (a shell
 * script's tools), for a comparison of a node process with a script.
 */
function timeRun(cmd: string, args: string[], env: Record<string, string> = {}, o: { rusage?: boolean } = {}): Promise<Sample> {
  const rssFile = join(dir, `rss-${process.hrtime.bigint()}`);
  const isNode = cmd === process.execPath && !o.rusage;
  const argv = o.rusage ? [GNU_TIME, '-o', rssFile, '-f', '%M %U %S', cmd, ...args] : [cmd, ...(isNode ? ['--require', PRELOAD] : []), ...args];
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    child.on('close', (code) => {
      const end = performance.now();
      let rssMb = NaN;
      let cpuMs = NaN;
      try {
        const f = readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
        // GNU time: KB and seconds; the preload: KB and microseconds
        rssMb = f[0]! / 1024;
        cpuMs = o.rusage ? (f[1]! + f[2]!) * 1000 : f[1]! / 1000;
      } catch {
        /* neither a node child nor under GNU time */
      }
      resolve({ ms: end - start, rssMb, cpuMs, code, end });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const ms = (xs: Sample[]) => median(xs.map((x) => x.ms));
const mb = (xs: Sample[]) => median(xs.map((x) => x.rssMb));
const cpuRatio = (a: Sample[], b: Sample[]) => `CPU ${(median(a.map((x) => x.cpuMs)) / median(b.map((x) => x.cpuMs))).toFixed(2)}×`;

/** Every run of a pair must have succeeded: a failing run would be timed as fast. */
function allOk(what: string, ...runs: Sample[][]): void {
  const bad = runs.flat().filter((r) => r.code !== 0);
  if (bad.length) throw new Error(`${what}: ${bad.length} run(s) exited with ${[...new Set(bad.map((r) => r.code))].join(', ')}`);
}

const onPath = (tool: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

async function pair(a: () => Promise<Sample>, b: () => Promise<Sample>, n = RUNS): Promise<{ a: Sample[]; b: Sample[] }> {
  await a();
  await b(); // warm-up
  const as: Sample[] = [];
  const bs: Sample[] = [];
  for (let i = 0; i < n; i++) {
    as.push(await a());
    bs.push(await b());
  }
  return { a: as, b: bs };
}

const rows: string[][] = [];
function row(figure: string, value: string, goal: string, ok: boolean) {
  rows.push([figure, value, goal, ok ? 'met' : 'NOT met']);
  process.stdout.write(`${figure}: ${value} (goal ${goal}) ${ok ? 'met' : 'NOT met'}\n`);
}

async function main() {
  const load0 = loadavg()[0]!;
  const started = await startWorld();
  const w = started.world;
  const kc = await startKeycloakEmulator({ adminPassword: 'bench-admin' });
  const kube = await startKubeEmulator();
  kube.controller.stepMs = 20;
  // People's kubeconfigs are YAML (the emulator writes JSON, which would skip the YAML parser)
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, stringify(JSON.parse(readFileSync(kube.writeKubeconfig(dir, {}), 'utf8'))), { mode: 0o600 });
  const env = (d: DirectoryInfo, extra: Record<string, string> = {}) => ({
    CI: 'true', NO_COLOR: '1', HOME: dir, DIRLINK_STATE_DIR: join(dir, 'state'), KUBECONFIG: kubeconfig,
    DIRLINK_LDAP_URL: d.url, DIRLINK_BIND_DN: d.bindDn, DIRLINK_BIND_PASSWORD: d.bindPassword, DIRLINK_USERS_DN: d.usersDn,
    DIRLINK_KEYCLOAK_URL: kc.url, DIRLINK_KEYCLOAK_PASSWORD: 'bench-admin', DIRLINK_VENDOR: d.kind === 'samba-ad' ? 'ad' : 'other', ...extra,
  });
  const dirlink = (args: string[], e: Record<string, string>) => () => timeRun(process.execPath, [BIN, ...args], e);
  try {
    // 1. --help against a bare node start
    const help = await pair(dirlink(['--help'], {}), () => timeRun(process.execPath, ['-e', '0']), RUNS * 2);
    allOk('--help', help.a, help.b);
    const helpRatio = ms(help.a) / ms(help.b);
    row('dirlink --help / node -e 0 (wall, median)', `${helpRatio.toFixed(2)}× (${ms(help.a).toFixed(0)} ms vs ${ms(help.b).toFixed(0)} ms; ${cpuRatio(help.a, help.b)})`, '≤ 1.5×', helpRatio <= 1.5);

    // 2. check on the 20,000-user tree against the 10-user tree (a separate federation name each)
    const scale = await pair(dirlink(['check'], env(w.openldapBig, { DIRLINK_FEDERATION_NAME: 'big' })), dirlink(['check'], env(w.openldapTiny, { DIRLINK_FEDERATION_NAME: 'tiny' })));
    allOk('check on the 20,000-user and 10-user trees', scale.a, scale.b);
    const scaleRatio = ms(scale.a) / ms(scale.b);
    const rssRatio = mb(scale.a) / mb(scale.b);
    row('check on 20,000 users / on 10 users (wall, median)', `${scaleRatio.toFixed(2)}× (${ms(scale.a).toFixed(0)} ms vs ${ms(scale.b).toFixed(0)} ms; ${cpuRatio(scale.a, scale.b)})`, '≤ 1.15×', scaleRatio <= 1.15);
    row('check on 20,000 users / on 10 users (peak RSS, median)', `${rssRatio.toFixed(2)}× (${mb(scale.a).toFixed(0)} MB vs ${mb(scale.b).toFixed(0)} MB)`, '≤ 1.15×', rssRatio <= 1.15);

    // 3. check against what an expert would type for less (Samba AD world, same inputs)
    const kubectl = findKubectls().at(-1);
    const missing = ['bash', 'ldapwhoami', 'ldapsearch', 'curl', 'jq', GNU_TIME].filter((t) => !onPath(t));
    if (!kubectl) missing.push('kubectl');
    if (missing.length) {
      row('check / expert script (wall, median)', `not measured: ${missing.join(', ')} missing`, '≤ 1.0×', false);
    } else {
      const expertEnv = { ...env(w.ad), KUBECTL: kubectl!.path, EXPERT_SIZE_LIMIT: String(DEFAULT_CAP) };
      // both under GNU time, so both pay its start-up and report CPU the same way
      const expert = await pair(() => timeRun(process.execPath, [BIN, 'check'], env(w.ad), { rusage: true }), () => timeRun('bash', [EXPERT], expertEnv, { rusage: true }));
      allOk('check and the expert script on Samba AD', expert.a, expert.b);
      const r = ms(expert.a) / ms(expert.b);
      row('check / expert script, Samba AD (wall, median)', `${r.toFixed(2)}× (${ms(expert.a).toFixed(0)} ms vs ${ms(expert.b).toFixed(0)} ms; ${cpuRatio(expert.a, expert.b)})`, '≤ 1.0×', r <= 1.0);
    }

    // 4. Keycloak requests of a first setup and of a rerun (on Samba AD, the seed's case)
    const setups: Sample[] = [];
    kc.resetRequests();
    const first = await timeRun(process.execPath, [BIN, 'setup'], env(w.ad));
    setups.push(first);
    const firstCount = kc.requests.length;
    kc.resetRequests();
    setups.push(await timeRun(process.execPath, [BIN, 'setup'], env(w.ad)));
    const rerunCount = kc.requests.length;
    const rerunWrites = kc.writes().length;
    allOk('setup', setups);
    row('Keycloak requests, first setup', String(firstCount), '≤ 8', firstCount <= 8);
    row('Keycloak requests, rerun (writes)', `${rerunCount} (${rerunWrites} writes)`, '≤ 5, 0 writes', rerunCount <= 5 && rerunWrites === 0);

    // 5. from rollout completion (seen in the emulator) to dirlink's exit, over several restarts
    const gaps: number[] = [];
    for (let i = 0; i < Math.max(5, RUNS); i++) {
      let doneAt = 0;
      const poll = setInterval(() => {
        const d = kube.getDeployment('runai-backend', 'runai-backend-deployment') as any;
        const st = d?.status ?? {};
        const done = st.observedGeneration >= d.metadata.generation && st.updatedReplicas === d.spec.replicas && st.replicas === st.updatedReplicas && st.availableReplicas === st.updatedReplicas;
        if (done && d.spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'] && !doneAt) doneAt = performance.now();
        if (!done) doneAt = 0;
      }, 1);
      const s = await timeRun(process.execPath, [BIN, 'setup', '--force-restart'], env(w.ad));
      clearInterval(poll);
      setups.push(s);
      if (doneAt) gaps.push(s.end - doneAt);
    }
    allOk('setup --force-restart', setups);
    const gap = median(gaps);
    row(`rollout complete → dirlink exit (median of ${gaps.length})`, `${gap.toFixed(0)} ms`, '≤ 500 ms', gap <= 500);

    // 6. memory: the largest peak RSS over every setup above (first, rerun, the restarts)
    const peak = Math.max(...setups.map((x) => x.rssMb));
    row(`peak RSS of setup (largest of ${setups.length} runs; first setup ${first.rssMb.toFixed(0)} MB)`, `${peak.toFixed(0)} MB`, '≤ 120 MB', peak <= 120);
  } finally {
    await Promise.allSettled([kc.close(), kube.close()]);
    await started.teardown();
  }
  const load1 = loadavg()[0]!;
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, load average ${load0.toFixed(1)} at start and ${load1.toFixed(1)} at the end`;
  process.stdout.write(`machine: ${machine}\n`);
  if (process.argv.includes('--write')) {
    const date = new Date().toISOString().slice(0, 10);
    const table = ['| figure | measured | goal | |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
    const text = `# Benchmarks\n\nRecorded by \`npm run bench -- --write\` on ${date}, Node ${process.version}; ${machine}. ${RUNS} counted runs per side after a warm-up, A and B alternating; whole processes, medians. A loaded machine stretches the times of both sides, not only one, but a quiet one gives the figures to quote.\n\n${table}\n`;
    writeFileSync(join(ROOT, 'BENCHMARKS.md'), text);
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
  process.exitCode = 1;
});
