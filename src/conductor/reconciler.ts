// The thin loop around the planner: for each workload it builds the planner's input from the
// current state, performs the steps it returns (launch, stop, fail, rollout transitions), and runs
// again on every change and at the time the planner asked to be woken. It also turns what agents
// and probes report into replica state changes.
import * as crypto from 'node:crypto';
import type { Logger } from '../shared/logger';
import type { AppSpec } from '../shared/manifest/model';
import { Builds } from './builds';
import { formatMs } from '../shared/format';
import { startFailureHint } from './failure-hints';
import { crashPoint } from './crash-points';
import { launchSpec } from './launch-spec';
import { currentGeneration, generationOf, type Replica, type RolloutRecord, type WorkloadRecord } from './model';
import { backoffMs, plan, type PlanInput, type Step } from './planner';
import { PortAllocator } from './ports';
import { ReplicaProber } from './probes';
import { overcommitOf, place, type PlacementMode, type SchedNode } from './scheduler';
import type { Snapshots } from './snapshots';
import type { ConductorState } from './state';
import type { LaunchSpec, ReplicaReport } from '../shared/protocol/agent';
import type { RolloutState } from '../shared/protocol/api';

/** How the reconciler reaches agents. */
export interface AgentLink {
  /** Sends a launch; returns null when sent, or why it could not be. */
  launch(node: string, id: string, spec: LaunchSpec): string | null;
  stop(node: string, id: string, graceMs: number): boolean;
}

/** The ingress: ready replicas join it; a replica leaves it (and its requests finish) before it is stopped. */
export interface Traffic {
  /** Opens (or moves) the app's listener as its spec says, or closes it when the spec has none. */
  ensure(app: string, spec: AppSpec): void;
  /** The app is gone: close its listener. */
  release(app: string): void;
  /** Adds a ready replica to the app's ingress; false when the app has none. */
  join(r: Replica): boolean;
  /** Resolves once the replica gets no new requests and its in-flight ones are done. */
  leave(r: Replica, capMs: number): Promise<void>;
}

const LIVE = new Set(['pending', 'starting', 'ready']);
/** A replica that stayed ready this long before failing starts a fresh backoff sequence. */
const BACKOFF_RESET_MS = 30_000;

export interface ReconcilerOptions {
  /** No launches before this time unless every previously known node is back (after a restart). */
  recoveryUntil: number;
  knownNodes: readonly string[];
  portRange?: [number, number];
  /** Generations' captured build outputs. */
  snapshots: Snapshots;
  /**
   * How CPU and memory requests bind (scheduler.ts): `auto` is relaxed while one node is connected
   * (a developer's machine runs what the manifest asks, saying it is overcommitted) and strict with
   * several (placement across a fleet respects capacity).
   */
  placement: PlacementMode | 'auto';
  /** A replica's last lines of output (for the hint of a replica that failed while starting). */
  recentOutput: (replicaId: string, lines: number) => string[];
}

export class Reconciler {
  private readonly probers = new Map<string, ReplicaProber>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly dirty = new Set<string>();
  private scheduled = false;
  private readonly backoff = new Map<string, { failures: number; until: number }>();
  private readonly ports: PortAllocator;
  /** Backend ports a host refused (something else listens there). */
  private readonly refusedPorts = new Map<string, Set<number>>();
  private readonly problemsSaid = new Map<string, string>();
  /** Since when an app's replica could not be placed, and why (the planner bounds it by the rollout deadline). */
  private readonly unplaced = new Map<string, { since: number; reason: string }>();
  private readonly builds: Builds;
  private stopped = false;

  constructor(
    private readonly state: ConductorState,
    private readonly agents: AgentLink,
    private traffic: Traffic,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly options: ReconcilerOptions,
  ) {
    this.ports = new PortAllocator(options.portRange);
    // A build outlives the pass that started it: its outcome applies to the workload as it is then.
    this.builds = new Builds(log, now, {
      step: (app, message, level) => {
        const w = this.state.workloads.get(app);
        if (w) this.stepOf(w, message, level);
      },
      succeeded: (app, generation, capture) => {
        const w = this.state.workloads.get(app);
        const g = w && generationOf(w, generation);
        if (!w || !g) return;
        g.builtAt = this.now();
        g.capture = capture;
        this.state.saveWorkloadQuietly(w);
        this.kick(app);
      },
      failed: (app, generation, reason) => {
        const w = this.state.workloads.get(app);
        if (!w) return;
        this.state.setProblem(app, 'placement', `generation ${generation} did not build: ${reason}`);
        if (w.rollout && w.rollout.toGeneration === generation && w.generation === generation) this.transition(w, 'rolling-back', reason);
        this.kick(app);
      },
    }, options.snapshots);
    for (const app of options.snapshots.apps()) this.kick(app);
  }

  setTraffic(traffic: Traffic): void {
    this.traffic = traffic;
  }

  // ---- scheduling passes -----------------------------------------------------------------------

  kick(app: string): void {
    if (this.stopped) return;
    this.dirty.add(app);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.runDirty());
  }

  kickAll(): void {
    for (const name of this.state.workloads.keys()) this.kick(name);
    for (const r of this.state.replicas.values()) this.kick(r.app);
  }

  private runDirty(): void {
    this.scheduled = false;
    const apps = [...this.dirty];
    this.dirty.clear();
    for (const app of apps) {
      try {
        this.pass(app);
      } catch (err) {
        this.log.error(`reconcile of ${app} failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  private mayLaunch(): boolean {
    if (this.now() >= this.options.recoveryUntil) return true;
    return this.options.knownNodes.every((id) => this.state.nodes.get(id)?.connected);
  }

  private pass(app: string): void {
    const w = this.state.workloads.get(app);
    if (!w) {
      this.retireOrphans(app);
      return;
    }
    const replicas = this.state.replicasOf(app);
    const gen = currentGeneration(w);
    this.traffic.ensure(app, gen.spec);
    const key = `${app}@${w.generation}`;
    const input: PlanInput = {
      now: this.now(),
      generation: w.generation,
      desired: w.desired,
      policy: gen.spec.rollout,
      job: gen.spec.type === 'job',
      rollout: w.rollout
        ? {
            state: w.rollout.state,
            fromGeneration: w.rollout.fromGeneration,
            toGeneration: w.rollout.toGeneration,
            countFailuresSince: w.rollout.countFailuresSince,
          }
        : null,
      replicas: replicas.map((r) => ({
        id: r.id,
        generation: r.generation,
        state: r.state,
        createdAt: r.createdAt,
        readyAt: r.readyAt,
        completed: r.completed,
      })),
      launchNotBefore: this.backoff.get(key)?.until ?? 0,
      mayLaunch: this.mayLaunch() && this.builds.ready(w, gen),
      unplaced: this.unplaced.get(app) ?? null,
    };
    const result = plan(input);
    let changed = false;
    for (const step of result.steps) changed = this.perform(w, step) || changed;
    if (!result.steps.some((s) => s.kind === 'launch')) {
      this.clearProblemIfSettled(w);
      this.unplaced.delete(app);
    }
    this.retainCaptures(app, w);
    this.checkCapacity(w);
    this.setTimer(app, result.wakeAt);
    if (!this.mayLaunch()) this.setTimer(app, this.options.recoveryUntil);
    if (changed) this.kick(app);
  }

  private setTimer(app: string, at: number | null): void {
    const existing = this.timers.get(app);
    if (existing) clearTimeout(existing);
    this.timers.delete(app);
    if (at === null || this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(app);
      this.kick(app);
    }, Math.max(0, at - this.now()) + 1);
    this.timers.set(app, t);
  }

  /** A deleted workload's replicas are stopped; once none is left, they are forgotten. */
  private retireOrphans(app: string): void {
    const replicas = this.state.replicasOf(app);
    for (const r of replicas) if (LIVE.has(r.state)) this.stopReplica(r, 'workload removed');
    if (replicas.every((r) => r.state === 'stopped' || r.state === 'failed')) {
      this.state.removeReplicasOf(app);
      this.traffic.release(app);
    }
    this.retainCaptures(app, null);
  }

  /** Build captures stay while a generation record keeps them or a replica of theirs still runs. */
  private retainCaptures(app: string, w: WorkloadRecord | null): void {
    const keep = new Set<number>(w ? w.generations.map((g) => g.generation) : []);
    for (const r of this.state.replicasOf(app)) if (r.state !== 'stopped' && r.state !== 'failed') keep.add(r.generation);
    this.options.snapshots.retain(app, keep);
  }

  // ---- steps -----------------------------------------------------------------------------------

  private perform(w: WorkloadRecord, step: Step): boolean {
    switch (step.kind) {
      case 'launch': {
        let launched = 0;
        for (let i = 0; i < step.count; i++) {
          if (!this.launchOne(w)) break;
          launched++;
        }
        return launched > 0;
      }
      case 'stop': {
        const r = this.state.replicas.get(step.id);
        if (!r) return false;
        const why = step.why === 'excess' ? 'scaled down' : step.why === 'rolled-back' ? 'rolled back' : 'replaced';
        this.stopReplica(r, why);
        return true;
      }
      case 'fail': {
        const r = this.state.replicas.get(step.id);
        if (!r) return false;
        const spec = currentGeneration(w).spec;
        const seconds = Math.round(spec.rollout.deadlineMs / 100) / 10;
        const last = this.probers.get(r.id);
        const detail = last ? `${last.describe}: ${last.last ?? 'no answer yet'}` : r.state === 'pending' ? 'the agent never reported it launched' : 'no answer yet';
        this.failReplica(r, `not ready after ${seconds} s (${detail})`);
        return true;
      }
      case 'rollout':
        return this.transition(w, step.to, step.reason);
    }
  }

  private launchOne(w: WorkloadRecord): boolean {
    const gen = currentGeneration(w);
    const spec = gen.spec;
    const nodes = this.schedNodes(w.name, w.generation);
    const portsInUse = this.portsInUse();
    const hostPort = spec.port !== null && !spec.ingress ? spec.port : null;
    const placement = place(nodes, { cpu: spec.cpu, ramBytes: spec.ramBytes, gpu: spec.gpu, hostPort }, portsInUse, this.placementMode(nodes.length));
    if (!placement.ok) {
      const problem = `cannot start a replica: ${placement.reason}`;
      this.reportProblem(w, problem);
      const first = !this.unplaced.has(w.name);
      this.unplaced.set(w.name, { since: this.unplaced.get(w.name)?.since ?? this.now(), reason: placement.reason });
      if (first) this.kick(w.name); // plan again: its deadline now bounds the wait
      if (placement.portConflict && w.rollout?.state === 'running' && spec.rollout.unavailable === 0) {
        // With `ingress off` the old replicas hold the port; with `unavailable 0` none may go
        // first. Waiting cannot help: say so and return to the running generation.
        const reason = `port ${hostPort} is taken on every node and, with \`ingress off\` and \`unavailable 0\`, no old replica may stop first; use the ingress (\`ingress on\`) for a rollout without downtime, or allow \`unavailable 1\``;
        this.transition(w, 'rolling-back', reason);
        this.kick(w.name);
      }
      return false;
    }
    this.unplaced.delete(w.name);
    const node = this.state.nodes.get(placement.node)!;
    let port: number | null = hostPort;
    if (port === null) {
      port = this.ports.allocate(portsInUse.get(node.address) ?? new Set(), this.refusedPorts.get(node.address) ?? new Set());
      if (port === null) {
        this.reportProblem(w, `cannot start a replica: no free backend port on ${node.address}`);
        return false;
      }
    }
    const id = `${w.name}-${w.generation}-${crypto.randomBytes(3).toString('hex')}`;
    const now = this.now();
    const r: Replica = {
      id,
      app: w.name,
      generation: w.generation,
      node: node.id,
      address: node.address,
      pid: null,
      port,
      state: 'pending',
      createdAt: now,
      launchedAt: null,
      readyAt: null,
      endedAt: null,
      reason: null,
      restarts: 0,
      completed: false,
      inIngress: false,
      drainMs: spec.drainMs,
    };
    this.state.addReplica(r);
    this.stepOf(w, `launching ${id} on ${node.id} (port ${port})`);
    crashPoint('before-launch');
    const refused = this.agents.launch(node.id, id, launchSpec(spec, gen.secrets, { id, generation: w.generation, port }, gen.capture && spec.build?.out ? { out: spec.build.out, dir: gen.capture } : null));
    if (refused) this.failReplica(r, refused);
    crashPoint('after-launch');
    return true;
  }

  private placementMode(connectedNodes: number): PlacementMode {
    if (this.options.placement !== 'auto') return this.options.placement;
    return connectedNodes === 1 ? 'relaxed' : 'strict';
  }

  /**
   * With relaxed placement, nodes may run more than their capacity: the workload says so (list, the
   * tree), and its steps say it once when it begins. Judged by what the workload asks for (its
   * desired replicas) next to what the other apps run, so a rollout's surge says nothing new.
   */
  private checkCapacity(w: WorkloadRecord): void {
    const nodes = this.schedNodes(w.name, w.generation, false);
    let problem: string | null = null;
    if (nodes.length > 0 && this.placementMode(nodes.length) === 'relaxed') {
      const spec = currentGeneration(w).spec;
      const total = {
        id: nodes.map((n) => n.id).join(', '),
        capacity: { cpu: 0, memBytes: 0, gpu: false },
        usedCpu: w.desired * (spec.cpu ?? 0),
        usedMemBytes: w.desired * (spec.ramBytes ?? 0),
      };
      for (const n of nodes) {
        const mine = this.state.replicasOn(n.id).filter((r) => r.app === w.name && LIVE.has(r.state));
        const ownCpu = mine.reduce((sum, r) => sum + (generationOf(w, r.generation)?.spec.cpu ?? 0), 0);
        const ownMem = mine.reduce((sum, r) => sum + (generationOf(w, r.generation)?.spec.ramBytes ?? 0), 0);
        total.capacity.cpu += n.capacity.cpu;
        total.capacity.memBytes += n.capacity.memBytes;
        total.usedCpu += n.usedCpu - ownCpu;
        total.usedMemBytes += n.usedMemBytes - ownMem;
      }
      const over = overcommitOf(total, nodes.length === 1 ? `node ${total.id} is` : `nodes ${total.id} are`);
      if (over) problem = `${over} (CPU and memory are requests: ${nodes.length === 1 ? 'on a single node' : 'with relaxed placement'} the replicas run anyway)`;
    }
    const before = this.state.problemOf(w.name, 'capacity');
    this.state.setProblem(w.name, 'capacity', problem);
    if (problem && !before) {
      if (w.rollout) this.state.step(w.rollout, problem, 'warn');
      else this.log.warn(`${w.name}: ${problem}`);
    }
  }

  private reportProblem(w: WorkloadRecord, problem: string): void {
    this.state.setProblem(w.name, 'placement', problem);
    if (this.problemsSaid.get(w.name) === problem) return;
    this.problemsSaid.set(w.name, problem);
    if (w.rollout) this.state.step(w.rollout, problem, 'warn');
    else this.log.warn(`${w.name}: ${problem}`);
  }

  private clearProblemIfSettled(w: WorkloadRecord): void {
    if (this.state.problemOf(w.name, 'placement') === null) return;
    this.state.setProblem(w.name, 'placement', null);
    this.problemsSaid.delete(w.name);
  }

  /**
   * The connected nodes as the scheduler sees them, for placing a replica of `app` at `generation`;
   * `draining`: whether replicas on their way out still count (for placement they do: they run).
   */
  private schedNodes(app: string, generation: number, draining = true): SchedNode[] {
    const out: SchedNode[] = [];
    for (const n of this.state.nodes.values()) {
      if (!n.connected) continue;
      const mine = this.state.replicasOn(n.id).filter((r) => LIVE.has(r.state) || (draining && r.state === 'draining'));
      const node: SchedNode = {
        id: n.id,
        address: n.address,
        capacity: n.capacity,
        cpu: n.cpu,
        usedCpu: 0,
        usedMemBytes: 0,
        leavingCpu: 0,
        leavingMemBytes: 0,
        replicas: mine.length,
        sameApp: mine.filter((r) => r.app === app && LIVE.has(r.state)).length,
      };
      for (const r of mine) {
        const w = this.state.workloads.get(r.app);
        const spec = w ? generationOf(w, r.generation)?.spec : undefined;
        node.usedCpu += spec?.cpu ?? 0;
        node.usedMemBytes += spec?.ramBytes ?? 0;
        if (r.app === app && r.generation !== generation) {
          node.leavingCpu += spec?.cpu ?? 0;
          node.leavingMemBytes += spec?.ramBytes ?? 0;
        }
      }
      out.push(node);
    }
    return out;
  }

  /** Ports taken by replicas (live or draining), by host address. */
  private portsInUse(): Map<string, Set<number>> {
    const used = new Map<string, Set<number>>();
    for (const r of this.state.replicas.values()) {
      if (r.port === null || r.address === null || r.state === 'stopped' || r.state === 'failed') continue;
      let set = used.get(r.address);
      if (!set) used.set(r.address, (set = new Set()));
      set.add(r.port);
    }
    return used;
  }

  // ---- rollout transitions ---------------------------------------------------------------------

  private transition(w: WorkloadRecord, to: RolloutState, reason: string | null): boolean {
    const ro = w.rollout;
    if (!ro) return false;
    const now = this.now();
    switch (to) {
      case 'succeeded': {
        const g = generationOf(w, ro.toGeneration);
        if (g) g.outcome = 'succeeded';
        this.finish(w, ro, 'succeeded', null);
        this.state.step(ro, `done: ${w.desired} replica${w.desired === 1 ? '' : 's'} of generation ${ro.toGeneration} ready in ${formatMs(now - ro.startedAt)}`);
        return true;
      }
      case 'paused': {
        ro.state = 'paused';
        ro.reason = this.failureDetail(w, ro) ?? reason;
        this.state.saveWorkloadQuietly(w);
        this.state.step(ro, `paused: ${ro.reason}; resume or abort it`, 'warn');
        return true;
      }
      case 'rolling-back': {
        const detail = this.failureDetail(w, ro) ?? reason ?? 'failed';
        if (ro.fromGeneration === 0 || !generationOf(w, ro.fromGeneration)) {
          const g = generationOf(w, ro.toGeneration);
          if (g) g.outcome = `failed: ${detail}`;
          this.finish(w, ro, 'failed', detail);
          this.state.step(ro, `failed: ${detail}; there is no earlier generation to roll back to, so it keeps retrying with backoff`, 'error');
          return true;
        }
        ro.state = 'rolling-back';
        ro.reason = detail;
        w.generation = ro.fromGeneration;
        this.state.saveWorkloadQuietly(w);
        this.state.step(ro, `${ro.aborted ? 'aborted' : `failed: ${detail}`}; rolling back to generation ${ro.fromGeneration}`, ro.aborted ? 'warn' : 'error');
        return true;
      }
      case 'rolled-back': {
        const g = generationOf(w, ro.toGeneration);
        const final = ro.aborted ? 'aborted' : 'rolled-back';
        if (g) g.outcome = ro.aborted ? 'aborted' : `rolled back: ${ro.reason ?? 'failed'}`;
        this.finish(w, ro, final, ro.reason);
        this.state.step(ro, `${ro.aborted ? 'aborted' : 'rolled back'}: generation ${ro.fromGeneration} is running again (${formatMs(now - ro.startedAt)})`, ro.aborted ? 'warn' : 'error');
        return true;
      }
      default:
        return false;
    }
  }

  private finish(w: WorkloadRecord, ro: RolloutRecord, state: RolloutRecord['state'], reason: string | null): void {
    ro.state = state;
    ro.reason = reason;
    ro.endedAt = this.now();
    w.history.push(ro);
    w.rollout = null;
    this.state.saveWorkloadQuietly(w);
    this.state.events.emit({ type: 'rollout', rollout: this.state.rolloutView(ro) });
  }

  /** Why the rollout failed, in words: the most recent failed replica of the new generation. */
  private failureDetail(w: WorkloadRecord, ro: RolloutRecord): string | null {
    const failed = this.state
      .replicasOf(w.name)
      .filter((r) => r.generation === ro.toGeneration && r.state === 'failed' && r.createdAt >= ro.countFailuresSince)
      .sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))[0];
    return failed ? `${failed.id} ${failed.reason ?? 'failed'}` : null;
  }

  private stepOf(w: WorkloadRecord, message: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    if (w.rollout) this.state.step(w.rollout, message, level);
    else this.log.info(`${w.name}: ${message}`);
  }

  private stepFor(r: Replica, message: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    const w = this.state.workloads.get(r.app);
    if (w) this.stepOf(w, message, level);
    else this.log.info(`${r.app}: ${message}`);
  }

  // ---- replica lifecycle -----------------------------------------------------------------------

  /** Takes a replica out of service: out of the ingress, its requests finished, then the stop signal. */
  stopReplica(r: Replica, why: string): void {
    if (!LIVE.has(r.state)) return;
    this.closeProber(r.id);
    const inIngress = r.inIngress;
    // Out of the ingress first (no new request reaches it), then draining.
    const left = inIngress ? this.traffic.leave(r, r.drainMs) : null;
    this.state.updateReplica(r, { state: 'draining', reason: why, inIngress: false });
    this.stepFor(r, `draining ${r.id} (${why})${inIngress ? ': out of the ingress, waiting for its requests to finish' : ''}`);
    const grace = r.drainMs;
    const send = () => {
      if (r.state !== 'draining') return;
      if (!r.node || !this.agents.stop(r.node, r.id, grace)) {
        // Its node is gone; node expiry settles it.
        this.log.debug(`${r.id}: its node is not connected; it is stopped when the node returns or expires`);
      }
      crashPoint('after-stop');
    };
    if (left) left.then(send, send);
    else send();
  }

  private failReplica(r: Replica, reason: string): void {
    if (r.state === 'stopped' || r.state === 'failed') return;
    this.closeProber(r.id);
    const wasLive = r.state !== 'draining';
    if (r.inIngress) void this.traffic.leave(r, 0);
    this.state.updateReplica(r, { state: 'failed', reason, endedAt: this.now(), inIngress: false });
    this.stepFor(r, `${r.id} failed: ${reason}`, 'error');
    if (r.node) this.agents.stop(r.node, r.id, 0);
    if (wasLive) this.recordFailure(r);
  }

  private recordFailure(r: Replica): void {
    const key = `${r.app}@${r.generation}`;
    const prior = this.backoff.get(key);
    const wasLongReady = r.readyAt !== null && this.now() - r.readyAt >= BACKOFF_RESET_MS;
    const failures = wasLongReady || !prior ? 1 : prior.failures + 1;
    const until = this.now() + backoffMs(failures);
    this.backoff.set(key, { failures, until });
    if (failures >= 3) {
      const w = this.state.workloads.get(r.app);
      if (w && w.generation === r.generation) {
        this.state.setProblem(r.app, 'crash-loop', `crash loop: ${failures} failures in a row, next try in ${formatMs(backoffMs(failures))} (last: ${r.reason})`);
      }
    }
    this.kick(r.app);
  }

  private startProber(r: Replica): void {
    this.closeProber(r.id);
    const w = this.state.workloads.get(r.app);
    const spec = w ? generationOf(w, r.generation)?.spec : undefined;
    if (!spec) return;
    if (spec.type === 'job') {
      this.markReady(r);
      return;
    }
    const target = spec.health && r.port !== null && r.address !== null ? { address: r.address, port: r.port, health: spec.health } : null;
    const prober = new ReplicaProber(target, spec.settleMs, {
      ready: () => this.markReady(r),
      unhealthy: (detail) => {
        if (r.state === 'ready') this.failReplica(r, `unhealthy: ${detail}`);
      },
    });
    this.probers.set(r.id, prober);
  }

  private closeProber(id: string): void {
    this.probers.get(id)?.close();
    this.probers.delete(id);
  }

  private markReady(r: Replica): void {
    if (r.state !== 'starting') return;
    const now = this.now();
    const after = r.launchedAt !== null ? now - r.launchedAt : null;
    const joined = this.traffic.join(r);
    this.state.updateReplica(r, { state: 'ready', readyAt: now, reason: null, inIngress: joined });
    this.state.setProblem(r.app, 'crash-loop', null);
    this.stepFor(r, `${r.id} ready${after !== null ? ` after ${formatMs(after)}` : ''}${joined ? '; joined the ingress' : ''}`);
    crashPoint('after-ready');
    const w = this.state.workloads.get(r.app);
    if (w?.rollout) this.state.events.emit({ type: 'rollout', rollout: this.state.rolloutView(w.rollout) });
    this.kick(r.app);
  }

  // ---- what agents report ----------------------------------------------------------------------

  onLaunched(id: string, pid: number): void {
    const r = this.state.replicas.get(id);
    if (!r || r.state !== 'pending') return;
    this.state.updateReplica(r, { state: 'starting', pid, launchedAt: this.now() });
    this.startProber(r);
    this.kick(r.app);
  }

  onLaunchFailed(id: string, reason: string): void {
    const r = this.state.replicas.get(id);
    if (!r) return;
    const m = /^port (\d+) is in use/.exec(reason);
    const w = this.state.workloads.get(r.app);
    const ownPort = w ? generationOf(w, r.generation)?.spec : undefined;
    if (m && r.address && !(ownPort && !ownPort.ingress && ownPort.port === Number(m[1]))) {
      // A backend port something else took: not the app's failure. Remember it and launch again
      // on another port.
      let set = this.refusedPorts.get(r.address);
      if (!set) this.refusedPorts.set(r.address, (set = new Set()));
      set.add(Number(m[1]));
      this.closeProber(r.id);
      this.state.updateReplica(r, { state: 'stopped', endedAt: this.now(), reason: `${reason}; launching again on another port` });
      this.stepFor(r, `${r.id}: ${reason}; launching again on another port`, 'warn');
      this.kick(r.app);
      return;
    }
    this.failReplica(r, `could not start: ${reason}`);
  }

  onExited(id: string, code: number | null, signal: string | null, restarting: boolean): void {
    const r = this.state.replicas.get(id);
    if (!r) return;
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const now = this.now();
    switch (r.state) {
      case 'draining':
        this.closeProber(r.id);
        this.state.updateReplica(r, { state: 'stopped', endedAt: now, reason: r.reason, pid: r.pid });
        this.stepFor(r, `stopped ${r.id} (${how})`);
        break;
      case 'pending':
      case 'starting': {
        const w = this.state.workloads.get(r.app);
        const spec = w ? generationOf(w, r.generation)?.spec : undefined;
        const hint = spec ? startFailureHint(spec, this.options.recentOutput(r.id, 20)) : null;
        this.failReplica(r, `${how} while starting${hint ? `; ${hint}` : ''}`);
        break;
      }
      case 'ready': {
        const w = this.state.workloads.get(r.app);
        const job = w ? generationOf(w, r.generation)?.spec.type === 'job' : false;
        if (job && code === 0) {
          this.closeProber(r.id);
          this.state.updateReplica(r, { state: 'stopped', completed: true, endedAt: now, reason: 'completed' });
          this.stepFor(r, `${r.id} completed`);
        } else if (restarting) {
          this.closeProber(r.id);
          if (r.inIngress) void this.traffic.leave(r, 0);
          this.state.updateReplica(r, { state: 'starting', readyAt: null, inIngress: false, restarts: r.restarts + 1, reason: `${how}; restarting in place` });
          this.stepFor(r, `${r.id} ${how}; the agent restarts it`, 'warn');
        } else {
          this.failReplica(r, how);
        }
        break;
      }
      default:
        break;
    }
    this.kick(r.app);
  }

  onRestarted(id: string, pid: number): void {
    const r = this.state.replicas.get(id);
    if (!r || r.state !== 'starting') return;
    this.state.updateReplica(r, { pid, launchedAt: this.now() });
    this.startProber(r);
  }

  /** A node said hello: adopt what it runs, stop what it should not run, fail what it lost. */
  onHello(nodeId: string, address: string, reports: readonly ReplicaReport[]): void {
    const reported = new Set(reports.map((x) => x.id));
    for (const rep of reports) {
      const r = this.state.replicas.get(rep.id);
      const w = this.state.workloads.get(rep.app);
      if (rep.state === 'exited') {
        if (r) this.onExited(r.id, rep.exitCode, rep.signal, false);
        continue;
      }
      if (r && LIVE.has(r.state) && r.node === nodeId) {
        if (r.state === 'pending' && rep.pid !== null) this.onLaunched(r.id, rep.pid);
        continue;
      }
      if (r && r.state === 'draining') {
        this.agents.stop(nodeId, r.id, r.drainMs);
        continue;
      }
      if (r || !w || !generationOf(w, rep.generation)) {
        // Replaced while its node was away, or its workload is gone: a duplicate, stopped.
        this.log.info(`${rep.id} on ${nodeId} is no longer wanted; stopping it`);
        this.agents.stop(nodeId, rep.id, w ? (generationOf(w, rep.generation)?.spec.drainMs ?? 5000) : 5000);
        continue;
      }
      const now = this.now();
      const adopted: Replica = {
        id: rep.id,
        app: rep.app,
        generation: rep.generation,
        node: nodeId,
        address,
        pid: rep.pid,
        port: rep.port,
        state: 'starting',
        createdAt: now,
        launchedAt: rep.startedAt,
        readyAt: null,
        endedAt: null,
        reason: 'adopted',
        restarts: 0,
        completed: false,
        inIngress: false,
        drainMs: generationOf(w, rep.generation)!.spec.drainMs,
      };
      this.state.addReplica(adopted);
      this.log.info(`adopted ${rep.id} (pid ${rep.pid}) on ${nodeId}`);
      this.startProber(adopted);
    }
    for (const r of this.state.replicasOn(nodeId)) {
      if (reported.has(r.id)) continue;
      if (r.state === 'draining') this.state.updateReplica(r, { state: 'stopped', endedAt: this.now() });
      else if (LIVE.has(r.state)) this.failReplica(r, `gone from node ${nodeId}`);
    }
    this.kickAll();
  }

  /** A node went silent for too long: its replicas are lost and get replaced elsewhere. */
  onNodeLost(nodeId: string, why: string): void {
    for (const r of this.state.replicasOn(nodeId)) {
      if (r.state !== 'draining' && !LIVE.has(r.state)) continue;
      // Not the app's failure: no backoff, and no rollback of a rollout it was part of.
      this.closeProber(r.id);
      if (r.inIngress) void this.traffic.leave(r, 0);
      const wasDraining = r.state === 'draining';
      const reason = wasDraining ? r.reason : `node ${nodeId} lost (${why})`;
      this.state.updateReplica(r, { state: 'stopped', endedAt: this.now(), inIngress: false, reason });
      if (!wasDraining) this.stepFor(r, `${r.id}: ${reason}`, 'warn');
    }
    this.kickAll();
  }

  close(): void {
    this.stopped = true;
    this.builds.close();
    for (const p of this.probers.values()) p.close();
    this.probers.clear();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
