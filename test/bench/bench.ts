// `npm run bench`: whole-process figures of dirlink, each next to its goal, measured side by side
// in one run on one machine (ratios of medians, A and B alternating so drift hits both).
// Writes the table to stdout; `--write` also records it in BENCHMARKS.md with the date.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorld } from '../world/directories.js';
import { startKeycloakEmulator } from '../world/keycloak/index.js';
import { startKubeEmulator } from '../world/kubernetes/index.js';
import type { DirectoryInfo } from '../world/types.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'dirlink.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'dirlink-bench-'));
// Peak RSS of the child, written at exit by a preload (bench-only; dirlink itself has no hook).
const PRELOAD = join(dir, 'rss.cjs');
writeFileSync(PRELOAD, "process.on('exit',()=>{try{require('fs').writeFileSync(process.env.BENCH_RSS_FILE,String(process.resourceUsage().maxRSS))}catch{}})\n");

interface Sample { ms: number; rssMb: number; code: number | null; end: number }

function timeRun(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Sample> {
  const rssFile = join(dir, `rss-${process.hrtime.bigint()}`);
  const isNode = cmd === process.execPath;
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, isNode ? ['--require', PRELOAD, ...args] : args, {
      env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    child.on('close', (code) => {
      const end = performance.now();
      let rssMb = NaN;
      try {
        rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
      } catch {
        /* not a node child */
      }
      resolve({ ms: end - start, rssMb, code, end });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
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
  const started = await startWorld();
  const w = started.world;
  const kc = await startKeycloakEmulator({ adminPassword: 'bench-admin' });
  const kube = await startKubeEmulator();
  kube.controller.stepMs = 20;
  const kubeconfig = kube.writeKubeconfig(dir, {});
  const env = (d: DirectoryInfo, extra: Record<string, string> = {}) => ({
    CI: 'true', NO_COLOR: '1', HOME: dir, DIRLINK_STATE_DIR: join(dir, 'state'), KUBECONFIG: kubeconfig,
    DIRLINK_LDAP_URL: d.url, DIRLINK_BIND_DN: d.bindDn, DIRLINK_BIND_PASSWORD: d.bindPassword, DIRLINK_USERS_DN: d.usersDn,
    DIRLINK_KEYCLOAK_URL: kc.url, DIRLINK_KEYCLOAK_PASSWORD: 'bench-admin', DIRLINK_VENDOR: d.kind === 'samba-ad' ? 'ad' : 'other', ...extra,
  });
  try {
    // 1. --help against a bare node start
    const help = await pair(() => timeRun(process.execPath, [BIN, '--help']), () => timeRun(process.execPath, ['-e', '0']), RUNS * 2);
    const helpRatio = median(help.a.map((s) => s.ms)) / median(help.b.map((s) => s.ms));
    row('dirlink --help / node -e 0 (wall, median)', `${helpRatio.toFixed(2)}× (${median(help.a.map((s) => s.ms)).toFixed(0)} ms vs ${median(help.b.map((s) => s.ms)).toFixed(0)} ms)`, '≤ 1.5×', helpRatio <= 1.5);

    // 2. check on the 20,000-user tree against the 10-user tree (a separate federation name each)
    const big = () => timeRun(process.execPath, [BIN, 'check'], env(w.openldapBig, { DIRLINK_FEDERATION_NAME: 'big' }));
    const tiny = () => timeRun(process.execPath, [BIN, 'check'], env(w.openldapTiny, { DIRLINK_FEDERATION_NAME: 'tiny' }));
    const scale = await pair(big, tiny);
    if ([...scale.a, ...scale.b].some((s) => s.code !== 0)) throw new Error('a check run failed');
    const scaleRatio = median(scale.a.map((s) => s.ms)) / median(scale.b.map((s) => s.ms));
    const rssRatio = median(scale.a.map((s) => s.rssMb)) / median(scale.b.map((s) => s.rssMb));
    row('check on 20,000 users / on 10 users (wall, median)', `${scaleRatio.toFixed(2)}× (${median(scale.a.map((s) => s.ms)).toFixed(0)} ms vs ${median(scale.b.map((s) => s.ms)).toFixed(0)} ms)`, '≤ 1.15×', scaleRatio <= 1.15);
    row('check on 20,000 users / on 10 users (peak RSS, median)', `${rssRatio.toFixed(2)}× (${median(scale.a.map((s) => s.rssMb)).toFixed(0)} MB vs ${median(scale.b.map((s) => s.rssMb)).toFixed(0)} MB)`, '≤ 1.15×', rssRatio <= 1.15);

    // 3. Keycloak requests of a first setup and of a rerun (on Samba AD, the seed's case)
    kc.resetRequests();
    const first = await timeRun(process.execPath, [BIN, 'setup'], env(w.ad));
    const firstCount = kc.requests.length;
    kc.resetRequests();
    await timeRun(process.execPath, [BIN, 'setup'], env(w.ad));
    const rerunCount = kc.requests.length;
    const rerunWrites = kc.writes().length;
    row('Keycloak requests, first setup', String(firstCount), '≤ 8', firstCount <= 8 && first.code === 0);
    row('Keycloak requests, rerun (writes)', `${rerunCount} (${rerunWrites} writes)`, '≤ 5, 0 writes', rerunCount <= 5 && rerunWrites === 0);
    row('peak RSS of a first setup', `${first.rssMb.toFixed(0)} MB`, '≤ 120 MB', first.rssMb <= 120);

    // 4. from rollout completion (seen in the emulator) to dirlink's exit, over several restarts
    const gaps: number[] = [];
    for (let i = 0; i < 5; i++) {
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
      if (doneAt) gaps.push(s.end - doneAt);
    }
    const gap = median(gaps);
    row('rollout complete → dirlink exit (median of 5)', `${gap.toFixed(0)} ms`, '≤ 500 ms', gap <= 500);
  } finally {
    await Promise.allSettled([kc.close(), kube.close()]);
    await started.teardown();
  }
  if (process.argv.includes('--write')) {
    const date = new Date().toISOString().slice(0, 10);
    const table = ['| figure | measured | goal | |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
    const text = `# Benchmarks\n\nRecorded by \`npm run bench -- --write\` on ${date}, Node ${process.version}, ${RUNS} counted runs per side after a warm-up; whole processes, medians.\n\n${table}\n`;
    writeFileSync(join(ROOT, 'BENCHMARKS.md'), text);
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
  process.exitCode = 1;
});
