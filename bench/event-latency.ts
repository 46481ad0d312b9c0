// Event latency: how long after a replica starts listening the Conductor marks it ready (its
// readiness probe's detection), and how long after that the `ready` event reaches a client of the
// event stream (the tree and the output channel are such clients). Real Conductor, agent and
// fixture replicas on one machine, so one clock. `npm run bench:events`; writes
// bench/results/event-latency.json.
import type { ApiEvent, LogLine } from '../src/shared/protocol/api';
import { Cluster, fixtureApp, waitFor } from '../test/integration/harness';
import { median, percentile, writeResults } from './lib/results';

async function main(): Promise<void> {
  const c = new Cluster('bench-events');
  const detection: number[] = [];
  const delivery: number[] = [];
  try {
    await c.startConductor();
    await c.startAgent('n1');
    // A second, idle subscriber, as a VS Code window would be.
    await c.recordEvents();
    const received: { e: ApiEvent; at: number }[] = [];
    const controller = new AbortController();
    void c.client().events((e) => received.push({ e, at: Date.now() }), null, controller.signal).catch(() => {});
    await waitFor('the stream', () => received.length > 0);
    const file = c.manifest('lat.skr8tr', fixtureApp('lat', { replicas: 3 }));
    await c.cli(['up', file]);
    await c.settled('lat', 1, 3);
    const seen = new Set<string>();
    for (let v = 2; v <= 11; v++) {
      c.manifest('lat.skr8tr', fixtureApp('lat', { replicas: 3, version: `v${v}` }));
      const out = await c.cli(['rollout', file, '--wait']);
      if (out.code !== 0) throw new Error(out.stdout + out.stderr);
      // This generation's replicas are still there, with their logs.
      for (const { e, at } of received) {
        if (e.type !== 'replica' || e.replica.state !== 'ready' || e.replica.generation !== v || seen.has(e.replica.id)) continue;
        seen.add(e.replica.id);
        delivery.push(at - e.at);
        const { lines } = await c.client().request<{ lines: LogLine[] }>('GET', `/v1/replicas/${e.replica.id}/logs?tail=20`);
        const listening = lines.map((l) => /listening on \d+ after \d+ ms of its own start-up, at (\d+)/.exec(l.text)).find(Boolean);
        if (!listening) throw new Error(`${e.replica.id} did not say when it started listening`);
        detection.push(e.at - Number(listening[1]));
      }
    }
    controller.abort();
    await c.cli(['down', 'lat']);
  } finally {
    await c.cleanup();
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const d = sorted(detection);
  const l = sorted(delivery);
  const summary = [
    `readiness detection (replica listening → Conductor marks it ready), ${d.length} replicas: median ${median(d)} ms, p90 ${percentile(d, 90)} ms, max ${d.at(-1)} ms (readiness probes every 5–25 ms)`,
    `event delivery (Conductor marks it ready → the event reaches a stream client), ${l.length} events: median ${median(l)} ms, p90 ${percentile(l, 90)} ms, max ${l.at(-1)} ms`,
  ];
  for (const s of summary) console.log(s);
  console.log(`wrote ${writeResults('event-latency', { detectionMs: d, deliveryMs: l }, summary)}`);
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
