// Rollout overhead: the wall time of a rolling update minus the replicas' own start-up time. Real
// Conductor, agent and workload processes (the HTTP fixture), health-gated, as `skr8tr rollout`
// does it, in two ways:
//   - `surge 1`: one new replica at a time; the overhead is per replica (the original Skr8tr waited
//     8 s a replica, or probed every 2 s);
//   - surge not written (the default): every new replica at once when the node has room (these
//     request no CPU or memory); the overhead is the cutover beyond the slowest replica's own
//     start-up, which counts the time it waited for a core while the others started too.
// `npm run bench:rollout`; writes bench/results/rollout-overhead.json.
import * as fs from 'node:fs';
import type { ApiEvent, LogLine, SubmitResult } from '../src/shared/protocol/api';
import { Cluster, fixtureApp, waitFor } from '../test/integration/harness';
import { median, writeResults } from './lib/results';

type Surge = 'surge 1' | 'not written';
const SURGES: Surge[] = ['surge 1', 'not written'];
const SIZES = [3, 10];
const RUNS = 5;

interface Run {
  surge: Surge;
  replicas: number;
  /** From the rollout request to the last new replica ready (cutover complete). */
  cutoverMs: number;
  /** From the rollout request to `done` (every old replica stopped too). */
  doneMs: number;
  /** Sum of the new replicas' own start-up (process start to listening), as they report it. */
  ownStartupMs: number;
  /** The longest of those. */
  slowestOwnStartupMs: number;
  /** surge 1: (cutover − the sum of own start-ups) / replicas; not written: cutover − the slowest own start-up. */
  overheadMs: number;
}

const app = (name: string, replicas: number, version: number, surge: Surge) =>
  fixtureApp(name, { replicas, version: `v${version}`, extra: surge === 'surge 1' ? ['rollout', '  surge 1'] : [] });

async function rolloutOnce(c: Cluster, file: string, name: string, replicas: number, version: number, surge: Surge): Promise<Run> {
  const events = await c.recordEvents();
  c.manifest(`${name}.skr8tr`, app(name, replicas, version, surge));
  const t0 = Date.now();
  const submitted = await c.client().request<SubmitResult>('POST', '/v1/rollouts', { path: file, text: fs.readFileSync(file, 'utf8') });
  const id = submitted.apps[0]!.rollout!;
  await waitFor('the rollout to end', () => events.some((e) => e.type === 'rollout' && e.rollout.id === id && e.rollout.state !== 'running'), 60_000, 5);
  const end = events.find((e): e is Extract<ApiEvent, { type: 'rollout' }> => e.type === 'rollout' && e.rollout.id === id && e.rollout.state !== 'running')!;
  if (end.rollout.state !== 'succeeded') throw new Error(`rollout ${end.rollout.state}: ${end.rollout.reason}`);
  const gen = submitted.apps[0]!.generation;
  const readyAt = new Map<string, number>();
  for (const e of events) if (e.type === 'replica' && e.replica.generation === gen && e.replica.state === 'ready' && !readyAt.has(e.replica.id)) readyAt.set(e.replica.id, e.at);
  const cutoverMs = Math.max(...readyAt.values()) - t0;
  const doneMs = end.at - t0;
  const own: number[] = [];
  for (const id of readyAt.keys()) {
    const { lines } = await c.client().request<{ lines: LogLine[] }>('GET', `/v1/replicas/${id}/logs?tail=50`);
    const m = lines.map((l) => /after (\d+) ms of its own start-up/.exec(l.text)).find(Boolean);
    if (!m) throw new Error(`${id} did not report its start-up time`);
    own.push(Number(m[1]));
  }
  const ownStartupMs = own.reduce((a, b) => a + b, 0);
  const slowestOwnStartupMs = Math.max(...own);
  const overheadMs = surge === 'surge 1' ? +((cutoverMs - ownStartupMs) / replicas).toFixed(1) : cutoverMs - slowestOwnStartupMs;
  return { surge, replicas, cutoverMs, doneMs, ownStartupMs, slowestOwnStartupMs, overheadMs };
}

async function main(): Promise<void> {
  const c = new Cluster('bench');
  const runs: Run[] = [];
  try {
    await c.startConductor();
    await c.startAgent('n1');
    for (const replicas of SIZES) {
      const name = `bench${replicas}`;
      const file = c.manifest(`${name}.skr8tr`, app(name, replicas, 1, 'surge 1'));
      await c.cli(['up', file]);
      await c.settled(name, 1, replicas);
      let version = 1;
      // Alternated, so both ways see the same machine.
      for (let i = 0; i < RUNS; i++) {
        for (const surge of SURGES) {
          const run = await rolloutOnce(c, file, name, replicas, ++version, surge);
          runs.push(run);
          console.log(`${replicas} replicas, ${surge}: cutover ${run.cutoverMs} ms, done ${run.doneMs} ms, own start-up ${run.ownStartupMs} ms (slowest ${run.slowestOwnStartupMs} ms) → overhead ${run.overheadMs} ms${surge === 'surge 1' ? ' a replica' : ''}`);
        }
      }
      await c.cli(['down', name]);
    }
  } finally {
    await c.cleanup();
  }
  const of = (surge: Surge, n: number) => runs.filter((r) => r.surge === surge && r.replicas === n);
  const summary = [
    ...SIZES.map((n) => {
      const rs = of('surge 1', n);
      return `${n} replicas, \`surge 1\` (one at a time): median overhead ${median(rs.map((r) => r.overheadMs))} ms a replica beyond their own start-up (median cutover ${median(rs.map((r) => r.cutoverMs))} ms, own start-up ${median(rs.map((r) => r.ownStartupMs))} ms); the original: 8,000 ms a replica`;
    }),
    ...SIZES.map((n) => {
      const rs = of('not written', n);
      const one = of('surge 1', n);
      return `${n} replicas, surge not written (all at once, the node has room): median cutover ${median(rs.map((r) => r.cutoverMs))} ms (\`surge 1\`: ${median(one.map((r) => r.cutoverMs))} ms), done ${median(rs.map((r) => r.doneMs))} ms; ${median(rs.map((r) => r.overheadMs))} ms beyond the slowest replica's own start-up (median ${median(rs.map((r) => r.slowestOwnStartupMs))} ms, which includes waiting for a core)`;
    }),
  ];
  for (const s of summary) console.log(s);
  console.log(`wrote ${writeResults('rollout-overhead', runs, summary)}`);
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
