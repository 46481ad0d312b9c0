// End to end: the editor tells the truth (issue 23), in a real VS Code (code-server) driven by
// Chromium, one session walking a new user's path through a folder that starts with no manifest:
//   1. the first view of a folder with no manifest: rendered welcome content, an example, and Up
//      Workspace saying what is missing with a useful action;
//   2. Up Workspace on three apps: one progress notification (which app waits for what, held open by
//      a gate: db is unready until the test gives it a ticket, the fixture's FIXTURE_GATE_DIR), then
//      one summary;
//   3. a version that exits with a SyntaxError: its message in the failure notification (with Show
//      Logs of that replica), the output channel and the timeline;
//   4. the Conductor restarted and the window reloaded: no port warning for our own app (the check
//      runs while the window cannot reach the Conductor yet: a gate, its socket moved away), the
//      adopted replicas without a made-up time to ready, the failed generation still in the tree,
//      the timeline tab restored;
//   5. Stop Conductor → Stop Workloads Too: the views say not connected and show nothing as running.
// Screenshots of each in the dark, light and high contrast themes go to test-results/e2e/truth-*.
// Nothing is left running.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { ConductorClient } from '../../src/shared/client';
import { readConductorInfo } from '../../src/shared/home';
import { freePort } from '../integration/load';
import { endSession, shutDownDaemons, teardown } from './teardown';
import { ROOT, clickActivityBar, explorerContextMenu, openInEditor, readLogChannel, readProblems, runCommand, screenshot, setColorTheme, startVSCode, terminalText, treeRows, waitFor, type VSCodeSession } from './vscode';

const FIXTURE = path.join(ROOT, 'test/fixtures/http-fixture.js');

const THEMES = [
  { name: 'dark', theme: 'Default Dark Modern', workbench: 'vs-dark', webview: 'vscode-dark' },
  { name: 'light', theme: 'Default Light Modern', workbench: 'vs', webview: 'vscode-light' },
  { name: 'hc', theme: 'Default High Contrast', workbench: 'hc-black', webview: 'vscode-high-contrast' },
] as const;

function app(name: string, port: number, extra: string[], env: Record<string, string> = {}, args = 'server.js'): string {
  const envLines = Object.entries(env).map(([k, v]) => `    ${k} ${v}`);
  return [`app ${name}`, `  exec ${process.execPath}`, `  args ${args}`, `  port ${port}`, '  health GET /health 200', '  drain 1s', ...extra, ...(envLines.length ? ['  env', ...envLines] : []), ''].join('\n');
}

/** The timeline panel's page: VS Code puts a webview's page in an iframe inside an iframe. */
function timelineFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** The side bar pane of a view, by its title. */
function pane(page: Page, title: string): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: new RegExp(`^\\s*${title}`, 'i') }) });
}

/** The notification toasts on screen, by their text. */
async function toasts(page: Page): Promise<string[]> {
  return (await page.locator('.notifications-toasts .notification-toast').allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' ').trim());
}

function toast(page: Page, text: RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

describe('the editor tells the truth, in a real VS Code', function () {
  this.timeout(240_000);
  let work: string;
  let ws: string;
  let home: string;
  let vsix: string;
  let session: VSCodeSession | null = null;
  const ports: Record<'db' | 'api' | 'web' | 'held', number> = { db: 0, api: 0, web: 0, held: 0 };
  const gate = () => path.join(work, 'db-gate');
  let holder: net.Server | null = null;

  /** Chooses the colour theme as a user does; nothing when the workbench already wears it. */
  async function theme(t: (typeof THEMES)[number]): Promise<void> {
    if ((await session!.page.locator(`.monaco-workbench.${t.workbench}`).count()) > 0) return;
    await setColorTheme(session!.page, t.theme, t.workbench);
  }

  /** A screenshot in each theme; `ready` waits for what must be on screen (a webview follows the theme by itself). */
  async function inEveryTheme(name: string, ready: (t: (typeof THEMES)[number]) => Promise<unknown> = async () => {}): Promise<void> {
    for (const t of THEMES) {
      await theme(t);
      await ready(t);
      await screenshot(session!.page, `truth-${name}-${t.name}`);
    }
    await theme(THEMES[0]);
  }

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-e2e-truth-'));
    home = path.join(work, 'home');
    ws = path.join(work, 'workspace');
    fs.mkdirSync(ws, { recursive: true });
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    vsix = path.join(ROOT, `skr8tr-${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}.vsix`);
    session = await startVSCode({
      workspace: ws,
      vsix: [vsix],
      env: { SKR8TR_HOME: home },
      settings: { 'skr8tr.leaseSeconds': 600, 'remote.autoForwardPorts': false, 'terminal.integrated.gpuAcceleration': 'off', 'workbench.colorTheme': 'Default Dark Modern' },
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) await screenshot(session.page, `failed-truth-${this.currentTest.title.slice(0, 40)}`).catch(() => {});
  });

  after(async () => {
    await teardown([
      () => holder && new Promise<void>((r) => holder!.close(() => r())),
      () => shutDownDaemons(home),
      () => endSession(session),
      () => work && fs.rmSync(work, { recursive: true, force: true }),
      () => vsix && fs.rmSync(vsix, { force: true }),
    ]);
  });

  it('a folder with no manifest: the welcome renders its links and offers an example; Up Workspace says what is missing', async () => {
    const { page } = session!;
    await clickActivityBar(page, 'Skr8tr');
    const welcome = pane(page, 'Workloads').locator('.welcome-view-content');
    await welcome.filter({ hasText: 'There is no manifest in this folder yet' }).waitFor({ state: 'visible', timeout: 60_000 });
    const text = (await welcome.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Not connected to a Conductor, so nothing is shown as running\./);
    assert.doesNotMatch(text, /`|\*\*/, 'no raw Markdown');
    const buttons = (await welcome.locator('.monaco-button').allInnerTexts()).map((b) => b.trim());
    assert.deepEqual(buttons, ['New Manifest…', 'Open an Example Manifest', 'Start Conductor']);
    assert.equal(await pane(page, 'Workloads').locator('.monaco-list-row').count(), 0);
    await inEveryTheme('1-no-manifest-welcome', () => welcome.first().waitFor({ state: 'visible' }));

    // Up Workspace: a clear message and what to do about it, not only "Show Log".
    await runCommand(page, 'Skr8tr: Up Workspace');
    const missing = toast(page, /there is no manifest \(a \.skr8tr or \.skr8tr\.yaml file\) in the open folders/);
    await missing.waitFor({ state: 'visible', timeout: 30_000 });
    assert.deepEqual((await missing.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()), ['New Manifest…', 'Open an Example Manifest']);
    await inEveryTheme('1-up-without-manifest', () => missing.waitFor({ state: 'visible' }));
    await missing.locator('.monaco-button', { hasText: 'Open an Example Manifest' }).click();
    await page.locator('.tabs-container .tab.active', { hasText: /Untitled/ }).waitFor({ state: 'visible', timeout: 20_000 });
    await waitFor('the example in the editor', async () => /app web/.test((await page.locator('.editor-instance .view-lines').first().innerText()).replace(/\u00a0/g, ' ')), 20_000, 200);
    await screenshot(page, 'truth-1-example-manifest-dark');
    await runCommand(page, 'View: Revert and Close Editor');
  });

  it('Up Workspace on three apps: one progress notification says which waits for what, then one summary', async () => {
    const { page } = session!;
    fs.copyFileSync(FIXTURE, path.join(ws, 'server.js'));
    fs.writeFileSync(path.join(ws, 'bad.js'), "console.error('web v2 starting');\nconst broken = ;\n");
    fs.mkdirSync(gate());
    fs.writeFileSync(path.join(ws, 'data.skr8tr'), app('db', ports.db, [], { FIXTURE_GATE_DIR: gate() }));
    fs.writeFileSync(path.join(ws, 'api.skr8tr'), app('api', ports.api, ['  needs db']));
    fs.writeFileSync(path.join(ws, 'web.skr8tr'), app('web', ports.web, ['  replicas 2']));
    // The manifests are seen: the welcome no longer offers the example.
    await waitFor('the welcome to see the manifests', async () => !(await pane(page, 'Workloads').locator('.welcome-view-content', { hasText: 'There is no manifest' }).isVisible()), 30_000, 200);

    await runCommand(page, 'Skr8tr: Up Workspace');
    // db's readiness waits for the gate: the one notification says api waits for db.
    const progress = toast(page, /Skr8tr: Up Workspace \(3 of 3 apps changed\)/);
    await waitFor('the progress notification to say api waits for db', async () => /\d\/3 apps done · api: waiting for db/.test((await progress.innerText().catch(() => '')).replace(/\s+/g, ' ')), 90_000, 100);
    const during = await toasts(page);
    assert.equal(during.filter((t) => /Skr8tr: Up Workspace/.test(t)).length, 1, JSON.stringify(during));
    assert.ok(!during.some((t) => /generation 1 is running/.test(t)), `no toast per app: ${JSON.stringify(during)}`);
    await inEveryTheme('2-one-progress-notification', () => progress.waitFor({ state: 'visible' }));

    fs.writeFileSync(path.join(gate(), 'ticket-1'), '');
    const summary = toast(page, /Skr8tr: 3 apps are running; rolled out/);
    await summary.waitFor({ state: 'visible', timeout: 90_000 });
    const after = await toasts(page);
    assert.ok(!after.some((t) => /generation 1 is running/.test(t)), `no toast per app: ${JSON.stringify(after)}`);
    assert.equal(after.filter((t) => /Skr8tr: 3 apps are running/.test(t)).length, 1);
    await inEveryTheme('2-one-summary', () => summary.waitFor({ state: 'visible' }));
    await summary.locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => {});
  });

  it('a version that exits with a SyntaxError: its message in the failure notification, the output channel and the timeline', async () => {
    const { page, profile } = session!;
    fs.writeFileSync(path.join(ws, 'web.skr8tr'), app('web', ports.web, ['  replicas 2'], {}, 'bad.js'));
    await explorerContextMenu(page, 'web.skr8tr', 'Skr8tr: Rollout', { timeoutMs: 30_000 });
    const failed = toast(page, /Skr8tr: web rolled-back: web-2-[0-9a-f]+ exited with code 1 while starting; stderr: .*SyntaxError: Unexpected token ';'/);
    await failed.waitFor({ state: 'visible', timeout: 90_000 });
    assert.match((await failed.innerText()).replace(/\s+/g, ' '), /Generation 1 keeps serving\./);
    assert.deepEqual((await failed.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()), ['Show Logs', 'Show Timeline']);
    // Not hidden by successes: the one notification of this submission is the failure.
    assert.ok(!(await toasts(page)).some((t) => /web generation 2 is running/.test(t)));
    await inEveryTheme('3-syntax-error-notification', () => failed.waitFor({ state: 'visible' }));
    // The output channel's step says it too.
    await waitFor('the failure step in the output channel', () => /web-2-[0-9a-f]+ failed: exited with code 1 while starting; stderr: .*SyntaxError: Unexpected token ';'/.test(readLogChannel(profile.userDataDir, 'skr8tr.skr8tr', 'Skr8tr')), 20_000, 200);

    // Show Logs: that replica's output.
    const replica = /(web-2-[0-9a-f]+) exited/.exec(await failed.innerText())![1]!;
    await failed.locator('.monaco-button', { hasText: 'Show Logs' }).click();
    await waitFor(`the logs of ${replica}`, async () => new RegExp(`${replica} +. SyntaxError: Unexpected token ';'`).test(await terminalText(page)), 30_000, 200);
    await screenshot(page, 'truth-3-replica-logs-dark');

    // The timeline, from its row in the Rollouts view (a click on a row opens it).
    await clickActivityBar(page, 'Skr8tr');
    await pane(page, 'Rollouts').locator('.monaco-list-row', { hasText: /web 1 → 2/ }).first().click();
    const frame = timelineFrame(page);
    const failure = frame.locator('.failures li', { hasText: /SyntaxError: Unexpected token ';'/ });
    await failure.first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await frame.locator('.status').textContent()) ?? '', /^rolled-back in .*SyntaxError: Unexpected token ';'/);
    const mark = await frame.locator('svg .fail-mark').first().boundingBox();
    assert.ok(mark && mark.width >= 16 && mark.height >= 16, `the failure marker is ${JSON.stringify(mark)}`);
    await inEveryTheme('3-syntax-error-timeline', async (t) => {
      await waitFor(`the timeline in ${t.name}`, async () => ((await frame.locator('body').getAttribute('class')) ?? '').includes(t.webview), 30_000, 200);
      await failure.first().waitFor({ state: 'visible' });
    });
  });

  it('Conductor restarted, window reloaded: no port warning for our own app, adopted replicas without a made-up time, the failed generation and the timeline tab still there', async () => {
    const { page } = session!;
    // A manifest holding our running app `web` (same name, same port) and an app whose port another
    // program (this test) holds: that one's warning shows the window's port check has run.
    holder = net.createServer().listen(ports.held, '127.0.0.1');
    await new Promise((r) => holder!.once('listening', r));
    fs.writeFileSync(path.join(ws, 'probe.skr8tr'), app('web', ports.web, []) + '\n' + app('held', ports.held, []));
    const before = readConductorInfo(home)!;
    await runCommand(page, 'Skr8tr: Restart Conductor');
    await waitFor('a new Conductor', () => {
      const info = readConductorInfo(home);
      return info && info.pid !== before.pid ? info : null;
    }, 60_000, 200);
    const adopted = await waitFor('the adopted replicas of web to be ready', async () => {
      const w = await ConductorClient.fromHome(home).call('workload', { name: 'web' }).catch(() => null);
      const ready = w?.replicas.filter((r) => r.state === 'ready');
      return ready && ready.length === 2 ? ready : null;
    }, 60_000, 200);
    assert.deepEqual(adopted.map((r) => r.readyAfterMs), [null, null], 'their time to ready is unknown, not their age');

    // The gate: the Conductor's socket moved away, so the reloaded window cannot reach it (it keeps trying).
    const socket = readConductorInfo(home)!.socket;
    fs.renameSync(socket, `${socket}.held`);
    try {
      // Reloaded as a user does (the workbench saves its editors first; a bare page reload may not).
      const loaded = page.waitForEvent('load', { timeout: 60_000 });
      await runCommand(page, 'Developer: Reload Window');
      await loaded;
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      await openInEditor(page, 'probe.skr8tr');
      const problems = await waitFor('the port check of probe.skr8tr', async () => {
        const rows = await readProblems(page);
        return rows.some((r) => r.label.includes(`port ${ports.held} is in use by pid ${process.pid}`)) ? rows : null;
      }, 60_000, 250);
      assert.deepEqual(problems.filter((r) => r.label.includes(`port ${ports.web} `)), [], 'no warning about the port our own Conductor holds for web');
      await clickActivityBar(page, 'Skr8tr');
      await pane(page, 'Workloads').locator('.welcome-view-content', { hasText: 'Connecting to the Conductor' }).waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(page, 'truth-4-reconnecting-dark');
    } finally {
      fs.renameSync(`${socket}.held`, socket);
    }

    // Connected again: still no warning, the tree shows the adopted replicas with no time to ready.
    let seen: unknown = null;
    await waitFor('the Workloads view after the reload', async () => {
      const rows = await treeRows(page, 'Workloads');
      seen = rows;
      return rows.filter((r) => /^web-1-[0-9a-f]+ ?ready/.test(r.text)).length === 2;
    }, 60_000, 250).catch((err: Error) => {
      throw new Error(`${err.message}; rows: ${JSON.stringify(seen)}`);
    });
    const rows = await treeRows(page, 'Workloads');
    assert.ok(rows.filter((r) => /^web-1-/.test(r.text)).every((r) => !/ready in/.test(r.text)), JSON.stringify(rows));
    // The generation whose rollout failed is still there, saying why.
    assert.ok(rows.some((r) => /^generation 2 ?rolled-back: web-2-[0-9a-f]+ exited with code 1 while starting; stderr: .*SyntaxError/.test(r.text)), JSON.stringify(rows));
    assert.ok(rows.some((r) => new RegExp(`^web 2/2 :${ports.web}`).test(r.text)), JSON.stringify(rows));
    const problems = await readProblems(page);
    assert.deepEqual(problems.filter((r) => r.label.includes(`port ${ports.web} `)), []);
    await inEveryTheme('4-after-restart-and-reload', async () => {
      await clickActivityBar(page, 'Skr8tr');
      await pane(page, 'Workloads').locator('.monaco-list-row').first().waitFor({ state: 'visible' });
    });

    // The timeline tab open before the reload is back, drawing the failed rollout again.
    await page.locator('.tabs-container .tab', { hasText: /Timeline: web 1 → 2/ }).first().click();
    await timelineFrame(page).locator('.failures li', { hasText: /SyntaxError/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'truth-4-timeline-restored-dark');
  });

  it('Stop Conductor, Stop Workloads Too: the views say not connected and show nothing as running', async () => {
    const { page } = session!;
    const replicas = (await ConductorClient.fromHome(home).call('workloads', {})).flatMap((w) => w.replicas.filter((r) => r.pid !== null).map((r) => r.pid!));
    await clickActivityBar(page, 'Skr8tr');
    await runCommand(page, 'Skr8tr: Stop Conductor');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 20_000 });
    await dialog.locator('.monaco-button', { hasText: 'Stop Workloads Too' }).click();
    await waitFor('every replica to be gone', () => replicas.every((p) => !fs.existsSync(`/proc/${p}`)), 60_000, 200);
    const workloads = pane(page, 'Workloads');
    const nodes = pane(page, 'Nodes');
    await workloads.locator('.welcome-view-content', { hasText: 'Not connected to a Conductor, so nothing is shown as running.' }).waitFor({ state: 'visible', timeout: 30_000 });
    await nodes.locator('.welcome-view-content', { hasText: 'Not connected to a Conductor.' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await workloads.locator('.monaco-list-row').count(), 0, 'no row is shown as running');
    assert.equal(await nodes.locator('.monaco-list-row').count(), 0);
    assert.match(await workloads.locator('.pane-header .description').innerText(), /^not connected since \d{1,2}:\d{2}/);
    assert.match(await page.locator('.statusbar').innerText(), /Skr8tr: not connected/);
    await inEveryTheme('5-stopped-not-connected', () => workloads.locator('.welcome-view-content').waitFor({ state: 'visible' }));
  });
});
