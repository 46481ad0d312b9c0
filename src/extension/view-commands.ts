// The commands that show something and change nothing: a rollout's timeline, the Logs view and its
// filter, a workload's manifest at its `app` line (a click on its row), an example manifest (for a
// folder with none), an app in the browser. Bodies only; the table is commands.ts.
import * as vscode from 'vscode';
import type { ConductorClient } from '../shared/client';
import { parseManifest, syntaxOf } from '../shared/manifest';
import type { WorkloadSummary } from '../shared/protocol/api';
import { Cancelled } from './cancelled';
import type { Connection } from './connection';
import { EXAMPLE_MANIFEST } from './example-manifest';
import { describeFilter } from './log-buffer';
import type { LogView } from './log-view';
import type { TimelinePanels } from './timeline-panel';
import { parseTreeId } from './tree-ids';

export interface ViewCommandDeps {
  connection: Connection;
  logView: LogView;
  timelines: TimelinePanels;
  conductor: () => Promise<ConductorClient>;
  appOf: (arg: unknown, title: string, filter?: (w: WorkloadSummary) => boolean) => Promise<string>;
}

export class ViewCommands {
  constructor(private readonly d: ViewCommandDeps) {}

  /**
   * The timeline of a rollout: the one a Rollouts item (or the outcome notification) names, the
   * latest of a workload, else the one the user picks among the recent ones.
   */
  async showTimeline(arg: unknown): Promise<void> {
    await this.d.conductor();
    const model = this.d.connection.model;
    const id = parseTreeId(arg);
    const recent = [...model.rollouts.values()].sort((a, b) => b.startedAt - a.startedAt);
    let r = id?.kind === 'rollout' ? model.rollouts.get(id.rollout) : id?.kind === 'workload' ? recent.find((x) => x.app === id.app) : undefined;
    if (id?.kind === 'rollout' && !r) {
      this.d.timelines.show(id.rollout, `Timeline: ${id.rollout}`);
      return;
    }
    if (!r) {
      if (recent.length === 0) throw new Error('no rollout to show yet');
      const pick = await vscode.window.showQuickPick(
        recent.map((x) => ({ label: `${x.app} ${x.fromGeneration} → ${x.toGeneration}`, description: `${x.state} · ${new Date(x.startedAt).toLocaleTimeString()}`, rollout: x })),
        { title: 'Skr8tr: Show Rollout Timeline', placeHolder: 'The timeline of which rollout?' },
      );
      if (!pick) throw new Cancelled();
      r = pick.rollout;
    }
    this.d.timelines.show(r.id, `Timeline: ${r.app} ${r.fromGeneration} → ${r.toGeneration}`);
  }

  /** The Logs view, chosen by a tree item: a replica, a generation or an app; every app from the palette. */
  async showLogs(arg: unknown): Promise<void> {
    const id = parseTreeId(arg);
    await this.d.conductor();
    if (id?.kind === 'replica' || id?.kind === 'node-replica') this.d.logView.open({ replica: id.replica });
    else if (id?.kind === 'generation') this.d.logView.open({ app: id.app, generation: id.generation });
    else if (id?.kind === 'workload') this.d.logView.open({ app: id.app });
    else this.d.logView.open({});
  }

  /** Narrows (or widens) what the Logs view shows: an app, a generation, a text or /regex/, or everything. */
  async filterLogs(): Promise<void> {
    const current = this.d.logView.filter ?? {};
    const model = this.d.connection.model;
    const pick = await vscode.window.showQuickPick(
      [
        { label: '$(filter) Text or /regular expression/…', what: 'text' as const },
        { label: '$(versions) Generation…', what: 'generation' as const },
        { label: '$(clear-all) All apps, no filter', what: 'all' as const },
        ...[...model.workloads.keys()].sort().map((app) => ({ label: `$(package) ${app}`, what: 'app' as const, app })),
      ],
      { title: 'Skr8tr: Filter Logs', placeHolder: `Logs show: ${describeFilter(current)}` },
    );
    if (!pick) throw new Cancelled();
    if (pick.what === 'all') return this.d.logView.setFilter({});
    if (pick.what === 'app') return this.d.logView.setFilter({ ...current, app: pick.app, replica: undefined, generation: undefined });
    if (pick.what === 'text') {
      const text = await vscode.window.showInputBox({ title: 'Skr8tr: Filter Logs', prompt: 'Show lines holding this text, or matching /regular expression/ (empty: every line)', value: current.text ?? '' });
      if (text === undefined) throw new Cancelled();
      return this.d.logView.setFilter({ ...current, text: text || undefined });
    }
    const app = current.app ?? (await this.d.appOf(undefined, 'Skr8tr: Filter Logs'));
    const gens = [...new Set([...model.replicas.values()].filter((r) => r.app === app).map((r) => r.generation))].sort((a, b) => b - a);
    const g = await vscode.window.showQuickPick(gens.map((n) => ({ label: `generation ${n}`, n })), { title: 'Skr8tr: Filter Logs', placeHolder: `Which generation of ${app}?` });
    if (!g) throw new Cancelled();
    this.d.logView.setFilter({ ...current, app, generation: g.n, replica: undefined });
  }

  /** A workload's manifest, at its `app` line (a click or Enter on the workload's row). */
  async openManifest(arg: unknown): Promise<void> {
    const app = await this.d.appOf(arg, 'Skr8tr: Open Manifest');
    const w = this.d.connection.model.workloads.get(app);
    if (!w) throw new Error(`${app} is not running`);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(w.manifestPath));
    const found = parseManifest(doc.getText(), w.manifestPath, { syntax: syntaxOf(w.manifestPath) }).apps.find((a) => a.spec.name === app);
    const line = Math.max(0, (found?.pos.line ?? 1) - 1);
    const at = new vscode.Range(line, 0, line, doc.lineAt(Math.min(line, doc.lineCount - 1)).text.length);
    await vscode.window.showTextDocument(doc, { selection: at, preview: true });
  }

  /** A new, unsaved manifest with a commented example, for a folder that has none. */
  async openExample(): Promise<void> {
    const doc = await vscode.workspace.openTextDocument({ language: 'skr8tr', content: EXAMPLE_MANIFEST });
    await vscode.window.showTextDocument(doc);
  }

  async openInBrowser(arg: unknown): Promise<void> {
    const app = await this.d.appOf(arg, 'Skr8tr: Open in Browser', (w) => w.port !== null);
    const w = this.d.connection.model.workloads.get(app)!;
    const host = w.ingress && w.ingress.address !== '0.0.0.0' && w.ingress.address !== '::' ? w.ingress.address : '127.0.0.1';
    const uri = await vscode.env.asExternalUri(vscode.Uri.parse(`http://${host.includes(':') ? `[${host}]` : host}:${w.port}/`));
    await vscode.env.openExternal(uri);
  }
}
