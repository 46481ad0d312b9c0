// Builders for the Conductor's views and events, shared by the extension's unit tests. Defaults
// describe a quiet cluster; each test overrides only what it is about.
import type { ApiEvent, EventBody, NodeView, ReplicaView, RolloutView, StepView, WorkloadSummary } from '../../../src/shared/protocol/api';
import { ClusterModel } from '../../../src/extension/cluster-model';

export function nodeView(id: string, over: Partial<NodeView> = {}): NodeView {
  return {
    id,
    address: '127.0.0.1',
    connected: true,
    lastHeartbeatMs: 200,
    lostInMs: null,
    cpu: 0.25,
    memFree: 4 * 1024 ** 3,
    capacity: { cpu: 8, memBytes: 16 * 1024 ** 3, gpu: false },
    ports: [],
    replicas: [],
    version: '0.1.0',
    ...over,
  };
}

export function rolloutView(id: string, over: Partial<RolloutView> = {}): RolloutView {
  return {
    id,
    app: 'web',
    fromGeneration: 1,
    toGeneration: 2,
    state: 'running',
    reason: null,
    startedAt: 1_000,
    endedAt: null,
    ready: 0,
    desired: 2,
    trigger: null,
    traffic: null,
    ...over,
  };
}

export function workloadSummary(name: string, over: Partial<WorkloadSummary> = {}): WorkloadSummary {
  return {
    name,
    generation: 1,
    latestGeneration: 1,
    desired: 2,
    ready: 2,
    port: null,
    ingress: null,
    rollout: null,
    manifestPath: `/work/${name}.skr8tr`,
    problem: null,
    problems: {},
    watching: false,
    watchable: false,
    ...over,
  };
}

export function replicaView(id: string, over: Partial<ReplicaView> = {}): ReplicaView {
  return {
    id,
    app: 'web',
    generation: 1,
    node: 'local',
    address: '127.0.0.1',
    pid: 4242,
    port: null,
    state: 'ready',
    inIngress: false,
    createdAt: 1_000,
    readyAt: 1_500,
    readyAfterMs: 500,
    reason: null,
    restarts: 0,
    completed: false,
    ...over,
  };
}

export function stepView(over: Partial<StepView> = {}): StepView {
  return { rollout: 'ro-1', app: 'web', at: 2_000, elapsedMs: 1_000, message: 'started web-2-a', level: 'info', ...over };
}

/** Makes events of one epoch with increasing sequence numbers. */
export class EventSource {
  seq = 0;
  constructor(readonly epoch = 'epoch-a') {}

  next(body: EventBody): ApiEvent {
    this.seq++;
    return { ...body, seq: this.seq, epoch: this.epoch, at: 10_000 + this.seq } as ApiEvent;
  }

  snapshot(parts: { nodes?: NodeView[]; workloads?: WorkloadSummary[]; replicas?: ReplicaView[] } = {}): ApiEvent {
    return this.next({ type: 'snapshot', nodes: parts.nodes ?? [], workloads: parts.workloads ?? [], replicas: parts.replicas ?? [] });
  }
}

/** A model that has applied a snapshot of these parts, and the source for further events. */
export function modelOf(parts: { nodes?: NodeView[]; workloads?: WorkloadSummary[]; replicas?: ReplicaView[]; rollouts?: RolloutView[] } = {}): {
  model: ClusterModel;
  events: EventSource;
} {
  const model = new ClusterModel();
  const events = new EventSource();
  model.apply(events.snapshot(parts));
  if (parts.rollouts) model.addHistory(parts.rollouts);
  return { model, events };
}
