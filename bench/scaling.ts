// How cost grows with the work.
//   Part 1, rollouts: a real Conductor and one REAL agent (dist/), an app of N replicas of an instant
//   service (`/bin/sleep`, no health check, `settle 0s`: ready as soon as it runs) for N = 1, 10,
//   100, rolled out again and again (a new VERSION each time), with `surge 1` written (one replica
//   at a time) and with surge not written (the default: all at once, the node has room). Each rollout is followed on the event
//   stream, as the extension and `rollout --wait` follow one, from the request until it succeeded
//   and only the N new replicas are left; timed by the Conductor's own record (start to end) and by
//   the client (request to settled). Conductor and agent CPU time from /proc/<pid>/stat over the
//   whole batch, divided by the rollouts in it (the kernel counts in 10 ms ticks).
//   Part 2, API latency: a real Conductor with 50 SIMULATED agents (bench/lib/sim-agent.ts), 20
//   apps scaled to 100, 1,000 and 5,000 replicas in all; at each, GET /v1/workloads sequentially
//   through the real API client from a process of its own (request to parsed answer), the answer's size, the Conductor's
//   resident memory.
//   Each curve gets its cost per unit and its exponent (cost ≈ a·nᵇ, bench/lib/curve.ts).
// `npm run bench:scaling`; writes bench/results/scaling.json.
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ConductorClient } from '../src/shared/client';
import type { ApiEvent, StatusView, SubmitResult, WorkloadView } from '../src/shared/protocol/api';
import { isAlive } from '../src/shared/platform/process';
import { Cluster } from '../test/integration/harness';
import { sleeperApp } from './lib/apps';
import { curveOf, describeCurve, type Curve } from './lib/curve';
import { mark, markedProcesses } from './lib/peers';
import { cpuMs, rssMiB, TICK_MS } from './lib/proc-stats';
import { median, percentile, writeResults } from './lib/results';
import { deadline } from './lib/deadline';
import { sampleList } from './lib/list-sampler';
import { SimAgent, endpointOf } from './lib/sim-agent';

const ROLLOUT_SIZES = [1, 10, 100];
/** Rollouts a batch: more for small apps, whose CPU time is a few ticks each. */
const ROLLOUTS: Record<number, number> = { 1: 20, 10: 10, 100: 4 };
const API_SIZES = [100, 1_000, 5_000];
const AGENTS = 50;
const APPS = 20;
const LIST_SAMPLES = 300;
/** The whole benchmark gives up (and cleans up) past this. */
const { inTime, until } = deadline(20);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r2 = (x: number) => +x.toFixed(2);

/** The rollouts that ended, by id, as the event stream tells them. */
class RolloutWatch {
  private readonly ended = new Map<string, { state: string; ms: number }>();
  private readonly controller = new AbortController();
  private failure: Error | null = null;

  constructor(client: ConductorClient) {
    client
      .stream<ApiEvent>(
        '/v1/events',
        (e) => {
          if (e.type === 'rollout' && e.rollout.endedAt !== null) this.ended.set(e.rollout.id, { state: e.rollout.state, ms: e.rollout.endedAt - e.rollout.startedAt });
        },
        this.controller.signal,
      )
      .catch((err: Error) => {
        if (!this.controller.signal.aborted) this.failure = err;
      });
  }

  endOf(id: string): { state: string; ms: number } | undefined {
    if (this.failure) throw this.failure;
    return this.ended.get(id);
  }

  close(): void {
    this.controller.abort();
  }
}

// ---- part 1: rollouts with a real agent --------------------------------------------------------

interface RolloutBatch {
  replicas: number;
  surge: number;
  rollouts: number;
  /** Median, the Conductor's record: start to success. */
  rolloutMs: number;
  /** Median, the client's: request to success with only the new replicas left. */
  settledMs: number;
  conductorCpuMsPerRollout: number;
  agentCpuMsPerRollout: number;
}

async function rollouts() {
  const c = new Cluster('bench-scaling');
  const seenPids = new Set<number>();
  let conductorPid = 0;
  let agentPid = 0;
  const batches: RolloutBatch[] = [];
  let idle = { conductorCpuMsPerS: 0, agentCpuMsPerS: 0 };
  try {
    conductorPid = (await c.startConductor(['--expiry', '5000', '--quiet'])).pid;
    agentPid = (await c.startAgent('real', ['--quiet'])).pid;
    const client = c.client();
    const watch = new RolloutWatch(client);
    try {
      // What the two cost doing nothing, over 5 s (heartbeats, timers).
      await sleep(1000);
      const [ic, ia] = [cpuMs(conductorPid), cpuMs(agentPid)];
      await sleep(5000);
      idle = { conductorCpuMsPerS: r2((cpuMs(conductorPid) - ic) / 5), agentCpuMsPerS: r2((cpuMs(agentPid) - ia) / 5) };
      console.log(`idle: Conductor ${idle.conductorCpuMsPerS} ms CPU a second, agent ${idle.agentCpuMsPerS} ms`);

      let version = 0;
      for (const surgeAll of [false, true]) {
        for (const n of ROLLOUT_SIZES) {
          // With one replica, all at once is one at a time: measured once.
          if (surgeAll && n === 1) continue;
          // How many new replicas start together.
          const surge = surgeAll ? n : 1;
          const app = `svc-${n}-${surgeAll ? 'all' : 's1'}`;
          const extra = surgeAll ? [] : ['  rollout', '    surge 1'];
          const file = c.manifest(`${app}.skr8tr`, sleeperApp(app, n, `v${++version}`, { extra, env: { BENCH_MARK: mark } }));
          const deploy = async () => {
            const r = await client.request<SubmitResult>('POST', '/v1/workloads', { path: file, text: fs.readFileSync(file, 'utf8') });
            const id = r.apps[0]?.rollout;
            if (!id) throw new Error(`the up of ${app} started no rollout: ${JSON.stringify(r.apps)}`);
            return id;
          };
          /** Until the rollout succeeded and only its N replicas are left. */
          const settled = async (id: string) => {
            await until(
              `rollout ${id} of ${app} to succeed`,
              () => {
                const end = watch.endOf(id);
                if (end && end.state !== 'succeeded') throw new Error(`rollout ${id} ${end.state}`);
                return end ? true : 'running';
              },
              120_000,
              5,
            );
            await until(
              `${app} to have only its ${n} new replicas`,
              async () => {
                const w = await client.request<WorkloadView>('GET', `/v1/workloads/${app}`);
                for (const r of w.replicas) if (r.pid !== null) seenPids.add(r.pid);
                const live = w.replicas.filter((r) => r.state !== 'stopped' && r.state !== 'failed');
                return live.length === n && live.every((r) => r.generation === w.generation && r.state === 'ready') ? true : `${live.length} live`;
              },
              60_000,
              10,
            );
            return watch.endOf(id)!.ms;
          };
          await settled(await deploy());
          await sleep(500);
          const count = ROLLOUTS[n]!;
          const ms: number[] = [];
          const settledMs: number[] = [];
          const [c0, a0] = [cpuMs(conductorPid), cpuMs(agentPid)];
          for (let i = 0; i < count; i++) {
            fs.writeFileSync(file, sleeperApp(app, n, `v${++version}`, { extra, env: { BENCH_MARK: mark } }));
            const t0 = performance.now();
            ms.push(await settled(await deploy()));
            settledMs.push(performance.now() - t0);
          }
          const [c1, a1] = [cpuMs(conductorPid), cpuMs(agentPid)];
          const batch: RolloutBatch = {
            replicas: n,
            surge,
            rollouts: count,
            rolloutMs: median(ms),
            settledMs: r2(median(settledMs)),
            conductorCpuMsPerRollout: r2((c1 - c0) / count),
            agentCpuMsPerRollout: r2((a1 - a0) / count),
          };
          batches.push(batch);
          console.log(
            `${n} replicas, ${surgeAll ? 'surge not written' : 'surge 1'}: ${count} rollouts, median ${batch.rolloutMs} ms (settled ${batch.settledMs} ms); CPU a rollout: Conductor ${batch.conductorCpuMsPerRollout} ms, agent ${batch.agentCpuMsPerRollout} ms`,
          );
          await client.request('DELETE', `/v1/workloads/${app}`);
          await until(
            `${app} to be gone`,
            async () => ((await client.request<StatusView>('GET', '/v1/status')).replicas === 0 ? true : 'replicas left'),
            60_000,
            50,
          );
        }
      }
    } finally {
      watch.close();
    }
    await until(
      'every replica process to be gone',
      () => {
        const left = markedProcesses().length;
        return left === 0 ? true : `${left} alive`;
      },
      30_000,
      100,
    );
    return { idle, batches };
  } finally {
    await c.cleanup();
    const leftDaemons = [conductorPid, agentPid].filter((p) => p > 0 && isAlive(p));
    const leftMarked = markedProcesses();
    if (leftDaemons.length + leftMarked.length > 0) {
      for (const p of [...leftMarked, ...leftDaemons]) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      throw new Error(`processes outlived the benchmark: daemons ${leftDaemons.join(', ') || 'none'}, replicas ${leftMarked.join(', ') || 'none'}`);
    }
    console.log(`cleanup: Conductor, agent and all ${seenPids.size} replica processes are gone (checked by pid and by environment mark)`);
  }
}

// ---- part 2: API latency with simulated agents -------------------------------------------------

interface ApiPoint {
  replicas: number;
  responseBytes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  conductorRssMiB: number;
}

async function apiLatency() {
  const c = new Cluster('bench-scaling-api');
  const sims: SimAgent[] = [];
  let conductorPid = 0;
  const points: ApiPoint[] = [];
  try {
    conductorPid = (await c.startConductor(['--expiry', '5000', '--quiet'])).pid;
    const client = c.client();
    const endpoint = endpointOf(c.home);
    for (let i = 0; i < AGENTS; i++) sims.push(new SimAgent(`sim-${String(i + 1).padStart(2, '0')}`, `127.0.1.${i + 1}`, endpoint));
    await Promise.all(sims.map((s) => s.join()));
    const names = Array.from({ length: APPS }, (_, i) => `fleet-${String(i).padStart(2, '0')}`);
    for (const [step, total] of API_SIZES.entries()) {
      const per = total / APPS;
      if (step === 0) {
        const file = c.manifest('fleet.skr8tr', names.map((n) => sleeperApp(n, per, 'v1')).join('\n'));
        await client.request('POST', '/v1/workloads', { path: file, text: fs.readFileSync(file, 'utf8') });
      } else {
        for (const n of names) await client.request('POST', `/v1/workloads/${n}/scale`, { replicas: per });
      }
      await until(
        `${total} replicas to be ready`,
        async () => {
          const ws = await client.request<WorkloadView[]>('GET', '/v1/workloads');
          const ready = ws.reduce((a, w) => a + w.ready, 0);
          return ready === total && ws.every((w) => w.rollout === null) ? true : `${ready} ready`;
        },
        180_000,
        250,
      );
      await sleep(2000);
      // Timed from a client process of its own (as `skr8tr list` asks), not beside the simulated agents.
      inTime('the list samples');
      const sampled = await sampleList(c.home, LIST_SAMPLES);
      const ms = sampled.ms;
      const bytes = sampled.bytes;
      ms.sort((a, b) => a - b);
      const point: ApiPoint = {
        replicas: total,
        responseBytes: bytes,
        p50Ms: r2(percentile(ms, 50)),
        p99Ms: r2(percentile(ms, 99)),
        maxMs: r2(ms.at(-1)!),
        meanMs: r2(ms.reduce((a, b) => a + b, 0) / ms.length),
        conductorRssMiB: r2(rssMiB(conductorPid)),
      };
      points.push(point);
      console.log(`GET /v1/workloads at ${total} replicas (${(bytes / 1024).toFixed(0)} KiB): p50 ${point.p50Ms} ms, p99 ${point.p99Ms} ms, max ${point.maxMs} ms (${LIST_SAMPLES} samples); Conductor ${point.conductorRssMiB} MiB resident`);
    }
    const problems = sims.flatMap((s) => s.problems.map((p) => `${s.node}: ${p}`));
    if (problems.length > 0) throw new Error(`simulated agents saw problems:\n${problems.join('\n')}`);
    return points;
  } finally {
    for (const s of sims) s.close();
    await c.cleanup();
    if (conductorPid && isAlive(conductorPid)) throw new Error(`the Conductor (pid ${conductorPid}) outlived the benchmark`);
  }
}

// ---- the curves --------------------------------------------------------------------------------

function curve(ns: number[], costs: number[]): Curve & { text: string } {
  const c = curveOf(ns.map((n, i) => ({ n, cost: costs[i]! })));
  return { ...c, text: describeCurve(c, ns) };
}

async function main(): Promise<void> {
  const started = Date.now();
  const part1 = await rollouts();
  const part2 = await apiLatency();
  const durationS = Math.round((Date.now() - started) / 1000);

  const summary: string[] = [];
  const curves: Record<string, Curve & { text: string }> = {};
  for (const surgeAll of [false, true]) {
    const batches = ROLLOUT_SIZES.map((n) => part1.batches.find((b) => b.replicas === n && b.surge === (surgeAll ? n : 1))!);
    const label = surgeAll ? 'surge not written (the default: all at once, the node has room)' : '`surge 1` (one at a time)';
    const time = curve(ROLLOUT_SIZES, batches.map((b) => b.rolloutMs));
    const cpu = curve(ROLLOUT_SIZES, batches.map((b) => Math.max(b.conductorCpuMsPerRollout, TICK_MS / b.rollouts)));
    curves[`rollout-${surgeAll ? 'surgeN' : 'surge1'}-time`] = time;
    curves[`rollout-${surgeAll ? 'surgeN' : 'surge1'}-cpu`] = cpu;
    summary.push(
      `rollout of N instant replicas, ${label}, real agent: ${batches.map((b) => `N=${b.replicas}: ${b.rolloutMs} ms (${(b.rolloutMs / b.replicas).toFixed(1)} ms a replica), Conductor CPU ${b.conductorCpuMsPerRollout} ms (${(b.conductorCpuMsPerRollout / b.replicas).toFixed(2)} ms a replica), agent CPU ${b.agentCpuMsPerRollout} ms`).join('; ')}`,
      `  rollout time over N, ${label}: ${time.text}; Conductor CPU over N: ${cpu.text}`,
    );
  }
  summary.push(`idle with one agent: Conductor ${part1.idle.conductorCpuMsPerS} ms CPU a second, agent ${part1.idle.agentCpuMsPerS} ms a second`);
  const api = curve(API_SIZES, part2.map((p) => p.p50Ms));
  const api99 = curve(API_SIZES, part2.map((p) => p.p99Ms));
  const bytes = curve(API_SIZES, part2.map((p) => p.responseBytes));
  curves['api-p50'] = api;
  curves['api-p99'] = api99;
  curves['api-bytes'] = bytes;
  summary.push(
    `GET /v1/workloads with ${AGENTS} simulated agents, ${APPS} apps: ${part2.map((p) => `${p.replicas} replicas (${(p.responseBytes / 1024).toFixed(0)} KiB): p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms (${((p.p50Ms * 1000) / p.replicas).toFixed(1)} µs a replica at p50), Conductor ${p.conductorRssMiB} MiB`).join('; ')}`,
    `  latency over replicas: p50 ${api.text}; p99 ${api99.text}; answer size ${bytes.text}`,
    'the simulated agents run in the benchmark process; the list is asked from a client process of its own (bench/lib/list-sampler.ts): latency is request to parsed answer, as `skr8tr list` sees it; the machine may be shared, so compare within a run',
    `whole run: ${durationS} s; every process started was shown gone at the end`,
  );
  for (const s of summary) console.log(s);
  console.log(`wrote ${writeResults('scaling', { rollouts: part1, api: part2, curves, durationS }, summary)}`);
}

// Exit as soon as the work is done and proven cleaned up.
void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
