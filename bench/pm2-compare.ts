// PM2 and Skr8tr side by side: the same rolling update of a 3-replica HTTP service (the test
// fixture, 200 ms of start-up before it listens, graceful on SIGTERM) under the same load, in one
// run. Every variant is set up first, then their updates alternate (run 1 of each, then run 2 of
// each, …: a change in how busy the machine is touches all alike), 3 each: the update's wall time
// (the command a user runs), the requests made from its start until 1 s after it returned, how many
// failed, and their latency.
//   - PM2 cluster mode: `-i 3`, every worker listens on the same PORT through Node's cluster module
//     (the PM2 daemon accepts and hands connections round-robin); `pm2 reload` replaces the workers.
//   - PM2 fork mode: fork processes cannot share one port, so fork mode here is ONE process on the
//     port; `pm2 reload` of a fork-mode app stops it and starts the new one.
//   - Skr8tr: `port P`, 3 replicas, `health GET /health 200`, `skr8tr rollout --wait`; `surge` not
//     written (the default: the 3 new replicas start together, the node has room), and for
//     reference `surge 1` (one at a time).
// PM2 is not a dependency of the project: it is installed at bench time into
// ~/.cache/skr8tr-bench/pm2 (skipped when present) and run with its own PM2_HOME in a temporary
// folder (the user's ~/.pm2 is untouched), told to stop apps with SIGTERM (PM2_KILL_SIGNAL, the
// signal the service shuts down gracefully on, as Skr8tr sends) and to wait 2 s before SIGKILL
// (`kill_timeout`, as the Skr8tr manifest's `drain 2s`). A last variant shows PM2's defaults
// (SIGINT, 1.6 s), which this SIGTERM-only service does not handle.
// `npm run bench:pm2`; writes bench/results/pm2-compare.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { WorkloadView } from '../src/shared/protocol/api';
import { Cluster, FIXTURE, fixtureApp, waitFor } from '../test/integration/harness';
import { Load, freePort } from '../test/integration/load';
import { ensureTool, getOnce, mark, markedProcesses, Pm2 } from './lib/peers';
import { median, percentile, writeResults } from './lib/results';

/** PM2's command line, once installed. */
let pm2Bin = '';

const RUNS = 3;
const START_DELAY_MS = '200';
const DRAIN_MS = 2000;
/** Paced load: 4 keep-alive clients and 2 opening a connection a request, 100 requests a second each. */
const LOAD = { keepAliveClients: 4, freshClients: 2, ratePerClient: 100, maxMs: 60_000, maxRequests: 100_000 };
/** Requests are counted from the update's start until this long after its command returned. */
const TAIL_MS = 1000;
const DEADLINE = Date.now() + 15 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function inTime(what: string): void {
  if (Date.now() > DEADLINE) throw new Error(`the benchmark ran out of time (15 min) during ${what}`);
}

// ---- HTTP --------------------------------------------------------------------------------------

/** Waits until `count` different processes have answered `version` on the port. */
async function serving(port: number, version: string, count: number, timeoutMs = 20_000): Promise<Set<number>> {
  const pids = new Set<number>();
  await waitFor(`${count} processes answering ${version} on ${port}`, async () => {
    const r = await getOnce(port);
    const [v, pid] = r?.status === 200 ? r.body.trim().split(' ') : [];
    if (v === version) pids.add(Number(pid));
    return pids.size >= count;
  }, timeoutMs, 5);
  return pids;
}

/** After an update: 30 fresh requests, every one answered by the new version. */
async function allAnswer(port: number, version: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const r = await getOnce(port);
    if (r?.status !== 200 || !r.body.startsWith(`${version} `)) throw new Error(`after the update to ${version}, GET / answered ${r ? `${r.status} ${r.body.trim()}` : 'nothing'}`);
  }
}

// ---- one measured update -----------------------------------------------------------------------

interface Run {
  variant: string;
  run: number;
  /** Wall time of the update command. */
  updateMs: number;
  /** From the update's start until the new version answered (and the command had returned). */
  newVersionAfterMs: number;
  requests: number;
  failures: number;
  failureSamples: string[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

async function measured(variant: string, runNo: number, port: number, version: string, update: () => Promise<void>): Promise<Run> {
  inTime(variant);
  const load = new Load({ port, ...LOAD });
  try {
    await waitFor('the load to get going', () => load.result.requests >= 100, 10_000);
    const r = load.result;
    const before = { requests: r.requests, failures: r.failures, latencies: r.latenciesMs.length, samples: r.failureSamples.length };
    const t0 = performance.now();
    await update();
    const updateMs = performance.now() - t0;
    // The first answer from the new version once the command is done (a fresh connection every 5 ms).
    await waitFor(`${version} to answer`, async () => (await getOnce(port, 500))?.body.startsWith(`${version} `), 20_000, 5);
    const newVersionAfterMs = performance.now() - t0;
    const tailLeft = t0 + updateMs + TAIL_MS - performance.now();
    if (tailLeft > 0) await sleep(tailLeft);
    const after = { requests: r.requests, failures: r.failures, latencies: r.latenciesMs.length };
    const lat = r.latenciesMs.slice(before.latencies, after.latencies).sort((a, b) => a - b);
    const samples = r.failureSamples.slice(before.samples);
    const round = (n: number) => +n.toFixed(2);
    const result: Run = {
      variant,
      run: runNo,
      updateMs: Math.round(updateMs),
      newVersionAfterMs: Math.round(newVersionAfterMs),
      requests: after.requests - before.requests,
      failures: after.failures - before.failures,
      failureSamples: [...new Set(samples)].slice(0, 5),
      p50Ms: round(percentile(lat, 50)),
      p99Ms: round(percentile(lat, 99)),
      maxMs: round(lat.at(-1) ?? NaN),
    };
    console.log(
      `${variant} #${runNo}: update ${result.updateMs} ms (new version answering after ${result.newVersionAfterMs} ms); ${result.failures} of ${result.requests} requests failed${result.failureSamples.length ? ` (${result.failureSamples.join('; ')})` : ''}; p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms`,
    );
    return result;
  } finally {
    await load.stop();
  }
}

// ---- PM2 ---------------------------------------------------------------------------------------

/** The fixture as a PM2 app: `instances` workers in `mode`, told the version and the port. */
function ecosystem(pm2: Pm2, name: string, mode: 'cluster' | 'fork', instances: number, port: number, version: string, killTimeout: number | null): string {
  return pm2.config(name, {
    script: FIXTURE,
    exec_mode: mode,
    instances,
    autorestart: true,
    ...(killTimeout === null ? {} : { kill_timeout: killTimeout }),
    env: { PORT: String(port), FIXTURE_VERSION: version, FIXTURE_START_DELAY_MS: START_DELAY_MS, BENCH_MARK: mark },
  });
}

/** One way of running the service: set up once, then updated run by run (alternated with the others), then taken down. */
interface Variant {
  label: string;
  setUp(): Promise<void>;
  update(run: number): Promise<Run>;
  /** Takes everything down and proves every process it started is gone. */
  tearDown(): Promise<void>;
  /** What it saw, for a failure. */
  explain(): Promise<void>;
}

function pm2Variant(label: string, mode: 'cluster' | 'fork', instances: number, env: Record<string, string>, killTimeout: number | null): Variant {
  const pm2 = new Pm2(pm2Bin, env);
  const name = `web-${mode}`;
  let port = 0;
  let version = 1;
  let file = '';
  return {
    label,
    async setUp() {
      port = await freePort();
      file = ecosystem(pm2, name, mode, instances, port, `v${version}`, killTimeout);
      await pm2.cli(['start', file]);
      await serving(port, `v${version}`, instances);
      await pm2.recordPids();
    },
    async update(run) {
      const v = `v${++version}`;
      ecosystem(pm2, name, mode, instances, port, v, killTimeout);
      const result = await measured(label, run, port, v, async () => {
        const r = await pm2.cli(['reload', file, '--update-env']);
        if (!r.stdout.includes('✓')) throw new Error(`pm2 reload did not report success:\n${r.stdout}\n${r.stderr}`);
      });
      await allAnswer(port, v);
      await pm2.recordPids();
      if (mode === 'cluster') await serving(port, v, instances);
      return result;
    },
    tearDown: () => pm2.kill(),
    async explain() {},
  };
}

// ---- Skr8tr ------------------------------------------------------------------------------------

function skr8trVariant(label: string, extra: string[] = []): Variant {
  const c = new Cluster('bench-pm2cmp');
  let port = 0;
  let version = 1;
  let file = '';
  const app = (v: number) => fixtureApp('web', { replicas: 3, version: `v${v}`, env: { FIXTURE_START_DELAY_MS: START_DELAY_MS, BENCH_MARK: mark }, extra: [`port ${port}`, ...extra] });
  let up = false;
  return {
    label,
    async setUp() {
      await c.startConductor();
      await c.startAgent('n1');
      port = await freePort();
      file = c.manifest('web.skr8tr', app(version));
      const r = await c.cli(['up', file]);
      if (r.code !== 0) throw new Error(r.stdout + r.stderr);
      up = true;
      await c.settled('web', 1, 3);
      await serving(port, 'v1', 3);
    },
    async update(run) {
      c.manifest('web.skr8tr', app(++version));
      const result = await measured(label, run, port, `v${version}`, async () => {
        const out = await c.cli(['rollout', file, '--wait']);
        if (out.code !== 0) throw new Error(`skr8tr rollout failed:\n${out.stdout}\n${out.stderr}`);
      });
      await allAnswer(port, `v${version}`);
      await c.settled('web', version, 3);
      return result;
    },
    async tearDown() {
      try {
        if (up) {
          const down = await c.cli(['down', 'web']);
          if (down.code !== 0) throw new Error(down.stdout + down.stderr);
          await waitFor('the replicas to stop', async () => (await c.client().request<{ replicas: number }>('GET', '/v1/status')).replicas === 0, 20_000);
        }
      } finally {
        // Stops agent and Conductor and proves they and every replica pid seen are gone.
        await c.cleanup();
      }
    },
    async explain() {
      // Say what the Conductor saw before everything is stopped.
      try {
        const w = await c.client().request<WorkloadView>('GET', '/v1/workloads/web');
        console.error(`${label}: generation ${w.generation}, ${w.ready}/${w.desired} ready, problem: ${w.problem ?? 'none'}, rollout: ${w.rollout?.state ?? 'none'}`);
        for (const r of w.replicas) console.error(`  ${r.id} ${r.state} port ${r.port} ${r.reason ?? ''}`);
      } catch (e) {
        console.error(`(no workload view: ${(e as Error).message})`);
      }
      console.error(c.dump().split('\n').slice(-60).join('\n'));
    },
  };
}

// ---- main --------------------------------------------------------------------------------------

interface Summary {
  variant: string;
  runs: number;
  updateMs: number;
  newVersionAfterMs: number;
  requests: number;
  failures: number;
  failuresPerRun: number[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const SKR8TR = 'Skr8tr (3 replicas behind the ingress, skr8tr rollout --wait; surge not written: the new replicas start together)';

/** Skr8tr's update time and p50 next to PM2 cluster mode's, from this run's medians. */
function ratioLine(summaries: Summary[], cluster: string): string {
  const s = summaries.find((x) => x.variant === SKR8TR)!;
  const p = summaries.find((x) => x.variant === cluster)!;
  return `in this run Skr8tr's update took ${Math.round((100 * s.updateMs) / p.updateMs)} % of PM2 cluster mode's reload (${s.updateMs} ms against ${p.updateMs} ms), and its p50 was ${(s.p50Ms - p.p50Ms).toFixed(2)} ms ${s.p50Ms >= p.p50Ms ? 'above' : 'below'} PM2's`;
}

function summarize(variant: string, runs: Run[]): Summary {
  const m = (f: (r: Run) => number) => +median(runs.map(f)).toFixed(2);
  return {
    variant,
    runs: runs.length,
    updateMs: m((r) => r.updateMs),
    newVersionAfterMs: m((r) => r.newVersionAfterMs),
    requests: m((r) => r.requests),
    failures: m((r) => r.failures),
    failuresPerRun: runs.map((r) => r.failures),
    p50Ms: m((r) => r.p50Ms),
    p99Ms: m((r) => r.p99Ms),
    maxMs: m((r) => r.maxMs),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const { dir: pm2Dir, version: pm2Version } = await ensureTool('pm2');
  pm2Bin = path.join(pm2Dir, 'node_modules/pm2/bin/pm2');
  const userPm2 = path.join(os.homedir(), '.pm2');
  const userPm2Before = fs.existsSync(userPm2) ? fs.statSync(userPm2).mtimeMs : null;
  console.log(`PM2 ${pm2Version} from ${pm2Dir}; load: ${LOAD.keepAliveClients} keep-alive + ${LOAD.freshClients} fresh-connection clients at ${LOAD.ratePerClient} req/s each`);

  const graceful = { PM2_KILL_SIGNAL: 'SIGTERM' };
  const CLUSTER = `PM2 ${pm2Version} cluster mode (-i 3, pm2 reload)`;
  const variants: Variant[] = [
    pm2Variant(CLUSTER, 'cluster', 3, graceful, DRAIN_MS),
    pm2Variant(`PM2 ${pm2Version} fork mode (1 process on the port, pm2 reload)`, 'fork', 1, graceful, DRAIN_MS),
    skr8trVariant(SKR8TR),
    skr8trVariant('Skr8tr with `surge 1` (one new replica at a time)', ['rollout', '  surge 1']),
    pm2Variant(`PM2 ${pm2Version} cluster mode with PM2's default stop (SIGINT, 1.6 s)`, 'cluster', 3, {}, null),
  ];
  const all: Run[] = [];
  // Every variant is set up first, then their updates alternate (run 1 of each, run 2 of each, …),
  // so a change in how busy the machine is touches them all alike.
  let current: Variant | null = null;
  const errors: string[] = [];
  try {
    for (const v of variants) {
      current = v;
      await v.setUp();
    }
    for (let i = 1; i <= RUNS; i++) {
      for (const v of variants) {
        current = v;
        all.push(await v.update(i));
      }
    }
    current = null;
  } catch (err) {
    await current?.explain();
    errors.push((err as Error).stack ?? String(err));
  } finally {
    for (const v of variants) {
      try {
        await v.tearDown();
      } catch (err) {
        errors.push(`${v.label}: ${(err as Error).message}`);
      }
    }
  }
  if (errors.length > 0) throw new Error(errors.join('\n'));
  const summaries = variants.map((v) => summarize(v.label, all.filter((r) => r.variant === v.label)));
  const left = markedProcesses();
  if (left.length > 0) throw new Error(`processes of this benchmark are still alive: ${left.join(', ')}`);
  const userPm2After = fs.existsSync(userPm2) ? fs.statSync(userPm2).mtimeMs : null;
  if (userPm2After !== userPm2Before) throw new Error(`${userPm2} changed during the benchmark`);

  const durationS = Math.round((Date.now() - started) / 1000);
  const summary = [
    `the same update of a 3-replica HTTP service (200 ms start-up, graceful on SIGTERM) under ${LOAD.keepAliveClients + LOAD.freshClients} clients × ${LOAD.ratePerClient} req/s (${LOAD.keepAliveClients} keep-alive, ${LOAD.freshClients} fresh-connection), medians of ${RUNS}; requests counted from the update's start to ${TAIL_MS} ms after its command returned`,
    ...summaries.map(
      (s) =>
        `${s.variant}: update ${s.updateMs} ms (new version answering after ${s.newVersionAfterMs} ms), ${s.failures} of ${s.requests} requests failed (per run: ${s.failuresPerRun.join(', ')}), p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms, max ${s.maxMs} ms`,
    ),
    ratioLine(summaries, CLUSTER),
    'PM2 fork mode cannot put 3 processes on one port, so it runs 1 process there and `pm2 reload` restarts it (stop, then start): the port is closed while the new one starts',
    `PM2 was told to stop apps with SIGTERM and wait ${DRAIN_MS} ms (PM2_KILL_SIGNAL, kill_timeout), as Skr8tr does (drain 2s); the last variant keeps PM2's defaults: SIGINT, which this service does not handle, so each old worker dies at once with whatever it was serving`,
    `whole run: ${durationS} s; pm2 kill left no process, Skr8tr's daemons and replicas are gone, ~/.pm2 untouched`,
  ];
  for (const s of summary) console.log(s);
  console.log(`wrote ${writeResults('pm2-compare', { pm2Version, load: LOAD, tailMs: TAIL_MS, runs: RUNS, summaries, details: all, durationS }, summary)}`);
}

// Exit as soon as the work is done and proven cleaned up.
void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
