// The rollout planner: a pure function from one workload's state and the time to the next steps.
// Level-triggered, as Kubernetes' deployment controller is: every pass reads what is, not what
// happened, so the same function runs steady state, rollouts, rollbacks, scaling and recovery after
// a restart. The reconciler (reconciler.ts) performs the steps and calls it again on every change
// and at the time it asks to be woken.
//
// Replica lifecycle (the Conductor's view):
//
//   pending ──launched──▶ starting ──probe ok──▶ ready ──stop──▶ draining ──exited──▶ stopped
//      │                     │                     │
//      └──launch failed──────┴─exited / deadline───┴─exited / liveness──▶ failed
//
// Rollout lifecycle:
//
//   running ──all new ready, old gone──▶ succeeded
//      │  ▲
//      │  └─resume── paused ◀──new replica failed (on-failure pause) / pause
//      ├──new replica failed (on-failure rollback) / abort──▶ rolling-back ──previous restored──▶ rolled-back
//      └──(on-failure continue: failures are retried with backoff, the rollout keeps going)
import { formatMs } from '../shared/format';
import type { RolloutPolicy } from '../shared/manifest/model';
import type { ReplicaState, RolloutState } from '../shared/protocol/api';

export interface PlanReplica {
  id: string;
  generation: number;
  state: ReplicaState;
  /** When the Conductor decided to launch it. */
  createdAt: number;
  readyAt: number | null;
  /** For jobs: it ran to completion. */
  completed: boolean;
  /** Its launch was refused because its backend port was taken on its host: it never ran. */
  portTaken: boolean;
}

export interface PlanRollout {
  state: RolloutState;
  fromGeneration: number;
  toGeneration: number;
  /** Failures of replicas created before this time are not counted (set at start and resume). */
  countFailuresSince: number;
}

export interface PlanInput {
  now: number;
  /** The generation to run: the rollout's target, or the previous one while rolling back. */
  generation: number;
  desired: number;
  policy: RolloutPolicy;
  job: boolean;
  rollout: PlanRollout | null;
  replicas: readonly PlanReplica[];
  /** No launches before this time (crash-loop backoff). */
  launchNotBefore: number;
  /** False while the Conductor waits for known nodes to come back after a restart. */
  mayLaunch: boolean;
  /** Since when a replica it asked for could not be placed, and why (null: placing works). */
  unplaced: { since: number; reason: string } | null;
  /**
   * How many more replicas of the generation the nodes have room for now (Infinity: nothing bounds
   * it). Asked only when an unwritten surge (`policy.surge` null) sizes a rollout's launches.
   */
  room: () => number;
}

export type Step =
  | { kind: 'launch'; count: number }
  | { kind: 'stop'; id: string; why: 'replaced' | 'excess' | 'rolled-back' | 'port-taken' }
  | { kind: 'fail'; id: string; why: 'deadline' }
  | { kind: 'rollout'; to: RolloutState; reason: string | null };

export interface Plan {
  steps: Step[];
  /** When to run the planner again even if nothing changes; null: only on change. */
  wakeAt: number | null;
}

const LIVE: ReadonlySet<ReplicaState> = new Set(['pending', 'starting', 'ready']);

export function plan(input: PlanInput): Plan {
  const { now, generation, desired, policy, rollout } = input;
  const steps: Step[] = [];
  let wakeAt: number | null = null;
  const wake = (at: number) => {
    wakeAt = wakeAt === null ? at : Math.min(wakeAt, at);
  };

  // Deadlines: a new replica that is not ready in time has failed.
  const failedNow = new Set<string>();
  for (const r of input.replicas) {
    if (r.generation !== generation || (r.state !== 'pending' && r.state !== 'starting')) continue;
    const deadline = r.createdAt + policy.deadlineMs;
    if (now >= deadline) {
      steps.push({ kind: 'fail', id: r.id, why: 'deadline' });
      failedNow.add(r.id);
    } else {
      wake(deadline);
    }
  }
  // A replica whose backend port another program took never ran: retire it (not a failure) and let
  // the launch below replace it, on another port.
  const portTaken = new Set<string>();
  for (const r of input.replicas) {
    if (r.portTaken && r.state === 'pending' && !failedNow.has(r.id)) {
      steps.push({ kind: 'stop', id: r.id, why: 'port-taken' });
      portTaken.add(r.id);
    }
  }
  const replicas = input.replicas.filter((r) => !failedNow.has(r.id) && !portTaken.has(r.id));

  // A rollout whose new replica failed follows its failure policy.
  if (rollout && rollout.state === 'running' && generation === rollout.toGeneration && policy.onFailure !== 'continue') {
    const failed = input.replicas.some(
      (r) =>
        r.generation === rollout.toGeneration &&
        r.createdAt >= rollout.countFailuresSince &&
        (r.state === 'failed' || failedNow.has(r.id)),
    );
    if (failed) {
      steps.push(
        policy.onFailure === 'pause'
          ? { kind: 'rollout', to: 'paused', reason: 'a new replica failed' }
          : { kind: 'rollout', to: 'rolling-back', reason: 'a new replica failed' },
      );
      return { steps, wakeAt: null };
    }
  }

  const current = replicas.filter((r) => r.generation === generation && LIVE.has(r.state));
  const completed = input.job ? replicas.filter((r) => r.generation === generation && r.completed).length : 0;
  const old = replicas.filter((r) => r.generation !== generation && LIVE.has(r.state));
  const availableAt = (r: PlanReplica) => (r.readyAt ?? Infinity) + policy.healthyForMs;
  const currentAvailable = current.filter((r) => r.state === 'ready' && availableAt(r) <= now);
  for (const r of current) {
    if (r.state === 'ready' && availableAt(r) > now) wake(availableAt(r));
  }
  const oldReady = old.filter((r) => r.state === 'ready');
  const paused = rollout?.state === 'paused';

  // Retire old replicas: unready ones at once; ready ones only while enough stay available.
  let retired = 0;
  if (!paused) {
    const why = rollout?.state === 'rolling-back' ? 'rolled-back' : 'replaced';
    for (const r of old) {
      if (r.state !== 'ready') {
        steps.push({ kind: 'stop', id: r.id, why });
        retired++;
      }
    }
    const minAvailable = Math.max(0, desired - policy.unavailable);
    // Completed job replicas count as available: they have done what the old ones are doing.
    let spare = Math.min(currentAvailable.length + completed, desired) + oldReady.length - minAvailable;
    // Stop the oldest generation first, and within it the oldest replica.
    const byAge = [...oldReady].sort((a, b) => a.generation - b.generation || a.createdAt - b.createdAt);
    for (const r of byAge) {
      if (spare <= 0) break;
      steps.push({ kind: 'stop', id: r.id, why });
      spare--;
      retired++;
    }
  }
  const oldLeft = old.length - retired;

  const wanted = desired - completed;
  const missing = wanted - current.length;
  // A rollout's deadline also bounds the time it cannot place a replica: then it has failed.
  if (missing > 0 && input.unplaced && rollout?.state === 'running' && generation === rollout.toGeneration && policy.onFailure !== 'continue') {
    const deadline = Math.max(input.unplaced.since, rollout.countFailuresSince) + policy.deadlineMs;
    if (now >= deadline) {
      const reason = `no replica could be placed for ${formatMs(policy.deadlineMs)}: ${input.unplaced.reason}`;
      steps.push(policy.onFailure === 'pause' ? { kind: 'rollout', to: 'paused', reason } : { kind: 'rollout', to: 'rolling-back', reason });
      return { steps, wakeAt: null };
    }
    wake(deadline);
  }

  // Scale the current generation up, within the surge budget while old replicas remain. Not in a
  // pass that failed a replica: the next pass replaces it, after its failure set the crash-loop backoff.
  if (missing > 0 && !paused && input.mayLaunch && failedNow.size === 0) {
    const live = current.length + oldLeft;
    // An unwritten surge: as many as the nodes have room for, and never less than 1.
    const surge = policy.surge ?? (oldLeft === 0 ? 0 : Math.max(1, live + input.room() - desired));
    const budget = oldLeft === 0 ? missing : desired + surge - live;
    const count = Math.min(missing, budget);
    if (count > 0) {
      if (now >= input.launchNotBefore) steps.push({ kind: 'launch', count });
      else wake(input.launchNotBefore);
    }
  }

  // Scale the current generation down when there are more than wanted: not-ready ones first, then newest.
  if (current.length > Math.max(0, wanted)) {
    const excess = [...current]
      .sort((a, b) => rank(a) - rank(b) || b.createdAt - a.createdAt)
      .slice(0, current.length - Math.max(0, wanted));
    for (const r of excess) steps.push({ kind: 'stop', id: r.id, why: 'excess' });
  }

  // Done when the current generation is all there and available and nothing old is left.
  if (rollout && (rollout.state === 'running' || rollout.state === 'rolling-back')) {
    const draining = replicas.some((r) => r.generation !== generation && r.state === 'draining');
    const done = currentAvailable.length + completed >= desired && current.length <= Math.max(0, wanted) && old.length === 0 && !draining;
    if (done) {
      steps.push(
        rollout.state === 'running'
          ? { kind: 'rollout', to: 'succeeded', reason: null }
          : { kind: 'rollout', to: 'rolled-back', reason: null },
      );
    }
  }
  return { steps, wakeAt };
}

/** Order for stopping excess replicas: the least useful first. */
function rank(r: PlanReplica): number {
  return r.state === 'pending' ? 0 : r.state === 'starting' ? 1 : 2;
}

/** Crash-loop backoff: 1 s, 2 s, 4 s … up to 1 min after the n-th failure in a row. */
export function backoffMs(consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.min(60_000, 1000 * 2 ** Math.min(consecutiveFailures - 1, 6));
}
