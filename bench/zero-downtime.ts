// Zero downtime and ingress overhead. Real Conductor, agent and fixture replicas on loopback:
//   1. steady load through the ingress, and straight to one replica's own port: the ingress's
//      per-request overhead (p50/p99 difference);
//   2. load through the ingress during rolling updates of 3 replicas: requests, failures, latency;
//   3. for comparison, load straight to one replica during a rolling update (what a client without
//      the ingress sees when its replica is replaced).
// `npm run bench:zero-downtime`; writes bench/results/zero-downtime.json.
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { percentile, writeResults } from './lib/results';
import { Cluster, fixtureApp, waitFor } from '../test/integration/harness';
import { Load, freePort, type LoadResult } from '../test/integration/load';

const MINIMAL_PROXY = `
const http = require('http'); const [port, to] = process.argv.slice(1).map(Number);
const agent = new http.Agent({ keepAlive: true });
http.createServer((req, res) => {
  const up = http.request({ host: '127.0.0.1', port: to, path: req.url, method: req.method, headers: req.headers, agent }, (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
  req.pipe(up);
}).listen(port, '127.0.0.1');`;

interface Row {
  scenario: string;
  requests: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function row(scenario: string, r: LoadResult): Row {
  const l = r.latenciesMs;
  const round = (n: number) => +n.toFixed(3);
  return { scenario, requests: r.requests, failures: r.failures, p50Ms: round(percentile(l, 50)), p99Ms: round(percentile(l, 99)), maxMs: round(l.at(-1) ?? NaN) };
}

/** Moderate load: 6 keep-alive clients at 100 requests a second each. */
async function steady(port: number | number[], ms: number): Promise<LoadResult> {
  const ports = Array.isArray(port) ? port : [port];
  const load = new Load({ port: ports[0]!, ports, keepAliveClients: 6, freshClients: 0, ratePerClient: 100, maxMs: ms, maxRequests: 200_000 });
  await new Promise((r) => setTimeout(r, ms));
  return load.stop();
}

async function main(): Promise<void> {
  const c = new Cluster('bench-zd');
  const rows: Row[] = [];
  try {
    await c.startConductor();
    await c.startAgent('n1');
    const port = await freePort();
    const app = (v: number) => fixtureApp('web', { replicas: 3, version: `v${v}`, env: { FIXTURE_START_DELAY_MS: '200' }, extra: [`port ${port}`] });
    const file = c.manifest('web.skr8tr', app(1));
    await c.cli(['up', file]);
    const w = await c.settled('web', 1, 3);

    // Warm both paths, then measure each in turn (twice, interleaved, to even out drift).
    const backends = w.replicas.map((r) => r.port!);
    await steady(port, 1000);
    await steady(backends, 1000);
    const through: LoadResult[] = [];
    const direct: LoadResult[] = [];
    for (let i = 0; i < 3; i++) {
      through.push(await steady(port, 3000));
      direct.push(await steady(backends, 3000));
    }
    const merge = (rs: LoadResult[]): LoadResult => ({
      requests: rs.reduce((a, r) => a + r.requests, 0),
      failures: rs.reduce((a, r) => a + r.failures, 0),
      failureSamples: rs.flatMap((r) => r.failureSamples),
      latenciesMs: rs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b),
      versions: new Map(),
    });
    rows.push(row('steady 600 req/s, through the ingress (6 keep-alive clients)', merge(through)));
    rows.push(row('steady 600 req/s, straight to the replicas (6 keep-alive clients, 2 a replica)', merge(direct)));

    // Calibration: the floor for any user-space proxy process here is the cost of waking it. A
    // 10-line Node proxy in its own process, in front of one replica, against that replica alone.
    const proxyPort = await freePort();
    const proxy = spawn(process.execPath, ['-e', MINIMAL_PROXY, String(proxyPort), String(backends[0])], { stdio: 'ignore' });
    try {
      await waitFor('the minimal proxy', () => new Promise<boolean>((resolve) => {
        const s = net.connect(proxyPort, '127.0.0.1', () => { s.destroy(); resolve(true); });
        s.on('error', () => resolve(false));
      }));
      await steady(proxyPort, 1000);
      const viaMinimal: LoadResult[] = [];
      const toOne: LoadResult[] = [];
      for (let i = 0; i < 3; i++) {
        viaMinimal.push(await steady(proxyPort, 3000));
        toOne.push(await steady(backends[0]!, 3000));
      }
      rows.push(row('calibration: steady 600 req/s through a 10-line Node proxy process to one replica', merge(viaMinimal)));
      rows.push(row('calibration: steady 600 req/s straight to that replica', merge(toOne)));
    } finally {
      proxy.kill('SIGKILL');
    }
    // And saturated: every client as fast as it can (the two cores are shared by clients, ingress and replicas).
    const saturated = new Load({ port, keepAliveClients: 4, freshClients: 0, maxMs: 3000, maxRequests: 500_000 });
    await new Promise((r) => setTimeout(r, 3000));
    rows.push(row('saturated, through the ingress (4 keep-alive clients, no pause)', await saturated.stop()));

    // Rolling updates under load through the ingress.
    let version = 1;
    const during: LoadResult[] = [];
    for (let i = 0; i < 3; i++) {
      const load = new Load({ port, keepAliveClients: 4, freshClients: 2, maxMs: 60_000, maxRequests: 500_000 });
      await waitFor('load', () => load.result.requests > 100);
      c.manifest('web.skr8tr', app(++version));
      const out = await c.cli(['rollout', file, '--wait']);
      if (out.code !== 0) throw new Error(out.stdout + out.stderr);
      during.push(await load.stop());
    }
    rows.push(row('3 rollouts of 3 replicas, through the ingress (4 keep-alive + 2 fresh-connection clients)', merge(during)));

    // The same, straight to one old replica: its clients lose it when it is replaced.
    const now = await c.settled('web', version, 3);
    const victim = now.replicas.find((r) => r.state === 'ready')!;
    const load = new Load({ port: victim.port!, keepAliveClients: 4, freshClients: 2, maxMs: 60_000, maxRequests: 500_000 });
    await waitFor('load', () => load.result.requests > 100);
    c.manifest('web.skr8tr', app(++version));
    await c.cli(['rollout', file, '--wait']);
    // Keep asking a little after the rollout, as a client without the ingress would.
    await new Promise((r) => setTimeout(r, 500));
    rows.push(row('1 rollout, straight to one replica that gets replaced (no ingress)', await load.stop()));
    await c.cli(['down', 'web']);
  } finally {
    await c.cleanup();
  }
  const [t, d] = rows;
  const mp = rows.find((r) => r.scenario.includes('10-line'))!;
  const one = rows.find((r) => r.scenario.includes('straight to that replica'))!;
  const summary = [
    `ingress overhead per request at 600 req/s: p50 +${(t!.p50Ms - d!.p50Ms).toFixed(3)} ms, p99 +${(t!.p99Ms - d!.p99Ms).toFixed(3)} ms`,
    `a 10-line Node proxy process adds p50 +${(mp.p50Ms - one.p50Ms).toFixed(3)} ms, p99 +${(mp.p99Ms - one.p99Ms).toFixed(3)} ms at the same load (the cost of waking one more process)`,
    ...rows.map((r) => `${r.scenario}: ${r.requests} requests, ${r.failures} failed, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms`),
  ];
  for (const s of summary) console.log(s);
  console.log(`wrote ${writeResults('zero-downtime', rows, summary)}`);
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
