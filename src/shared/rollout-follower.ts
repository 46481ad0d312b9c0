// Following rollouts to their end, for `skr8tr rollout --wait` and the editor's progress notification:
// events of the stream (or rollout views learnt another way) in, what to show and how it ended out.
// Pure: no I/O, no clock. A rollout has ended when its state is final (isFinal, in protocol/api.ts).
//
//   following ──rollout view, state not final──▶ following   (progress)
//   following ──rollout view, state final──────▶ ended       (once; later views are ignored)
//   following ──snapshot without it────────────▶ following   (unknown: its end may have been missed)
import { isFinal, type ApiEvent, type RolloutView, type StepView } from './protocol/api';

export type FollowUpdate =
  /** A line of progress of a followed rollout (its last line may follow its end). */
  | { kind: 'step'; step: StepView }
  /** A followed rollout changed and goes on. */
  | { kind: 'progress'; rollout: RolloutView }
  /** A followed rollout reached a final state. */
  | { kind: 'ended'; rollout: RolloutView }
  /** The stream started again (a snapshot) without this rollout: ask for its state and pass it to `seen`. */
  | { kind: 'unknown'; id: string };

export interface FollowOutcome {
  /** The ended rollouts, in the order they ended. */
  ended: RolloutView[];
  /** Those that did not succeed (failed, rolled back, aborted). */
  failed: RolloutView[];
}

export class RolloutFollower {
  private readonly ids: ReadonlySet<string>;
  private readonly ended = new Map<string, RolloutView>();

  constructor(ids: Iterable<string>) {
    this.ids = new Set(ids);
  }

  /** An event of the Conductor's stream. */
  event(e: ApiEvent): FollowUpdate[] {
    switch (e.type) {
      case 'step':
        return this.ids.has(e.step.rollout) ? [{ kind: 'step', step: e.step }] : [];
      case 'rollout':
        return this.seen(e.rollout);
      case 'workload':
        return e.workload.rollout ? this.seen(e.workload.rollout) : [];
      case 'snapshot': {
        const present = new Map(e.workloads.flatMap((w) => (w.rollout ? [[w.rollout.id, w.rollout] as const] : [])));
        return this.pending().flatMap((id) => {
          const r = present.get(id);
          return r ? this.seen(r) : [{ kind: 'unknown' as const, id }];
        });
      }
      default:
        return [];
    }
  }

  /** A rollout's view learnt another way (asked for, or the editor's model of the cluster). */
  seen(r: RolloutView): FollowUpdate[] {
    if (!this.ids.has(r.id) || this.ended.has(r.id)) return [];
    if (!isFinal(r.state)) return [{ kind: 'progress', rollout: r }];
    this.ended.set(r.id, r);
    return [{ kind: 'ended', rollout: r }];
  }

  /** The followed rollouts that have not ended yet. */
  pending(): string[] {
    return [...this.ids].filter((id) => !this.ended.has(id));
  }

  get done(): boolean {
    return this.ended.size === this.ids.size;
  }

  outcome(): FollowOutcome {
    const ended = [...this.ended.values()];
    return { ended, failed: ended.filter((r) => r.state !== 'succeeded') };
  }
}
