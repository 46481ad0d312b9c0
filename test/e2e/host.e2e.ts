// The extension-host suite (test/host/suite), run inside code-server's real extension host: the
// same suite @vscode/test-electron runs where VS Code can be downloaded. A shim extension loads it
// on start-up and writes the results to a file this test waits for.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareWorkspace } from '../host/workspace';
import { freePort } from '../integration/load';
import { endSession, shutDownDaemons, teardown } from './teardown';
import { ROOT, startVSCode, waitFor, type VSCodeSession } from './vscode';

describe('the extension-host suite inside code-server', function () {
  this.timeout(240_000);
  let work: string;
  let session: VSCodeSession | null = null;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-host-'));
  });

  after(async () => {
    const home = path.join(work, 'home');
    await teardown([
      () => shutDownDaemons(home),
      () => endSession(session),
      () => work && fs.rmSync(work, { recursive: true, force: true }),
    ]);
  });

  it('passes in a real extension host', async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-host-tests.mjs')], { cwd: ROOT, stdio: 'inherit' });
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    const shimVsix = path.join(work, 'shim.vsix');
    const packed = spawnSync(path.join(ROOT, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', shimVsix], {
      cwd: path.join(ROOT, 'test/host/shim'),
      encoding: 'utf8',
    });
    assert.equal(packed.status, 0, packed.stderr);
    const workspace = path.join(work, 'workspace');
    prepareWorkspace(workspace, await freePort());
    const out = path.join(work, 'results.json');
    session = await startVSCode({
      workspace,
      vsix: [path.join(ROOT, `skr8tr-${version}.vsix`), shimVsix],
      env: {
        SKR8TR_HOME: path.join(work, 'home'),
        SKR8TR_ROOT: ROOT,
        SKR8TR_HOST_WORKSPACE: workspace,
        SKR8TR_HOST_TESTS_INDEX: path.join(ROOT, 'out/host-tests/index.js'),
        SKR8TR_HOST_TESTS_OUT: out,
      },
      settings: { 'remote.autoForwardPorts': false },
    });
    const results = await waitFor('the extension-host suite to finish', () => (fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : null), 180_000, 250);
    for (const t of results.tests ?? []) console.log(`      ✔ ${t}`);
    for (const f of results.failures ?? []) console.log(`      ✗ ${f.title}\n${f.error}`);
    assert.equal(results.ok, true, results.error);
    assert.ok(results.passed >= 5, `only ${results.passed} tests ran`);
    assert.equal(results.failed, 0);
  });
});
