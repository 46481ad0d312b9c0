// The Conductor API's shapes, declared once: the views it answers with, the events of its stream and
// the request bodies (validated by the Conductor). Which route takes and answers which: routes.ts.
// The extension and the CLI are clients of this.
import type { AppSpec, FailurePolicy } from '../manifest/model';
import type { TrafficCount, TrafficSecond, TrafficSeries } from '../traffic-window';

export const API_VERSION = 1;

export type ReplicaState = 'pending' | 'starting' | 'ready' | 'draining' | 'stopped' | 'failed';

export interface ReplicaView {
  id: string;
  app: string;
  generation: number;
  node: string | null;
  /** The host the replica's port is on. */
  address: string | null;
  pid: number | null;
  port: number | null;
  state: ReplicaState;
  /** Whether the ingress sends it traffic. */
  inIngress: boolean;
  createdAt: number;
  readyAt: number | null;
  /** Milliseconds from launch to ready. */
  readyAfterMs: number | null;
  /** Why it stopped or failed, or what its last probe said. */
  reason: string | null;
  restarts: number;
  /** A job's replica that exited 0: its work for its generation is done. */
  completed: boolean;
}

export type RolloutState = 'running' | 'paused' | 'rolling-back' | 'succeeded' | 'failed' | 'rolled-back' | 'aborted';

/** Which rollout states are final (the rollout has ended), declared once; the compiler wants every state here. */
const ENDED: Record<RolloutState, boolean> = {
  running: false,
  paused: false,
  'rolling-back': false,
  succeeded: true,
  failed: true,
  'rolled-back': true,
  aborted: true,
};

export function isFinal(state: RolloutState): boolean {
  return ENDED[state];
}

export interface RolloutView {
  id: string;
  app: string;
  fromGeneration: number;
  toGeneration: number;
  state: RolloutState;
  reason: string | null;
  startedAt: number;
  endedAt: number | null;
  /** Replicas of the new generation ready, and the desired count. */
  ready: number;
  desired: number;
  /** `watch`: started by a change of watched files, not by a request. */
  trigger: 'watch' | null;
  /** What the ingress served from its start to its end, once it ended; null while it runs, without an ingress, or when not counted (the Conductor restarted meanwhile). */
  traffic: TrafficCount | null;
}

/** A replica's state at one moment of a rollout: the timeline's lanes are drawn from these. */
export interface ReplicaMark {
  at: number;
  id: string;
  generation: number;
  state: ReplicaState;
  inIngress: boolean;
  reason: string | null;
}

/** Everything a rollout's timeline shows: its replicas' changes, its steps and the ingress's traffic, in time. */
export interface RolloutTimelineView {
  rollout: RolloutView;
  /** Where the picture starts (a little before the rollout) and ends (null while it runs). */
  from: number;
  to: number | null;
  /** The app's replicas when the recording began (at `from`), then each change, in time order. */
  marks: ReplicaMark[];
  steps: StepView[];
  /** Per second from `from`; null for an app without an ingress. */
  traffic: TrafficSeries | null;
  /** `requests`, or `connections` for an app whose ingress forwards TCP. */
  unit: 'requests' | 'connections';
  /** The Conductor restarted during the rollout: what happened before that is missing. */
  partial: boolean;
}

/** An app's recent traffic through its ingress. */
export interface TrafficView {
  app: string;
  unit: 'requests' | 'connections';
  /** Per second, up to the last 10 minutes. */
  series: TrafficSeries;
  /** Everything counted since the Conductor started. */
  totals: TrafficCount;
}

export interface GenerationView {
  generation: number;
  createdAt: number;
  manifestPath: string;
  /** Succeeded, failed, rolled back... of the rollout that introduced it; null while it is current and unfinished. */
  outcome: string | null;
  spec: AppSpec;
}

/**
 * What found a workload's problem: placement of replicas, a node overcommitted to run them, the
 * ingress listener, crash-loop backoff, what it needs (waiting for it, or for its dependents to stop),
 * its watched files, or a job whose attempts all failed.
 */
export type ProblemKind = 'placement' | 'capacity' | 'ingress' | 'crash-loop' | 'needs' | 'watch' | 'job';

/** A workload without its replicas: what workload events carry (replicas have their own events). */
export interface WorkloadSummary {
  name: string;
  /** The generation being run (the target of the active rollout, if any). */
  generation: number;
  latestGeneration: number;
  desired: number;
  ready: number;
  port: number | null;
  ingress: { port: number; address: string; backends: number } | null;
  rollout: RolloutView | null;
  manifestPath: string;
  /** Why the workload cannot reach its desired state right now (no node fits, crash loop...), or null. */
  problem: string | null;
  /** The same, by what found it (a client that acts on a problem reads this, never the words). */
  problems: Partial<Record<ProblemKind, string>>;
  /** Its files are watched: a change rolls it out again. */
  watching: boolean;
  /** It has a `watch` block (what watching would watch). */
  watchable: boolean;
}

export interface WorkloadView extends WorkloadSummary {
  replicas: ReplicaView[];
  spec: AppSpec;
  generations: GenerationView[];
  history: RolloutView[];
}

export interface NodeView {
  id: string;
  address: string;
  connected: boolean;
  lastHeartbeatMs: number;
  /** Silent past the expiry: its replicas keep serving while their health checks pass, and are replaced in this long if it stays silent (null: it reports). */
  lostInMs: number | null;
  cpu: number;
  memFree: number;
  capacity: { cpu: number; memBytes: number; gpu: boolean };
  ports: number[];
  replicas: string[];
  version: string;
}

export interface StatusView {
  version: string;
  pid: number;
  startedAt: number;
  epoch: string;
  seq: number;
  nodes: number;
  workloads: number;
  replicas: number;
  clients: number;
  home: string;
}

/** A line of a rollout's progress, for the output channel and `rollout --wait`. */
export interface StepView {
  rollout: string;
  app: string;
  at: number;
  /** Milliseconds since the rollout started. */
  elapsedMs: number;
  message: string;
  level: 'info' | 'warn' | 'error';
}

export interface LogLine {
  replica: string;
  app: string;
  generation: number;
  /** The line's number within its replica's output (from 1): a reader resuming keeps each line once. */
  seq: number;
  at: number;
  stream: 'out' | 'err';
  text: string;
}

export type EventBody =
  | { type: 'snapshot'; nodes: NodeView[]; workloads: WorkloadSummary[]; replicas: ReplicaView[] }
  /** First event of a stream resumed from a position: what follows is exactly what was missed. */
  | { type: 'resumed' }
  | { type: 'node'; node: NodeView }
  | { type: 'node-removed'; id: string }
  | { type: 'workload'; workload: WorkloadSummary }
  | { type: 'workload-removed'; name: string }
  | { type: 'replica'; replica: ReplicaView }
  | { type: 'replica-removed'; id: string; app: string }
  | { type: 'rollout'; rollout: RolloutView }
  | { type: 'step'; step: StepView }
  | { type: 'daemon-log'; level: string; message: string };

/** Every event carries the Conductor's epoch (one per start) and a sequence number, monotonic within it. */
export type ApiEvent = EventBody & { seq: number; epoch: string; at: number };

// ---- request bodies (the routes that take them: routes.ts; their validation: src/conductor/request-bodies.ts)

export interface ManifestBody {
  path: string;
  text: string;
  /** Only these apps of the manifest; all when absent. */
  apps?: string[];
  /** Watch the apps' files from now on (a change rolls them out again). */
  watch?: boolean;
}

/** Several manifests at once (a workspace): checked together, so apps may need apps of the others. */
export interface WorkspaceBody {
  manifests: ManifestBody[];
  /** `up`: create new apps, roll out changed ones; `rollout`: roll out every one. */
  mode: 'up' | 'rollout';
  /** Watch every app's files from now on. */
  watch?: boolean;
}

export interface WatchBody {
  /** Watch the app's files (a change rolls it out again), or stop watching them. */
  on: boolean;
}

/** What `down` did: the apps being taken down; `forced`: those of them other apps need, stopped now (the others stop after their dependents). */
export interface DownAnswer {
  removing: string[];
  forced?: string[];
}

/** Apps to take down, dependents first; `force`: even those other apps need. */
export interface DownBody {
  apps: string[];
  force?: boolean;
}

export interface ScaleBody {
  replicas: number;
}

export interface RollbackBody {
  /** The generation to return to; the previous one when absent. */
  to?: number;
}

export interface ShutdownBody {
  /** Stop the workloads too (else they keep running under their agents, to be adopted). */
  stopWorkloads?: boolean;
}

// ---- answers that are not views ----------------------------------------------------------------

export interface SubmitResult {
  apps: { name: string; action: 'created' | 'rollout' | 'unchanged'; generation: number; rollout: string | null }[];
  warnings: string[];
}

export interface LogTail {
  lines: LogLine[];
}

export type { FailurePolicy, TrafficCount, TrafficSecond, TrafficSeries };
