// Rollout overhead: the wall time of a rolling update minus the replicas' own start-up time, per
// replica. Real Conductor, agent and workload processes (the HTTP fixture), health-gated with
// surge 1, as `skr8tr rollout` does it. The original Skr8tr waited 8 s a replica (or probed every
// 2 s). `npm run bench:rollout`; writes bench/results/rollout-overhead.json.
import type { ApiEvent, LogLine, SubmitResult } from '../src/shared/protocol/api';
import { Cluster, fixtureApp, waitFor } from '../test/integration/harness';
import { median, writeResults } from './lib/results';

interface Run {
  replicas: number;
  /** From the rollout request to the last new replica ready (cutover complete). */
  cutoverMs: number;
  /** From the rollout request to `done` (every old replica stopped too). */
  doneMs: number;
  /** Sum of the new replicas' own start-up (process start to listening), as they report it. */
  ownStartupMs: number;
  overheadPerReplicaMs: number;
}

async function rolloutOnce(c: Cluster, file: string, name: string, replicas: number, version: number): Promise<Run> {
  const events = await c.recordEvents();
  c.manifest(`${name}.skr8tr`, fixtureApp(name, { replicas, version: `v${version}` }));
  const t0 = Date.now();
  const submitted = await c.client().request<SubmitResult>('POST', '/v1/rollouts', { path: file, text: require('node:fs').readFileSync(file, 'utf8') });
  const id = submitted.apps[0]!.rollout!;
  await waitFor('the rollout to end', () => events.some((e) => e.type === 'rollout' && e.rollout.id === id && e.rollout.state !== 'running'), 60_000, 5);
  const end = events.find((e): e is Extract<ApiEvent, { type: 'rollout' }> => e.type === 'rollout' && e.rollout.id === id && e.rollout.state !== 'running')!;
  if (end.rollout.state !== 'succeeded') throw new Error(`rollout ${end.rollout.state}: ${end.rollout.reason}`);
  const gen = submitted.apps[0]!.generation;
  const readyAt = new Map<string, number>();
  for (const e of events) if (e.type === 'replica' && e.replica.generation === gen && e.replica.state === 'ready' && !readyAt.has(e.replica.id)) readyAt.set(e.replica.id, e.at);
  const cutoverMs = Math.max(...readyAt.values()) - t0;
  const doneMs = end.at - t0;
  let own = 0;
  for (const id of readyAt.keys()) {
    const { lines } = await c.client().request<{ lines: LogLine[] }>('GET', `/v1/replicas/${id}/logs?tail=50`);
    const m = lines.map((l) => /after (\d+) ms of its own start-up/.exec(l.text)).find(Boolean);
    if (!m) throw new Error(`${id} did not report its start-up time`);
    own += Number(m[1]);
  }
  return { replicas, cutoverMs, doneMs, ownStartupMs: own, overheadPerReplicaMs: +((cutoverMs - own) / replicas).toFixed(1) };
}

async function main(): Promise<void> {
  const c = new Cluster('bench');
  const runs: Run[] = [];
  try {
    await c.startConductor();
    await c.startAgent('n1');
    for (const replicas of [3, 10]) {
      const name = `bench${replicas}`;
      const file = c.manifest(`${name}.skr8tr`, fixtureApp(name, { replicas }));
      await c.cli(['up', file]);
      await c.settled(name, 1, replicas);
      for (let i = 0; i < 5; i++) {
        const run = await rolloutOnce(c, file, name, replicas, i + 2);
        runs.push(run);
        console.log(`${replicas} replicas: cutover ${run.cutoverMs} ms, done ${run.doneMs} ms, own start-up ${run.ownStartupMs} ms → overhead ${run.overheadPerReplicaMs} ms a replica`);
      }
      await c.cli(['down', name]);
    }
  } finally {
    await c.cleanup();
  }
  const summary = [3, 10].map((n) => {
    const rs = runs.filter((r) => r.replicas === n);
    return `${n} replicas: median overhead ${median(rs.map((r) => r.overheadPerReplicaMs))} ms a replica beyond their own start-up (median cutover ${median(rs.map((r) => r.cutoverMs))} ms, own start-up ${median(rs.map((r) => r.ownStartupMs))} ms); the original: 8,000 ms a replica`;
  });
  for (const s of summary) console.log(s);
  console.log(`wrote ${writeResults('rollout-overhead', runs, summary)}`);
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
