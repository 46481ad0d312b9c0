// A failed build's errors in the Problems panel, where its output names file:line (tsc, gcc, go,
// esbuild, Python…; build-output.ts reads them). Fed by the build's step lines of the event stream:
// a new build of an app clears what its last one said; a build that succeeds clears it too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildProblems } from './build-output';
import type { Connection } from './connection';

const OUTPUT = /^ {2}\| (.*)$/;

export class BuildProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('skr8tr-build');
  /** Each app's output of the build in progress (or the last one), and the files it marked. */
  private readonly builds = new Map<string, { lines: string[]; files: vscode.Uri[]; open: boolean }>();
  private readonly listener: vscode.Disposable;

  constructor(private readonly connection: Connection) {
    this.listener = connection.onDidChange((change) => {
      for (const step of change.steps) this.step(step.app, step.message);
    });
  }

  private step(app: string, message: string): void {
    let b = this.builds.get(app);
    if (message.startsWith('build: ')) {
      if (!b?.open) {
        this.clear(app);
        b = { lines: [], files: [], open: true };
        this.builds.set(app, b);
      }
      return;
    }
    if (!b?.open) return;
    const out = OUTPUT.exec(message);
    if (out) {
      if (b.lines.length < 2_000) b.lines.push(out[1]!);
      return;
    }
    if (/^built generation /.test(message)) {
      b.open = false;
      this.clear(app);
    } else if (/build step `/.test(message)) {
      b.open = false;
      this.show(app, b);
    }
  }

  private show(app: string, b: { lines: string[]; files: vscode.Uri[] }): void {
    const manifest = this.connection.model.workloads.get(app)?.manifestPath;
    if (!manifest) return;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of buildProblems(b.lines)) {
      const file = path.resolve(path.dirname(manifest), p.file);
      if (!fs.existsSync(file)) continue;
      const at = new vscode.Position(Math.max(0, p.line - 1), Math.max(0, p.column - 1));
      const d = new vscode.Diagnostic(new vscode.Range(at, at.translate(0, 1)), p.message || 'the build failed here', p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
      d.source = `skr8tr build (${app})`;
      byFile.set(file, [...(byFile.get(file) ?? []), d]);
    }
    for (const [file, diags] of byFile) {
      const uri = vscode.Uri.file(file);
      this.collection.set(uri, diags);
      b.files.push(uri);
    }
  }

  private clear(app: string): void {
    for (const uri of this.builds.get(app)?.files ?? []) this.collection.delete(uri);
  }

  dispose(): void {
    this.listener.dispose();
    this.collection.dispose();
  }
}
