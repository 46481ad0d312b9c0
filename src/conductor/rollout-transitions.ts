// Every change of a workload's desired state, as pure functions: the workload, the change and the
// time in; the new workload and the step lines that narrate it out. Nothing here journals or emits:
// `ConductorState.commit` does both, once, for whichever of these made the change (operations.ts
// for the API, the reconciler for what the planner decides). The planner's tests run rollouts
// through these same functions.
//
//   (new) ──start──▶ running ──succeeded──────────────────────────────▶ succeeded
//                     │  ▲ resume                                        (history)
//                     ├──┴── paused ◀── pause (user) / a failure under on-failure pause
//                     ├── failure (on-failure rollback) / abort ──▶ rolling-back ──▶ rolled-back / aborted
//                     ├── failure with nothing to return to ────────────────────▶ failed
//                     └── a newer rollout ──────────────────────────────────────▶ aborted (superseded)
import { formatMs } from '../shared/format';
import type { RolloutState } from '../shared/protocol/api';
import { trafficSummary, type TrafficCount } from '../shared/traffic-window';
import { generationOf, type GenerationRecord, type RolloutRecord, type WorkloadRecord } from './model';

export interface StepLine {
  /** The rollout it narrates (the active one, or one this change ended). */
  rollout: RolloutRecord;
  message: string;
  level: 'info' | 'warn' | 'error';
}

export interface Transition {
  next: WorkloadRecord;
  steps: StepLine[];
}

/** What the planner decides for a rollout (its `rollout` step). */
export type PlannedChange = { to: Extract<RolloutState, 'succeeded' | 'paused' | 'rolling-back' | 'rolled-back' | 'failed'>; reason: string | null };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A copy to change: records are never changed in place, so a change that cannot be saved changes nothing. */
function draft(w: WorkloadRecord): WorkloadRecord {
  return structuredClone(w);
}

function newRollout(app: string, id: string, from: number, to: number, now: number): RolloutRecord {
  return { id, app, fromGeneration: from, toGeneration: to, state: 'running', reason: null, startedAt: now, endedAt: null, countFailuresSince: now, aborted: false, traffic: null };
}

function finish(w: WorkloadRecord, ro: RolloutRecord, state: RolloutState, reason: string | null, now: number): void {
  ro.state = state;
  ro.reason = reason;
  ro.endedAt = now;
  w.history.push(ro);
  w.rollout = null;
}

/** A new workload at generation 1, rolling out. */
export function create(name: string, gen: GenerationRecord, desired: number, rolloutId: string, now: number): Transition {
  const ro = newRollout(name, rolloutId, 0, 1, now);
  const next: WorkloadRecord = { name, generation: 1, latestGeneration: 1, desired, generations: [gen], rollout: ro, history: [] };
  return { next, steps: [{ rollout: ro, message: `rollout ${ro.id}: generation 1, ${plural(desired, 'replica')}`, level: 'info' }] };
}

/**
 * Rolls out to `target`: a new generation (`added`, numbered after the latest) or an earlier one
 * (a rollback). A rollout still in progress is superseded.
 */
export function rollTo(
  w: WorkloadRecord,
  change: { added: GenerationRecord | null; target: number; desired: number; rolloutId: string; same?: boolean; trigger?: 'watch' | null; why?: string },
  now: number,
): Transition {
  const next = draft(w);
  const steps: StepLine[] = [];
  if (next.rollout) {
    const old = next.rollout;
    const g = generationOf(next, old.toGeneration);
    if (g && g.outcome === null) g.outcome = 'superseded';
    finish(next, old, 'aborted', 'superseded by a newer rollout', now);
    steps.push({ rollout: old, message: 'superseded by a newer rollout', level: 'warn' });
  }
  if (change.added) {
    next.generations.push(change.added);
    next.latestGeneration = change.added.generation;
  }
  const ro = newRollout(w.name, change.rolloutId, w.generation, change.target, now);
  if (change.trigger) ro.trigger = change.trigger;
  next.generation = change.target;
  next.desired = change.desired;
  next.rollout = ro;
  const message = change.added
    ? `rollout ${ro.id}: generation ${w.generation} → ${change.target}, ${plural(change.desired, 'replica')}${change.same ? ' (same spec, fresh replicas)' : ''}`
    : `rollback ${ro.id}: generation ${w.generation} → ${change.target}`;
  steps.push({ rollout: ro, message: change.why ? `${change.why}; ${message}` : message, level: 'info' });
  return { next, steps };
}

/** Watching its files turned on or off. */
export function watching(w: WorkloadRecord, on: boolean): Transition {
  const next = draft(w);
  next.watching = on;
  return { next, steps: [] };
}

/** A new replica count (a scale, or `up` of an unchanged spec); no rollout. */
export function scale(w: WorkloadRecord, desired: number): Transition {
  const next = draft(w);
  next.desired = desired;
  return { next, steps: [] };
}

/**
 * Taken down: no replicas wanted, a rollout in progress ends; the reconciler forgets it once its
 * replicas are gone. `forced`: other apps need it, and it stops now all the same.
 */
export function remove(w: WorkloadRecord, now: number, forced = false): Transition {
  const next = draft(w);
  const steps: StepLine[] = [];
  if (next.rollout) {
    const ro = next.rollout;
    finish(next, ro, 'aborted', 'taken down', now);
    steps.push({ rollout: ro, message: 'taken down', level: 'warn' });
  }
  next.desired = 0;
  next.removing = true;
  if (forced) next.forced = true;
  return { next, steps };
}

/** A run of a `type job`'s generation failed: counted (a run of another generation starts the count again). */
export function jobRunFailed(w: WorkloadRecord, generation: number, reason: string): Transition {
  const next = draft(w);
  const before = next.jobFailures?.generation === generation ? next.jobFailures.count : 0;
  next.jobFailures = { generation, count: before + 1, last: reason };
  return { next, steps: [] };
}

/** A generation's build succeeded (and its output was captured there, when it has an `out`). */
export function built(w: WorkloadRecord, generation: number, now: number, capture: string | null): Transition {
  const next = draft(w);
  const g = generationOf(next, generation);
  if (g) {
    g.builtAt = now;
    g.capture = capture;
  }
  return { next, steps: [] };
}

/** The user pauses, resumes or aborts the active rollout; null when it is not in a state to. */
export function byUser(w: WorkloadRecord, action: 'pause' | 'resume' | 'abort', now: number): Transition | null {
  const next = draft(w);
  const ro = next.rollout;
  if (!ro) return null;
  switch (action) {
    case 'pause':
      if (ro.state !== 'running') return null;
      ro.state = 'paused';
      ro.reason = 'paused by the user';
      return { next, steps: [{ rollout: ro, message: 'paused by the user', level: 'warn' }] };
    case 'resume':
      if (ro.state !== 'paused') return null;
      ro.state = 'running';
      ro.reason = null;
      ro.countFailuresSince = now;
      return { next, steps: [{ rollout: ro, message: 'resumed', level: 'info' }] };
    case 'abort':
      if ((ro.state !== 'running' && ro.state !== 'paused') || ro.fromGeneration === 0) return null;
      ro.state = 'rolling-back';
      ro.aborted = true;
      ro.reason = 'aborted by the user';
      next.generation = ro.fromGeneration;
      return { next, steps: [{ rollout: ro, message: `aborted; rolling back to generation ${ro.fromGeneration}`, level: 'warn' }] };
  }
}

/** What the ingress served while a rollout ran, as it ends: the count, and `requests` or `connections`. */
export interface RolloutTraffic {
  count: TrafficCount;
  unit: 'requests' | 'connections';
}

/**
 * What the planner decided for the active rollout. `failure`: why, in words, when a replica of the
 * new generation failed (it names the replica; better than the planner's general reason).
 * `traffic`: what the ingress served since the rollout started (null: no ingress, or not counted);
 * a rollout that ends keeps it and its last step says it.
 */
export function planned(w: WorkloadRecord, change: PlannedChange, now: number, failure: string | null, traffic: RolloutTraffic | null = null): Transition | null {
  const next = draft(w);
  const ro = next.rollout;
  if (!ro) return null;
  const elapsed = formatMs(now - ro.startedAt);
  const served = traffic ? `; ${trafficSummary(traffic.count, traffic.unit)}` : '';
  const counted = () => (ro.traffic = traffic?.count ?? null);
  const outcome = (generation: number, text: string) => {
    const g = generationOf(next, generation);
    if (g) g.outcome = text;
  };
  switch (change.to) {
    case 'succeeded':
      outcome(ro.toGeneration, 'succeeded');
      counted();
      finish(next, ro, 'succeeded', null, now);
      return { next, steps: [{ rollout: ro, message: `done: ${plural(next.desired, 'replica')} of generation ${ro.toGeneration} ready in ${elapsed}${served}`, level: 'info' }] };
    case 'paused':
      ro.state = 'paused';
      ro.reason = failure ?? change.reason;
      return { next, steps: [{ rollout: ro, message: `paused: ${ro.reason}; resume or abort it`, level: 'warn' }] };
    case 'rolling-back': {
      const detail = failure ?? change.reason ?? 'failed';
      if (ro.fromGeneration === 0 || !generationOf(next, ro.fromGeneration)) {
        outcome(ro.toGeneration, `failed: ${detail}`);
        counted();
        finish(next, ro, 'failed', detail, now);
        return {
          next,
          steps: [{ rollout: ro, message: `failed: ${detail}; there is no earlier generation to roll back to, so it keeps retrying with backoff${served}`, level: 'error' }],
        };
      }
      ro.state = 'rolling-back';
      ro.reason = detail;
      next.generation = ro.fromGeneration;
      return { next, steps: [{ rollout: ro, message: `${ro.aborted ? 'aborted' : `failed: ${detail}`}; rolling back to generation ${ro.fromGeneration}`, level: ro.aborted ? 'warn' : 'error' }] };
    }
    case 'failed': {
      // Nothing to return to that would run either (what it needs failed for every generation).
      const detail = change.reason ?? 'failed';
      outcome(ro.toGeneration, `failed: ${detail}`);
      counted();
      finish(next, ro, 'failed', detail, now);
      return { next, steps: [{ rollout: ro, message: `failed: ${detail}${served}`, level: 'error' }] };
    }
    case 'rolled-back': {
      outcome(ro.toGeneration, ro.aborted ? 'aborted' : `rolled back: ${ro.reason ?? 'failed'}`);
      counted();
      finish(next, ro, ro.aborted ? 'aborted' : 'rolled-back', ro.reason, now);
      const message = `${ro.aborted ? 'aborted' : 'rolled back'}: generation ${ro.fromGeneration} is running again (${elapsed})${served}`;
      return { next, steps: [{ rollout: ro, message, level: ro.aborted ? 'warn' : 'error' }] };
    }
  }
}
