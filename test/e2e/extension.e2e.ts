// End to end: the packaged .vsix installed into a real VS Code (code-server) driven by headless
// Chromium. A user right-clicks a manifest, chooses Skr8tr: Up, edits the version, chooses
// Skr8tr: Rollout, and watches the output channel and the tree; a manifest with an error shows in
// the Problems panel. Screenshots of each stage go to test-results/e2e/. Nothing is left running.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConductorClient } from '../../src/shared/client';
import { readConductorInfo } from '../../src/shared/home';
import { isAlive } from '../../src/shared/platform/process';
import type { WorkloadView } from '../../src/shared/protocol/api';
import { freePort } from '../integration/load';
import { endSession, shutDownDaemons, teardown } from './teardown';
import {
  ROOT,
  clickActivityBar,
  explorerContextMenu,
  openInEditor,
  readLogChannel,
  replaceAllAndSave,
  readProblems,
  screenshot,
  showOutputChannel,
  startVSCode,
  treeRows,
  waitFor,
  type VSCodeSession,
} from './vscode';

const FIXTURE = path.join(ROOT, 'test/fixtures/http-fixture.js');

function manifest(port: number, version: string): string {
  return [
    '# A small HTTP service behind the ingress.',
    'app web',
    `  exec ${process.execPath}`,
    '  args server.js',
    `  port ${port}`,
    '  replicas 2',
    '  health GET /health 200',
    '  env',
    `    FIXTURE_VERSION ${version}`,
    '',
  ].join('\n');
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** The text of the "Skr8tr" log output channel as VS Code writes it to disk. */
const skr8trChannel = (userDataDir: string) => readLogChannel(userDataDir, 'skr8tr.skr8tr', 'Skr8tr');

describe('Skr8tr in a real VS Code', function () {
  this.timeout(240_000);
  let work: string;
  let ws: string;
  let home: string;
  let vsix: string;
  let session: VSCodeSession | null = null;
  let port: number;
  const pids = new Set<number>();

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-e2e-'));
    home = path.join(work, 'home');
    ws = path.join(work, 'workspace');
    fs.mkdirSync(ws, { recursive: true });
    port = await freePort();
    fs.copyFileSync(FIXTURE, path.join(ws, 'server.js'));
    fs.writeFileSync(path.join(ws, 'web.skr8tr'), manifest(port, 'v1'));
    fs.writeFileSync(path.join(ws, 'broken.skr8tr'), 'app broken\n  exec ./server\n  replicas lots\n');
    fs.writeFileSync(path.join(ws, 'broken.skr8tr.yaml'), 'app: brokenyaml\nexec: ./server\nreplicas: lots\n');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    vsix = path.join(ROOT, `skr8tr-${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}.vsix`);
    session = await startVSCode({ workspace: ws, vsix: [vsix], env: { SKR8TR_HOME: home }, settings: { 'skr8tr.leaseSeconds': 60, 'remote.autoForwardPorts': false } });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) await screenshot(session.page, `failed-${this.currentTest.title.slice(0, 40)}`).catch(() => {});
  });

  after(async () => {
    await teardown([
      // Stop the daemons the extension started (and their workloads)...
      () => shutDownDaemons(home, pids),
      // ...then the editor and the browser, whatever happened above.
      () => endSession(session),
      () => work && fs.rmSync(work, { recursive: true, force: true }),
      () => vsix && fs.rmSync(vsix, { force: true }),
    ]);
  });

  it('right-click Up, then Rollout: the output channel shows each step, the tree the new generation', async () => {
    const { page, profile } = session!;
    await clickActivityBar(page, 'Skr8tr');
    await page.locator('.pane-header', { hasText: /Workloads/i }).first().waitFor({ state: 'visible' });
    await screenshot(page, '1-skr8tr-view-empty');

    await explorerContextMenu(page, 'web.skr8tr', 'Skr8tr: Up', { timeoutMs: 60_000, beforeClick: () => screenshot(page, '2-context-menu') });
    await waitFor('generation 1 to be up', () => /done: 2 replicas of generation 1 ready/.test(skr8trChannel(profile.userDataDir)), 90_000, 200);
    assert.match(await get(port), /^v1 /);

    // The user edits the version in the editor, saves, and rolls out.
    await openInEditor(page, 'web.skr8tr');
    await replaceAllAndSave(page, 'FIXTURE_VERSION v1', 'FIXTURE_VERSION v2');
    await waitFor('the edit to be saved', () => fs.readFileSync(path.join(ws, 'web.skr8tr'), 'utf8').includes('FIXTURE_VERSION v2'), 15_000, 100);
    await screenshot(page, '3-edited-manifest');
    await explorerContextMenu(page, 'web.skr8tr', 'Skr8tr: Rollout', { timeoutMs: 30_000 });
    const text = await waitFor('generation 2 to be rolled out', () => {
      const t = skr8trChannel(profile.userDataDir);
      return /done: 2 replicas of generation 2 ready/.test(t) ? t : null;
    }, 90_000, 200);
    // One line per step, with timings.
    for (const step of [/rollout \S+: generation 1 → 2, 2 replicas/, /launching web-2-\w+ on local \(port \d+\)/, /web-2-\w+ ready after [\d.]+ m?s; joined the ingress/, /draining web-1-\w+ \(replaced\)/, /stopped web-1-\w+/]) {
      assert.match(text, step);
    }
    assert.match(text, /\+\d+\.\d{3}s/);
    assert.doesNotMatch(text, /no node is connected/, 'the Conductor was started with its agent already joined');
    assert.match(await get(port), /^v2 /);
    await showOutputChannel(page, 'Skr8tr');
    await screenshot(page, '4-output-after-rollout');

    // The tree: the workload at generation 2 with its replicas; the node with its ports.
    await clickActivityBar(page, 'Skr8tr');
    let seen: unknown = null;
    const workloads = await waitFor('the Workloads view to show generation 2', async () => {
      const rows = await treeRows(page, 'Workloads');
      seen = rows;
      // A row's text is its label followed by its description.
      const ok = rows.some((r) => new RegExp(`^web 2/2 :${port} ?gen 2`).test(r.text)) && rows.filter((r) => /^web-2-[0-9a-f]+ ?ready/.test(r.text)).length === 2;
      return ok ? rows : null;
    }, 20_000, 200).catch((err: Error) => {
      throw new Error(`${err.message}; rows: ${JSON.stringify(seen)}`);
    });
    assert.ok(workloads.some((r) => /generation 2/.test(r.text)));
    assert.ok(workloads.some((r) => new RegExp(`:${port}`).test(r.text)), 'the app port is shown');
    const nodes = await waitFor('the Nodes view to show the local node', async () => {
      const rows = await treeRows(page, 'Nodes');
      return rows.some((r) => /^local ?2 replicas · .* · 127\.0\.0\.1 · heartbeat/.test(r.text)) ? rows : null;
    }, 20_000, 200);
    assert.ok(nodes.some((r) => /Ports in use/.test(r.text)));
    assert.ok(nodes.filter((r) => /web-2-\w+/.test(r.text)).length === 2);
    await screenshot(page, '5-tree-after-rollout');
  });

  it('a window reload keeps the workloads running, and the tree shows them again', async () => {
    const { page } = session!;
    const before = await ConductorClient.fromHome(home).request<WorkloadView>('GET', '/v1/workloads/web');
    const pidsBefore = before.replicas.filter((r) => r.state === 'ready').map((r) => r.pid).sort();
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await clickActivityBar(page, 'Skr8tr');
    await waitFor('the Workloads view after the reload', async () => (await treeRows(page, 'Workloads')).some((r) => /^web 2\/2 :/.test(r.text)), 60_000, 250);
    const after = await ConductorClient.fromHome(home).request<WorkloadView>('GET', '/v1/workloads/web');
    assert.deepEqual(after.replicas.filter((r) => r.state === 'ready').map((r) => r.pid).sort(), pidsBefore);
    await screenshot(page, '6-after-reload');
  });

  it('a Conductor killed with SIGKILL is restarted, adopts the replicas, and the tree reconnects', async () => {
    const { page } = session!;
    const old = readConductorInfo(home)!;
    const before = await ConductorClient.fromHome(home).request<WorkloadView>('GET', '/v1/workloads/web');
    const pidsBefore = before.replicas.filter((r) => r.state === 'ready').map((r) => r.pid).sort();
    process.kill(old.pid, 'SIGKILL');
    const fresh = await waitFor('a new Conductor', () => {
      const info = readConductorInfo(home);
      return info && info.pid !== old.pid && isAlive(info.pid) ? info : null;
    }, 30_000, 100);
    const adopted = await waitFor('the replicas to be adopted', async () => {
      const w = await ConductorClient.fromHome(home).request<WorkloadView>('GET', '/v1/workloads/web').catch(() => null);
      const ready = w?.replicas.filter((r) => r.state === 'ready').map((r) => r.pid).sort();
      return ready && ready.length === 2 ? ready : null;
    }, 30_000, 100);
    assert.deepEqual(adopted, pidsBefore, 'the same replica processes, adopted');
    await waitFor('the Workloads view to show them again', async () => (await treeRows(page, 'Workloads')).some((r) => /^web 2\/2 :/.test(r.text)), 30_000, 250);
    assert.notEqual(fresh.pid, old.pid);
    await screenshot(page, '7-after-conductor-crash');
  });

  it('a manifest with an error shows in the Problems panel', async () => {
    const { page } = session!;
    await openInEditor(page, 'broken.skr8tr');
    const problems = await waitFor('the error in the Problems panel', async () => {
      const rows = await readProblems(page);
      return rows.some((r) => r.severity === 'Error' && /bad `replicas`: "lots" is not a whole number/.test(r.label)) ? rows : null;
    }, 30_000, 250);
    assert.ok(problems.some((r) => /broken\.skr8tr/.test(r.text)));
    await screenshot(page, '8-problems');
  });

  it('a YAML manifest with an error shows too (the extension loads its YAML reader, dist/yaml-syntax.js, on first use)', async () => {
    const { page } = session!;
    await openInEditor(page, 'broken.skr8tr.yaml');
    const problems = await waitFor('the YAML manifest\'s error in the Problems panel', async () => {
      const rows = await readProblems(page);
      // The panel lists each file, then its problems.
      const file = rows.findIndex((r) => r.severity === undefined && /broken\.skr8tr\.yaml/.test(r.text));
      if (file < 0) return null;
      const next = rows.findIndex((r, i) => i > file && r.severity === undefined);
      const own = rows.slice(file + 1, next < 0 ? rows.length : next);
      return own.some((r) => r.severity === 'Error' && /bad `replicas`: "lots" is not a whole number/.test(r.label)) ? own : null;
    }, 30_000, 250);
    assert.ok(problems.length > 0);
    await screenshot(page, '9-problems-yaml');
  });
});
