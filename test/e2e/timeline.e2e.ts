// End to end: a rollout under load in a real VS Code (code-server), then Skr8tr: Show Rollout
// Timeline from the outcome notification. The panel draws the replicas as lanes (old generation
// above, new below) and the traffic strip; its status counts what was served, 0 failed; the keyboard
// reaches a lane and its tooltip; clicking a replica opens its logs. Screenshots in the default dark
// theme and in a light one go to test-results/e2e/. Nothing is left running.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { ConductorClient } from '../../src/shared/client';
import { Load, freePort } from '../integration/load';
import { endSession, shutDownDaemons, teardown } from './teardown';
import { ROOT, clickActivityBar, runCommand, screenshot, setColorTheme, startVSCode, terminalText, waitFor, type VSCodeSession } from './vscode';

const FIXTURE = path.join(ROOT, 'test/fixtures/http-fixture.js');

/** `gate`: a folder the new replicas wait on until the test writes tickets into it (the fixture's FIXTURE_GATE_DIR). */
function manifest(port: number, version: string, gate?: string): string {
  const env = gate ? [`    FIXTURE_GATE_DIR ${gate}`] : ['    FIXTURE_START_DELAY_MS 700'];
  return ['app web', `  exec ${process.execPath}`, '  args server.js', `  port ${port}`, '  replicas 2', '  health GET /health 200', '  drain 1s', '  rollout', '    surge 1', '  env', `    FIXTURE_VERSION ${version}`, ...env, ''].join('\n');
}

/** The timeline panel's page: VS Code puts a webview's page in an iframe inside an iframe. */
function timelineFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

describe('the rollout timeline in a real VS Code', function () {
  this.timeout(240_000);
  let work: string;
  let ws: string;
  let home: string;
  let vsix: string;
  let session: VSCodeSession | null = null;
  let port: number;
  const problems: string[] = [];

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-e2e-tl-'));
    home = path.join(work, 'home');
    ws = path.join(work, 'workspace');
    fs.mkdirSync(ws, { recursive: true });
    port = await freePort();
    fs.copyFileSync(FIXTURE, path.join(ws, 'server.js'));
    fs.writeFileSync(path.join(ws, 'web.skr8tr'), manifest(port, 'v1'));
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    vsix = path.join(ROOT, `skr8tr-${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}.vsix`);
    session = await startVSCode({ workspace: ws, vsix: [vsix], env: { SKR8TR_HOME: home }, settings: { 'skr8tr.leaseSeconds': 60, 'remote.autoForwardPorts': false, 'terminal.integrated.gpuAcceleration': 'off', 'workbench.colorTheme': 'Default Dark Modern' } });
    // Anything the page refuses to load (the content security policy, a missing file) is a failure.
    session.page.on('console', (m) => {
      if (/Content Security Policy|Refused to|Failed to load resource/i.test(m.text()) && /timeline|vscode-resource|vscode-cdn/i.test(m.text())) problems.push(m.text());
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) await screenshot(session.page, `failed-tl-${this.currentTest.title.slice(0, 40)}`).catch(() => {});
  });

  after(async () => {
    await teardown([
      () => shutDownDaemons(home),
      () => endSession(session),
      () => work && fs.rmSync(work, { recursive: true, force: true }),
      () => vsix && fs.rmSync(vsix, { force: true }),
    ]);
  });

  it('after a rollout under load, the outcome notification opens the timeline: lanes and traffic, dark and light', async () => {
    const { page } = session!;
    // The view container is there once the extension's contributions are: then its commands are too.
    await clickActivityBar(page, 'Skr8tr');
    await page.locator('.pane-header', { hasText: /Rollouts/i }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await runCommand(page, 'Skr8tr: Up');
    await waitFor('generation 1 to be up', async () => {
      const w = await ConductorClient.fromHome(home).call('workload', { name: 'web' }).catch(() => null);
      return w?.rollout === null && w.ready === 2;
    }, 90_000, 250);

    // Version 2, rolled out under a bounded load.
    const load = new Load({ port, keepAliveClients: 3, freshClients: 1, ratePerClient: 40, maxMs: 60_000, maxRequests: 20_000 });
    await waitFor('load to be flowing', () => load.result.requests > 20, 20_000, 50);
    fs.writeFileSync(path.join(ws, 'web.skr8tr'), manifest(port, 'v2'));
    await runCommand(page, 'Skr8tr: Rollout');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /web generation 2 is running/ });
    const show = toast.locator('.monaco-button', { hasText: /^Show Timeline$/ });
    await show.first().waitFor({ state: 'visible', timeout: 90_000 });
    const seen = await load.stop();
    assert.equal(seen.failures, 0, `failed requests: ${seen.failureSamples.join('; ')}`);
    await show.first().click();

    // The panel: two lanes of generation 1 above, two of generation 2 below, the traffic strip under them.
    const frame = timelineFrame(page);
    await frame.locator('svg .lane-label').first().waitFor({ state: 'visible', timeout: 30_000 });
    const groups = await frame.locator('svg .group-label').allTextContents();
    assert.deepEqual(groups, ['generation 1 (old)', 'generation 2 (new)']);
    const lanes = await frame.locator('svg .lane-label').allTextContents();
    assert.equal(lanes.length, 4);
    assert.ok(lanes.slice(0, 2).every((l) => /^web-1-/.test(l)) && lanes.slice(2).every((l) => /^web-2-/.test(l)), JSON.stringify(lanes));
    assert.ok((await frame.locator('svg .seg-serving').count()) >= 4);
    assert.ok((await frame.locator('svg .seg-draining').count()) >= 2);
    assert.ok((await frame.locator('svg .bar.requests').count()) > 0, 'the traffic strip has bars');
    assert.equal(await frame.locator('svg .bar.failed').count(), 0);
    const status = await frame.locator('.status').textContent();
    assert.match(status ?? '', /^succeeded in [\d.]+ m?s; [\d,]+ requests served during the rollout, 0 failed/);
    assert.match((await frame.locator('body').getAttribute('class')) ?? '', /vscode-dark/);
    await screenshot(page, 'timeline-1-dark');

    // Keyboard: Tab reaches the lanes, an arrow moves along one, and the tooltip says what it is.
    await frame.locator('svg .lane-label').first().focus();
    await page.keyboard.press('ArrowRight');
    await waitFor('the tooltip of the focused segment', async () => /^web-1-\w+ serving \(in the ingress\) from −2\.00 s to \+[\d.]+ s/.test((await frame.locator('#tooltip').textContent()) ?? ''), 10_000, 100);
    assert.equal(await frame.locator('#tooltip').isVisible(), true);
    await screenshot(page, 'timeline-2-dark-focused-segment');

    // A light theme, chosen as a user does (Preferences: Color Theme): the open panel follows.
    await setColorTheme(page, 'Default Light Modern', 'vs');
    await waitFor('the light theme in the timeline', async () => ((await frame.locator('body').getAttribute('class')) ?? '').includes('vscode-light'), 30_000, 200);
    await frame.locator('svg .lane-label').first().waitFor({ state: 'visible' });
    await screenshot(page, 'timeline-3-light');

    // Clicking a replica opens its logs.
    const replica = lanes[2]!;
    await frame.locator('svg .lane-label', { hasText: replica }).click();
    await waitFor(`the Logs view on ${replica}`, async () => new RegExp(`${replica} +. fixture v2`).test(await terminalText(page)), 30_000, 200);
    await screenshot(page, 'timeline-4-replica-logs');
    assert.deepEqual(problems, [], 'nothing of the panel was refused or missing');
  });

  it('opened from the Rollouts view while the rollout runs, the timeline moves until it ends', async () => {
    const { page } = session!;
    await runCommand(page, 'View: Close All Editors');
    // New replicas held unready by a gate until the open panel has shown the rollout running.
    const gate = fs.mkdtempSync(path.join(work, 'gate-'));
    fs.writeFileSync(path.join(ws, 'web.skr8tr'), manifest(port, 'v3', gate));
    await runCommand(page, 'Skr8tr: Rollout');
    await clickActivityBar(page, 'Skr8tr');
    const row = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Rollouts/i }) }).locator('.monaco-list-row', { hasText: /web 2 → 3/ });
    await row.first().waitFor({ state: 'visible', timeout: 30_000 });
    await row.first().hover();
    await row.first().locator('.action-label[aria-label="Skr8tr: Show Rollout Timeline"]').click();

    const panel = timelineFrame(page);
    await waitFor('the timeline of the running rollout', async () => /^running: [0-2]\/2 new replicas ready/.test((await panel.locator('.status').textContent().catch(() => '')) ?? ''), 30_000, 100);
    assert.ok((await panel.locator('svg .now').count()) === 1, 'a running rollout\'s timeline reaches now');
    await screenshot(page, 'timeline-5-light-running');
    for (const ticket of ['ticket-1', 'ticket-2']) fs.writeFileSync(path.join(gate, ticket), '');
    // It moves by itself: the new generation's lanes appear and the rollout ends, with no reopening.
    await waitFor('the rollout to end in the open panel', async () => /^succeeded in /.test((await panel.locator('.status').textContent().catch(() => '')) ?? ''), 60_000, 200);
    assert.deepEqual(await panel.locator('svg .group-label').allTextContents(), ['generation 2 (old)', 'generation 3 (new)']);
    assert.equal(await panel.locator('svg .now').count(), 0);
    await screenshot(page, 'timeline-6-light-ended');
  });
});
