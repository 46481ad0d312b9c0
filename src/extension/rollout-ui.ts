// What a rollout looks like while it runs: one line per step in the "Skr8tr" output channel (with
// timings, for every rollout the Conductor runs), a cancellable progress notification for the
// rollouts this window started (cancel = abort), and a status bar item with the Conductor's state,
// the rollout in progress and how many apps are watched. Rollouts a watch started pop nothing while
// they go well; one that fails says so. Whether a followed rollout goes on or has ended is the shared
// follower's call (shared/rollout-follower.ts), fed from the cluster model.
import * as vscode from 'vscode';
import { isFinal, type RolloutView, type StepView } from '../shared/protocol/api';
import { RolloutFollower } from '../shared/rollout-follower';
import type { ModelChange } from './cluster-model';
import type { Connection } from './connection';
import { submissionProgress, submissionSummary, type SubmissionLook, type SubmittedApp, type Summary } from './submission-progress';
import { treeId } from './tree-ids';
import { timeOfDay, viewStatus } from './view-status';

/** A submission being followed: told of every model change until its rollouts have ended. */
interface Waiting {
  refresh(): void;
  finish(lost: boolean): void;
}

export class RolloutUi implements vscode.Disposable {
  private readonly status: vscode.StatusBarItem;
  private readonly waiting = new Set<Waiting>();
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
    for (const w of [...this.waiting]) w.refresh();
  }

  /** What the submission decisions (submission-progress.ts) read of the model. */
  private look(): SubmissionLook {
    const model = this.connection.model;
    return { rollout: (id) => model.rollouts.get(id), workload: (name) => model.workloads.get(name), replicasOf: (app) => model.replicasOf(app) };
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
      this.tell(submissionSummary([{ name: r.app, rollout: r.id }], new Map([[r.id, r]]), this.look()), 'Skr8tr: the change to ');
    }
  }

  /** The one notification that ends a submission (or a watched change that failed), with its actions. */
  private tell(summary: Summary, lead = ''): void {
    const text = lead ? summary.message.replace(/^Skr8tr: /, lead) : summary.message;
    const show = summary.level === 'error' ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
    void show(text, ...summary.actions).then((pick) => {
      const rollout = summary.timeline;
      if (pick === 'Show Logs' && summary.replica) void vscode.commands.executeCommand('skr8tr.showLogs', treeId({ kind: 'replica', replica: summary.replica }));
      else if (pick === 'Show Timeline' && rollout) void vscode.commands.executeCommand('skr8tr.showRolloutTimeline', treeId({ kind: 'rollout', rollout }));
      else if (pick === 'Show Output') this.channel.show(true);
    });
  }

  renderStatus(): void {
    const model = this.connection.model;
    const state = this.connection.state;
    if (state !== 'connected') {
      this.status.text = state === 'connecting' ? '$(loading~spin) Skr8tr' : '$(debug-disconnect) Skr8tr: not connected';
      this.status.tooltip = viewStatus(state, this.connection.since, timeOfDay).tooltip;
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
      const apps = `${model.workloads.size} app${model.workloads.size === 1 ? '' : 's'}`;
      this.status.text = `$(server) Skr8tr: ${apps}`;
      this.status.tooltip = `Conductor connected: ${apps}, ${ready} replica${ready === 1 ? '' : 's'} ready, on ${model.nodes.size} node${model.nodes.size === 1 ? '' : 's'}. Click to show the Workloads view.`;
    }
    const watching = [...model.workloads.values()].filter((w) => w.watching).map((w) => w.name);
    if (watching.length > 0) {
      this.status.text += ` $(eye) watching ${watching.length} app${watching.length === 1 ? '' : 's'}`;
      this.status.tooltip += `\nWatching ${watching.join(', ')}: a saved file rolls it out again`;
    }
    this.status.show();
  }

  /**
   * Follows a submission's rollouts in one cancellable progress notification (cancel = abort those
   * still running) and ends it with one summary notification; resolves once they have ended.
   */
  follow(title: string, apps: readonly SubmittedApp[]): Promise<void> {
    const ids = apps.flatMap((a) => (a.rollout ? [a.rollout] : []));
    const ended = new Map<string, RolloutView | null>();
    const summarize = () => {
      const summary = submissionSummary(apps, ended, this.look());
      this.tell(summary);
    };
    if (ids.length === 0) {
      summarize();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
        new Promise<void>((done) => {
          const follower = new RolloutFollower(ids);
          let reported = 0;
          let last = '';
          const waiting: Waiting = {
            refresh: () => {
              for (const id of follower.pending()) {
                const r = this.connection.model.rollouts.get(id);
                if (r) for (const u of follower.seen(r)) if (u.kind === 'ended') ended.set(id, u.rollout);
              }
              const p = submissionProgress(apps, this.look());
              if (p.message !== last || p.percent > reported) progress.report({ message: p.message, increment: Math.max(0, p.percent - reported) });
              last = p.message;
              reported = Math.max(reported, p.percent);
              if (follower.done) waiting.finish(false);
            },
            finish: (lost) => {
              if (!this.waiting.delete(waiting)) return;
              cancel.dispose();
              if (lost) for (const id of follower.pending()) ended.set(id, null);
              done();
              summarize();
              resolve();
            },
          };
          const cancel = token.onCancellationRequested(() => {
            for (const a of apps) {
              const r = a.rollout ? this.connection.model.rollouts.get(a.rollout) : undefined;
              if (!a.rollout || (r && isFinal(r.state))) continue;
              this.channel.warn(`${a.name}: abort requested from the notification`);
              void vscode.commands.executeCommand('skr8tr.abortRollout', treeId({ kind: 'workload', app: a.name }));
            }
          });
          this.waiting.add(waiting);
          waiting.refresh();
        }),
      );
    });
  }

  dispose(): void {
    for (const w of [...this.waiting]) w.finish(true);
    this.disposables.forEach((d) => d.dispose());
  }
}
