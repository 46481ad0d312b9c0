// Waiting until the apps of a submission are ready, for `skr8tr up --wait`, `rollout --wait` and
// `rollback --wait` (one waiter for all three): the Conductor's events in, one verdict out. Pure: no
// I/O, and the time is an input (the caller wakes it at `wakeAt`; the stream tells it the rest).
//
// Each app of the submission is
//   ready    the rollout the submission started (if any) succeeded, and every desired replica of
//            its current generation is ready (a `type job`: that many of them completed)
//   failed   that rollout ended otherwise (failed, rolled back, aborted); the Conductor reports a
//            crash loop among its `problems` (outside a rollout of the submission, whose own outcome
//            decides) or a job whose attempts all failed; it was taken down; or it has waited for
//            what it `needs` longer than its `deadline` (the Conductor's rollout may wait on: the
//            wait ends anyway, naming the need)
//   waiting  otherwise, for something said in words
// and the whole wait
//   waiting ──an app failed──▶ failed (at once)
//      │ ────every app ready──▶ ready
//      └────the bound passed──▶ timed out (naming each app not ready and what it waits for)
import { formatMs } from './format';
import type { ApiEvent, ReplicaView, RolloutView, WorkloadSummary } from './protocol/api';
import { RolloutFollower, type FollowUpdate } from './rollout-follower';

export interface WaitTarget {
  app: string;
  /** The rollout the submission started (or found running), if any. */
  rollout: string | null;
  job: boolean;
  /** The app's rollout `deadline`: also how long it may wait for what it needs. */
  deadlineMs: number;
}

export type AppState =
  /** `announced`: its rollout's last step said so already (a service whose rollout succeeded). */
  | { app: string; state: 'ready'; detail: string; announced: boolean }
  | { app: string; state: 'failed'; reason: string }
  | { app: string; state: 'waiting'; for: string };

export type WaitVerdict =
  | { kind: 'waiting'; apps: AppState[]; wakeAt: number | null }
  | { kind: 'ready'; apps: AppState[] }
  | { kind: 'failed'; apps: AppState[]; failed: Extract<AppState, { state: 'failed' }>[] }
  | { kind: 'timed-out'; apps: AppState[]; waiting: Extract<AppState, { state: 'waiting' }>[] };


export class ReadyWaiter {
  private readonly follower: RolloutFollower;
  private readonly targets: ReadonlyMap<string, WaitTarget>;
  /** The apps' summaries as the stream says; null: taken down. */
  private readonly workloads = new Map<string, WorkloadSummary | null>();
  private readonly replicas = new Map<string, ReplicaView>();
  /** Completed job replicas (`id@generation`) by app, kept after the Conductor forgets them. */
  private readonly completed = new Map<string, Set<string>>();
  /** Since when each app has waited for what it needs. */
  private readonly blockedSince = new Map<string, number>();
  private readonly ended = new Map<string, RolloutView>();

  constructor(
    targets: readonly WaitTarget[],
    private readonly startedAt: number,
    /** The bound of the whole wait; null: none. */
    private readonly timeoutMs: number | null,
  ) {
    this.targets = new Map(targets.map((t) => [t.app, t]));
    this.follower = new RolloutFollower(targets.flatMap((t) => (t.rollout ? [t.rollout] : [])));
  }

  /** An event of the Conductor's stream, received at `now`. */
  event(e: ApiEvent, now: number): FollowUpdate[] {
    switch (e.type) {
      case 'snapshot':
        this.replicas.clear();
        for (const r of e.replicas) this.replica(r);
        for (const name of this.targets.keys()) if (!e.workloads.some((w) => w.name === name) && this.workloads.has(name)) this.workloads.set(name, null);
        for (const w of e.workloads) this.workload(w, now);
        break;
      case 'workload':
        this.workload(e.workload, now);
        break;
      case 'workload-removed':
        if (this.targets.has(e.name)) this.workloads.set(e.name, null);
        break;
      case 'replica':
        this.replica(e.replica);
        break;
      case 'replica-removed':
        this.replicas.delete(e.id);
        break;
    }
    return this.followed(this.follower.event(e));
  }

  /** A rollout's view learnt another way (asked for after the stream's snapshot did not show it). */
  seen(r: RolloutView): FollowUpdate[] {
    return this.followed(this.follower.seen(r));
  }

  /** Rollouts of the submission whose end the stream may have missed: ask for them and pass them to `seen`. */
  pendingRollouts(): string[] {
    return this.follower.pending();
  }

  private followed(updates: FollowUpdate[]): FollowUpdate[] {
    for (const u of updates) if (u.kind === 'ended') this.ended.set(u.rollout.app, u.rollout);
    return updates;
  }

  private workload(w: WorkloadSummary, now: number): void {
    if (!this.targets.has(w.name)) return;
    this.workloads.set(w.name, w);
    if (w.problems.needs === undefined) this.blockedSince.delete(w.name);
    else if (!this.blockedSince.has(w.name)) this.blockedSince.set(w.name, Math.max(now, this.startedAt));
  }

  private replica(r: ReplicaView): void {
    this.replicas.set(r.id, r);
    if (r.completed) {
      let done = this.completed.get(r.app);
      if (!done) this.completed.set(r.app, (done = new Set()));
      done.add(`${r.id}@${r.generation}`);
    }
  }

  /** Each app's state and the whole wait's, at `now`. */
  verdict(now: number): WaitVerdict {
    const apps = [...this.targets.values()].map((t) => this.appState(t, now));
    const failed = apps.filter((a): a is Extract<AppState, { state: 'failed' }> => a.state === 'failed');
    if (failed.length > 0) return { kind: 'failed', apps, failed };
    const waiting = apps.filter((a): a is Extract<AppState, { state: 'waiting' }> => a.state === 'waiting');
    if (waiting.length === 0) return { kind: 'ready', apps };
    const end = this.timeoutMs === null ? null : this.startedAt + this.timeoutMs;
    if (end !== null && now >= end) return { kind: 'timed-out', apps, waiting };
    const wakes = [end, ...[...this.blockedSince].map(([app, since]) => since + this.targets.get(app)!.deadlineMs)].filter((t): t is number => t !== null);
    return { kind: 'waiting', apps, wakeAt: wakes.length > 0 ? Math.min(...wakes) : null };
  }

  private appState(t: WaitTarget, now: number): AppState {
    const app = t.app;
    const w = this.workloads.get(app);
    if (w === null) return { app, state: 'failed', reason: 'taken down' };
    const ended = this.ended.get(app);
    if (ended && ended.state !== 'succeeded') return { app, state: 'failed', reason: `rollout ${ended.id} ${ended.state}${ended.reason ? `: ${ended.reason}` : ''}` };
    if (!w) return { app, state: 'waiting', for: 'its workload to appear' };
    const rolling = t.rollout !== null && !ended;
    if (!rolling && w.problems['crash-loop']) return { app, state: 'failed', reason: w.problems['crash-loop'] };
    if (w.problems.job) return { app, state: 'failed', reason: w.problems.job };
    const since = this.blockedSince.get(app);
    if (since !== undefined && now >= since + t.deadlineMs) {
      const rollout = w.rollout && w.rollout.id !== ended?.id ? `; its rollout ${w.rollout.id} goes on in the Conductor (\`skr8tr abort ${app}\` ends it)` : '';
      return { app, state: 'failed', reason: `waited ${formatMs(t.deadlineMs)} (its deadline) for what it needs: ${w.problems.needs}${rollout}` };
    }
    const count = t.job ? this.completedOf(app, w.generation) : this.readyOf(app, w.generation);
    const what = t.job ? 'completed' : 'ready';
    if (!rolling && count >= w.desired) {
      return { app, state: 'ready', detail: `${count}/${w.desired} replica${w.desired === 1 ? '' : 's'} of generation ${w.generation} ${what}`, announced: !t.job && ended?.state === 'succeeded' };
    }
    const active = w.rollout && w.rollout.id !== ended?.id ? w.rollout : null;
    const rollout = active?.state === 'paused' ? `rollout ${active.id} paused${active.reason ? `: ${active.reason}` : ''}; ` : active ? `rollout ${active.id}, ` : '';
    return { app, state: 'waiting', for: `${rollout}${count}/${w.desired} of generation ${w.generation} ${what}${w.problem ? `; ${w.problem}` : ''}` };
  }

  private readyOf(app: string, generation: number): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.app === app && r.generation === generation && r.state === 'ready') n++;
    return n;
  }

  private completedOf(app: string, generation: number): number {
    let n = 0;
    for (const key of this.completed.get(app) ?? []) if (key.endsWith(`@${generation}`)) n++;
    return n;
  }
}
