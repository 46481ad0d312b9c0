// Export to Kubernetes / Export to Nomad: the manifest (as the editor holds it) exported, each
// resulting file opened beside it, unsaved, named as `skr8tr export -o` would name it; what does
// not carry over goes to the output channel. The export code is its own bundle (dist/export.js),
// loaded on the first export, so that activating the extension does not pay for it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type * as ExportModule from '../export';
import { parseManifest, syntaxOf } from '../shared/manifest';
import { Cancelled } from './cancelled';
import type { ManifestDiagnostics } from './language';

export interface ExportDeps {
  diagnostics: ManifestDiagnostics;
  channel: vscode.LogOutputChannel;
  /** The manifest a command is about: its argument, the active editor's, or one the user picks. */
  manifestUri: (arg: unknown) => Promise<vscode.Uri>;
}

let loaded: typeof ExportModule | null = null;

/** dist/export.js, beside dist/extension.js (the build keeps this require as it is). */
function exportModule(): typeof ExportModule {
  loaded ??= require('./export.js') as typeof ExportModule;
  return loaded;
}

export class ExportCommands {
  constructor(private readonly d: ExportDeps) {}

  async exportTo(engine: ExportModule.Engine, arg: unknown): Promise<void> {
    const uri = await this.d.manifestUri(arg);
    const doc = await vscode.workspace.openTextDocument(uri);
    const name = path.basename(uri.fsPath);
    const errors = this.d.diagnostics.check(doc).filter((x) => x.severity === 'error');
    if (errors.length > 0) {
      const pick = await vscode.window.showErrorMessage(`Skr8tr: ${name} has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was exported.`, 'Show Problems');
      if (pick) await vscode.commands.executeCommand('workbench.actions.view.problems');
      throw new Cancelled();
    }
    const apps = parseManifest(doc.getText(), uri.fsPath, { syntax: syntaxOf(uri.fsPath) }).apps.map((a) => a.spec);
    const mod = exportModule();
    let image: string | null = null;
    let result: ExportModule.ExportResult;
    for (;;) {
      try {
        result = mod.exportApps(apps, engine, { manifestPath: uri.fsPath, image });
        break;
      } catch (err) {
        if (!(err instanceof mod.ExportRefused) || err.reason !== 'no-image' || image !== null) throw err;
        // Never invented: the user names one, as `--image` does on the command line.
        const given = await vscode.window.showInputBox({
          title: 'Skr8tr: Export to Kubernetes',
          prompt: `App ${err.app} has no \`image\` key. Which container image holds its program? (Used for every app of ${name}; add \`image\` to the manifest to keep it.)`,
          placeHolder: 'registry.example.com/web:1.0',
          validateInput: (v) => (/^\S+$/.test(v) ? null : 'An image name, with no spaces'),
        });
        if (!given) throw new Cancelled();
        image = given;
      }
    }
    await this.show(uri, result);
    const label = engine === 'kubernetes' ? 'Kubernetes' : 'Nomad';
    this.d.channel.info(`export of ${name} to ${label}: ${result.documents.map((x) => x.name).join(', ')}`);
    for (const n of result.notes) this.d.channel.info(`  does not carry over: ${n}`);
    for (const c of result.toCreate) this.d.channel.info(`  create first: ${c}`);
    const said = result.notes.length + result.toCreate.length;
    const message = `Skr8tr: ${name} exported to ${label}.${said > 0 ? ' What does not carry over is in the comments and the output.' : ''}${result.toCreate.length > 0 ? ' Create its secrets first (values are never exported).' : ''}`;
    void vscode.window.showInformationMessage(message, ...(said > 0 ? ['Show Output'] : [])).then((pick) => {
      if (pick) this.d.channel.show(true);
    });
  }

  /** Each document beside the manifest, unsaved; named after it when no such file exists yet. */
  private async show(manifest: vscode.Uri, result: ExportModule.ExportResult): Promise<void> {
    const languages = await vscode.languages.getLanguages();
    for (const d of result.documents) {
      const target = path.join(path.dirname(manifest.fsPath), d.name);
      let doc: vscode.TextDocument;
      if (manifest.scheme === 'file' && !fs.existsSync(target)) {
        const uri = vscode.Uri.file(target).with({ scheme: 'untitled' });
        doc = await vscode.workspace.openTextDocument(uri);
        const edit = new vscode.WorkspaceEdit();
        edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), d.text);
        await vscode.workspace.applyEdit(edit);
      } else {
        doc = await vscode.workspace.openTextDocument({ language: languages.includes(d.language) ? d.language : 'plaintext', content: d.text });
      }
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
    }
  }
}
