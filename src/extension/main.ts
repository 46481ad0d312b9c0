// The extension's entry point: builds the pieces (each owned by the extension's subscriptions),
// registers the command table, the views and the language features, and connects to a running
// Conductor off the activation path. Only this folder imports `vscode`.
import * as vscode from 'vscode';
import { paths, readConductorInfo } from '../shared/home';
import { isManifestPath } from '../shared/manifest';
import { BuildProblems } from './build-problems';
import { Commands } from './commands';
import { readSettings, RESTART_KEYS } from './config';
import { Connection } from './connection';
import { DaemonLog } from './daemon-log';
import { Daemons } from './daemons';
import { registerLanguageFeatures } from './language';
import { LogView } from './log-view';
import { RolloutUi } from './rollout-ui';
import { TimelinePanels } from './timeline-panel';
import { registerViews } from './views';
import { WorkspaceManifests } from './workspace-manifests';

/** What tests of the extension host may look at. */
export interface Api {
  connection: Connection;
  commands: Commands;
}

export function activate(context: vscode.ExtensionContext): Api {
  const subs = context.subscriptions;
  const daemonLog = new DaemonLog();
  subs.push(daemonLog);
  const channel = vscode.window.createOutputChannel('Skr8tr', { log: true });
  subs.push(channel);
  try {
    const daemons = new Daemons(context.extensionPath, readSettings, (line) => daemonLog.note(line), {
      allowed: () => vscode.workspace.isTrusted && readSettings().autoStart,
      givingUp: (what) => {
        void vscode.window.showErrorMessage(`Skr8tr: ${what} keeps stopping unexpectedly; it is not restarted again.`, 'Show Log').then((pick) => {
          if (pick) daemonLog.channel.show(true);
        });
      },
    });
    const connection = new Connection(daemons, (line) => daemonLog.note(line), () => readConductorInfo(daemons.home)?.pid ?? null);
    subs.push(connection);
    registerViews(connection, subs);
    const manifests = new WorkspaceManifests();
    subs.push(manifests);
    const diagnostics = registerLanguageFeatures(subs, connection.runningApps, manifests);
    subs.push(new BuildProblems(connection));
    const rolloutUi = new RolloutUi(connection, channel);
    subs.push(rolloutUi);
    const logView = new LogView(connection, context.workspaceState);
    subs.push(logView);
    const timelines = new TimelinePanels(context.extensionUri, connection, (replica) => logView.open({ replica }));
    subs.push(timelines);
    const commands = new Commands({ connection, daemons, diagnostics, rolloutUi, logView, timelines, daemonLog, settings: readSettings, memento: context.globalState });
    commands.register(subs);

    // Local agents that crash are restarted within their budget.
    subs.push(connection.onDidChange(() => daemons.watchAgents(connection.model.nodes.values())));

    // Roll out on save, when asked to.
    subs.push(
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (!readSettings().rolloutOnSave || !vscode.workspace.isTrusted || !isManifestPath(doc.fileName)) return;
        void vscode.commands.executeCommand('skr8tr.rollout', doc.uri);
      }),
    );

    subs.push(
      vscode.workspace.onDidChangeConfiguration(async (e) => {
        if (e.affectsConfiguration('skr8tr.home')) {
          connection.disconnect();
          watchHome();
          void connection.connect();
        }
        if (RESTART_KEYS.some((k) => e.affectsConfiguration(k)) && connection.client) {
          const pick = await vscode.window.showInformationMessage('Skr8tr: restart the Conductor to use the new settings? Running workloads are adopted.', 'Restart');
          if (pick) await vscode.commands.executeCommand('skr8tr.restartConductor');
        }
      }),
    );

    const watchHome = () => {
      const home = daemons.home;
      daemonLog.watch(paths.logs(home));
      connection.watch(home);
    };
    // Off the activation path: attach to a running Conductor, if any.
    setImmediate(() => {
      watchHome();
      void connection.connect();
      void manifests.search();
    });
    return { connection, commands };
  } catch (err) {
    void vscode.window.showErrorMessage(`Skr8tr failed to start: ${(err as Error).message}`, 'Show Log').then((pick) => {
      if (pick) daemonLog.channel.show(true);
    });
    daemonLog.note(`activation failed: ${(err as Error).stack ?? String(err)}`);
    throw err;
  }
}

export function deactivate(): void {
  // Everything is owned by the extension's subscriptions; the daemons are detached on purpose.
}
