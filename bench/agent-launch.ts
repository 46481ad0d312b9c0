// What launching many replicas at once does to the agent's heartbeat, and to another app on the same
// node (issue 22, D1). A real Conductor and one real agent (dist/); an app `keep` of 2 replicas under a
// steady load through its ingress; an app `many` of the HTTP fixture (a Node process each, health
// checked) scaled from 1 to N (BENCH_LAUNCH_N, default 150) at once. The agent's heartbeats are seen
// as the Conductor's `node` events on the event stream: the gaps between them, from the scale until
// N are ready, are what a starved event loop shows. Also: how long N took to be ready, whether the
// Conductor found the node silent or lost, and what `keep` served meanwhile.
// Run it against another build by running this file from that checkout (the harness uses its dist/).
// `npm run bench:agent-launch`; writes bench/results/agent-launch.json.
import type { ApiEvent } from '../src/shared/protocol/api';
import { Cluster, fixtureApp } from '../test/integration/harness';
import { Load, freePort } from '../test/integration/load';
import { deadline } from './lib/deadline';
import { percentile, writeResults } from './lib/results';

const N = Number(process.env.BENCH_LAUNCH_N ?? 150);
const { until } = deadline(10);

async function main(): Promise<void> {
  const c = new Cluster('bench-launch');
  let load: Load | null = null;
  try {
    // The default expiry (5 s), as a user runs it.
    const conductor = await c.startConductor(['--expiry', '5000']);
    await c.startAgent('n1');
    const port = await freePort();
    const keep = c.manifest('keep.skr8tr', fixtureApp('keep', { replicas: 2, extra: [`port ${port}`] }));
    const many = c.manifest('many.skr8tr', fixtureApp('many', { replicas: 1, extra: ['rollout', '  deadline 300s'] }));
    for (const f of [keep, many]) if ((await c.cli(['up', f])).code !== 0) throw new Error(`up ${f} failed`);
    await c.settled('keep', 1, 2);
    await c.settled('many', 1, 1);
    const events: ApiEvent[] = await c.recordEvents();
    load = new Load({ port, keepAliveClients: 2, freshClients: 1, ratePerClient: 20, maxMs: 300_000, maxRequests: 100_000 });

    const t0 = Date.now();
    if ((await c.cli(['scale', 'many', String(N)])).code !== 0) throw new Error('scale failed');
    await until(`${N} replicas of many to be ready`, async () => {
      const ready = (await c.workload('many')).replicas.filter((r) => r.state === 'ready').length;
      return ready >= N || `${ready} ready`;
    }, 300_000, 500);
    const readyMs = Date.now() - t0;
    const served = await load.stop();
    load = null;

    const beats = events.filter((e): e is Extract<ApiEvent, { type: 'node' }> => e.type === 'node' && e.node.id === 'n1' && e.at >= t0).map((e) => e.at);
    const gaps = beats.slice(1).map((t, i) => t - beats[i]!).sort((a, b) => a - b);
    const log = conductor.output.join('\n');
    const results = {
      replicas: N,
      readyMs,
      heartbeats: beats.length,
      heartbeatGapMs: { p50: percentile(gaps, 50), p99: percentile(gaps, 99), max: gaps.at(-1) ?? null, over1500: gaps.filter((g) => g > 1500).length, over5000: gaps.filter((g) => g > 5000).length },
      nodeSilent: /node n1 silent/.test(log),
      nodeLost: /node n1 (lost|expired)/.test(log),
      keep: { requests: served.requests, failures: served.failures, samples: served.failureSamples.slice(0, 5) },
    };
    const summary = [
      `${N} replicas of a Node HTTP service launched at once on one node: all ready in ${(readyMs / 1000).toFixed(1)} s`,
      `agent heartbeat gaps (every 1 s when well): p50 ${results.heartbeatGapMs.p50} ms, p99 ${results.heartbeatGapMs.p99} ms, max ${results.heartbeatGapMs.max} ms; ${results.heartbeatGapMs.over5000} over the 5 s expiry`,
      `node ${results.nodeLost ? 'LOST' : results.nodeSilent ? 'silent (replicas kept)' : 'never silent'}; another app on the node: ${served.failures} of ${served.requests} requests failed`,
    ];
    for (const l of summary) console.log(l);
    if ((await c.cli(['scale', 'many', '1'])).code !== 0) throw new Error('scale down failed');
    await c.settled('many', 1, 1, 300_000);
    console.log(`wrote ${writeResults('agent-launch', results, summary)}`);
  } finally {
    await load?.stop();
    await c.cleanup();
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exitCode = 1;
});
