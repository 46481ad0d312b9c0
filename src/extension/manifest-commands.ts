// The commands about manifests: Up, Rollout and Down of one manifest (or one app of it), and Up and
// Down of the whole workspace (every manifest in the open folders, checked together so apps may
// need apps of the others). A manifest with errors is never submitted; a rollout started here is
// followed in the output channel and a notification.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ApiClientError, type ConductorClient } from '../shared/client';
import { isManifestPath, parseManifest, syntaxOf } from '../shared/manifest';
import type { ManifestBody, SubmitResult } from '../shared/protocol/api';
import { Cancelled } from './cancelled';
import type { Connection } from './connection';
import type { ManifestDiagnostics } from './language';
import type { RolloutUi } from './rollout-ui';
import { parseTreeId } from './tree-ids';
import { MANIFEST_GLOB, NOT_SEARCHED } from './workspace-manifests';


/** There is no manifest to submit: said with a way to an example, not a log to read. */
export class NoManifest extends Error {}

export interface ManifestCommandDeps {
  connection: Connection;
  diagnostics: ManifestDiagnostics;
  rolloutUi: RolloutUi;
  /** The connected Conductor (attached, or started when allowed). */
  conductor: () => Promise<ConductorClient>;
  /** The app a tree item, an argument or the user's pick names (`title`: the command's, for the pick). */
  appOf: (arg: unknown, title: string) => Promise<string>;
}

export class ManifestCommands {
  constructor(private readonly d: ManifestCommandDeps) {}

  /** Up or Rollout of one manifest, or of one app of it (a CodeLens passes the app's name). */
  async submit(mode: 'up' | 'rollout', arg: unknown, appArg: unknown): Promise<void> {
    const uri = await this.manifestUri(arg, mode === 'up' ? 'Skr8tr: Up' : 'Skr8tr: Rollout');
    const app = typeof appArg === 'string' ? appArg : undefined;
    const body = await this.bodyOf(uri);
    const client = await this.d.conductor();
    const result = await client.call(mode, {}, { ...body, ...(app ? { apps: [app] } : {}) });
    await this.follow(result, titleOf(mode === 'up' ? 'Up' : 'Rollout', result));
  }

  /** Every manifest in the open folders, checked together: apps start in the order of what they need. */
  async upWorkspace(): Promise<void> {
    const files = await this.workspaceManifests();
    const bodies: ManifestBody[] = [];
    for (const f of files) bodies.push(await this.bodyOf(f));
    const client = await this.d.conductor();
    this.d.rolloutUi.channel.info(`up workspace: ${files.map((f) => vscode.workspace.asRelativePath(f)).join(', ')}`);
    const result = await client.call('workspace', {}, { manifests: bodies, mode: 'up' });
    await this.follow(result, titleOf('Up Workspace', result));
  }

  /** Takes down every app of the workspace's manifests that runs, dependents first. */
  async downWorkspace(): Promise<void> {
    const apps: string[] = [];
    for (const f of await this.workspaceManifests()) apps.push(...(await this.appsOf(f)));
    await this.takeDown(apps);
  }

  /** Down of a manifest's apps (or the one app a CodeLens names), of the app a tree item names, or of the apps the user picks. */
  async down(arg: unknown, appArg: unknown): Promise<void> {
    if (arg instanceof vscode.Uri) return this.takeDown(typeof appArg === 'string' ? [appArg] : await this.appsOf(arg));
    if (parseTreeId(arg)) return this.takeDown([await this.d.appOf(arg, 'Skr8tr: Down')]);
    // From the palette: any of the running apps, several at once.
    const all = [...this.d.connection.model.workloads.values()].sort((a, b) => a.name.localeCompare(b.name));
    if (all.length === 0) throw new Error('no workloads');
    const picks = await vscode.window.showQuickPick(
      all.map((w) => ({ label: w.name, description: `${w.ready}/${w.desired} ready · generation ${w.generation}`, detail: vscode.workspace.asRelativePath(w.manifestPath) })),
      { title: 'Skr8tr: Down', placeHolder: 'Take down which apps? (apps that need them stop first)', canPickMany: true },
    );
    if (!picks || picks.length === 0) throw new Cancelled();
    await this.takeDown(picks.map((p) => p.label));
  }

  /**
   * Watch on or off for an app: a tree item, a CodeLens (the manifest and the app) or a pick. An app
   * that does not run yet is brought up with watching on.
   */
  async watch(on: boolean, arg: unknown, appArg: unknown): Promise<void> {
    const fromLens = arg instanceof vscode.Uri && typeof appArg === 'string';
    const app = fromLens ? appArg : await this.d.appOf(arg, on ? 'Skr8tr: Watch' : 'Skr8tr: Stop Watching');
    const client = await this.d.conductor();
    if (on && fromLens && !this.d.connection.model.workloads.has(app)) {
      const result = await client.call('up', {}, { ...(await this.bodyOf(arg)), apps: [app], watch: true });
      await this.follow(result, titleOf('Up', result));
      return;
    }
    const w = await client.call('watch', { name: app }, { on });
    this.d.rolloutUi.channel.info(`${app}: ${w.watching ? 'watching its files; a saved file rolls it out again' : 'no longer watching its files'}`);
  }

  private async takeDown(apps: readonly string[]): Promise<void> {
    const known = apps.filter((a) => this.d.connection.model.workloads.has(a));
    if (known.length === 0) {
      void vscode.window.showInformationMessage(`Skr8tr: ${apps.join(', ') || 'nothing'} ${apps.length === 1 ? 'is' : 'are'} not running.`);
      return;
    }
    const client = await this.d.conductor();
    let force = false;
    for (;;) {
      try {
        await client.call('downMany', {}, { apps: known, force });
        break;
      } catch (err) {
        if (force || !(err instanceof ApiClientError) || err.status !== 409) throw err;
        // Other apps need some of these: they keep running if the user goes on.
        const pick = await vscode.window.showWarningMessage(`Skr8tr: ${err.message}.`, { modal: true, detail: err.details.join('\n') }, 'Take Down Anyway');
        if (pick !== 'Take Down Anyway') throw new Cancelled();
        force = true;
      }
    }
    for (const a of known) this.d.rolloutUi.channel.info(`${a}: taking it down (apps that need it stop first)`);
    void vscode.window.showInformationMessage(`Skr8tr: taking down ${known.join(', ')}.`);
  }

  /** The manifest a command is about: its argument, the active editor's, or one the user picks. */
  async manifestUri(arg: unknown, title = 'Skr8tr'): Promise<vscode.Uri> {
    if (arg instanceof vscode.Uri) return arg;
    const active = vscode.window.activeTextEditor?.document;
    if (active && isManifestPath(active.fileName)) return active.uri;
    const files = await vscode.workspace.findFiles(MANIFEST_GLOB, NOT_SEARCHED, 200);
    if (files.length === 0) throw new NoManifest('there is no manifest (a .skr8tr or .skr8tr.yaml file) in this workspace');
    if (files.length === 1) return files[0]!;
    const pick = await vscode.window.showQuickPick(
      files.map((f) => ({ label: path.basename(f.fsPath), description: vscode.workspace.asRelativePath(f), uri: f })),
      { title, placeHolder: 'Which manifest?' },
    );
    if (!pick) throw new Cancelled();
    return pick.uri;
  }

  private async workspaceManifests(): Promise<vscode.Uri[]> {
    const files = await vscode.workspace.findFiles(MANIFEST_GLOB, NOT_SEARCHED, 500);
    if (files.length === 0) throw new NoManifest('there is no manifest (a .skr8tr or .skr8tr.yaml file) in the open folders');
    return files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  }

  private async appsOf(uri: vscode.Uri): Promise<string[]> {
    const doc = await vscode.workspace.openTextDocument(uri);
    return parseManifest(doc.getText(), uri.fsPath, { syntax: syntaxOf(uri.fsPath) }).apps.map((a) => a.spec.name);
  }

  /** The manifest as the editor holds it (unsaved edits included), refused with its errors shown. */
  private async bodyOf(uri: vscode.Uri): Promise<ManifestBody> {
    const doc = await vscode.workspace.openTextDocument(uri);
    const errors = this.d.diagnostics.check(doc).filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      const name = path.basename(uri.fsPath);
      const pick = await vscode.window.showErrorMessage(`Skr8tr: ${name} has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was submitted.`, 'Show Problems');
      if (pick) await vscode.commands.executeCommand('workbench.actions.view.problems');
      throw new Cancelled();
    }
    return { path: uri.fsPath, text: doc.getText() };
  }

  /** Follows the rollouts a submission started: one progress notification, then one summary (rollout-ui.ts). */
  private async follow(result: SubmitResult, title: string): Promise<void> {
    const channel = this.d.rolloutUi.channel;
    for (const w of result.warnings) channel.warn(w);
    for (const a of result.apps) {
      if (a.action === 'unchanged') channel.info(`${a.name}: unchanged (generation ${a.generation})`);
    }
    if (result.apps.some((a) => a.rollout)) channel.show(true);
    await this.d.rolloutUi.follow(title, result.apps.map((a) => ({ name: a.name, rollout: a.action === 'unchanged' ? null : a.rollout })));
  }
}

/** The progress notification's title: what was asked, of which apps. */
function titleOf(what: string, result: SubmitResult): string {
  const changed = result.apps.filter((a) => a.action !== 'unchanged');
  if (result.apps.length === 1) {
    const a = result.apps[0]!;
    return a.action === 'created' ? `Skr8tr: starting ${a.name}` : `Skr8tr: rolling out ${a.name} generation ${a.generation}`;
  }
  return `Skr8tr: ${what} (${changed.length} of ${result.apps.length} apps changed)`;
}
