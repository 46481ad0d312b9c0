// Every command, declared once in a table. A command that needs the Conductor gets one: attached,
// or started (with `skr8tr.autoStart`), or the user is asked; none silently does nothing. Errors
// become a short message with a button to the log; the log holds the detail.
import * as vscode from 'vscode';
import { ApiClientError, ConductorClient } from '../shared/client';
import type { WorkloadSummary } from '../shared/protocol/api';
import { Cancelled } from './cancelled';
import { COMMANDS, type CommandId } from './command-list';
import { ExportCommands } from './export-commands';
import { NewManifest } from './new-manifest';
import { ManifestCommands, NoManifest } from './manifest-commands';
import type { Connection } from './connection';
import type { Daemons } from './daemons';
import { Incompatible } from './presence';
import type { DaemonLog } from './daemon-log';
import type { ManifestDiagnostics } from './language';
import type { LogView } from './log-view';
import type { RolloutUi } from './rollout-ui';
import type { TimelinePanels } from './timeline-panel';
import { parseTreeId } from './tree-ids';
import type { Settings } from './config';
import { ViewCommands } from './view-commands';

export interface CommandDeps {
  connection: Connection;
  daemons: Daemons;
  diagnostics: ManifestDiagnostics;
  rolloutUi: RolloutUi;
  logView: LogView;
  timelines: TimelinePanels;
  daemonLog: DaemonLog;
  settings: () => Settings;
  /** What the user told once for all (Stop Replica's "Don't Ask Again"). */
  memento: vscode.Memento;
}

const NO_STOP_QUESTION = 'skr8tr.stopReplica.noQuestion';


type Handler = (...args: unknown[]) => Promise<void>;

export class Commands {
  private readonly manifests: ManifestCommands;
  private readonly exports: ExportCommands;
  private readonly newManifest = new NewManifest();
  private readonly views: ViewCommands;

  constructor(private readonly d: CommandDeps) {
    const appOf = (arg: unknown, title: string, filter?: (w: WorkloadSummary) => boolean) => this.appOf(arg, title, filter);
    this.manifests = new ManifestCommands({ ...d, conductor: () => this.conductor(), appOf });
    this.views = new ViewCommands({ ...d, conductor: () => this.conductor(), appOf });
    this.exports = new ExportCommands({ diagnostics: d.diagnostics, channel: d.rolloutUi.channel, manifestUri: (arg) => this.manifests.manifestUri(arg) });
  }

  /** Each command's body; whether it needs trust comes from command-list.ts. */
  handlers(): Record<CommandId, Handler> {
    return {
      'skr8tr.rollout': (a, b) => this.manifests.submit('rollout', a, b),
      'skr8tr.up': (a, b) => this.manifests.submit('up', a, b),
      'skr8tr.down': (a, b) => this.manifests.down(a, b),
      'skr8tr.upWorkspace': () => this.manifests.upWorkspace(),
      'skr8tr.downWorkspace': () => this.manifests.downWorkspace(),
      'skr8tr.watch': (a, b) => this.manifests.watch(true, a, b),
      'skr8tr.unwatch': (a, b) => this.manifests.watch(false, a, b),
      'skr8tr.scale': (a) => this.scale(a),
      'skr8tr.abortRollout': (a) => this.rolloutAction('abort', a),
      'skr8tr.pauseRollout': (a) => this.rolloutAction('pause', a),
      'skr8tr.resumeRollout': (a) => this.rolloutAction('resume', a),
      'skr8tr.rollback': (a) => this.rollback(a),
      'skr8tr.showRolloutTimeline': (a) => this.views.showTimeline(a),
      'skr8tr.showLogs': (a) => this.views.showLogs(a),
      'skr8tr.logs': () => this.views.showLogs(undefined),
      'skr8tr.filterLogs': () => this.views.filterLogs(),
      'skr8tr.stopReplica': (a) => this.stopReplica(a),
      'skr8tr.openInBrowser': (a) => this.views.openInBrowser(a),
      'skr8tr.openManifest': (a) => this.views.openManifest(a),
      'skr8tr.openExample': () => this.views.openExample(),
      'skr8tr.showConductorLog': async () => this.d.daemonLog.channel.show(true),
      'skr8tr.startConductor': async () => void (await this.conductor(true)),
      'skr8tr.restartConductor': () => this.restartConductor(),
      'skr8tr.stopConductor': () => this.stopConductor(),
      'skr8tr.refresh': () => this.refresh(),
      'skr8tr.exportKubernetes': (a) => this.exports.exportTo('kubernetes', a),
      'skr8tr.exportNomad': (a) => this.exports.exportTo('nomad', a),
      'skr8tr.newManifest': (a) => this.newManifest.run(a),
    };
  }

  register(subscriptions: vscode.Disposable[]): void {
    subscriptions.push(this.newManifest);
    for (const [id, run] of Object.entries(this.handlers()) as [CommandId, Handler][]) {
      subscriptions.push(
        vscode.commands.registerCommand(id, async (...args: unknown[]) => {
          if (COMMANDS[id].trusted && !vscode.workspace.isTrusted) {
            void vscode.window.showWarningMessage('Skr8tr starts nothing in an untrusted workspace. Trust the workspace to roll out manifests.');
            return;
          }
          try {
            await run(...args);
          } catch (err) {
            this.report(id, err);
          }
        }),
      );
    }
  }

  private report(id: string, err: unknown): void {
    if (err instanceof Cancelled) return;
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof NoManifest) {
      // Nothing went wrong to read about in a log: say what is missing, and offer what helps.
      const actions = { 'New Manifest…': 'skr8tr.newManifest', 'Open an Example Manifest': 'skr8tr.openExample' } as const;
      void vscode.window.showErrorMessage(`Skr8tr: ${message}. A manifest names the program to run, its port and its health check.`, ...(Object.keys(actions) as (keyof typeof actions)[])).then((pick) => {
        if (pick) void vscode.commands.executeCommand(actions[pick]);
      });
      return;
    }
    this.d.daemonLog.note(`${id} failed: ${err instanceof Error && !(err instanceof ApiClientError) ? (err.stack ?? message) : message}`);
    if (err instanceof ApiClientError) for (const d of err.details) this.d.daemonLog.note(`  ${d}`);
    void vscode.window.showErrorMessage(`Skr8tr: ${message}`, 'Show Log').then((pick) => {
      if (pick) this.d.daemonLog.channel.show(true);
    });
  }

  // ---- the Conductor ---------------------------------------------------------------------------

  /** The connected Conductor: attached, or started when allowed (`explicit`: the user asked to start it). */
  async conductor(explicit = false): Promise<ConductorClient> {
    const { connection, daemons } = this.d;
    if (connection.client) return connection.client;
    let found: ConductorClient | null;
    try {
      found = daemons.find();
    } catch (err) {
      if (!(err instanceof Incompatible)) throw err;
      const pick = await vscode.window.showWarningMessage(`${err.message}. Restart it with this version? Its workloads keep running and are adopted.`, 'Restart', 'Cancel');
      if (pick !== 'Restart') throw new Cancelled();
      await this.replaceIncompatible();
      found = null;
    }
    if (found) {
      if (await connection.connect(found)) return this.withAgents(found);
    }
    if (!explicit && !this.d.settings().autoStart) {
      const pick = await vscode.window.showWarningMessage('No Skr8tr Conductor is running.', 'Start Conductor');
      if (pick !== 'Start Conductor') throw new Cancelled();
    }
    const client = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Skr8tr: starting the Conductor and a local agent…' },
      () => daemons.start(),
    );
    if (!(await connection.connect(client))) throw new Error('started the Conductor, but could not connect to it');
    return client;
  }

  /** An attached Conductor with no node gets the local agents (when auto-start is on). */
  private async withAgents(client: ConductorClient): Promise<ConductorClient> {
    if (this.d.connection.model.nodes.size === 0 && this.d.settings().autoStart && this.d.settings().localAgents > 0) this.d.daemons.startAgents();
    return client;
  }

  private async replaceIncompatible(): Promise<void> {
    await this.d.daemons.stop(ConductorClient.fromHome(this.d.daemons.home), 'leave-workloads');
  }

  private async restartConductor(): Promise<void> {
    const client = this.d.connection.client;
    if (client) {
      this.d.connection.disconnect();
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Skr8tr: restarting the Conductor…' }, () =>
        this.d.daemons.stop(client, 'leave-workloads'),
      );
    }
    await this.conductor(true);
    void vscode.window.showInformationMessage('Skr8tr: the Conductor restarted; running workloads were adopted.');
  }

  private async stopConductor(): Promise<void> {
    const client = this.d.connection.client;
    if (!client) {
      void vscode.window.showInformationMessage('Skr8tr: no Conductor is running.');
      return;
    }
    const count = this.d.connection.model.workloads.size;
    const pick =
      count === 0
        ? 'Stop Conductor'
        : await vscode.window.showWarningMessage(
            `Stop the Skr8tr Conductor? It runs ${count} workload${count === 1 ? '' : 's'}.`,
            { modal: true },
            'Stop Workloads Too',
            'Leave Workloads Running',
          );
    if (!pick) throw new Cancelled();
    this.d.connection.disconnect();
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Skr8tr: stopping the Conductor…' }, () =>
      this.d.daemons.stop(client, pick === 'Leave Workloads Running' ? 'leave-workloads' : 'stop-workloads'),
    );
  }

  private async refresh(): Promise<void> {
    this.d.connection.disconnect();
    await this.d.connection.connect();
  }

  // ---- workloads -------------------------------------------------------------------------------

  /** The app a tree element (a workload or a rollout) names, else the only one, else the one the user picks (`title`: the command's). */
  private async appOf(arg: unknown, title: string, filter?: (w: WorkloadSummary) => boolean): Promise<string> {
    const id = parseTreeId(arg);
    if (id?.kind === 'workload') return id.app;
    if (id?.kind === 'rollout') {
      const r = this.d.connection.model.rollouts.get(id.rollout);
      if (r) return r.app;
    }
    const all = [...this.d.connection.model.workloads.values()].filter(filter ?? (() => true));
    if (all.length === 0) throw new Error(filter ? 'no workload to do that to' : 'no workloads');
    if (all.length === 1) return all[0]!.name;
    const pick = await vscode.window.showQuickPick(
      all.map((w) => ({ label: w.name, description: `${w.ready}/${w.desired} ready · generation ${w.generation}` })),
      { title, placeHolder: 'Which workload?' },
    );
    if (!pick) throw new Cancelled();
    return pick.label;
  }

  private async scale(arg: unknown): Promise<void> {
    const app = await this.appOf(arg, 'Skr8tr: Scale');
    const current = this.d.connection.model.workloads.get(app)?.desired ?? 1;
    const value = await vscode.window.showInputBox({
      title: `Skr8tr: Scale ${app}`,
      prompt: 'How many replicas?',
      value: String(current),
      validateInput: (v) => (/^\d+$/.test(v) && Number(v) <= 1000 ? null : 'A whole number from 0 to 1000'),
    });
    if (value === undefined) throw new Cancelled();
    const client = await this.conductor();
    await client.call('scale', { name: app }, { replicas: Number(value) });
    this.d.rolloutUi.channel.info(`${app}: scaled to ${value}`);
  }

  /** Abort, pause or resume the rollout of an app (the progress notification's Cancel runs Abort with the workload's tree id). */
  private async rolloutAction(action: 'abort' | 'pause' | 'resume', arg: unknown): Promise<void> {
    const wanted = action === 'resume' ? ['paused'] : action === 'pause' ? ['running'] : ['running', 'paused'];
    const app = await this.appOf(arg, `Skr8tr: ${action === 'abort' ? 'Abort' : action === 'pause' ? 'Pause' : 'Resume'} Rollout`, (w) => w.rollout !== null && wanted.includes(w.rollout.state));
    const client = await this.conductor();
    const r = await client.call(action, { name: app });
    this.d.rolloutUi.channel.warn(`${app}: rollout ${r.id} ${action === 'abort' ? 'aborted; rolling back' : action === 'pause' ? 'paused' : 'resumed'}`);
  }

  private async rollback(arg: unknown): Promise<void> {
    const app = await this.appOf(arg, 'Skr8tr: Rollback');
    const client = await this.conductor();
    const w = await client.call('workload', { name: app });
    const choices = w.generations
      .filter((g) => g.generation !== w.generation)
      .sort((a, b) => b.generation - a.generation)
      .map((g) => ({ label: `generation ${g.generation}`, description: g.outcome ?? '', detail: `${new Date(g.createdAt).toLocaleString()} · ${g.manifestPath}`, generation: g.generation }));
    if (choices.length === 0) throw new Error(`${app} has no earlier generation to roll back to`);
    const pick = await vscode.window.showQuickPick(choices, { title: `Skr8tr: Rollback ${app}`, placeHolder: `Roll ${app} back from generation ${w.generation} to…` });
    if (!pick) throw new Cancelled();
    const r = await client.call('rollback', { name: app }, { to: pick.generation });
    this.d.rolloutUi.channel.show(true);
    await this.d.rolloutUi.follow(`Skr8tr: rolling ${app} back to generation ${pick.generation}`, [{ name: app, rollout: r.id }]);
  }

  /** The replica a tree element names (in the workloads or the nodes view), or null. */
  private replicaOf(arg: unknown): string | null {
    const id = parseTreeId(arg);
    return id?.kind === 'replica' || id?.kind === 'node-replica' ? id.replica : null;
  }

  /** Stops a replica (the Conductor starts a replacement), after asking once, unless the user said not to ask again. */
  private async stopReplica(arg: unknown): Promise<void> {
    let replica = this.replicaOf(arg);
    if (!replica) {
      const live = [...this.d.connection.model.replicas.values()].filter((r) => ['pending', 'starting', 'ready'].includes(r.state));
      const pick = await vscode.window.showQuickPick(live.map((r) => ({ label: r.id, description: `${r.state} · pid ${r.pid ?? '-'} · :${r.port ?? '-'}` })), { title: 'Skr8tr: Stop Replica', placeHolder: 'Stop which replica?' });
      if (!pick) throw new Cancelled();
      replica = pick.label;
    }
    if (!this.d.memento.get<boolean>(NO_STOP_QUESTION)) {
      const pick = await vscode.window.showWarningMessage(`Stop ${replica}? The Conductor starts a replacement.`, { modal: true }, 'Stop Replica', "Stop, and Don't Ask Again");
      if (!pick) throw new Cancelled();
      if (pick !== 'Stop Replica') await this.d.memento.update(NO_STOP_QUESTION, true);
    }
    const client = await this.conductor();
    await client.call('stopReplica', { id: replica });
    this.d.rolloutUi.channel.info(`${replica}: stopping; the Conductor starts a replacement`);
  }
}
