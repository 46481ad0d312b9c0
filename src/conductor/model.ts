// The Conductor's records. Desired state (workloads, their generations, rollouts, history) is
// journaled; replicas and nodes are what the agents report, rebuilt from them after a restart.
import { DEFAULTS, type AppSpec } from '../shared/manifest/model';
import type { ReplicaState, RolloutState } from '../shared/protocol/api';
import type { TrafficCount } from '../shared/traffic-window';

export interface GenerationRecord {
  generation: number;
  spec: AppSpec;
  /** Secret values, journaled (the home is 0700, the journal 0600) so a restart can relaunch. */
  secrets: Record<string, string>;
  manifestPath: string;
  manifestText: string;
  createdAt: number;
  outcome: string | null;
  /** When its `build` steps succeeded (null: not built yet, or no build). */
  builtAt?: number | null;
  /** Where its build's `out` was captured (snapshots.ts); its replicas run from there. */
  capture?: string | null;
  /** How many watched files it was made from, when a watch made it (a restarted Conductor tells a removed file by it). */
  sourceFiles?: number;
}

export interface RolloutRecord {
  id: string;
  app: string;
  fromGeneration: number;
  toGeneration: number;
  state: RolloutState;
  reason: string | null;
  startedAt: number;
  endedAt: number | null;
  countFailuresSince: number;
  aborted: boolean;
  /** What started it when not a client's request: a change of watched files. */
  trigger?: 'watch' | null;
  /** What the ingress served during it, counted when it ended (null: still running, no ingress, or not counted). */
  traffic: TrafficCount | null;
}

export interface WorkloadRecord {
  name: string;
  /** The generation to run. */
  generation: number;
  latestGeneration: number;
  desired: number;
  /** The most recent generations, oldest first. */
  generations: GenerationRecord[];
  rollout: RolloutRecord | null;
  /** Finished rollouts, oldest first. */
  history: RolloutRecord[];
  /** Being taken down: its replicas stop once no app that needs it runs, then it is forgotten. */
  removing?: boolean;
  /** Taken down with `--force` although other apps need it: its replicas stop now (its dependents keep running without it). */
  forced?: boolean;
  /** Its files are watched: a change rolls it out again (journaled, so a restart resumes watching). */
  watching?: boolean;
  /** A `type job`: the runs of a generation that failed, and how the last one did (journaled: a restart does not run a failed job again). */
  jobFailures?: { generation: number; count: number; last: string };
}

export const HISTORY_LIMIT = { generations: 10, rollouts: 20, terminalReplicas: 10 };

export interface Replica {
  id: string;
  app: string;
  generation: number;
  node: string | null;
  address: string | null;
  pid: number | null;
  port: number | null;
  state: ReplicaState;
  createdAt: number;
  launchedAt: number | null;
  readyAt: number | null;
  endedAt: number | null;
  reason: string | null;
  restarts: number;
  completed: boolean;
  inIngress: boolean;
  /** Grace between SIGTERM and SIGKILL, kept with the replica so a stop after `down` still honours it. */
  drainMs: number;
  /** Its agent refused the launch: its backend port was taken by another program (it never ran). */
  portTaken: boolean;
  /** Adopted from an agent after a Conductor restart: when it first became ready is unknown (not its age). */
  adopted?: boolean;
}

export function generationOf(w: WorkloadRecord, generation: number): GenerationRecord | undefined {
  return w.generations.find((g) => g.generation === generation);
}

/** Why a `type job`'s current generation counts as failed (its `attempts` all failed), or null. */
export function jobFailed(w: WorkloadRecord): string | null {
  const f = w.jobFailures;
  if (!f || f.generation !== w.generation) return null;
  const spec = generationOf(w, w.generation)?.spec;
  if (!spec || spec.type !== 'job') return null;
  const attempts = spec.attempts ?? DEFAULTS.attempts;
  if (f.count < attempts) return null;
  return `failed: ${f.count} of ${attempts} attempt${attempts === 1 ? '' : 's'} failed (last: ${f.last})`;
}

export function currentGeneration(w: WorkloadRecord): GenerationRecord {
  const g = generationOf(w, w.generation);
  if (!g) throw new Error(`workload ${w.name} has no record of generation ${w.generation}`);
  return g;
}
