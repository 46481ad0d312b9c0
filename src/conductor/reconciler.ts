// The thin loop around the planner: for each workload it builds the planner's input from the
// current state, performs the steps it returns, and runs again on every change and at the time the
// planner asked to be woken. The work is done by the rooms it owns: placement (placement.ts), a
// replica's life (replica-lifecycle.ts), what agents report (agent-reports.ts), builds (builds.ts);
// rollout transitions are pure (rollout-transitions.ts) and committed through the state.
//
//   change / timer ──▶ kick(app) ──next tick──▶ pass(app): plan(input) ──▶ perform(steps) ──▶ commit
import type { Logger } from '../shared/logger';
import { AgentReports, type AgentReportSink, type ReportDeps } from './agent-reports';
import { Builds } from './builds';
import { currentGeneration, generationOf, jobFailed, type Replica, type WorkloadRecord } from './model';
import { Placement, type PlacementOptions } from './placement';
import { needsVerdict } from './needs';
import { plan, type PlanInput, type Step } from './planner';
import { LIVE, ReplicaLifecycle, type AgentLink, type Traffic } from './replica-lifecycle';
import { built, jobRunFailed, planned, type PlannedChange, type RolloutTraffic } from './rollout-transitions';
import type { Snapshots } from './snapshots';
import type { ConductorState } from './state';

export type { AgentLink, Traffic } from './replica-lifecycle';

export interface ReconcilerOptions extends PlacementOptions {
  /** No launches before this time unless every previously known node is back (after a restart). */
  recoveryUntil: number;
  knownNodes: readonly string[];
  /** Generations' captured build outputs. */
  snapshots: Snapshots;
  /** A replica's last lines of output (secrets masked), and when those sent so far are in memory: quoted by the reason of a replica that failed while starting. */
  recentOutput: ReportDeps['recentOutput'];
  outputSettled: ReportDeps['outputSettled'];
  /** Replica logs, kept with their generation. */
  logs: { retain(app: string, keep: ReadonlySet<number>): void };
  /** What the ingress served since a rollout began (rollout-timelines.ts), for the step that ends it. */
  trafficOf?: (rolloutId: string) => RolloutTraffic | null;
}

const STOP_REASONS: Record<Extract<Step, { kind: 'stop' }>['why'], string> = {
  replaced: 'replaced',
  excess: 'scaled down',
  'rolled-back': 'rolled back',
  'port-taken': 'launching again on another port',
};

export class Reconciler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly dirty = new Set<string>();
  private scheduled = false;
  private stopped = false;
  private readonly lifecycle: ReplicaLifecycle;
  private readonly placement: Placement;
  /** What agents report goes here (agent-server.ts delivers it). */
  readonly reports: AgentReportSink;
  private readonly builds: Builds;
  /** Apps taken down with --force while others needed them: what those others say they lost (until one of that name runs again). */
  private readonly forcedAway = new Set<string>();

  constructor(
    private readonly state: ConductorState,
    agents: AgentLink,
    private readonly traffic: Traffic,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly options: ReconcilerOptions,
  ) {
    const kick = (app: string) => this.kick(app);
    this.lifecycle = new ReplicaLifecycle({ state, agents, traffic, log, now, kick, jobRunFailed: (r, reason) => this.jobRunFailed(r.app, r.generation, reason) });
    this.placement = new Placement(state, agents, this.lifecycle, kick, options);
    this.reports = new AgentReports({ state, agents, lifecycle: this.lifecycle, placement: this.placement, log, now, kick, kickAll: () => this.kickAll(), recentOutput: options.recentOutput, outputSettled: options.outputSettled });
    // A build outlives the pass that started it: its outcome applies to the workload as it is then.
    this.builds = new Builds(
      log,
      now,
      {
        step: (app, message, level) => this.state.say(app, message, level),
        succeeded: (app, generation, capture) => {
          const w = this.state.workloads.get(app);
          if (!w || !generationOf(w, generation)) return;
          this.state.commit(built(w, generation, this.now(), capture), 'own');
          this.kick(app);
        },
        failed: (app, generation, reason) => {
          const w = this.state.workloads.get(app);
          if (!w) return;
          this.state.setProblem(app, 'placement', `generation ${generation} did not build: ${reason}`);
          if (w.rollout && w.rollout.toGeneration === generation && w.generation === generation) this.rollout(w, { to: 'rolling-back', reason });
          this.kick(app);
        },
      },
      options.snapshots,
    );
    for (const app of options.snapshots.apps()) this.kick(app);
  }

  /** A replica taken out of service on request (the API's stop replica). */
  stopReplica(r: Replica, why: string): void {
    this.lifecycle.stop(r, why);
    this.kick(r.app);
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
        this.pass(app, this.now());
      } catch (err) {
        this.log.error(`reconcile of ${app} failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  private mayLaunch(now: number): boolean {
    if (now >= this.options.recoveryUntil) return true;
    return this.options.knownNodes.every((id) => this.state.nodes.get(id)?.connected);
  }

  private pass(app: string, now: number): void {
    const w = this.state.workloads.get(app);
    if (!w) {
      this.retireOrphans(app);
      return;
    }
    if (w.removing) {
      this.takeDown(w);
      return;
    }
    this.forcedAway.delete(app);
    const gen = currentGeneration(w);
    this.traffic.ensure(app, gen.spec);
    const failedJob = jobFailed(w);
    this.state.setProblem(app, 'job', failedJob && `${failedJob}; roll it out again to retry`);
    // A job that will not run again is in no crash loop.
    if (failedJob) this.state.setProblem(app, 'crash-loop', null);
    const needs = this.waitForNeeds(w) && failedJob === null;
    if (this.state.workloads.get(app) !== w) {
      // Its rollout just failed on a need that will not hold: plan from what it is now.
      this.kick(app);
      return;
    }
    const result = plan(this.inputOf(w, now, needs));
    let changed = false;
    for (const step of result.steps) {
      const current = this.state.workloads.get(app);
      if (!current) break;
      changed = this.perform(current, step, now) || changed;
      // A rollout transition changes what the rest of the plan was about: plan again.
      if (step.kind === 'rollout') break;
    }
    const after = this.state.workloads.get(app) ?? w;
    if (!result.steps.some((s) => s.kind === 'launch')) this.placement.settled(after);
    this.retainGenerations(app, after);
    this.placement.checkCapacity(after);
    this.setTimer(app, result.wakeAt, now);
    if (!this.mayLaunch(now)) this.setTimer(app, this.options.recoveryUntil, now);
    if (changed) this.kick(app);
    this.kickWaiting(app);
  }

  /** A run of a job failed: counted (journaled); true when that was its generation's last attempt. */
  private jobRunFailed(app: string, generation: number, reason: string): boolean {
    const w = this.state.workloads.get(app);
    if (!w) return false;
    const t = jobRunFailed(w, generation, reason);
    this.state.commit(t, 'own');
    const failed = jobFailed(t.next);
    if (failed === null) return false;
    this.state.setProblem(app, 'job', `${failed}; roll it out again to retry`);
    this.state.say(app, `${failed}; roll it out again to retry`, 'error');
    this.kickWaiting(app);
    return true;
  }

  // ---- needs -------------------------------------------------------------------------------------

  /** Whether what the app needs holds; while it does not, the app launches nothing and says what it waits for (once in its steps). */
  private waitForNeeds(w: WorkloadRecord): boolean {
    const verdict = needsVerdict(currentGeneration(w).spec.needs, (name) => {
      const needed = this.state.workloads.get(name);
      if (needed?.forced || (!needed && this.forcedAway.has(name))) return 'taken-down';
      if (!needed || needed.removing) return 'unknown';
      return {
        generation: needed.generation,
        desired: needed.desired,
        job: currentGeneration(needed).spec.type === 'job',
        replicas: this.state.replicasOf(name),
        problem: this.state.problemOf(name, 'crash-loop') ?? this.state.problemOf(name, 'placement'),
        failed: jobFailed(needed),
      };
    });
    const before = this.state.problemOf(w.name, 'needs');
    this.state.setProblem(w.name, 'needs', verdict.waitingFor);
    const newlyFailed = verdict.failed !== null && !before?.startsWith('cannot start');
    if (verdict.waitingFor && (!before || newlyFailed)) this.state.say(w.name, verdict.waitingFor, verdict.failed ? 'error' : 'info');
    // A need that will not hold fails the rollout waiting on it, rather than leave it waiting for
    // ever: back to the generation before when that one serves, else failed outright.
    const ro = w.rollout;
    if (verdict.failed && ro?.state === 'running' && ro.toGeneration === w.generation) {
      const before = this.state.replicasOf(w.name).filter((r) => r.generation === ro.fromGeneration && r.state === 'ready').length;
      this.rollout(w, { to: ro.fromGeneration > 0 && before >= w.desired ? 'rolling-back' : 'failed', reason: verdict.failed });
    }
    return verdict.holds;
  }

  /** Apps waiting on this one: those that need it (to start) and, once it runs nothing, those it needs that are being taken down. */
  private kickWaiting(app: string): void {
    const runsNothing = this.state.replicasOf(app).every((r) => r.state === 'stopped' || r.state === 'failed');
    for (const other of this.state.workloads.values()) {
      if (other.name === app) continue;
      const needsApp = currentGeneration(other).spec.needs.some((n) => n.app === app);
      if (needsApp && this.state.problemOf(other.name, 'needs') !== null) this.kick(other.name);
      if (other.removing && runsNothing) this.kick(other.name);
    }
  }

  /**
   * A workload being taken down: its replicas stop once no app that needs it runs any more (its
   * dependents go first), then it is forgotten.
   */
  private takeDown(w: WorkloadRecord): void {
    const live = (app: string) => this.state.replicasOf(app).some((r) => LIVE.has(r.state) || r.state === 'draining');
    const needers = [...this.state.workloads.values()].filter((d) => d.name !== w.name && currentGeneration(d).spec.needs.some((n) => n.app === w.name));
    // Forced: it stops now, and the apps that need it (kicked) say what they lost.
    const waitingOn = w.forced ? [] : needers.filter((d) => live(d.name)).map((d) => d.name);
    this.state.setProblem(w.name, 'needs', waitingOn.length > 0 ? `stopping after ${waitingOn.join(', ')}, which need it` : w.forced ? 'taken down with --force: stopping now' : null);
    if (w.forced && !this.forcedAway.has(w.name)) {
      this.forcedAway.add(w.name);
      for (const d of needers) this.kick(d.name);
    }
    if (waitingOn.length > 0) return;
    for (const r of this.state.replicasOf(w.name)) if (LIVE.has(r.state)) this.lifecycle.stop(r, w.forced ? 'taken down with --force' : 'workload removed');
    if (live(w.name)) return;
    this.state.deleteWorkload(w.name);
    this.kick(w.name);
    this.kickWaiting(w.name);
    for (const d of needers) this.kick(d.name);
  }

  private inputOf(w: WorkloadRecord, now: number, needsHold: boolean): PlanInput {
    const gen = currentGeneration(w);
    return {
      now,
      generation: w.generation,
      desired: w.desired,
      policy: gen.spec.rollout,
      job: gen.spec.type === 'job',
      rollout: w.rollout
        ? { state: w.rollout.state, fromGeneration: w.rollout.fromGeneration, toGeneration: w.rollout.toGeneration, countFailuresSince: w.rollout.countFailuresSince }
        : null,
      replicas: this.state.replicasOf(w.name).map((r) => ({
        id: r.id,
        generation: r.generation,
        state: r.state,
        createdAt: r.createdAt,
        readyAt: r.readyAt,
        completed: r.completed,
        portTaken: r.portTaken,
      })),
      launchNotBefore: this.lifecycle.launchNotBefore(w.name, w.generation),
      mayLaunch: this.builds.ready(w, gen) && this.mayLaunch(now) && needsHold,
      unplaced: this.placement.unplacedOf(w.name),
      room: () => this.placement.room(w),
    };
  }

  private setTimer(app: string, at: number | null, now: number): void {
    const existing = this.timers.get(app);
    if (existing) clearTimeout(existing);
    this.timers.delete(app);
    if (at === null || this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(app);
      this.kick(app);
    }, Math.max(0, at - now) + 1);
    this.timers.set(app, t);
  }

  /** A deleted workload's replicas are stopped; once none is left, they are forgotten. */
  private retireOrphans(app: string): void {
    const replicas = this.state.replicasOf(app);
    for (const r of replicas) if (LIVE.has(r.state)) this.lifecycle.stop(r, 'workload removed');
    if (replicas.every((r) => r.state === 'stopped' || r.state === 'failed')) {
      this.state.removeReplicasOf(app);
      this.traffic.release(app);
    }
    this.retainGenerations(app, null);
  }

  /** Build captures and replica logs stay while a generation record keeps them or a replica of theirs still runs. */
  private retainGenerations(app: string, w: WorkloadRecord | null): void {
    const keep = new Set<number>(w ? w.generations.map((g) => g.generation) : []);
    for (const r of this.state.replicasOf(app)) if (r.state !== 'stopped' && r.state !== 'failed') keep.add(r.generation);
    this.options.snapshots.retain(app, keep);
    this.options.logs.retain(app, keep);
  }

  // ---- steps -----------------------------------------------------------------------------------

  private perform(w: WorkloadRecord, step: Step, now: number): boolean {
    switch (step.kind) {
      case 'launch': {
        let launched = 0;
        for (let i = 0; i < step.count; i++) {
          const result = this.placement.launch(w, now);
          if (result.kind === 'cannot-proceed') {
            this.rollout(w, { to: 'rolling-back', reason: result.reason });
            this.kick(w.name);
          }
          if (result.kind !== 'launched') break;
          launched++;
        }
        return launched > 0;
      }
      case 'stop': {
        const r = this.state.replicas.get(step.id);
        if (!r) return false;
        if (step.why === 'port-taken') this.lifecycle.retire(r, `${r.reason ?? 'its port is taken'}; ${STOP_REASONS['port-taken']}`);
        else this.lifecycle.stop(r, STOP_REASONS[step.why]);
        return true;
      }
      case 'fail': {
        const r = this.state.replicas.get(step.id);
        if (!r) return false;
        const seconds = Math.round(currentGeneration(w).spec.rollout.deadlineMs / 100) / 10;
        this.lifecycle.fail(r, `not ready after ${seconds} s (${this.lifecycle.probeDetail(r)})`);
        return true;
      }
      case 'rollout':
        return this.rollout(w, { to: step.to as PlannedChange['to'], reason: step.reason });
    }
  }

  /** Commits what the planner (or a build, or placement) decided for the workload's rollout. */
  private rollout(w: WorkloadRecord, change: PlannedChange): boolean {
    const t = planned(w, change, this.now(), this.failureDetail(w), w.rollout ? (this.options.trafficOf?.(w.rollout.id) ?? null) : null);
    if (!t) return false;
    this.state.commit(t, 'own');
    return true;
  }

  /** Why the rollout failed, in words: the most recent failed replica of the new generation. */
  private failureDetail(w: WorkloadRecord): string | null {
    const ro = w.rollout;
    if (!ro) return null;
    const failed = this.state
      .replicasOf(w.name)
      .filter((r) => r.generation === ro.toGeneration && r.state === 'failed' && r.createdAt >= ro.countFailuresSince)
      .sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))[0];
    return failed ? `${failed.id} ${failed.reason ?? 'failed'}` : null;
  }

  close(): void {
    this.stopped = true;
    this.builds.close();
    this.lifecycle.close();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
