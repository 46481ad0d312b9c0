// End to end: bring a compose project as it is, in a real VS Code (code-server). The folder holds a
// compose.yaml — a Node web service (the HTTP fixture) that depends_on redis (service_healthy, with
// a healthcheck) and a migration job (service_completed_successfully) — and no manifest. The
// Workloads view's welcome says "There is no manifest in this folder yet" with New Manifest…; its three quick-pick
// steps give a manifest opened unsaved beside compose.yaml (nothing on disk until Save); Save writes
// it; Up Workspace starts redis (Debian's redis-server, the native recipe, gated by `check exec
// redis-cli ping`), then the migration, then web. The migration holds until the test opens its gate,
// so the tree shows web waiting before it shows everything ready; the Problems panel lists the
// import notes at compose.yaml's lines.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { ConductorClient } from '../../src/shared/client';
import type { WorkloadView } from '../../src/shared/protocol/api';
import { freePort } from '../integration/load';
import { requirePrograms } from '../integration/requires';
import { shopCompose } from '../integration/shop-compose';
import { endSession, shutDownDaemons, teardown } from './teardown';
import { ROOT, clickActivityBar, readProblems, runCommand, screenshot, startVSCode, treeRows, waitFor, type VSCodeSession } from './vscode';

const FIXTURE = path.join(ROOT, 'test/fixtures/http-fixture.js');
/** The migration: waits for the test's gate file, then writes to redis at the port its REDIS_URL names (rewritten by the import). */
const MIGRATE = [
  "const fs = require('node:fs');",
  "const { execFileSync } = require('node:child_process');",
  'const gate = process.env.GATE_FILE;',
  "console.log('migrate: waiting for the gate');",
  'const t = setInterval(() => {',
  '  if (!fs.existsSync(gate)) return;',
  '  clearInterval(t);',
  "  execFileSync('redis-cli', ['-p', new URL(process.env.REDIS_URL).port, 'SET', 'migrated', 'yes'], { stdio: 'inherit' });",
  "  console.log('migrate: done');",
  '}, 100);',
  '',
].join('\n');

function get(port: number, p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** The quick input's title once it is `title` (a step of New Manifest…). */
async function quickPickStep(page: Page, title: RegExp): Promise<void> {
  await waitFor(`the quick pick "${title}"`, async () => title.test((await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '')) ?? ''), 30_000, 100);
}

function quickPickRow(page: Page, label: string) {
  return page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
}

describe('New Manifest… on a compose project in a real VS Code', function () {
  this.timeout(300_000);
  let work: string;
  let home: string;
  let ws: string;
  let gateFile: string;
  let vsix: string;
  let webPort: number;
  let redisPort: number;
  let session: VSCodeSession | null = null;
  let seen: unknown = null;
  const rowsOr = (err: Error) => {
    throw new Error(`${err.message}; rows: ${JSON.stringify(seen)}`);
  };

  before(async function () {
    requirePrograms(this, 'the import e2e test', ['redis-server', 'redis-cli']);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-e2e-import-'));
    home = path.join(work, 'home');
    ws = path.join(work, 'shop');
    fs.mkdirSync(ws, { recursive: true });
    fs.copyFileSync(FIXTURE, path.join(ws, 'server.js'));
    fs.writeFileSync(path.join(ws, 'migrate.js'), MIGRATE);
    gateFile = path.join(fs.mkdtempSync(path.join(work, 'gate-')), 'open');
    [webPort, redisPort] = [await freePort(), await freePort()];
    fs.writeFileSync(path.join(ws, 'compose.yaml'), shopCompose({ webPort, redisPort, web: ['node', 'server.js'], migrate: ['node', 'migrate.js'], migrateEnv: { GATE_FILE: gateFile } }));
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    vsix = path.join(ROOT, `skr8tr-${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}.vsix`);
    session = await startVSCode({ workspace: ws, vsix: [vsix], env: { SKR8TR_HOME: home }, settings: { 'skr8tr.leaseSeconds': 60, 'remote.autoForwardPorts': false } });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) await screenshot(session.page, `failed-import-${this.currentTest.title.slice(0, 40)}`).catch(() => {});
  });

  after(async () => {
    await teardown([
      () => home && shutDownDaemons(home),
      () => endSession(session),
      () => work && fs.rmSync(work, { recursive: true, force: true }),
      () => vsix && fs.rmSync(vsix, { force: true }),
    ]);
  });

  it('the welcome offers New Manifest…; its steps open the manifest unsaved beside compose.yaml; Save writes it', async () => {
    const { page } = session!;
    await clickActivityBar(page, 'Skr8tr');
    const workloads = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^\s*Workloads/i }) });
    const welcome = workloads.locator('.welcome-view-content');
    await welcome.filter({ hasText: 'There is no manifest in this folder yet' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    const button = welcome.locator('.monaco-button', { hasText: /^New Manifest…$/ });
    await button.waitFor({ state: 'visible' });
    await screenshot(page, 'import-1-welcome');
    await button.click();

    // 1/3: the source, with its detail line.
    await quickPickStep(page, /^New Manifest \(1\/3\)/);
    const source = quickPickRow(page, 'compose.yaml');
    await source.waitFor({ state: 'visible' });
    assert.match(await source.innerText(), /compose\.yaml · 3 services: 2 build, 1 image/);
    await screenshot(page, 'import-2-source');
    await source.click();

    // 2/3: the apps, all checked (none is behind a profile).
    await quickPickStep(page, /^New Manifest \(2\/3\)/);
    for (const app of ['web', 'migrate', 'redis']) await quickPickRow(page, app).waitFor({ state: 'visible' });
    await screenshot(page, 'import-3-apps');
    await page.keyboard.press('Enter');

    // 3/3: how to run the image-only service.
    await quickPickStep(page, /^New Manifest \(3\/3\)/);
    await screenshot(page, 'import-4-images');
    await quickPickRow(page, 'Native where installed').click();

    // The result: an unsaved editor beside compose.yaml; nothing on disk yet.
    const manifest = path.join(ws, 'shop.skr8tr');
    const tab = page.locator('.tabs-container .tab', { hasText: 'shop.skr8tr' }).first();
    await tab.waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor('the manifest text in the editor', async () => /app redis/.test(await page.locator('.editor-instance .view-lines').allInnerTexts().then((t) => t.join('\n').replace(/\u00a0/g, ' '))), 30_000, 100);
    await waitFor('the notice that nothing is written until Save', async () => /Nothing is written until you save/.test(await page.locator('.notifications-toasts').innerText().catch(() => '')), 20_000, 100);
    assert.match((await tab.getAttribute('class')) ?? '', /dirty/, 'the manifest is unsaved');
    assert.equal(fs.existsSync(manifest), false, 'nothing is written before Save');
    assert.equal(await page.locator('.editor-group-container').count(), 2, 'opened beside the source, in a second group');
    assert.equal(await page.locator('.editor-group-container').first().locator('.tab', { hasText: 'compose.yaml' }).count(), 1, 'the source, compose.yaml, in the first group');
    await screenshot(page, 'import-5-unsaved-beside');

    // Save: the untitled file has its path (shop.skr8tr in the folder), so Save writes it there.
    await page.locator('.editor-group-container.active .editor-instance .view-lines').first().click();
    await page.keyboard.press('Control+S');
    // The file appears before its text is all written: wait for the whole text (redis, the last app, ends it).
    const text = await waitFor('shop.skr8tr on disk, written whole', () => {
      const t = fs.existsSync(manifest) ? fs.readFileSync(manifest, 'utf8') : '';
      return /\n {2}health exec redis-cli -p \$\{PORT\} ping\n$/.test(t) && t;
    }, 30_000, 100);
    await waitFor('the editor to show it saved', async () => !/dirty/.test((await tab.getAttribute('class')) ?? ''), 15_000, 100);
    assert.match(text, /^# Imported by `skr8tr init` from compose\.yaml/);
    assert.match(text, /app redis\n {2}exec redis-server\n {2}args --port \$\{PORT\}/);
    assert.match(text, /app migrate\n {2}type job/);
    assert.match(text, /needs redis migrate:completed/);
    assert.match(text, new RegExp(`REDIS_URL redis://127\\.0\\.0\\.1:${redisPort}/0`));
    // With a manifest in the folder, the welcome is gone.
    await welcome.filter({ hasText: 'There is no manifest in this folder yet' }).first().waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('Up Workspace: the tree shows web waiting, then every app ready in dependency order; Problems lists the import notes', async () => {
    const { page } = session!;
    await clickActivityBar(page, 'Skr8tr');
    await runCommand(page, 'Skr8tr: Up Workspace');
    await waitFor('web to wait for the migration, with redis ready', async () => {
      const rows = await treeRows(page, 'Workloads');
      seen = rows;
      return rows.some((r) => /^redis ?1\/1\b/.test(r.text)) && rows.some((r) => /^web ?0\/1\b.*⚠ waiting for migrate\b/.test(r.text));
    }, 90_000, 100).catch(rowsOr);
    await screenshot(page, 'import-6-web-waiting');

    fs.writeFileSync(gateFile, '');
    await waitFor('redis and web ready, nothing waiting', async () => {
      const rows = await treeRows(page, 'Workloads');
      seen = rows;
      return rows.some((r) => /^redis ?1\/1\b/.test(r.text)) && rows.some((r) => /^web ?1\/1\b/.test(r.text)) && !rows.some((r) => /⚠/.test(r.text));
    }, 90_000, 200).catch(rowsOr);
    await screenshot(page, 'import-7-all-ready');

    const all = await ConductorClient.fromHome(home).call('workloads', {});
    const by = (name: string) => all.find((w) => w.name === name) as WorkloadView;
    const firstReady = (w: WorkloadView) => Math.min(...w.replicas.filter((r) => r.readyAt !== null).map((r) => r.readyAt!));
    const migrated = by('migrate').replicas.find((r) => r.reason === 'completed');
    assert.ok(migrated, `the migration completed: ${JSON.stringify(by('migrate'))}`);
    assert.ok(migrated.createdAt >= firstReady(by('redis')), 'migrate started after redis was ready');
    assert.ok(Math.min(...by('web').replicas.map((r) => r.createdAt)) >= firstReady(by('redis')), 'web started after redis was ready');
    assert.match(await get(webPort, '/'), /imported/, 'web answers on its published port');

    const problems = await waitFor('the import notes in Problems', async () => {
      const rows = await readProblems(page);
      return rows.some((r) => /import: redis: image redis:7 → native redis-server/.test(r.text)) && rows;
    }, 30_000, 200);
    await screenshot(page, 'import-8-problems');
    assert.ok(problems.some((r) => r.severity === undefined && /^compose\.yaml/.test(r.text)), `the notes are on compose.yaml: ${JSON.stringify(problems)}`);
    assert.ok(problems.some((r) => /import: read by Skr8tr's built-in compose parser/.test(r.text)), JSON.stringify(problems));
    assert.ok(problems.some((r) => /import: web: service DNS 'redis' → 127\.0\.0\.1/.test(r.text)), JSON.stringify(problems));
  });
});
