// End to end: Skr8tr: Up Workspace in a real VS Code (code-server) on a folder of two manifests,
// `api` (web.skr8tr) needing `db` (data.skr8tr), which the test holds unready until it has seen api wait. The Workloads
// view shows api waiting for db, then both ready; Down Workspace takes them down, api first. Then the
// inner loop: Watch from the CodeLens, edit and save a source file, and the new code serves.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConductorClient } from '../../src/shared/client';
import { freePort } from '../integration/load';
import { endSession, shutDownDaemons, teardown } from './teardown';
import { ROOT, clickActivityBar, explorerContextMenu, openInEditor, replaceAllAndSave, runCommand, screenshot, startVSCode, terminalText, treeRows, waitFor, type VSCodeSession } from './vscode';

const FIXTURE = path.join(ROOT, 'test/fixtures/http-fixture.js');
const HELLO = "const http = require('http');\nconst greeting = 'hello v1';\nhttp.createServer((q, s) => s.end(q.url === '/health' ? 'ok' : greeting)).listen(Number(process.env.PORT), '127.0.0.1');\n";

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function app(name: string, port: number, extra: string[]): string {
  return [`app ${name}`, `  exec ${process.execPath}`, '  args server.js', `  port ${port}`, '  health GET /health 200', '  drain 1s', ...extra, ''].join('\n');
}

describe('a workspace in a real VS Code', function () {
  this.timeout(240_000);
  let work: string;
  let home: string;
  let vsix: string;
  let session: VSCodeSession | null = null;
  let helloPort: number;
  let ws: string;
  let gate: string;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-e2e-ws-'));
    home = path.join(work, 'home');
    ws = path.join(work, 'workspace');
    fs.mkdirSync(ws, { recursive: true });
    fs.copyFileSync(FIXTURE, path.join(ws, 'server.js'));
    // db is held unready by a gate (the fixture's FIXTURE_GATE_DIR) until the test has seen api wait for it.
    gate = fs.mkdtempSync(path.join(work, 'gate-'));
    fs.writeFileSync(path.join(ws, 'data.skr8tr'), app('db', await freePort(), ['  env', `    FIXTURE_GATE_DIR ${gate}`]));
    fs.writeFileSync(path.join(ws, 'web.skr8tr'), app('api', await freePort(), ['  needs db']));
    helloPort = await freePort();
    fs.writeFileSync(
      path.join(ws, 'hello.skr8tr'),
      ['app hello', `  exec ${process.execPath}`, '  args hello.js', `  port ${helloPort}`, '  health GET /health 200', '  drain 1s', '  watch *.js', ''].join('\n'),
    );
    fs.writeFileSync(path.join(ws, 'hello.js'), HELLO);
    // A ticker prints six lines, then stays quiet: what the test looks for is never scrolled out of the
    // terminal's visible rows by later lines, however late it looks.
    fs.writeFileSync(
      path.join(ws, 'ticker.js'),
      "let n = 0;\nconst t = setInterval(() => { console.log(process.env.TICKER + ' ' + (++n) + ' v' + process.env.V); if (n === 6) clearInterval(t); }, 150);\nsetInterval(() => {}, 1 << 30);\nprocess.on('SIGTERM', () => process.exit(0));\n",
    );
    const ticker = (name: string) => [`app ${name}`, `  exec ${process.execPath}`, '  args ticker.js', '  settle 300ms', '  drain 1s', '  env', `    TICKER ${name}`, '    V 1', ''].join('\n');
    fs.writeFileSync(path.join(ws, 'tickers.skr8tr'), ticker('tick') + ticker('tock'));
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    vsix = path.join(ROOT, `skr8tr-${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}.vsix`);
    session = await startVSCode({ workspace: ws, vsix: [vsix], env: { SKR8TR_HOME: home }, settings: { 'skr8tr.leaseSeconds': 60, 'remote.autoForwardPorts': false, 'terminal.integrated.gpuAcceleration': 'off' } });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) await screenshot(session.page, `failed-ws-${this.currentTest.title.slice(0, 40)}`).catch(() => {});
  });

  after(async () => {
    await teardown([
      () => shutDownDaemons(home),
      () => endSession(session),
      () => work && fs.rmSync(work, { recursive: true, force: true }),
      () => vsix && fs.rmSync(vsix, { force: true }),
    ]);
  });

  it('Up Workspace: the tree shows api waiting for db, then both ready; Down Workspace takes them down', async () => {
    const { page } = session!;
    await clickActivityBar(page, 'Skr8tr');
    await runCommand(page, 'Skr8tr: Up Workspace');
    let seen: unknown = null;
    await waitFor('api to wait for db in the Workloads view', async () => {
      const rows = await treeRows(page, 'Workloads');
      seen = rows;
      return rows.some((r) => /^api 0\/1 :\d+ ?⚠ waiting for db \((launching|starting), 0\/1 ready\) · running 0→1 · gen 1/.test(r.text));
    }, 60_000, 100).catch((err: Error) => {
      throw new Error(`${err.message}; rows: ${JSON.stringify(seen)}`);
    });
    await screenshot(page, 'ws-1-api-waiting-for-db');
    fs.writeFileSync(path.join(gate, 'ticket-1'), '');
    await waitFor('both to be ready', async () => {
      const rows = await treeRows(page, 'Workloads');
      seen = rows;
      return rows.some((r) => /^db 1\/1 :\d+/.test(r.text)) && rows.some((r) => /^api 1\/1 :\d+/.test(r.text)) && !rows.some((r) => /⚠/.test(r.text));
    }, 60_000, 200).catch((err: Error) => {
      throw new Error(`${err.message}; rows: ${JSON.stringify(seen)}`);
    });
    await screenshot(page, 'ws-2-all-ready');
    const ws = await ConductorClient.fromHome(home).call('workloads', {});
    const readyAt = (name: string) => ws.find((w) => w.name === name)!.replicas.find((r) => r.state === 'ready')!;
    assert.ok(readyAt('api').createdAt >= readyAt('db').readyAt!, 'api was launched after db was ready');

    await runCommand(page, 'Skr8tr: Down Workspace');
    await waitFor('the workloads to be gone', async () => (await ConductorClient.fromHome(home).call('workloads', {})).length === 0, 30_000, 200);
  });

  it('Watch from the CodeLens, then edit and save a source file: the new code serves, the tree shows the new generation', async () => {
    const { page } = session!;
    await openInEditor(page, 'hello.skr8tr');
    const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Watch' }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    await lens.click();
    await waitFor('hello to serve v1', () => get(helloPort).then((b) => b === 'hello v1', () => false), 60_000, 200);
    await waitFor('the status bar to say it watches', async () => /watching 1 app/.test((await page.locator('.statusbar').innerText().catch(() => '')) ?? ''), 30_000, 200);
    await openInEditor(page, 'hello.js');
    await replaceAllAndSave(page, 'hello v1', 'hello v2');
    await waitFor('the edit to be saved', () => fs.readFileSync(path.join(ws, 'hello.js'), 'utf8').includes('hello v2'), 15_000, 100);
    await waitFor('the new code to serve', () => get(helloPort).then((b) => b === 'hello v2', () => false), 60_000, 100);
    await clickActivityBar(page, 'Skr8tr');
    let seen: unknown = null;
    await waitFor('the Workloads view to show generation 2', async () => {
      const rows = await treeRows(page, 'Workloads');
      seen = rows;
      return rows.some((r) => /^hello 1\/1 :\d+ ?gen 2/.test(r.text));
    }, 30_000, 200).catch((err: Error) => {
      throw new Error(`${err.message}; rows: ${JSON.stringify(seen)}`);
    });
    await screenshot(page, 'ws-3-saved-source-rolled-out');
  });

  it('the Logs view: every app interleaved, a rollout\'s new replicas appear, a text filter narrows it', async () => {
    const { page } = session!;
    const client = () => ConductorClient.fromHome(home);
    await explorerContextMenu(page, 'tickers.skr8tr', 'Skr8tr: Up', { timeoutMs: 30_000 });
    await waitFor('tick and tock to run', async () => {
      const ws2 = await client().call('workloads', {});
      return ['tick', 'tock'].every((n) => ws2.find((w) => w.name === n)?.replicas.some((r) => r.state === 'ready'));
    }, 60_000, 200);
    await runCommand(page, 'Skr8tr: Logs');
    await waitFor('lines of both apps in the Logs view', async () => {
      const t = await terminalText(page);
      return /tick-1-[0-9a-f]+ +. tick \d+ v1/.test(t) && /tock-1-[0-9a-f]+ +. tock \d+ v1/.test(t);
    }, 30_000, 200);
    await screenshot(page, 'ws-4-logs-two-apps');

    // A rollout: the new generation's replicas appear in the same view, with a line marking it.
    const file = path.join(ws, 'tickers.skr8tr');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/TICKER tick\n {4}V 1/, 'TICKER tick\n    V 2'));
    await client().call('rollout', {}, { path: file, text: fs.readFileSync(file, 'utf8'), apps: ['tick'] });
    await waitFor('the new replica\'s lines and the rollout\'s mark', async () => {
      const t = await terminalText(page);
      return /tick-2-[0-9a-f]+ +. tick \d+ v2/.test(t) && /tick: rollout \S+, generation 1 → 2/.test(t);
    }, 30_000, 200);
    await screenshot(page, 'ws-5-logs-new-generation');

    // A text filter: only tock's lines, and the title says so.
    await runCommand(page, 'Skr8tr: Filter Logs');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Text or /regular expression/' }).first().click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill('tock');
    await page.keyboard.press('Enter');
    await waitFor('only tock\'s lines', async () => {
      const rows = (await terminalText(page)).split('\n').filter((r) => r.trim() !== '' && !r.startsWith('──'));
      return rows.length > 3 && rows.every((r) => /tock/.test(r));
    }, 20_000, 200);
    await page.locator('.terminal-tab, .single-terminal-tab, .tabs-list .monaco-list-row', { hasText: 'Skr8tr Logs — "tock"' }).first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
    await screenshot(page, 'ws-6-logs-filtered');
  });
});
