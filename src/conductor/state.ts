// The Conductor's state, its one owner: workloads (journaled desired state), replicas and nodes
// (reported by agents). Every change goes through a method here, which journals what must survive a
// crash and emits the event clients project their views from. A workload changes only by `commit`
// of a transition (rollout-transitions.ts): journaled, then made current, then told once.
import type { Logger } from '../shared/logger';
import type { NodeView, ProblemKind, ReplicaView, RolloutView, StepView, WorkloadSummary, WorkloadView } from '../shared/protocol/api';
import type { EventLog } from './event-log';
import type { Journal, JournalState } from './journal';
import { HISTORY_LIMIT, currentGeneration, type Replica, type RolloutRecord, type WorkloadRecord } from './model';
import { RepeatedFailure } from './repeated-failure';
import type { StepLine, Transition } from './rollout-transitions';

export interface NodeRecord {
  id: string;
  address: string;
  capacity: { cpu: number; memBytes: number; gpu: boolean };
  version: string;
  connected: boolean;
  /** When anything was last heard from it (a heartbeat or any other frame). */
  lastHeartbeat: number;
  /** Silent past the expiry: nothing new goes there; its replicas are replaced at this time if it stays silent (null: it reports). */
  silentUntil: number | null;
  cpu: number;
  memFree: number;
}

/** What found a workload's problem (declared with the API: protocol/api.ts ProblemKind). */
export type ProblemSource = ProblemKind;

export interface IngressInfo {
  port: number;
  address: string;
  backends: number;
}

/** What the state asks of others, given at construction. */
export interface StateNeighbours {
  /** The app's ingress listener, when it has one. */
  ingressOf(app: string): IngressInfo | null;
  /** A replica was forgotten (its logs go with it). */
  replicaForgotten(id: string): void;
}

/** What may change of a replica: not what it is (its id, app) nor where it runs (the indexes rely on that). */
export type ReplicaChange = Partial<Omit<Replica, 'id' | 'app' | 'node'>>;

/** `acknowledged`: a client waits for it, so a change that cannot be journaled is refused (thrown). `own`: the Conductor's own decision, kept in memory and logged when it cannot be journaled. */
export type CommitMode = 'acknowledged' | 'own';

export class ConductorState {
  readonly workloads: Map<string, WorkloadRecord>;
  private readonly replicaMap = new Map<string, Replica>();
  /** The same replicas by app and by node (each in the order they were added), so a workload's or a node's are found without a scan of them all. */
  private readonly byApp = new Map<string, Map<string, Replica>>();
  private readonly byNode = new Map<string, Map<string, Replica>>();
  readonly nodes = new Map<string, NodeRecord>();
  /** Why a workload cannot reach its desired state right now, by what found it. */
  private readonly problems = new Map<string, Map<ProblemSource, string>>();
  /** The Conductor's own changes that cannot be journaled (a full disk): said once, then counted. */
  private readonly saveTrouble = new RepeatedFailure({ failing: 'cannot save the state; it is kept in memory and saved with the next change', recovered: 'the state is saved again' });

  constructor(
    private readonly journal: Journal,
    private readonly journaled: JournalState,
    readonly events: EventLog,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly neighbours: StateNeighbours,
  ) {
    this.workloads = journaled.workloads;
  }

  // ---- workloads (journaled) -----------------------------------------------------------------

  /**
   * The one way a workload changes: journal the transition's result, make it current, then tell:
   * the workload, the active rollout if it changed, the steps, and last the rollouts it ended (so a
   * follower that stops at the end has seen every step).
   */
  commit(t: Transition, mode: CommitMode): void {
    this.commitAll([t], mode);
  }

  /**
   * Several transitions as one change (the apps of one submission): journaled together, in one
   * write, or (acknowledged) not at all — never some of them.
   */
  commitAll(ts: readonly Transition[], mode: CommitMode): void {
    if (ts.length === 0) return;
    for (const t of ts) {
      t.next.generations = t.next.generations.slice(-HISTORY_LIMIT.generations);
      t.next.history = t.next.history.slice(-HISTORY_LIMIT.rollouts);
    }
    try {
      this.journal.appendAll(ts.map((t) => ({ op: 'put', workload: t.next })));
      const back = this.saveTrouble.succeeded(this.now());
      if (back) this.log.info(back);
    } catch (err) {
      if (mode === 'acknowledged') throw err;
      const line = this.saveTrouble.failed(this.now(), `${ts.map((t) => t.next.name).join(', ')}: ${(err as Error).message}`);
      if (line) this.log.error(line);
    }
    for (const t of ts) this.apply(t);
    // Compaction is the journal's housekeeping: when it cannot be done now, the change stands (it is journaled), and it is tried again later.
    try {
      this.journal.compactIfLarge(this.journaled);
    } catch (err) {
      this.log.warn(`cannot compact the journal now: ${(err as Error).message}; it is tried again with a later change`);
    }
  }

  private apply(t: Transition): void {
    const next = t.next;
    const before = this.workloads.get(next.name);
    this.workloads.set(next.name, next);
    this.emitWorkload(next.name);
    const ro = next.rollout;
    if (ro && (before?.rollout?.id !== ro.id || before.rollout.state !== ro.state || before.rollout.reason !== ro.reason)) {
      this.events.emit({ type: 'rollout', rollout: this.rolloutView(ro) });
    }
    for (const s of t.steps) this.step(s.rollout, s.message, s.level);
    const known = new Set(before?.history.map((h) => h.id) ?? []);
    for (const h of next.history) if (!known.has(h.id)) this.events.emit({ type: 'rollout', rollout: this.rolloutView(h) });
  }

  /** Forgets a workload that was taken down (its replicas are gone); a failed write is logged, and the next start forgets it again. */
  deleteWorkload(name: string): void {
    try {
      this.journal.append({ op: 'delete', name });
    } catch (err) {
      this.log.error(`cannot save that ${name} is gone: ${(err as Error).message}`);
    }
    this.workloads.delete(name);
    this.problems.delete(name);
    this.events.emit({ type: 'workload-removed', name });
  }

  private saveKnownNodes(): void {
    const ids = [...this.nodes.keys()].sort();
    if (ids.join() === [...this.journaled.nodes].sort().join()) return;
    try {
      this.journal.append({ op: 'nodes', nodes: ids });
      this.journaled.nodes = ids;
    } catch (err) {
      this.log.warn(`cannot save the node list: ${(err as Error).message}`);
    }
  }

  setProblem(app: string, source: ProblemSource, problem: string | null): void {
    let mine = this.problems.get(app);
    if ((mine?.get(source) ?? null) === problem) return;
    if (!mine) this.problems.set(app, (mine = new Map()));
    if (problem === null) mine.delete(source);
    else mine.set(source, problem);
    this.emitWorkload(app);
  }

  problemOf(app: string, source?: ProblemSource): string | null {
    const mine = this.problems.get(app);
    if (!mine || mine.size === 0) return null;
    if (source) return mine.get(source) ?? null;
    return [...mine.values()].join('; ');
  }

  // ---- replicas --------------------------------------------------------------------------------

  /** Every replica by id; they change only through the methods here. */
  get replicas(): ReadonlyMap<string, Replica> {
    return this.replicaMap;
  }

  addReplica(r: Replica): void {
    this.replicaMap.set(r.id, r);
    indexed(this.byApp, r.app).set(r.id, r);
    if (r.node !== null) indexed(this.byNode, r.node).set(r.id, r);
    this.emitReplica(r);
  }

  /**
   * Applies a change to a replica and emits it (only when something changed); a replica that
   * becomes ready, or stops being ready, moves its workload's rollout on: that is told too.
   */
  updateReplica(r: Replica, change: ReplicaChange): void {
    let changed = false;
    const wasReady = r.state === 'ready';
    for (const [k, v] of Object.entries(change) as [keyof Replica, unknown][]) {
      if (r[k] !== v) {
        (r as unknown as Record<string, unknown>)[k] = v;
        changed = true;
      }
    }
    if (!changed) return;
    this.emitReplica(r);
    const ro = this.workloads.get(r.app)?.rollout;
    if (ro && wasReady !== (r.state === 'ready')) this.events.emit({ type: 'rollout', rollout: this.rolloutView(ro) });
    this.pruneEnded(r.app);
  }

  replicasOf(app: string): Replica[] {
    return [...(this.byApp.get(app)?.values() ?? [])];
  }

  replicasOn(node: string): Replica[] {
    return [...(this.byNode.get(node)?.values() ?? [])];
  }

  /** Keeps only the most recent stopped and failed replicas of an app, for display. */
  private pruneEnded(app: string): void {
    const ended = this.replicasOf(app)
      .filter((r) => r.state === 'stopped' || r.state === 'failed')
      .sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0));
    for (const r of ended.slice(0, Math.max(0, ended.length - HISTORY_LIMIT.terminalReplicas))) this.forget(r);
  }

  removeReplicasOf(app: string): void {
    for (const r of this.replicasOf(app)) this.forget(r);
  }

  private forget(r: Replica): void {
    this.replicaMap.delete(r.id);
    unindex(this.byApp, r.app, r.id);
    if (r.node !== null) unindex(this.byNode, r.node, r.id);
    this.neighbours.replicaForgotten(r.id);
    this.events.emit({ type: 'replica-removed', id: r.id, app: r.app });
  }

  // ---- nodes -----------------------------------------------------------------------------------

  /** A node said hello: it is connected, with what it says of itself. */
  nodeJoined(n: Omit<NodeRecord, 'connected' | 'lastHeartbeat' | 'silentUntil' | 'cpu' | 'memFree'>): void {
    const existing = this.nodes.get(n.id);
    this.nodes.set(n.id, { ...n, connected: true, lastHeartbeat: this.now(), silentUntil: null, cpu: existing?.cpu ?? 0, memFree: existing?.memFree ?? n.capacity.memBytes });
    this.saveKnownNodes();
    this.emitNode(n.id);
  }

  nodeHeartbeat(id: string, cpu: number, memFree: number): void {
    const n = this.nodes.get(id);
    if (!n) return;
    n.lastHeartbeat = this.now();
    n.silentUntil = null;
    n.cpu = cpu;
    n.memFree = memFree;
    this.emitNode(id);
  }

  /** A frame other than a heartbeat came from it: it is alive (told only when it was silent). */
  nodeHeard(id: string): void {
    const n = this.nodes.get(id);
    if (!n) return;
    n.lastHeartbeat = this.now();
    if (n.silentUntil === null) return;
    n.silentUntil = null;
    this.emitNode(id);
  }

  /** Silent past the expiry: nothing new is placed there until it reports; its replicas stay until `until`. */
  nodeSilent(id: string, until: number): void {
    const n = this.nodes.get(id);
    if (!n || n.silentUntil !== null) return;
    n.silentUntil = until;
    this.emitNode(id);
  }

  /** Its connection closed: it keeps its replicas until it comes back or is lost. */
  nodeDisconnected(id: string): void {
    const n = this.nodes.get(id);
    if (!n) return;
    n.connected = false;
    this.emitNode(id);
  }

  /** Expired: forgotten (its replicas are the reconciler's to replace). */
  nodeRemoved(id: string): void {
    if (this.nodes.delete(id)) this.events.emit({ type: 'node-removed', id });
    this.saveKnownNodes();
  }

  private emitNode(id: string): void {
    const n = this.nodes.get(id);
    if (n) this.events.emit({ type: 'node', node: this.nodeView(n) });
  }

  // ---- rollouts --------------------------------------------------------------------------------

  /** Narrates what happens to a workload: a step of its rollout when it has one, else a log line. */
  say(app: string, message: string, level: StepLine['level'] = 'info'): void {
    const ro = this.workloads.get(app)?.rollout;
    if (ro) this.step(ro, message, level);
    else if (level === 'error') this.log.error(`${app}: ${message}`);
    else if (level === 'warn') this.log.warn(`${app}: ${message}`);
    else this.log.info(`${app}: ${message}`);
  }

  step(r: RolloutRecord, message: string, level: StepView['level'] = 'info'): void {
    const at = this.now();
    const step: StepView = { rollout: r.id, app: r.app, at, elapsedMs: at - r.startedAt, message, level };
    this.events.emit({ type: 'step', step });
    const line = `${r.app} rollout ${r.id}: ${message}`;
    if (level === 'error') this.log.error(line);
    else if (level === 'warn') this.log.warn(line);
    else this.log.info(line);
  }

  findRollout(id: string): RolloutRecord | null {
    for (const w of this.workloads.values()) {
      if (w.rollout?.id === id) return w.rollout;
      const past = w.history.find((h) => h.id === id);
      if (past) return past;
    }
    return null;
  }

  // ---- views -----------------------------------------------------------------------------------

  emitReplica(r: Replica): void {
    this.events.emit({ type: 'replica', replica: this.replicaView(r) });
    this.emitWorkload(r.app);
  }

  emitWorkload(name: string): void {
    const w = this.workloads.get(name);
    if (w) this.events.emit({ type: 'workload', workload: this.workloadSummary(w) });
  }

  replicaView(r: Replica): ReplicaView {
    return {
      id: r.id,
      app: r.app,
      generation: r.generation,
      node: r.node,
      address: r.address,
      pid: r.pid,
      port: r.port,
      state: r.state,
      inIngress: r.inIngress,
      createdAt: r.createdAt,
      readyAt: r.readyAt,
      readyAfterMs: r.readyAt !== null && r.launchedAt !== null && !r.adopted ? r.readyAt - r.launchedAt : null,
      reason: r.reason,
      restarts: r.restarts,
      completed: r.completed,
    };
  }

  rolloutView(r: RolloutRecord): RolloutView {
    const w = this.workloads.get(r.app);
    const target = r.state === 'rolling-back' ? r.fromGeneration : r.toGeneration;
    const ready = this.replicasOf(r.app).filter((x) => x.generation === target && x.state === 'ready').length;
    return {
      id: r.id,
      app: r.app,
      fromGeneration: r.fromGeneration,
      toGeneration: r.toGeneration,
      state: r.state,
      reason: r.reason,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      ready,
      desired: w?.desired ?? 0,
      trigger: r.trigger ?? null,
      traffic: r.traffic ?? null,
    };
  }

  /** What the views show of an app's ingress listener. */
  ingressOf(app: string): IngressInfo | null {
    return this.neighbours.ingressOf(app);
  }

  workloadSummary(w: WorkloadRecord): WorkloadSummary {
    const spec = currentGeneration(w).spec;
    return {
      name: w.name,
      generation: w.generation,
      latestGeneration: w.latestGeneration,
      desired: w.desired,
      ready: this.replicasOf(w.name).filter((r) => r.generation === w.generation && r.state === 'ready').length,
      port: spec.port,
      ingress: this.ingressOf(w.name),
      rollout: w.rollout ? this.rolloutView(w.rollout) : null,
      manifestPath: currentGeneration(w).manifestPath,
      problem: this.problemOf(w.name),
      problems: Object.fromEntries(this.problems.get(w.name) ?? []),
      watching: w.watching === true,
      watchable: !!spec.watch,
    };
  }

  workloadView(w: WorkloadRecord): WorkloadView {
    return {
      ...this.workloadSummary(w),
      replicas: this.replicasOf(w.name).map((r) => this.replicaView(r)),
      spec: currentGeneration(w).spec,
      generations: w.generations.map((g) => ({
        generation: g.generation,
        createdAt: g.createdAt,
        manifestPath: g.manifestPath,
        outcome: g.outcome,
        spec: g.spec,
      })),
      history: w.history.map((h) => this.rolloutView(h)),
    };
  }

  nodeView(n: NodeRecord): NodeView {
    const mine = this.replicasOn(n.id).filter((r) => r.state !== 'stopped' && r.state !== 'failed');
    return {
      id: n.id,
      address: n.address,
      connected: n.connected,
      lastHeartbeatMs: Math.max(0, this.now() - n.lastHeartbeat),
      lostInMs: n.silentUntil === null ? null : Math.max(0, n.silentUntil - this.now()),
      cpu: n.cpu,
      memFree: n.memFree,
      capacity: n.capacity,
      ports: mine.flatMap((r) => (r.port === null ? [] : [r.port])).sort((a, b) => a - b),
      replicas: mine.map((r) => r.id),
      version: n.version,
    };
  }
}

function indexed(index: Map<string, Map<string, Replica>>, key: string): Map<string, Replica> {
  let mine = index.get(key);
  if (!mine) index.set(key, (mine = new Map()));
  return mine;
}

function unindex(index: Map<string, Map<string, Replica>>, key: string, id: string): void {
  const mine = index.get(key);
  if (!mine) return;
  mine.delete(id);
  if (mine.size === 0) index.delete(key);
}
