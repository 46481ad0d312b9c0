// Throughput at saturation: what a developer who load-tests their service locally measures, with a
// real HTTP load client (Debian's wrk: 2 threads, 32 keep-alive connections, 5 s rounds) in front of
// 3 replicas of the HTTP fixture, in alternated rounds (bench/lib/front-ends.ts): one replica
// straight (no hop), PM2 cluster mode, a 10-line Node proxy, nginx with one worker a core, and the
// Skr8tr ingress. Then the Skr8tr ingress under the same load while the app rolls out several
// times: requests a second and errors (a non-2xx answer, or a socket error, is one).
// `npm run bench:throughput`; writes bench/results/ingress-throughput.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { waitFor } from '../test/integration/harness';
import { ensureDebian } from './lib/debian';
import { LABEL, startFrontEnds, WAYS, type Way } from './lib/front-ends';
import { markedProcesses } from './lib/peers';
import { median, writeResults } from './lib/results';
import { wrk, wrkVersion, type WrkResult } from './lib/wrk';

const LOAD = { threads: 2, connections: 32, seconds: 5 };
const ROUNDS = 3;
const ROLLOUTS = 3;

interface Round extends WrkResult {
  way: Way | 'skr8tr-rolling';
  round: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  ensureDebian({ wrk: 'wrk' });
  const f = await startFrontEnds();
  const rounds: Round[] = [];
  try {
    for (const way of WAYS) await wrk(f.port[way], { ...LOAD, seconds: 2 }); // warm-up, not counted
    for (let i = 1; i <= ROUNDS; i++) {
      for (const way of WAYS) {
        const r = { way, round: i, ...(await wrk(f.port[way], LOAD)) };
        rounds.push(r);
        console.log(`round ${i} ${LABEL[way]}: ${Math.round(r.requestsPerSec)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.non2xx} non-2xx, ${r.socketErrors} socket errors`);
      }
    }
    // The ingress at saturation while the app rolls out again and again (wrk runs in its own process,
    // so the rollouts are started from here meanwhile).
    for (let i = 1; i <= ROLLOUTS; i++) {
      const text = fs.readFileSync(f.manifest, 'utf8').replace(/FIXTURE_VERSION \S+/, `FIXTURE_VERSION r${i}`);
      fs.writeFileSync(f.manifest, text);
      const load = wrk(f.port.skr8tr, LOAD);
      await new Promise((r) => setTimeout(r, 500)); // the load at full speed before the rollout starts
      const submitted = await f.cluster.cli(['rollout', f.manifest]);
      if (submitted.code !== 0) throw new Error(submitted.stdout + submitted.stderr);
      const r = { way: 'skr8tr-rolling' as const, round: i, ...(await load) };
      await waitFor(`rollout ${i} to end`, async () => !(await f.cluster.client().call('workload', { name: 'web' })).rollout, 60_000, 100);
      rounds.push(r);
      console.log(`rollout ${i} under load, the Skr8tr ingress: ${Math.round(r.requestsPerSec)} req/s, ${r.non2xx} non-2xx, ${r.socketErrors} socket errors`);
    }
  } finally {
    await f.stop();
  }
  const left = markedProcesses();
  if (left.length > 0) throw new Error(`processes of this benchmark are still alive: ${left.join(', ')}`);

  const rate = (way: Round['way']) => Math.round(median(rounds.filter((r) => r.way === way).map((r) => r.requestsPerSec)));
  const errors = (way: Round['way']) => rounds.filter((r) => r.way === way).reduce((a, r) => a + r.non2xx + r.socketErrors, 0);
  const summary = [
    `wrk ${wrkVersion()} -t${LOAD.threads} -c${LOAD.connections} ${LOAD.seconds} s rounds, ${ROUNDS} alternated rounds each, medians: ${WAYS.map((w) => `${w === 'direct' ? 'one replica straight' : LABEL[w]} ${rate(w).toLocaleString('en-US')} req/s (${errors(w)} errors)`).join(', ')}`,
    `the Skr8tr ingress forwards ${(rate('skr8tr') / rate('nginx')).toFixed(2)}× nginx's throughput (nginx ${f.versions.nginx} with ${os.cpus().length} workers) and ${(rate('skr8tr') / rate('pm2')).toFixed(2)}× PM2 cluster mode's`,
    `during ${ROLLOUTS} rollouts under the same load: ${rate('skr8tr-rolling').toLocaleString('en-US')} req/s (median), ${errors('skr8tr-rolling')} errors`,
    `machine shared by the load client, the front end and the replicas (${os.cpus().length} cores); whole run ${Math.round((Date.now() - started) / 1000)} s; every process it started is gone`,
  ];
  for (const s of summary) console.log(s);
  console.log(`wrote ${writeResults('ingress-throughput', { load: LOAD, rounds, versions: { ...f.versions, wrk: wrkVersion() } }, summary)}`);
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
