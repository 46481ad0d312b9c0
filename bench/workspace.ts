// Cold start of a workspace of services against the critical path of their own start-up times:
// redis (Debian's) as db and cache, a migration job (redis-cli) that needs db, an HTTP API (300 ms
// start-up) that needs db, the migration and the cache, a frontend (300 ms) that needs the API. The
// critical path is db → migrate → api → frontend. Reported: the wall time from the submission to the frontend
// ready, the services' own time along the path (launch to ready; for the job, launch to exit), and
// the gating latency of each edge (what an app needs holds → the dependent's replica is created).
// `npm run bench:workspace`; writes bench/results/workspace.json.
import type { ApiEvent } from '../src/shared/protocol/api';
import { Cluster, FIXTURE, waitFor } from '../test/integration/harness';
import { freePort } from '../test/integration/load';
import { median, writeResults } from './lib/results';

const RUNS = 7;
const EDGES = [
  ['db', 'ready', 'migrate'],
  ['migrate', 'completed', 'api'],
  ['api', 'ready', 'frontend'],
] as const;

function manifests(ports: number[]): { data: string; web: string } {
  const redis = (name: string, port: number) => [`app ${name}`, '  exec redis-server', '  args --port ${PORT} --bind 127.0.0.1 --save "" --appendonly no', `  port ${port}`, '  ingress off', '  health tcp'];
  const http = (name: string, port: number, needs: string) => [`app ${name}`, `  exec ${process.execPath}`, `  args ${FIXTURE}`, `  port ${port}`, '  health GET /health 200', `  needs ${needs}`, '  env', '    FIXTURE_START_DELAY_MS 300'];
  return {
    data: [...redis('db', ports[0]!), ...redis('cache', ports[1]!), 'app migrate', '  type job', '  exec redis-cli', `  args -p ${ports[0]} SET migrated yes`, '  needs db', ''].join('\n'),
    web: [...http('api', ports[2]!, 'db migrate:completed cache:started'), ...http('frontend', ports[3]!, 'api'), ''].join('\n'),
  };
}

interface Run {
  totalMs: number;
  ownMs: number;
  overheadMs: number;
  edgesMs: number[];
}

async function once(): Promise<Run> {
  const c = new Cluster('bench-ws');
  try {
    await c.startConductor();
    await c.startAgent('n1');
    const m = manifests([await freePort(), await freePort(), await freePort(), await freePort()]);
    const data = c.manifest('data.skr8tr', m.data);
    const web = c.manifest('web.skr8tr', m.web);
    const events = await c.recordEvents();
    // From the submission itself (what `skr8tr up DIR` sends), not counting the CLI's own start.
    const t0 = Date.now();
    await c.client().call('workspace', {}, { manifests: [{ path: data, text: m.data }, { path: web, text: m.web }], mode: 'up' });
    const at = (app: string, state: string, extra: (e: Extract<ApiEvent, { type: 'replica' }>) => boolean = () => true) =>
      events.find((e): e is Extract<ApiEvent, { type: 'replica' }> => e.type === 'replica' && e.replica.app === app && e.replica.state === state && extra(e))?.at;
    await waitFor('the frontend to be ready', () => at('frontend', 'ready'), 60_000, 5);
    const created = (app: string) => at(app, 'pending')!;
    const launched = (app: string) => at(app, 'starting')!;
    const ready = (app: string) => at(app, 'ready')!;
    const completed = at('migrate', 'stopped', (e) => e.replica.reason === 'completed')!;
    const own = ready('db') - launched('db') + (completed - launched('migrate')) + (ready('api') - launched('api')) + (ready('frontend') - launched('frontend'));
    const total = ready('frontend') - t0;
    const holds = { 'db:ready': ready('db'), 'migrate:completed': completed, 'api:ready': ready('api') } as Record<string, number>;
    const edgesMs = EDGES.map(([from, cond, to]) => created(to) - holds[`${from}:${cond}`]!);
    await c.cli(['down', data.replace(/data\.skr8tr$/, '')]);
    return { totalMs: total, ownMs: own, overheadMs: total - own, edgesMs };
  } finally {
    await c.cleanup();
  }
}

async function main(): Promise<void> {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await once();
    runs.push(r);
    console.log(`run ${i + 1}: up → frontend ready ${r.totalMs} ms; own start-up along db → migrate → api → frontend ${r.ownMs} ms; overhead ${r.overheadMs} ms; edges ${r.edgesMs.join(' / ')} ms`);
  }
  const edge = EDGES.map((_, i) => median(runs.map((r) => r.edgesMs[i]!)));
  const results = {
    runs,
    median: { totalMs: median(runs.map((r) => r.totalMs)), ownMs: median(runs.map((r) => r.ownMs)), overheadMs: median(runs.map((r) => r.overheadMs)), edgesMs: edge },
    maxEdgeMs: Math.max(...runs.flatMap((r) => r.edgesMs)),
  };
  const summary = [
    `cold start of the workspace (db, cache, migrate, api, frontend), medians of ${RUNS}: up → frontend ready ${results.median.totalMs} ms; the services' own time along the critical path ${results.median.ownMs} ms; overhead ${results.median.overheadMs} ms for 4 launches and 3 edges`,
    `gating latency per edge (what is needed holds → the dependent's replica is created): db ready → migrate ${edge[0]} ms, migrate completed → api ${edge[1]} ms, api ready → frontend ${edge[2]} ms; max over all runs ${results.maxEdgeMs} ms (goal: under 50 ms)`,
  ];
  const file = writeResults('workspace', results, summary);
  for (const line of summary) console.log(line);
  console.log(`wrote ${file}`);
}

void main();
