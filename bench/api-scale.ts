// API latency and memory at scale.
//   Part 1: a real Conductor (dist/conductor.js, throwaway home) with 50 SIMULATED agents: small
//   in-process clients of the agent protocol (TCP, the home's join token, a valid `hello`, a
//   heartbeat every second) that answer each `launch` with `launched` (a fake pid, above any pid
//   Linux can hand out) at once and each `stop` with `exited`. 20 apps × 50 replicas = 1,000
//   replicas, no health check and `settle 0s`, so a replica is ready as soon as it is launched.
//   Then, sequentially through the real API client over the unix socket: GET /v1/workloads, the
//   `up` of a small new app, and an `up` that changes one app (a rollout start, 200 of them); the
//   Conductor's resident memory alone, at 1,000 replicas and after the 200 rollouts, right after the
//   work and at rest (15 s idle, once V8's memory reducer has acted), and how much it grew; the size
//   of one event-stream snapshot.
//   Part 2: one REAL agent (dist/agent.js) running 200, then 500 replicas of `/bin/sleep 3600`:
//   its resident memory at 0, 200 and 500 replicas (and at rest); then every replica is stopped and
//   shown gone.
//   The daemons are started as the extension starts them (src/shared/daemon-runtime.ts).
// `npm run bench:api-scale`; writes bench/results/api-scale.json.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ApiClientError, type ConductorClient } from '../src/shared/client';
import type { NodeView, StatusView, SubmitResult, WorkloadView } from '../src/shared/protocol/api';
import { DAEMON_NODE_FLAGS } from '../src/shared/daemon-runtime';
import { isAlive } from '../src/shared/platform/process';
import { Cluster } from '../test/integration/harness';
import { sleeperApp } from './lib/apps';
import { deadline } from './lib/deadline';
import { statusMiB } from './lib/proc-stats';
import { median, percentile, writeResults } from './lib/results';
import { sampleList } from './lib/list-sampler';
import { SimAgent, endpointOf } from './lib/sim-agent';

const AGENTS = 50;
const APPS = 20;
const REPLICAS_PER_APP = 50;
const TOTAL = APPS * REPLICAS_PER_APP;
const SAMPLES = 200;
const LIST_SAMPLES = 300;
const REAL_STEPS = [200, 500];
/** The whole benchmark gives up (and cleans up) past this. */
const { inTime, until } = deadline(25);


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- measurements ------------------------------------------------------------------------------

interface Latency {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

function latency(values: number[]): Latency {
  const s = [...values].sort((a, b) => a - b);
  const r = (n: number) => +n.toFixed(2);
  return { samples: s.length, p50Ms: r(percentile(s, 50)), p99Ms: r(percentile(s, 99)), maxMs: r(s.at(-1) ?? NaN), meanMs: r(s.reduce((a, b) => a + b, 0) / s.length) };
}

const fmt = (l: Latency) => `p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms (${l.samples} samples)`;

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

interface Memory {
  rssMiB: number;
  hwmMiB: number;
  /** After RESTING_MS with nothing to do (see atRest). */
  atRestMiB?: number;
}

/**
 * How long a daemon is left idle before its memory counts as "at rest": V8's memory reducer acts
 * after ~8 s of low allocation and gives back what the last burst of work took.
 */
const RESTING_MS = 15_000;

/** Resident memory (VmRSS) and its peak (VmHWM) of a process, from /proc/<pid>/status. */
function memoryOf(pid: number): Memory {
  const mib = (key: 'VmRSS' | 'VmHWM') => +statusMiB(pid, key).toFixed(1);
  return { rssMiB: mib('VmRSS'), hwmMiB: mib('VmHWM') };
}

/** Memory of each process now, and again (atRestMiB) after RESTING_MS idle. */
async function atRest(pids: number[]): Promise<Memory[]> {
  const now = pids.map(memoryOf);
  await sleep(RESTING_MS);
  return pids.map((p, i) => ({ ...now[i]!, atRestMiB: memoryOf(p).rssMiB }));
}

const growth = (from: number, to: number) => `${to >= from ? '+' : ''}${(((to - from) / from) * 100).toFixed(1)} %`;

// ---- manifests ---------------------------------------------------------------------------------

const appName = (i: number) => `fleet-${String(i).padStart(2, '0')}`;

function fleetManifest(versions: readonly number[]): string {
  return versions.map((v, i) => sleeperApp(appName(i), REPLICAS_PER_APP, `v${v}`)).join('\n');
}

// ---- waiting on the Conductor ------------------------------------------------------------------

/** Ready replicas of the current generation, and whether anything else is live, rolling or draining. */
function settledCount(ws: WorkloadView[]): { ready: number; settled: boolean } {
  let ready = 0;
  let settled = true;
  for (const w of ws) {
    const mine = w.replicas.filter((r) => r.generation === w.generation && r.state === 'ready').length;
    ready += mine;
    const others = w.replicas.some((r) => r.state !== 'stopped' && r.state !== 'failed' && !(r.generation === w.generation && r.state === 'ready'));
    if (w.rollout || others || mine !== w.desired) settled = false;
  }
  return { ready, settled };
}

async function waitSettled(client: ConductorClient, total: number, timeoutMs: number, what: string): Promise<void> {
  await until(
    what,
    async () => {
      const s = settledCount(await client.request<WorkloadView[]>('GET', '/v1/workloads'));
      return s.settled && s.ready === total ? true : `${s.ready} ready`;
    },
    timeoutMs,
    200,
  );
}


// ---- part 1: simulated agents ------------------------------------------------------------------

async function simulated() {
  const c = new Cluster('bench-scale');
  const sims: SimAgent[] = [];
  let conductorPid = 0;
  try {
    // The product's default node expiry (5 s), not the tests' 1.5 s.
    const conductor = await c.startConductor(['--expiry', '5000']);
    conductorPid = conductor.pid;
    const client = c.client();
    await sleep(1000);
    const [memEmpty] = await atRest([conductorPid]);
    console.log(`Conductor pid ${conductorPid}: ${memEmpty!.rssMiB} MiB resident, nothing connected (${memEmpty!.atRestMiB} MiB at rest)`);

    const endpoint = endpointOf(c.home);
    const joinStart = performance.now();
    for (let i = 0; i < AGENTS; i++) {
      const s = new SimAgent(`sim-${String(i + 1).padStart(2, '0')}`, `127.0.1.${i + 1}`, endpoint);
      sims.push(s);
    }
    await Promise.all(sims.map((s) => s.join()));
    const joinMs = performance.now() - joinStart;
    const nodes = await client.request<NodeView[]>('GET', '/v1/nodes');
    if (nodes.filter((n) => n.connected).length !== AGENTS) throw new Error(`${nodes.length} nodes connected, expected ${AGENTS}`);
    await sleep(2000);
    const memAgents = memoryOf(conductorPid);
    console.log(`${AGENTS} simulated agents joined in ${joinMs.toFixed(0)} ms; Conductor ${memAgents.rssMiB} MiB resident`);

    // 1,000 replicas: one manifest of 20 apps × 50 replicas, one `up`.
    const versions = Array.from({ length: APPS }, () => 1);
    const fleetFile = c.manifest('fleet.skr8tr', fleetManifest(versions));
    const upAll = await timed(() => client.request<SubmitResult>('POST', '/v1/workloads', { path: fleetFile, text: fs.readFileSync(fleetFile, 'utf8') }));
    if (upAll.value.apps.filter((a) => a.action === 'created').length !== APPS) throw new Error(`up of the fleet: ${JSON.stringify(upAll.value)}`);
    const t0 = performance.now();
    await waitSettled(client, TOTAL, 120_000, `${TOTAL} replicas to be ready`);
    const bringUpMs = performance.now() - t0 + upAll.ms;
    const perNode = sims.map((s) => s.replicas);
    console.log(`up of ${APPS} apps × ${REPLICAS_PER_APP} replicas: request ${upAll.ms.toFixed(1)} ms; all ${TOTAL} ready within ${bringUpMs.toFixed(0)} ms (polled every 200 ms); ${Math.min(...perNode)}–${Math.max(...perNode)} replicas a node`);
    await sleep(2000);
    const [memFull] = await atRest([conductorPid]);
    const status = await client.request<StatusView>('GET', '/v1/status');
    console.log(`at ${status.replicas} live replicas: Conductor ${memFull!.rssMiB} MiB resident (peak ${memFull!.hwmMiB} MiB), ${memFull!.atRestMiB} MiB at rest`);

    // One event-stream snapshot: its size, and how long it takes to arrive (5 times).
    const snapshots: { bytes: number; ms: number }[] = [];
    for (let i = 0; i < 5; i++) snapshots.push(await snapshotOnce(client));
    console.log(`event-stream snapshot: ${snapshots[0]!.bytes} bytes, first line in ${median(snapshots.map((s) => s.ms)).toFixed(1)} ms (median of 5)`);

    // GET /v1/workloads, sequentially.
    const listQuiet = await listSamples(c.home, LIST_SAMPLES);
    const listBytes = Buffer.byteLength(JSON.stringify(await client.request<WorkloadView[]>('GET', '/v1/workloads')));
    console.log(`GET /v1/workloads at ${TOTAL} replicas (${listBytes} bytes): ${fmt(listQuiet)}`);

    // `up` of a small new app (1 replica), each removed again (unmeasured) before the next, so the
    // total stays at 1,000.
    const upNew: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const name = `small-${i}`;
      const file = c.manifest(`${name}.skr8tr`, sleeperApp(name, 1, 'v1'));
      const r = await timed(() => client.request<SubmitResult>('POST', '/v1/workloads', { path: file, text: fs.readFileSync(file, 'utf8') }));
      if (r.value.apps[0]?.action !== 'created') throw new Error(`up of ${name}: ${JSON.stringify(r.value)}`);
      upNew.push(r.ms);
      await until(
        `${name} to be ready`,
        async () => ((await client.request<WorkloadView>('GET', `/v1/workloads/${name}`)).ready === 1 ? true : 'not ready'),
        10_000,
        5,
      );
      await client.request('DELETE', `/v1/workloads/${name}`);
      await until(
        `${name} to be gone`,
        async () => {
          try {
            await client.request('GET', `/v1/workloads/${name}`);
            return 'still there';
          } catch (err) {
            if (!(err instanceof ApiClientError && err.status === 404)) throw err;
          }
          const st = await client.request<StatusView>('GET', '/v1/status');
          return st.replicas === TOTAL ? true : `${st.replicas} live replicas`;
        },
        10_000,
        5,
      );
    }
    const upNewL = latency(upNew);
    console.log(`POST /v1/workloads, up of a new 1-replica app: ${fmt(upNewL)}`);

    // `up` of the fleet manifest with one app changed: a rollout start. Sequential, each rollout
    // (50 replicas, surge not written: all at once) allowed to finish before the next request; apps in turn.
    const rolloutStart: number[] = [];
    const rolloutDone: number[] = [];
    const memTrend: { rollouts: number; rssMiB: number }[] = [{ rollouts: 0, rssMiB: memoryOf(conductorPid).rssMiB }];
    for (let i = 0; i < SAMPLES; i++) {
      const k = i % APPS;
      versions[k]!++;
      fs.writeFileSync(fleetFile, fleetManifest(versions));
      const r = await timed(() => client.request<SubmitResult>('POST', '/v1/workloads', { path: fleetFile, text: fs.readFileSync(fleetFile, 'utf8') }));
      const rolled = r.value.apps.filter((a) => a.action === 'rollout');
      if (rolled.length !== 1 || rolled[0]!.name !== appName(k)) throw new Error(`up with ${appName(k)} changed: ${JSON.stringify(r.value.apps.filter((a) => a.action !== 'unchanged'))}`);
      rolloutStart.push(r.ms);
      const id = rolled[0]!.rollout!;
      let finished: WorkloadView['history'][number] | undefined;
      await until(
        `rollout ${id} to finish`,
        async () => {
          const w = await client.request<WorkloadView>('GET', `/v1/workloads/${appName(k)}`);
          finished = w.history.find((h) => h.id === id);
          return finished ? true : `${w.rollout?.ready ?? '?'} of ${w.desired} new replicas ready`;
        },
        60_000,
        50,
      );
      if (finished!.state !== 'succeeded') throw new Error(`rollout ${id} ${finished!.state}: ${finished!.reason}`);
      rolloutDone.push(finished!.endedAt! - finished!.startedAt);
      if ((i + 1) % 50 === 0) {
        await sleep(1000);
        memTrend.push({ rollouts: i + 1, rssMiB: memoryOf(conductorPid).rssMiB });
      }
    }
    console.log(`Conductor resident memory during the rollouts: ${memTrend.map((m) => `${m.rssMiB} MiB after ${m.rollouts}`).join(', ')}`);
    const rolloutStartL = latency(rolloutStart);
    const rolloutDoneMs = median(rolloutDone);
    console.log(`POST /v1/workloads, up changing 1 of ${APPS} apps (rollout start): ${fmt(rolloutStartL)}`);
    console.log(`each of those rollouts (${REPLICAS_PER_APP} replicas, surge not written: all at once, instant simulated replicas): median ${rolloutDoneMs} ms start to done, ${(rolloutDoneMs / REPLICAS_PER_APP).toFixed(1)} ms a replica`);
    await waitSettled(client, TOTAL, 60_000, `${TOTAL} replicas to be ready after the rollouts`);

    // The list again, now that every app has its full history (10 generations, 20 rollouts, 10 ended replicas kept).
    const listAfter = await listSamples(c.home, SAMPLES);
    const listAfterBytes = Buffer.byteLength(JSON.stringify(await client.request<WorkloadView[]>('GET', '/v1/workloads')));
    console.log(`GET /v1/workloads after ${SAMPLES} rollouts (${listAfterBytes} bytes, full history): ${fmt(listAfter)}`);
    const snapAfter = await snapshotOnce(client);
    await sleep(2000);
    const [memAfter] = await atRest([conductorPid]);
    console.log(`after ${SAMPLES} rollouts (${SAMPLES * REPLICAS_PER_APP} replicas replaced): Conductor ${memAfter!.rssMiB} MiB resident (peak ${memAfter!.hwmMiB} MiB), ${memAfter!.atRestMiB} MiB at rest (${growth(memFull!.atRestMiB!, memAfter!.atRestMiB!)}); snapshot ${snapAfter.bytes} bytes`);

    const problems = sims.flatMap((s) => s.problems.map((p) => `${s.node}: ${p}`));
    if (problems.length > 0) throw new Error(`simulated agents saw problems:\n${problems.join('\n')}`);
    const launches = sims.reduce((a, s) => a + s.launches, 0);
    const stops = sims.reduce((a, s) => a + s.stops, 0);
    return {
      agents: AGENTS,
      apps: APPS,
      replicasPerApp: REPLICAS_PER_APP,
      replicas: TOTAL,
      simulatedLaunches: launches,
      simulatedStops: stops,
      agentsJoinMs: Math.round(joinMs),
      upFleetRequestMs: +upAll.ms.toFixed(1),
      upFleetAllReadyMs: Math.round(bringUpMs),
      conductorMemory: { nothingConnected: memEmpty!, agentsConnected: memAgents, at1000Replicas: memFull!, afterRollouts: memAfter!, duringRollouts: memTrend, restingMs: RESTING_MS },
      eventSnapshot: { bytes: snapshots[0]!.bytes, medianMs: +median(snapshots.map((s) => s.ms)).toFixed(1), afterRolloutsBytes: snapAfter.bytes },
      list: { ...listQuiet, responseBytes: listBytes },
      listAfterRollouts: { ...listAfter, responseBytes: listAfterBytes },
      upNewApp: upNewL,
      upRolloutStart: rolloutStartL,
      rolloutOf50MedianMs: rolloutDoneMs,
    };
  } finally {
    for (const s of sims) s.close();
    await c.cleanup();
    if (conductorPid && isAlive(conductorPid)) throw new Error(`the Conductor (pid ${conductorPid}) outlived the benchmark`);
  }
}

/** The list, timed from a client process of its own (bench/lib/list-sampler.ts), not beside the simulated agents. */
async function listSamples(home: string, n: number): Promise<Latency> {
  inTime('the list samples');
  const r = await sampleList(home, n);
  if (r.workloads < APPS) throw new Error(`the list has ${r.workloads} workloads`);
  return latency(r.ms);
}

/** Opens the event stream without a position and measures its first line (the snapshot). */
function snapshotOnce(client: ConductorClient): Promise<{ bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const controller = new AbortController();
    const t0 = performance.now();
    let done = false;
    const timer = setTimeout(() => {
      controller.abort();
      reject(new Error('no snapshot within 10 s'));
    }, 10_000);
    client
      .stream<{ type: string }>(
        '/v1/events',
        (e) => {
          if (done) return;
          done = true;
          const ms = performance.now() - t0;
          clearTimeout(timer);
          controller.abort();
          if (e.type !== 'snapshot') reject(new Error(`first event is ${e.type}`));
          else resolve({ bytes: Buffer.byteLength(JSON.stringify(e)) + 1, ms });
        },
        controller.signal,
      )
      .catch(reject);
  });
}

// ---- part 2: one real agent --------------------------------------------------------------------

/** Pids of live processes whose environment holds `BENCH_MARK=<mark>` (the replicas of this run). */
function markedProcesses(mark: string): number[] {
  const needle = Buffer.from(`BENCH_MARK=${mark}\0`);
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/environ`).includes(needle) && isAlive(Number(name))) out.push(Number(name));
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

async function realAgent() {
  const c = new Cluster('bench-agent');
  const mark = crypto.randomBytes(8).toString('hex');
  const seenPids = new Set<number>();
  const steps: { replicas: number; agent: Memory; conductor: Memory; processes: number; readyWithinMs: number | null }[] = [];
  let agentPid = 0;
  let conductorPid = 0;
  try {
    conductorPid = (await c.startConductor(['--expiry', '5000'])).pid;
    agentPid = (await c.startAgent('real')).pid;
    const client = c.client();
    await sleep(2000);
    steps.push({ replicas: 0, agent: memoryOf(agentPid), conductor: memoryOf(conductorPid), processes: markedProcesses(mark).length, readyWithinMs: null });
    console.log(`real agent pid ${agentPid}, no replicas: ${steps[0]!.agent.rssMiB} MiB resident`);

    const file = c.manifest('sleepers.skr8tr', sleeperApp('sleepers', REAL_STEPS[0]!, 'v1', { env: { BENCH_MARK: mark } }));
    for (const [i, n] of REAL_STEPS.entries()) {
      const t0 = performance.now();
      if (i === 0) await client.request('POST', '/v1/workloads', { path: file, text: fs.readFileSync(file, 'utf8') });
      else await client.request('POST', '/v1/workloads/sleepers/scale', { replicas: n });
      await until(
        `${n} real replicas to be ready`,
        async () => {
          const w = await client.request<WorkloadView>('GET', '/v1/workloads/sleepers');
          for (const r of w.replicas) if (r.pid !== null) seenPids.add(r.pid);
          const failed = w.replicas.filter((r) => r.state === 'failed');
          if (failed.length > 0) throw new Error(`${failed.length} replicas failed, e.g. ${failed[0]!.id}: ${failed[0]!.reason}`);
          return w.ready === n ? true : `${w.ready} ready`;
        },
        180_000,
        250,
      );
      const readyWithinMs = Math.round(performance.now() - t0);
      await sleep(3000);
      const processes = markedProcesses(mark).length;
      if (processes !== n) throw new Error(`${processes} replica processes alive, expected ${n}`);
      const [agent, conductor] = await atRest([agentPid, conductorPid]);
      steps.push({ replicas: n, agent: agent!, conductor: conductor!, processes, readyWithinMs });
      console.log(`real agent with ${n} replicas (${processes} /bin/sleep processes, ready within ${readyWithinMs} ms): agent ${agent!.rssMiB} MiB resident (${agent!.atRestMiB} at rest), Conductor ${conductor!.rssMiB} MiB (${conductor!.atRestMiB} at rest)`);
    }

    // Stop them all, and see them go.
    const t0 = performance.now();
    await client.request('DELETE', '/v1/workloads/sleepers');
    await until(
      'every replica process to be gone',
      async () => {
        const n = markedProcesses(mark).length;
        return n === 0 ? true : `${n} still alive`;
      },
      60_000,
      250,
    );
    const stopAllMs = Math.round(performance.now() - t0);
    await until(
      'the Conductor to forget the app',
      async () => ((await client.request<StatusView>('GET', '/v1/status')).replicas === 0 ? true : 'replicas left'),
      30_000,
      100,
    );
    await sleep(3000);
    const [agentAfter, conductorAfter] = await atRest([agentPid, conductorPid]);
    const after = { agent: agentAfter!, conductor: conductorAfter! };
    console.log(`all ${REAL_STEPS.at(-1)} stopped within ${stopAllMs} ms; agent ${after.agent.rssMiB} MiB resident afterwards (${after.agent.atRestMiB} at rest)`);
    return { mark, steps, stopAllMs, afterStop: after, replicaPidsSeen: seenPids.size };
  } finally {
    await c.cleanup();
    // Proof: no process of this run is left (the daemons, and every replica by pid and by its mark).
    const leftDaemons = [agentPid, conductorPid].filter((p) => p > 0 && isAlive(p));
    const leftPids = [...seenPids].filter((p) => isAlive(p) && markedProcesses(mark).includes(p));
    const leftMarked = markedProcesses(mark);
    if (leftDaemons.length + leftPids.length + leftMarked.length > 0) {
      for (const p of [...leftMarked, ...leftDaemons]) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      throw new Error(`processes outlived the benchmark: daemons ${leftDaemons.join(', ') || 'none'}, replicas ${[...new Set([...leftPids, ...leftMarked])].join(', ') || 'none'}`);
    }
    console.log(`cleanup: Conductor, agent and all ${seenPids.size} replica processes are gone (checked by pid and by environment mark)`);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const sim = await simulated();
  const real = await realAgent();
  const durationS = Math.round((Date.now() - started) / 1000);
  const s0 = real.steps[0]!;
  const mem = sim.conductorMemory;
  const summary = [
    `${sim.agents} simulated agents, ${sim.apps} apps × ${sim.replicasPerApp} replicas = ${sim.replicas} replicas (no health check, settle 0s): all ready ${sim.upFleetAllReadyMs} ms after the up`,
    `GET /v1/workloads at ${sim.replicas} replicas (${(sim.list.responseBytes / 1024).toFixed(0)} KiB): ${fmt(sim.list)}`,
    `GET /v1/workloads after ${SAMPLES} rollouts, full history (${(sim.listAfterRollouts.responseBytes / 1024).toFixed(0)} KiB): ${fmt(sim.listAfterRollouts)}`,
    `POST /v1/workloads, up of a new 1-replica app at ${sim.replicas} replicas: ${fmt(sim.upNewApp)}`,
    `POST /v1/workloads, up changing 1 of ${sim.apps} apps (rollout start, journaled with fdatasync) at ${sim.replicas} replicas: ${fmt(sim.upRolloutStart)}`,
    `a rollout of ${sim.replicasPerApp} instant replicas (surge not written: all at once) at that scale: median ${sim.rolloutOf50MedianMs} ms, ${(sim.rolloutOf50MedianMs / sim.replicasPerApp).toFixed(1)} ms a replica`,
    `Conductor resident memory at rest (${RESTING_MS / 1000} s idle): ${mem.nothingConnected.atRestMiB} MiB alone, ${mem.at1000Replicas.atRestMiB} MiB at ${sim.replicas} replicas, ${mem.afterRollouts.atRestMiB} MiB after ${SAMPLES} rollouts (${growth(mem.at1000Replicas.atRestMiB!, mem.afterRollouts.atRestMiB!)}; ${sim.simulatedLaunches} launches in all, one log line each)`,
    `Conductor resident memory right after the work: ${mem.nothingConnected.rssMiB} MiB alone, ${mem.agentsConnected.rssMiB} MiB with ${sim.agents} agents, ${mem.at1000Replicas.rssMiB} MiB at ${sim.replicas} replicas (peak ${mem.at1000Replicas.hwmMiB}); during the rollouts ${mem.duringRollouts.map((m) => m.rssMiB).join(' → ')} MiB (every 50); ${mem.afterRollouts.rssMiB} MiB after them (peak ${mem.afterRollouts.hwmMiB})`,
    `event-stream snapshot at ${sim.replicas} replicas: ${(sim.eventSnapshot.bytes / 1024).toFixed(0)} KiB (${sim.eventSnapshot.bytes} bytes), first line in ${sim.eventSnapshot.medianMs} ms; ${(sim.eventSnapshot.afterRolloutsBytes / 1024).toFixed(0)} KiB after the rollouts`,
    `real agent resident memory: ${real.steps.map((s) => `${s.agent.rssMiB} MiB${s.agent.atRestMiB !== undefined ? ` (${s.agent.atRestMiB} at rest)` : ''} at ${s.replicas}`).join(', ')} replicas of /bin/sleep (${((real.steps.at(-1)!.agent.rssMiB - s0.agent.rssMiB) / REAL_STEPS.at(-1)! * 1024).toFixed(0)} KiB a replica); ${real.afterStop.agent.rssMiB} MiB (${real.afterStop.agent.atRestMiB} at rest) after stopping them all (within ${real.stopAllMs} ms)`,
    `the daemons run as the extension starts them: ${DAEMON_NODE_FLAGS.join(' ')}, with glibc's trim threshold at 128 KiB (src/shared/daemon-runtime.ts)`,
    'the simulated agents run inside the benchmark process; the list is asked from a client process of its own (bench/lib/list-sampler.ts), as `skr8tr list` asks; the Conductor and the real agent are separate processes (all on the same cores)',
    `whole run: ${durationS} s; every process started was shown gone at the end`,
  ];
  for (const s of summary) console.log(s);
  console.log(`wrote ${writeResults('api-scale', { simulated: sim, realAgent: real, durationS }, summary)}`);
}

// Exit as soon as the work is done and proven cleaned up.
void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
