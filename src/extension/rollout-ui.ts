// What a rollout looks like while it runs: one line per step in the "Skr8tr" output channel (with
// timings, for every rollout the Conductor runs), a cancellable progress notification for the
// rollouts this window started (cancel = abort), and a status bar item with the Conductor's state,
// the rollout in progress and how many apps are watched. Rollouts a watch started pop nothing while
// they go well; one that fails says so. Whether a followed rollout goes on or has ended is the shared
// follower's call (shared/rollout-follower.ts), fed from the cluster model.
import * as vscode from 'vscode';
import { isFinal, type RolloutView, type StepView } from '../shared/protocol/api';
import { RolloutFollower, type FollowUpdate } from '../shared/rollout-follower';
import type { ModelChange } from './cluster-model';
import type { Connection } from './connection';
import { treeId } from './tree-ids';

interface Waiting {
  follower: RolloutFollower;
  take(updates: FollowUpdate[]): void;
  finish(r: RolloutView | null): void;
}

export class RolloutUi implements vscode.Disposable {
  private readonly status: vscode.StatusBarItem;
  private readonly waiting = new Map<string, Waiting>();
  /** Rollouts started by a watch, seen running in this window: told when they fail. */
  private readonly watched = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly connection: Connection,
    readonly channel: vscode.LogOutputChannel,
  ) {
    this.status = vscode.window.createStatusBarItem('skr8tr.status', vscode.StatusBarAlignment.Left, 10);
    this.status.name = 'Skr8tr';
    this.status.command = 'skr8tr.workloads.focus';
    this.disposables.push(this.status);
    this.disposables.push(connection.onDidChange((c) => this.onChange(c)));
    this.disposables.push(connection.onDidChangeState(() => this.renderStatus()));
    this.renderStatus();
  }

  private onChange(change: ModelChange): void {
    for (const step of change.steps) this.writeStep(step);
    if (change.rollouts || change.all) this.tellWatchFailures();
    if (change.rollouts || change.all || change.workloads.size > 0 || change.nodeList || change.workloadList) this.renderStatus();
    // Level-triggered: the model's view of each followed rollout (after a snapshot, an ended one
    // comes back with the history, so a missed end is still seen).
    for (const [id, w] of this.waiting) {
      const r = this.connection.model.rollouts.get(id);
      if (r) w.take(w.follower.seen(r));
    }
  }

  private writeStep(step: StepView): void {
    const line = `${step.app.padEnd(12)} +${(step.elapsedMs / 1000).toFixed(3)}s  ${step.message}`;
    if (step.level === 'error') this.channel.error(line);
    else if (step.level === 'warn') this.channel.warn(line);
    else this.channel.info(line);
  }

  private tellWatchFailures(): void {
    for (const r of this.connection.model.rollouts.values()) {
      if (r.trigger !== 'watch') continue;
      if (!isFinal(r.state)) {
        this.watched.add(r.id);
        continue;
      }
      if (!this.watched.delete(r.id) || r.state === 'succeeded') continue;
      void vscode.window.showErrorMessage(`Skr8tr: the change to ${r.app} did not roll out (${r.state}${r.reason ? `: ${r.reason}` : ''}); generation ${r.fromGeneration} keeps serving.`, 'Show Output').then((pick) => {
        if (pick) this.channel.show(true);
      });
    }
  }

  renderStatus(): void {
    const model = this.connection.model;
    const state = this.connection.state;
    if (state !== 'connected') {
      this.status.text = state === 'connecting' ? '$(loading~spin) Skr8tr' : '$(debug-disconnect) Skr8tr';
      this.status.tooltip = state === 'connecting' ? 'Connecting to the Conductor…' : 'No Conductor is running. Skr8tr starts one when you roll out a manifest.';
      this.status.show();
      return;
    }
    const active = model.activeRollouts();
    if (active.length > 0) {
      const r = active[0]!;
      this.status.text = `$(sync~spin) ${r.app} ${r.fromGeneration}→${r.toGeneration} ${r.ready}/${r.desired}${active.length > 1 ? ` +${active.length - 1}` : ''}`;
      this.status.tooltip = active.map((x) => `${x.app}: rollout ${x.id} ${x.state}, ${x.ready}/${x.desired} new replicas ready`).join('\n');
    } else {
      const ready = [...model.workloads.values()].reduce((n, w) => n + w.ready, 0);
      this.status.text = `$(server) Skr8tr ${model.workloads.size}`;
      this.status.tooltip = `Conductor connected: ${model.nodes.size} node${model.nodes.size === 1 ? '' : 's'}, ${model.workloads.size} workload${model.workloads.size === 1 ? '' : 's'}, ${ready} replica${ready === 1 ? '' : 's'} ready`;
    }
    const watching = [...model.workloads.values()].filter((w) => w.watching).map((w) => w.name);
    if (watching.length > 0) {
      this.status.text += ` $(eye) watching ${watching.length} app${watching.length === 1 ? '' : 's'}`;
      this.status.tooltip += `\nWatching ${watching.join(', ')}: a saved file rolls it out again`;
    }
    this.status.show();
  }

  /** Shows a cancellable notification until the rollout ends (cancel = Skr8tr: Abort Rollout); resolves with how it ended. */
  follow(rolloutId: string, app: string, title: string): Promise<RolloutView | null> {
    return new Promise((resolve) => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        (progress, token) =>
          new Promise<void>((done) => {
            let reported = 0;
            const finish = (r: RolloutView | null) => {
              this.waiting.delete(rolloutId);
              cancel.dispose();
              done();
              resolve(r);
            };
            const update = (r: RolloutView) => {
              if (r.desired === 0) return;
              const pct = Math.min(100, Math.round((r.ready / r.desired) * 100));
              progress.report({ message: `${r.state}: ${r.ready}/${r.desired} new replicas ready`, increment: Math.max(0, pct - reported) });
              reported = Math.max(reported, pct);
            };
            const take = (updates: FollowUpdate[]) => {
              for (const u of updates) {
                if (u.kind === 'ended') finish(u.rollout);
                else if (u.kind === 'progress') update(u.rollout);
              }
            };
            const cancel = token.onCancellationRequested(() => {
              this.channel.warn(`${app}: abort requested from the notification`);
              void vscode.commands.executeCommand('skr8tr.abortRollout', treeId({ kind: 'workload', app }));
            });
            const waiting: Waiting = { follower: new RolloutFollower([rolloutId]), take, finish };
            this.waiting.set(rolloutId, waiting);
            const now = this.connection.model.rollouts.get(rolloutId);
            if (now) take(waiting.follower.seen(now));
          }),
      );
    });
  }

  dispose(): void {
    for (const w of this.waiting.values()) w.finish(null);
    this.disposables.forEach((d) => d.dispose());
  }
}
