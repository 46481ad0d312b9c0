// The extension's picture of the cluster: a projection of the Conductor's event stream (a snapshot,
// then changes). Applying an event says what changed, so views refresh only those elements. Pure:
// no VS Code, no I/O; unit-tested with events in and changes out.
import { isFinal, type ApiEvent, type NodeView, type ReplicaView, type RolloutView, type StepView, type WorkloadSummary } from '../shared/protocol/api';

export interface ModelChange {
  /** Everything changed (a snapshot). */
  all: boolean;
  workloads: Set<string>;
  nodes: Set<string>;
  /** The set of workloads or nodes itself changed (added or removed): their views refresh from the root. */
  workloadList: boolean;
  nodeList: boolean;
  rollouts: boolean;
  steps: StepView[];
}

const RECENT_ROLLOUTS = 50;

function emptyChange(): ModelChange {
  return { all: false, workloads: new Set(), nodes: new Set(), workloadList: false, nodeList: false, rollouts: false, steps: [] };
}

export class ClusterModel {
  readonly nodes = new Map<string, NodeView>();
  readonly workloads = new Map<string, WorkloadSummary>();
  readonly replicas = new Map<string, ReplicaView>();
  /** Active rollouts and the most recent ended ones, by id. */
  readonly rollouts = new Map<string, RolloutView>();
  /** Where the stream is: reconnecting with it misses nothing. */
  position: { seq: number; epoch: string } | null = null;

  apply(e: ApiEvent): ModelChange {
    const change = emptyChange();
    if (e.type !== 'snapshot' && this.position && e.epoch === this.position.epoch && e.seq <= this.position.seq) return change;
    this.position = { seq: e.seq, epoch: e.epoch };
    switch (e.type) {
      case 'snapshot': {
        this.nodes.clear();
        this.workloads.clear();
        this.replicas.clear();
        // Rollouts too: one whose end the stream missed (a restart, an overflowed ring) would stay
        // active for ever. The active ones are in the snapshot; ended ones come back with addHistory.
        this.rollouts.clear();
        for (const n of e.nodes) this.nodes.set(n.id, n);
        for (const w of e.workloads) {
          this.workloads.set(w.name, w);
          if (w.rollout) this.rollouts.set(w.rollout.id, w.rollout);
        }
        for (const r of e.replicas) this.replicas.set(r.id, r);
        change.all = true;
        break;
      }
      case 'node':
        if (!this.nodes.has(e.node.id)) change.nodeList = true;
        this.nodes.set(e.node.id, e.node);
        change.nodes.add(e.node.id);
        break;
      case 'node-removed':
        this.nodes.delete(e.id);
        change.nodeList = true;
        break;
      case 'workload': {
        if (!this.workloads.has(e.workload.name)) change.workloadList = true;
        this.workloads.set(e.workload.name, e.workload);
        change.workloads.add(e.workload.name);
        if (e.workload.rollout) this.noteRollout(e.workload.rollout, change);
        break;
      }
      case 'workload-removed':
        this.workloads.delete(e.name);
        change.workloadList = true;
        break;
      case 'replica': {
        const before = this.replicas.get(e.replica.id);
        this.replicas.set(e.replica.id, e.replica);
        change.workloads.add(e.replica.app);
        for (const node of [before?.node, e.replica.node]) if (node) change.nodes.add(node);
        break;
      }
      case 'replica-removed': {
        const before = this.replicas.get(e.id);
        this.replicas.delete(e.id);
        change.workloads.add(e.app);
        if (before?.node) change.nodes.add(before.node);
        break;
      }
      case 'rollout':
        this.noteRollout(e.rollout, change);
        change.workloads.add(e.rollout.app);
        break;
      case 'step':
        change.steps.push(e.step);
        break;
      case 'resumed':
        break;
      case 'daemon-log':
        break;
    }
    return change;
  }

  /** Adds rollouts learnt another way (the history of each workload, fetched once on connect). */
  addHistory(rollouts: readonly RolloutView[]): void {
    for (const r of rollouts) if (!this.rollouts.has(r.id)) this.rollouts.set(r.id, r);
    this.trimRollouts();
  }

  private noteRollout(r: RolloutView, change: ModelChange): void {
    this.rollouts.delete(r.id);
    this.rollouts.set(r.id, r);
    change.rollouts = true;
    this.trimRollouts();
  }

  private trimRollouts(): void {
    const ended = [...this.rollouts.values()].filter((r) => isFinal(r.state)).sort((a, b) => a.startedAt - b.startedAt);
    for (const r of ended.slice(0, Math.max(0, ended.length - RECENT_ROLLOUTS))) this.rollouts.delete(r.id);
  }

  replicasOf(app: string): ReplicaView[] {
    return [...this.replicas.values()].filter((r) => r.app === app);
  }

  replicasOn(node: string): ReplicaView[] {
    return [...this.replicas.values()].filter((r) => r.node === node && r.state !== 'stopped' && r.state !== 'failed');
  }

  activeRollouts(): RolloutView[] {
    return [...this.rollouts.values()].filter((r) => !isFinal(r.state));
  }

  clear(): void {
    this.nodes.clear();
    this.workloads.clear();
    this.replicas.clear();
    this.rollouts.clear();
    this.position = null;
  }
}
