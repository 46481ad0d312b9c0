// Tests that run inside a real extension host, against the VS Code API: the installed extension's
// activation and API, its language features (diagnostics, hover, completion, CodeLens) through
// VS Code's own provider commands, and its commands starting a real Conductor and agent.
// SKR8TR_HOST_WORKSPACE holds the manifests; SKR8TR_HOME is a throwaway home.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { treeId } from '../../../src/extension/tree-ids';

interface Api {
  connection: {
    model: {
      workloads: Map<string, { ready: number; desired: number; generation: number; rollout: { id: string; state: string } | null }>;
      rollouts: Map<string, { state: string }>;
    };
    onDidChange: vscode.Event<unknown>;
    state: string;
  };
}

const WS = process.env.SKR8TR_HOST_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the Skr8tr extension in an extension host', () => {
  let api: Api;
  const good = () => vscode.Uri.file(path.join(WS, 'web.skr8tr'));

  before(async () => {
    const ext = vscode.extensions.getExtension('skr8tr.skr8tr');
    assert.ok(ext, 'the extension is installed');
    api = (await ext.activate()) as Api;
    assert.ok(api.connection, 'activate returns its API');
  });

  it('reports manifest errors as diagnostics, at the right place', async () => {
    const uri = vscode.Uri.file(path.join(WS, 'broken.skr8tr'));
    await vscode.workspace.openTextDocument(uri);
    const diags = await until('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length > 0 ? d : null;
    });
    const err = diags.find((d) => d.severity === vscode.DiagnosticSeverity.Error)!;
    assert.match(err.message, /bad `replicas`/);
    assert.equal(err.range.start.line, 2);
    assert.equal(err.source, 'skr8tr');
  });

  it('marks the port line of an app whose port another program listens on, naming it', async () => {
    const server = http.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    try {
      const doc = await vscode.workspace.openTextDocument({ language: 'skr8tr', content: `app squatted\n  exec ./x\n  port ${port}\n` });
      const d = await until('the port warning', () =>
        vscode.languages.getDiagnostics(doc.uri).find((x) => x.severity === vscode.DiagnosticSeverity.Warning && x.message.includes(`port ${port} is in use by pid ${process.pid}`)),
      );
      assert.equal(d.range.start.line, 2);
    } finally {
      server.close();
    }
  });

  it("the $PORT advice on a `port` line is a faint Hint (no Problems entry) while no replica failed to bind the port", async () => {
    const doc = await vscode.workspace.openTextDocument(good());
    const advice = await until('the $PORT advice', () => vscode.languages.getDiagnostics(doc.uri).find((d) => d.message.startsWith('each replica gets its own port in $PORT')));
    assert.equal(advice.severity, vscode.DiagnosticSeverity.Hint);
  });

  it('a `needs` of an app another manifest of the workspace defines is no warning; one nobody defines is', async () => {
    const file = vscode.Uri.file(path.join(WS, 'front.skr8tr'));
    fs.writeFileSync(file.fsPath, 'app front\n  exec ./front\n  needs web nowhere\n');
    try {
      const doc = await vscode.workspace.openTextDocument(file);
      const warned = (name: string) => vscode.languages.getDiagnostics(doc.uri).some((d) => d.message.startsWith(`\`${name}\` is not an app of this file`));
      // web is defined by web.skr8tr, beside it: Up Workspace resolves it.
      await until('only `nowhere` warned about', () => warned('nowhere') && !warned('web'));
    } finally {
      fs.rmSync(file.fsPath, { force: true });
    }
  });

  it('documents a key on hover', async () => {
    const doc = await vscode.workspace.openTextDocument(good());
    const line = doc.getText().split('\n').findIndex((l) => l.trim().startsWith('replicas'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, 3));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /How many replicas to run/);
  });

  it('completes keys at the start of a line and values after a choice key', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'skr8tr', content: 'app a\n  exec /bin/true\n  \n  restart \n' });
    const keys = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(2, 2));
    const labels = keys.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const k of ['replicas', 'port', 'health', 'rollout']) assert.ok(labels.includes(k), `completes ${k}`);
    const values = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(3, 10));
    const v = values.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const k of ['always', 'on-failure', 'never']) assert.ok(v.includes(k), `completes ${k}`);
  });

  it('puts Rollout, Up and Down on each app line as CodeLens', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', good());
    assert.deepEqual(
      lenses.map((l) => l.command?.command),
      ['skr8tr.rollout', 'skr8tr.up', 'skr8tr.down', 'skr8tr.watch'],
    );
    assert.deepEqual(lenses[0]!.command!.arguments![1], 'web');
  });

  it('Export to Kubernetes and Export to Nomad open the export beside the manifest, unsaved', async () => {
    const manifest = vscode.Uri.file(path.join(WS, 'exported.skr8tr'));
    fs.writeFileSync(manifest.fsPath, 'app exported\n  image registry.example.com/exported:1\n  exec ./server\n  port 18080\n  secret\n    TOKEN never-shown\n');
    try {
      // The first export loads the export bundle (dist/export.js) beside the extension's own.
      await vscode.commands.executeCommand('skr8tr.exportKubernetes', manifest);
      const k8s = await until('the Kubernetes export', () => vscode.workspace.textDocuments.find((d) => d.uri.path.endsWith('/exported.k8s.yaml')));
      assert.equal(k8s.isUntitled, true, 'nothing is written until the user saves');
      assert.equal(path.dirname(k8s.uri.fsPath), WS, 'beside the manifest');
      assert.match(k8s.getText(), /kind: Deployment[\s\S]*image: registry\.example\.com\/exported:1[\s\S]*secretKeyRef/);
      assert.ok(!k8s.getText().includes('never-shown'));
      await vscode.commands.executeCommand('skr8tr.exportNomad', manifest);
      const nomad = await until('the Nomad export', () => vscode.workspace.textDocuments.find((d) => d.uri.path.endsWith('/exported.nomad.hcl')));
      assert.match(nomad.getText(), /job "exported" \{[\s\S]*driver = "raw_exec"/);
      assert.equal(vscode.window.activeTextEditor?.document, nomad);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      fs.rmSync(manifest.fsPath, { force: true });
    }
  });

  it('Up starts a Conductor and an agent and brings the app up; a rollout moves it to a new generation; Down removes it', async () => {
    await vscode.commands.executeCommand('skr8tr.up', good());
    await until('web to be ready', () => {
      const w = api.connection.model.workloads.get('web');
      return w && w.ready === w.desired && w.desired === 1 ? w : null;
    }, 60_000);
    const text = fs.readFileSync(good().fsPath, 'utf8');
    // Another app on web's port: the editor says so on its `port` line while web runs.
    const port = /port (\d+)/.exec(text)![1];
    const other = await vscode.workspace.openTextDocument({ language: 'skr8tr', content: `app other\n  exec ./other\n  port ${port}\n` });
    const clash = await until('the port clash on the port line', () =>
      vscode.languages.getDiagnostics(other.uri).find((d) => d.severity === vscode.DiagnosticSeverity.Error && /is already the port of app web/.test(d.message)),
    );
    assert.equal(clash.range.start.line, 2);
    fs.writeFileSync(good().fsPath, text.replace('FIXTURE_VERSION v1', 'FIXTURE_VERSION v2'));
    await vscode.commands.executeCommand('skr8tr.rollout', good());
    await until('generation 2 to be ready', () => {
      const w = api.connection.model.workloads.get('web');
      return w && w.generation === 2 && w.ready === 1 ? w : null;
    }, 60_000);
    await vscode.commands.executeCommand('skr8tr.down', good());
    await until('web to be gone', () => !api.connection.model.workloads.has('web'), 30_000);
  });

  it('a rollout notification\'s Cancel (Abort Rollout with the workload\'s tree id) aborts the rollout', async () => {
    const text = fs.readFileSync(good().fsPath, 'utf8');
    await vscode.commands.executeCommand('skr8tr.up', good());
    const before = await until('web to be ready', () => {
      const w = api.connection.model.workloads.get('web');
      return w && w.ready === w.desired && w.desired === 1 ? w : null;
    }, 60_000);
    // A new generation held unready by a gate the test never opens (an empty folder: the fixture's
    // FIXTURE_GATE_DIR), so the rollout is still running when it is cancelled.
    const gate = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-host-gate-'));
    fs.writeFileSync(good().fsPath, text.replace(/FIXTURE_VERSION v\d+/, `FIXTURE_VERSION v9\n    FIXTURE_GATE_DIR ${gate}`));
    const rolling = vscode.commands.executeCommand('skr8tr.rollout', good());
    const rollout = await until('the rollout to run', () => {
      const r = api.connection.model.workloads.get('web')?.rollout;
      return r && r.state === 'running' ? r : null;
    }, 30_000);
    // What RolloutUi's Cancel runs.
    await vscode.commands.executeCommand('skr8tr.abortRollout', treeId({ kind: 'workload', app: 'web' }));
    await rolling;
    assert.equal(api.connection.model.rollouts.get(rollout.id)?.state, 'aborted');
    assert.equal(api.connection.model.workloads.get('web')?.generation, before.generation);
    fs.writeFileSync(good().fsPath, text);
    await vscode.commands.executeCommand('skr8tr.down', good());
    await until('web to be gone', () => !api.connection.model.workloads.has('web'), 30_000);
    fs.rmSync(gate, { recursive: true, force: true });
  });
});
