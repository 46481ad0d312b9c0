// The extension's entry point: builds the pieces (each owned by the extension's subscriptions),
// registers the command table, the views and the language features, and connects to a running
// Conductor off the activation path. Only this folder imports `vscode`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { paths, readConductorInfo } from '../shared/home';
import { isManifestPath } from '../shared/manifest';
import { isAlive } from '../shared/platform/process';
import { Commands } from './commands';
import { readSettings, RESTART_KEYS } from './config';
import { Connection } from './connection';
import { DaemonLog } from './daemon-log';
import { Daemons } from './daemons';
import { registerLanguageFeatures } from './language';
import { ReplicaLogs } from './replica-logs';
import { RolloutUi } from './rollout-ui';
import { registerViews } from './views';

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
    const daemons = new Daemons(context.extensionPath, readSettings, (line) => daemonLog.note(line));
    let commands: Commands | null = null;
    const connection = new Connection(
      () => daemons.find(),
      () => void onConductorGone(),
      (line) => daemonLog.note(line),
    );
    subs.push(connection);
    registerViews(connection, subs);
    const diagnostics = registerLanguageFeatures(subs);
    const rolloutUi = new RolloutUi(connection, channel, (app) => commands!.rolloutActionFor('abort', app));
    subs.push(rolloutUi);
    const logs = new ReplicaLogs();
    subs.push(logs);
    commands = new Commands({ connection, daemons, diagnostics, rolloutUi, logs, daemonLog, settings: readSettings });
    commands.register(subs);

    // A Conductor that vanished while we watched it: restarted within a budget if it crashed (its
    // conductor.json is left behind); left stopped if it stopped cleanly.
    let toldGivingUp = false;
    const onConductorGone = async () => {
      if (commands!.stoppingOnPurpose || !vscode.workspace.isTrusted || !readSettings().autoStart) return;
      const info = readConductorInfo(daemons.home);
      if (!info || isAlive(info.pid)) return;
      if (!daemons.mayRestart()) {
        if (!toldGivingUp) {
          toldGivingUp = true;
          const pick = await vscode.window.showErrorMessage('Skr8tr: the Conductor keeps stopping unexpectedly; it is not restarted again.', 'Show Log');
          if (pick) daemonLog.channel.show(true);
        }
        return;
      }
      daemonLog.note(`the Conductor (pid ${info.pid}) stopped unexpectedly; restarting it`);
      try {
        await commands!.conductor(true);
      } catch (err) {
        daemonLog.note(`restart failed: ${(err as Error).message}`);
      }
    };

    // Local agents that crash are restarted within the same kind of budget.
    const seenLocal = new Set<string>();
    subs.push(
      connection.onDidChange(() => {
        if (!vscode.workspace.isTrusted || !readSettings().autoStart) return;
        for (const n of connection.model.nodes.values()) if (/^local(-\d+)?$/.test(n.id) && n.connected) seenLocal.add(n.id);
        for (const id of seenLocal) {
          const n = connection.model.nodes.get(id);
          if (n?.connected) continue;
          // An agent that exits cleanly (told to, or idle) removes its lock; one that crashed leaves it.
          const lock = path.join(paths.agentState(daemons.home, id), 'agent.lock');
          let pid = 0;
          try {
            pid = Number(fs.readFileSync(lock, 'utf8').trim());
          } catch {
            seenLocal.delete(id);
            continue;
          }
          if (pid > 0 && isAlive(pid)) continue;
          seenLocal.delete(id);
          if (daemons.mayRestart()) {
            daemonLog.note(`agent ${id} stopped unexpectedly; restarting it`);
            daemons.startAgents();
          }
        }
      }),
    );

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
