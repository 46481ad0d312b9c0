// Ingress latency and where its time goes. Steady load (the PM2 comparison's: 4 keep-alive and 2
// fresh-connection clients, 100 requests a second each) on 3 replicas of the HTTP fixture, in
// alternated rounds, five ways (bench/lib/front-ends.ts):
//   - straight to the replicas (clients spread over their ports): no hop at all;
//   - PM2 cluster mode (`-i 3`): the PM2 daemon accepts each connection and hands it to a worker,
//     which then serves it itself, so keep-alive requests make no extra hop;
//   - a 10-line Node proxy process in front of the replicas: the floor of a user-space HTTP hop;
//   - Debian's nginx in front of them (one worker a core, keep-alive upstream): what a user would
//     put there instead;
//   - the Skr8tr ingress (3 replicas behind `port P`).
// For the Conductor: its CPU time a request (Linux, /proc), and a CPU profile of one round (V8's
// sampling profiler, through bench/lib/cpu-profile-hook.cjs) split into kinds of code, the
// Conductor's own code by source file. `npm run bench:ingress`; writes bench/results/ingress-latency.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DIST, waitFor } from '../test/integration/harness';
import { Load } from '../test/integration/load';
import { cpuShares, type CpuShares } from './lib/cpu-profile';
import { LABEL, startFrontEnds, WAYS, type Way } from './lib/front-ends';
import { markedProcesses } from './lib/peers';
import { cpuMs } from './lib/proc-stats';
import { median, percentile, writeResults } from './lib/results';

const LOAD = { keepAliveClients: 4, freshClients: 2, ratePerClient: 100 };
const ROUNDS = 7;
const ROUND_MS = 3000;

interface Round {
  way: Way;
  round: number;
  requests: number;
  failures: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** The Conductor's CPU time a request, µs (the Skr8tr ingress only). */
  conductorCpuUs: number | null;
}

async function steady(way: Way, round: number, port: number, ports: number[] | undefined, pid: number | null): Promise<Round> {
  const cpu0 = pid ? cpuMs(pid) : null; // the Conductor's; Linux only, as the benchmark is
  const load = new Load({ port, ...(ports ? { ports } : {}), ...LOAD, maxMs: ROUND_MS });
  await new Promise((r) => setTimeout(r, ROUND_MS));
  const r = await load.stop();
  const cpu1 = pid ? cpuMs(pid) : null;
  const lat = r.latenciesMs;
  const round2 = (n: number) => +n.toFixed(3);
  return {
    way,
    round,
    requests: r.requests,
    failures: r.failures,
    p50Ms: round2(percentile(lat, 50)),
    p90Ms: round2(percentile(lat, 90)),
    p99Ms: round2(percentile(lat, 99)),
    conductorCpuUs: cpu0 !== null && cpu1 !== null ? Math.round(((cpu1 - cpu0) * 1000) / r.requests) : null,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-bench-profile-'));
  const f = await startFrontEnds({ conductorEnv: { NODE_OPTIONS: `--require ${path.join(__dirname, 'lib/cpu-profile-hook.cjs')}`, SKR8TR_PROFILE_DIR: profileDir } });
  const rounds: Round[] = [];
  let shares: CpuShares | null = null;
  try {
    const target = (way: Way) => [f.port[way], way === 'direct' ? f.backends : undefined] as const;
    // A warm-up round each (JIT, connection pools), not counted.
    for (const way of WAYS) await steady(way, 0, ...target(way), null);
    for (let i = 1; i <= ROUNDS; i++) {
      for (const way of WAYS) {
        const profiled = way === 'skr8tr' && i === Math.ceil(ROUNDS / 2);
        if (profiled) process.kill(f.conductor.pid, 'SIGUSR2');
        const r = await steady(way, i, ...target(way), way === 'skr8tr' ? f.conductor.pid : null);
        if (profiled) {
          process.kill(f.conductor.pid, 'SIGUSR2');
          const profile = path.join(profileDir, `${f.conductor.pid}.cpuprofile`);
          await waitFor('the Conductor\'s CPU profile', () => fs.existsSync(profile), 20_000, 50);
          shares = cpuShares(profile, path.join(DIST, 'conductor.js'));
        }
        rounds.push(r);
        console.log(`round ${i} ${LABEL[way]}: ${r.requests} requests, ${r.failures} failed, p50 ${r.p50Ms} ms, p90 ${r.p90Ms} ms, p99 ${r.p99Ms} ms${r.conductorCpuUs !== null ? `; Conductor CPU ${r.conductorCpuUs} µs a request` : ''}${profiled ? ' (profiled)' : ''}`);
      }
    }
  } finally {
    await f.stop();
    fs.rmSync(profileDir, { recursive: true, force: true });
  }
  const left = markedProcesses();
  if (left.length > 0) throw new Error(`processes of this benchmark are still alive: ${left.join(', ')}`);

  const of = (way: Way) => rounds.filter((r) => r.way === way);
  const p50 = (way: Way) => +median(of(way).map((r) => r.p50Ms)).toFixed(2);
  const p99 = (way: Way) => +median(of(way).map((r) => r.p99Ms)).toFixed(2);
  const signed = (ms: number) => `${ms >= 0 ? '+' : '−'}${Math.abs(ms).toFixed(2)}`;
  const cpuUs = median(of('skr8tr').flatMap((r) => (r.conductorCpuUs === null ? [] : [r.conductorCpuUs])));
  const summary = [
    `steady load of ${LOAD.keepAliveClients + LOAD.freshClients} clients × ${LOAD.ratePerClient} req/s (${LOAD.keepAliveClients} keep-alive, ${LOAD.freshClients} a fresh connection a request) on 3 replicas of the HTTP fixture, ${ROUNDS} alternated rounds of ${ROUND_MS / 1000} s, medians of the rounds: p50 ${WAYS.map((w) => `${LABEL[w]} ${p50(w)} ms`).join(', ')}; p99 ${WAYS.map((w) => `${p99(w)} ms`).join(', ')} in that order`,
    `the Skr8tr ingress's p50 is ${signed(p50('skr8tr') - p50('pm2'))} ms from PM2 cluster mode's, ${signed(p50('skr8tr') - p50('nginx'))} ms from nginx's and ${signed(p50('skr8tr') - p50('proxy'))} ms from the 10-line proxy's: PM2's workers serve their keep-alive connections themselves (no hop), where any HTTP proxy process adds one (the 10-line one ${signed(p50('proxy') - p50('direct'))} ms over straight to the replicas here, nginx ${signed(p50('nginx') - p50('direct'))} ms)`,
  ];
  if (Number.isFinite(cpuUs)) summary.push(`Conductor CPU time a request through the ingress: median ${cpuUs} µs (user + system, ${os.cpus().length} cores shared with the load, the replicas and the rest)`);
  if (shares) {
    const s = shares as CpuShares;
    const pct = (ms: number) => `${Math.round((100 * ms) / s.busyMs)} %`;
    summary.push(
      `where the Conductor's CPU time goes (one profiled round: ${s.busyMs} ms busy of ${s.wallMs} ms): ${s.kinds.map((k) => `${k.kind} ${pct(k.ms)}`).join(', ')}`,
      `the Conductor's own code by file: ${s.ownFiles.slice(0, 6).map((f) => `${f.file} ${pct(f.ms)}`).join(', ')}`,
    );
  }
  summary.push(`PM2 ${f.versions.pm2}, nginx ${f.versions.nginx} (${os.cpus().length} workers); whole run ${Math.round((Date.now() - started) / 1000)} s; every process it started is gone`);
  for (const s of summary) console.log(s);
  console.log(`wrote ${writeResults('ingress-latency', { load: LOAD, rounds, shares, pm2Version: f.versions.pm2, nginxVersion: f.versions.nginx }, summary)}`);
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
