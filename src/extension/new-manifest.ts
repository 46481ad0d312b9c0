// Skr8tr: New Manifest…: a manifest from what the folder already has (src/import, its own bundle,
// dist/import.js, loaded when the command runs). At most three quick-pick steps, titled with the
// step count: the source (with a detail line such as "compose.yaml · 5 services: 3 build, 2 image"),
// the apps, and — only when there are image-only services — how to run them. The result opens
// unsaved beside the source (nothing is written until Save), its notes are `# import:` comments and
// Problems at the source's lines. In an untrusted workspace it detects and reads, never executes (a
// PM2 ecosystem file is read statically). Whether the workspace has a manifest at all (the welcome
// that offers this command) is workspace-manifests.ts's to say.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type * as ImportModule from '../import';

let loaded: typeof ImportModule | undefined;
function importModule(): typeof ImportModule {
  loaded ??= require('./import.js') as typeof ImportModule;
  return loaded;
}


export class NewManifest implements vscode.Disposable {
  private readonly problems = vscode.languages.createDiagnosticCollection('skr8tr-import');
  private readonly subs: vscode.Disposable[] = [this.problems];

  async run(arg: unknown): Promise<void> {
    const chosenFile = arg instanceof vscode.Uri ? arg : null;
    const folder = chosenFile ? (vscode.workspace.getWorkspaceFolder(chosenFile)?.uri ?? vscode.Uri.file(path.dirname(chosenFile.fsPath))) : await this.pickFolder();
    if (!folder) return;
    const dir = chosenFile ? path.dirname(chosenFile.fsPath) : folder.fsPath;
    const mod = importModule();
    const snapshot = await mod.readProject(dir, { trusted: vscode.workspace.isTrusted, env: process.env });
    const found = mod.detect(snapshot);
    const relFile = chosenFile ? path.relative(dir, chosenFile.fsPath).split(path.sep).join('/') : null;
    const steps = 3;
    // 1/3: the source.
    type SourceItem = vscode.QuickPickItem & { source: ImportModule.DetectedSource | null };
    const items: SourceItem[] = [...found.map((s) => ({ label: s.file, description: s.kind, detail: s.detail, source: s })), { label: 'Empty manifest', detail: 'one app to fill in', source: null }];
    const preset = relFile ? found.find((s) => s.file === relFile) : undefined;
    const source = preset ?? (await pick(items, `New Manifest (1/${steps}): what runs this project?`))?.source;
    if (source === undefined) return;
    if (source === null) {
      await this.open(dir, '# A manifest: one `app` a workload. See the README\'s manifest reference.\napp web\n  exec ./server\n  port 8080\n  health GET /health 200\n', []);
      return;
    }
    const first = mod.importProject(snapshot, { from: source.kind, file: source.file });
    // 2/3: which apps (those behind a compose profile start unchecked).
    type AppItem = vscode.QuickPickItem & { app: string };
    const appItems: AppItem[] = [
      ...first.apps.map((a) => ({ label: a, picked: true, app: a })),
      ...first.skipped.map((s) => ({ label: s.name, description: s.why, picked: false, app: s.name })),
    ];
    const chosen = appItems.length > 1 ? await pickMany(appItems, `New Manifest (2/${steps}): which apps?`) : appItems;
    if (!chosen) return;
    // 3/3: image-only services, only when there are some.
    let images: ImportModule.ImageMode = 'native';
    if (first.notes.some((n) => /^image \S+ →/.test(n.message))) {
      type ModeItem = vscode.QuickPickItem & { mode: ImportModule.ImageMode };
      const modes: ModeItem[] = [
        { label: 'Native where installed', detail: 'redis-server, postgres… when on PATH; else from the image', mode: 'native' },
        { label: 'From the image', detail: 'image X, run once container apps land', mode: 'image' },
        { label: 'TODO', detail: 'replicas 0: you write the command', mode: 'todo' },
      ];
      const mode = await pick(modes, `New Manifest (3/${steps}): how should image-only services run?`);
      if (!mode) return;
      images = mode.mode;
    }
    const result = mod.importProject(snapshot, { from: source.kind, file: source.file, apps: chosen.map((c) => c.app), images });
    this.showProblems(dir, result.notes);
    await this.open(dir, result.text, result.notes, path.join(dir, source.file));
    void vscode.window.showInformationMessage(`Skr8tr: ${result.summary}. Nothing is written until you save.`);
  }

  private async pickFolder(): Promise<vscode.Uri | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 1) return folders[0]!.uri;
    if (folders.length === 0) {
      void vscode.window.showWarningMessage('Skr8tr: open a folder first.');
      return undefined;
    }
    return (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'New Manifest: which folder?' }))?.uri;
  }

  /** The notes in Problems, at the source's lines. */
  private showProblems(dir: string, notes: readonly ImportModule.ImportNote[]): void {
    this.problems.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const n of notes) {
      const line = Math.max(0, n.line - 1);
      const severity = n.severity === 'error' ? vscode.DiagnosticSeverity.Error : n.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
      const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), `import: ${n.app ? `${n.app}: ` : ''}${n.message}`, severity);
      d.source = 'skr8tr import';
      const list = byFile.get(n.file) ?? [];
      list.push(d);
      byFile.set(n.file, list);
    }
    for (const [file, list] of byFile) this.problems.set(vscode.Uri.file(path.join(dir, file)), list);
  }

  /** Opens the source (its notes are in Problems at its lines) and, beside it, the text unsaved as `<folder>.skr8tr` (or a diff against the one there). */
  private async open(dir: string, text: string, _notes: readonly ImportModule.ImportNote[], beside?: string): Promise<void> {
    if (beside) await vscode.window.showTextDocument(vscode.Uri.file(beside), { viewColumn: vscode.ViewColumn.Active, preview: true });
    const name = `${path.basename(dir).replace(/[^A-Za-z0-9_.-]+/g, '-') || 'app'}.skr8tr`;
    const target = vscode.Uri.file(path.join(dir, name));
    let exists = false;
    try {
      await vscode.workspace.fs.stat(target);
      exists = true;
    } catch {
      // a new file
    }
    if (exists) {
      const doc = await vscode.workspace.openTextDocument({ language: 'skr8tr', content: text });
      await vscode.commands.executeCommand('vscode.diff', target, doc.uri, `${name} ↔ imported`, { viewColumn: vscode.ViewColumn.Beside });
      return;
    }
    const doc = await vscode.workspace.openTextDocument(target.with({ scheme: 'untitled' }));
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preview: false });
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), text));
    await vscode.languages.setTextDocumentLanguage(doc, 'skr8tr');
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}

function pick<T extends vscode.QuickPickItem>(items: T[], title: string): Thenable<T | undefined> {
  return vscode.window.showQuickPick(items, { title, matchOnDetail: true, ignoreFocusOut: true });
}

function pickMany<T extends vscode.QuickPickItem>(items: T[], title: string): Thenable<T[] | undefined> {
  return vscode.window.showQuickPick(items, { title, canPickMany: true, ignoreFocusOut: true });
}
