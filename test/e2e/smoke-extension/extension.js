// test/e2e/smoke-extension/extension.js — throwaway extension used only by test/e2e/smoke.ts.
// "Smoke: Hello" (explorer context menu on *.txt) writes "hello from smoke <file name>" to the
// output channel "Smoke", reveals it, and puts a warning "smoke says hello" on the file, so the
// harness can check the whole path: packaged .vsix -> installed -> menu contributed -> command run
// with the file's URI -> Output and Problems. The view "Items" (activity-bar container "Smoke")
// shows two rows, alpha and beta, for the harness's activity-bar and tree helpers.
'use strict';
const path = require('path');
const vscode = require('vscode');

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  const channel = vscode.window.createOutputChannel('Smoke');
  const diagnostics = vscode.languages.createDiagnosticCollection('smoke');
  context.subscriptions.push(
    channel,
    diagnostics,
    vscode.commands.registerCommand('smoke.hello', (uri) => {
      const name = uri instanceof vscode.Uri ? path.basename(uri.fsPath) : '(no file)';
      channel.appendLine(`hello from smoke ${name}`);
      channel.show(true); // true: keep focus where it was
      if (uri instanceof vscode.Uri) {
        const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 1), 'smoke says hello', vscode.DiagnosticSeverity.Warning);
        diagnostics.set(uri, [d]);
      }
    }),
    vscode.window.registerTreeDataProvider('smoke.items', {
      getChildren: (element) => (element ? [] : ['alpha', 'beta']),
      getTreeItem: (label) => new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None),
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
