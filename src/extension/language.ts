// Language support for manifests: diagnostics from the shared parser (on open and as you type) in
// the Problems panel, hover documentation of keys, completion of keys and values, and a CodeLens
// on each `app` line (Rollout, Up, Down). Works for `*.skr8tr` and `*.skr8tr.yaml`/`.yml`; in an
// untrusted workspace everything here still works (it only reads the document).
import * as vscode from 'vscode';
import { isManifestPath, parseManifest, syntaxOf, type Diagnostic as ManifestDiagnostic } from '../shared/manifest';
import { fileChecks } from '../shared/manifest/file-checks';
import { completionsAt, hoverAt, wordRange } from '../shared/manifest/editor';
import type { ParsedApp } from '../shared/manifest/model';
import { neededFromElsewhere } from '../shared/manifest/needs';
import { portClashDiagnostics, type PortUser } from '../shared/manifest/port-clash';
import { describeOwner, portOwner } from '../shared/platform/port-owner';
import { hintLevel, type HintLevel } from './manifest-hints';
import type { WorkspaceManifests } from './workspace-manifests';

export const MANIFEST_SELECTOR: vscode.DocumentSelector = [
  { language: 'skr8tr' },
  { pattern: '**/*.skr8tr.yaml' },
  { pattern: '**/*.skr8tr.yml' },
];

/** A manifest the user edits (not, say, an output channel that happens to match). */
export function isManifest(doc: vscode.TextDocument): boolean {
  if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled') return false;
  return doc.languageId === 'skr8tr' || isManifestPath(doc.fileName);
}

const DEBOUNCE_MS = 150;

/** The apps the Conductor runs, as the port rule (port-clash.ts) and the Watch lens need them, and when they change. */
export interface RunningApps {
  /** `triedIngressPort`: a replica of it failed because it tried to listen on its ingress's port. */
  list(): (PortUser & { watching: boolean; triedIngressPort: boolean })[];
  /** Fires when the list changes, and when the connection returns (a check that ran without it may be stale). */
  onDidChange: vscode.Event<void>;
  /** The pid of this home's Conductor, when one runs: a port it holds is no other program's. */
  conductorPid(): number | null;
}

export class ManifestDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('skr8tr');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The latest check of each document: a slower, older look at the ports never overwrites a newer one. */
  private readonly latest = new Map<string, number>();
  private checks = 0;
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor(
    private readonly running: RunningApps,
    private readonly manifests: WorkspaceManifests,
  ) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.collection.delete(d.uri);
        this.cancel(d.uri);
        this.latest.delete(d.uri.toString());
      }),
    );
    this.disposables.push(running.onDidChange(() => this.recheckAll()), manifests.onDidChange(() => this.recheckAll()));
    this.recheckAll();
  }

  private recheckAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private cancel(uri: vscode.Uri): void {
    const t = this.timers.get(uri.toString());
    if (t) clearTimeout(t);
    this.timers.delete(uri.toString());
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (!isManifest(doc)) return;
    this.cancel(doc.uri);
    this.timers.set(
      doc.uri.toString(),
      setTimeout(() => {
        this.timers.delete(doc.uri.toString());
        this.check(doc);
      }, delay),
    );
  }

  /**
   * Checks a document now; returns the parser's diagnostics and the ports running apps already have.
   * Ports another program listens on are looked up after (off the typing path) and added.
   */
  check(doc: vscode.TextDocument): ManifestDiagnostic[] {
    const result = parseManifest(doc.getText(), doc.uri.fsPath, { syntax: syntaxOf(doc.fileName) });
    this.manifests.sawDocument(doc.uri, result.apps.map((a) => a.spec.name));
    const running = this.running.list();
    // An app needed from another manifest is no warning when a manifest of the workspace (any of
    // its folders) defines it, or when it runs: Up Workspace, or the Conductor, resolves it.
    const known = new Set([...running.map((r) => r.name), ...this.manifests.appNames()]);
    const own = result.diagnostics.filter((d) => !known.has(neededFromElsewhere(d.message) ?? ''));
    const all = [...own, ...portClashDiagnostics(result.apps, running, doc.uri.fsPath), ...fileChecks(result.apps, doc.uri.fsPath)];
    const failedToBind = new Set(running.filter((r) => r.triedIngressPort).map((r) => r.name));
    const hints = result.hints.map((h) => toVsDiagnostic(doc, h, LEVEL[hintLevel(h, result.apps, failedToBind)]));
    const show = (more: ManifestDiagnostic[]) => this.collection.set(doc.uri, [...[...all, ...more].map((d) => toVsDiagnostic(doc, d)), ...hints]);
    show([]);
    const key = doc.uri.toString();
    const check = ++this.checks;
    this.latest.set(key, check);
    const version = doc.version;
    void portsInUse(result.apps, new Set(running.map((r) => r.port)), () => this.running.conductorPid(), doc.uri.fsPath).then((taken) => {
      if (taken.length > 0 && !doc.isClosed && doc.version === version && this.latest.get(key) === check) show(taken);
    });
    return all;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.disposables.forEach((d) => d.dispose());
  }
}

/**
 * A warning on the `port` line of each app (behind the ingress) whose port another program listens
 * on. Ports the Conductor serves (`ours`), and any port this home's Conductor holds, are no other
 * program's: a clash with another app of ours is said by port-clash.ts once connected.
 */
async function portsInUse(apps: readonly ParsedApp[], ours: ReadonlySet<number | null>, conductorPid: () => number | null, file: string): Promise<ManifestDiagnostic[]> {
  const out: ManifestDiagnostic[] = [];
  for (const a of apps) {
    const { port, ingress, name } = a.spec;
    if (port === null || !ingress || ours.has(port)) continue;
    const owner = await portOwner(port).catch(() => null);
    if (!owner || owner.pid === conductorPid()) continue;
    const pos = a.positions.get('port') ?? a.positions.get('serve.port') ?? a.pos;
    out.push({ severity: 'warning', file, line: pos.line, column: pos.column, message: `port ${port} is in use by ${describeOwner(owner)}; \`up\` of ${name} is refused until it is free` });
  }
  return out;
}

const LEVEL: Record<HintLevel, vscode.DiagnosticSeverity> = {
  hint: vscode.DiagnosticSeverity.Hint,
  information: vscode.DiagnosticSeverity.Information,
  warning: vscode.DiagnosticSeverity.Warning,
};

function toVsDiagnostic(doc: vscode.TextDocument, d: ManifestDiagnostic, severity?: vscode.DiagnosticSeverity): vscode.Diagnostic {
  const line = Math.min(Math.max(0, d.line - 1), Math.max(0, doc.lineCount - 1));
  const [start, end] = wordRange(doc.lineAt(line).text, d.column);
  const diag = new vscode.Diagnostic(
    new vscode.Range(line, start, line, end),
    d.message,
    severity ?? (d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information),
  );
  diag.source = 'skr8tr';
  return diag;
}

function lines(doc: vscode.TextDocument): string[] {
  return doc.getText().split(/\r\n|\r|\n/);
}

class Hovers implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | null {
    const md = hoverAt(lines(doc), pos.line, pos.character, syntaxOf(doc.fileName));
    return md ? new vscode.Hover(new vscode.MarkdownString(md)) : null;
  }
}

class Completions implements vscode.CompletionItemProvider {
  provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position): vscode.CompletionItem[] {
    const before = doc.lineAt(pos.line).text.slice(0, pos.character);
    return completionsAt(lines(doc), pos.line, before, syntaxOf(doc.fileName)).map((c) => {
      const item = new vscode.CompletionItem(c.label, c.kind === 'key' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.EnumMember);
      item.detail = c.detail;
      item.documentation = new vscode.MarkdownString(c.documentation);
      item.insertText = c.insert;
      return item;
    });
  }
}

class AppLenses implements vscode.CodeLensProvider {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(private readonly running: RunningApps) {}

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    // An unsaved manifest (the example, say) has no folder for its relative paths: saved first.
    if (!vscode.workspace.isTrusted || doc.uri.scheme !== 'file') return [];
    const result = parseManifest(doc.getText(), doc.uri.fsPath, { syntax: syntaxOf(doc.fileName) });
    return result.apps.flatMap((app) => {
      const range = new vscode.Range(app.pos.line - 1, 0, app.pos.line - 1, 0);
      const args = [doc.uri, app.spec.name];
      return [
        new vscode.CodeLens(range, { title: '$(rocket) Rollout', command: 'skr8tr.rollout', arguments: args, tooltip: `Roll out ${app.spec.name}` }),
        new vscode.CodeLens(range, { title: '$(play) Up', command: 'skr8tr.up', arguments: args, tooltip: `Create or update ${app.spec.name}` }),
        new vscode.CodeLens(range, { title: '$(debug-stop) Down', command: 'skr8tr.down', arguments: args, tooltip: `Remove ${app.spec.name}` }),
        this.running.list().some((r) => r.name === app.spec.name && r.watching)
          ? new vscode.CodeLens(range, { title: '$(eye-closed) Stop Watching', command: 'skr8tr.unwatch', arguments: args, tooltip: `Stop rolling ${app.spec.name} out when its files change` })
          : new vscode.CodeLens(range, { title: '$(eye) Watch', command: 'skr8tr.watch', arguments: args, tooltip: `Roll ${app.spec.name} out again whenever its files change${app.spec.watch ? ` (${app.spec.watch.paths.join(' ')})` : ''}` }),
      ];
    });
  }

  refresh(): void {
    this.emitter.fire();
  }
}

export function registerLanguageFeatures(subscriptions: vscode.Disposable[], running: RunningApps, manifests: WorkspaceManifests): ManifestDiagnostics {
  const diagnostics = new ManifestDiagnostics(running, manifests);
  subscriptions.push(diagnostics);
  subscriptions.push(vscode.languages.registerHoverProvider(MANIFEST_SELECTOR, new Hovers()));
  subscriptions.push(vscode.languages.registerCompletionItemProvider(MANIFEST_SELECTOR, new Completions(), ' '));
  const lenses = new AppLenses(running);
  subscriptions.push(vscode.languages.registerCodeLensProvider(MANIFEST_SELECTOR, lenses));
  subscriptions.push(running.onDidChange(() => lenses.refresh()));
  subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => lenses.refresh()));
  return diagnostics;
}
