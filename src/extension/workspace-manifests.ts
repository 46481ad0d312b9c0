// The manifests of the open folders, every folder of a multi-root workspace: which exist (the
// welcome views point to an example when there is none) and which apps each defines (so a `needs`
// of an app another manifest defines is not warned about: Up Workspace resolves it). Found once off
// the activation path, then kept up to date by a file watcher and by the editor's open documents.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { parseManifest } from '../shared/manifest';

export const MANIFEST_GLOB = '**/*.{skr8tr,skr8tr.yaml,skr8tr.yml}';
export const NOT_SEARCHED = '{**/node_modules/**,**/.git/**}';
const MOST = 500;

export class WorkspaceManifests implements vscode.Disposable {
  /** App names by manifest (its uri as text). */
  private readonly apps = new Map<string, string[]>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private searched = false;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(MANIFEST_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => void this.read(uri)),
      watcher.onDidChange((uri) => void this.read(uri)),
      watcher.onDidDelete((uri) => this.set(uri, null)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.search()),
    );
  }

  /** Looks for every manifest of the open folders (again). */
  async search(): Promise<void> {
    const files = await vscode.workspace.findFiles(MANIFEST_GLOB, NOT_SEARCHED, MOST);
    const found = new Set(files.map((f) => f.toString()));
    for (const known of [...this.apps.keys()]) if (!found.has(known)) this.apps.delete(known);
    await Promise.all(files.map((f) => this.read(f, false)));
    this.searched = true;
    this.tell();
  }

  /** Every app a manifest of the workspace defines. */
  appNames(): Set<string> {
    return new Set([...this.apps.values()].flat());
  }

  get any(): boolean {
    return this.apps.size > 0;
  }

  /** The apps a workspace manifest defines as the editor holds it (typing changes them), from its check. */
  sawDocument(uri: vscode.Uri, names: string[]): void {
    if (uri.scheme !== 'file' || !this.apps.has(uri.toString())) return;
    this.set(uri, names);
  }

  private async read(uri: vscode.Uri, tell = true): Promise<void> {
    try {
      const text = await fs.promises.readFile(uri.fsPath);
      this.set(uri, parseManifest(text, uri.fsPath).apps.map((a) => a.spec.name), tell);
    } catch {
      this.set(uri, null, tell);
    }
  }

  private set(uri: vscode.Uri, names: string[] | null, tell = true): void {
    const key = uri.toString();
    const before = this.apps.get(key);
    if (names === null) this.apps.delete(key);
    else this.apps.set(key, names);
    if (tell && (names === null ? before !== undefined : before?.join() !== names.join())) this.tell();
  }

  private tell(): void {
    // `skr8tr.noManifest`: only once searched, and only with a folder open (the welcome views read it).
    if (this.searched) void vscode.commands.executeCommand('setContext', 'skr8tr.noManifest', !this.any && (vscode.workspace.workspaceFolders?.length ?? 0) > 0);
    this.changed.fire();
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
