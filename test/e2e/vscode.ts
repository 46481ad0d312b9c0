// test/e2e/vscode.ts — the end-to-end harness: a real VS Code (code-server 4.99.4 = VS Code 1.99.3,
// installed by scripts/setup.sh outside node_modules) on a free loopback port with throwaway
// user-data and extensions folders, driven by headless Debian Chromium through playwright-core.
//
// Owns: starting/stopping code-server and the browser (stop() proves that no process it started is
// left: every process gets a marker in its environment and /proc is scanned for it), installing
// .vsix files, and small UI helpers (explorer context menu, activity bar, tree rows, Output
// channels, Problems, command palette, screenshots, extension host log).
//
// Every wait is a poll with a deadline (waitFor / playwright's auto-waiting); no fixed sleeps.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '../..');
export const CODE_SERVER_VERSION = '4.99.4';
export const CHROMIUM = process.env.SKR8TR_E2E_CHROMIUM ?? '/usr/bin/chromium';
/** Flags without which headless Chromium fails here (sandbox, GPU) or keeps calling hosts it cannot reach. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Environment variable set on code-server and Chromium; every descendant inherits it, which is how stop() finds them. */
const MARKER_VAR = 'SKR8TR_E2E_RUN';

/** Default user settings: nothing may pop up over the UI or reach the network. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.openRepositoryInParentFolders': 'never',
  'window.restoreWindows': 'none',
};

// ---------------------------------------------------------------------------------------------
// Generic helpers

/** T without its falsy members (what waitFor returns). */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Polls `check` until it returns a truthy value or the deadline passes (then throws, saying what it waited for and the last value seen). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 100): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as Truthy<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const lastText = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${lastText?.slice(0, 2000)})`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The folder scripts/setup.sh installs code-server into. */
export function e2eCacheDir(): string {
  return process.env.SKR8TR_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'skr8tr-e2e');
}

/** Path of the code-server launcher; throws with the fix when the setup has not been run. */
export function codeServerBin(): string {
  const bin = path.join(e2eCacheDir(), 'node_modules', '.bin', 'code-server');
  if (!fs.existsSync(bin)) throw new Error(`code-server not found at ${bin}: run scripts/setup.sh first`);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/setup.sh first (as root)`);
  return bin;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** `test-results/<sub>` under the project, created. */
export function resultsDir(sub = 'e2e'): string {
  const dir = path.join(ROOT, 'test-results', sub);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Processes: found by the marker in their environment, so that daemons that left code-server's
// process group (setsid, detached spawns) are found too.

export interface ProcInfo {
  pid: number;
  pgid: number;
  cmd: string;
}

/**
 * Live processes (zombies excluded) that pass `filter`, which sees each pid, its process group and
 * its raw environment. Linux only (/proc); processes we may not read are skipped.
 */
function scanProcesses(filter: (p: { pid: number; pgid: number; environ: () => Buffer }) => boolean): ProcInfo[] {
  const found: ProcInfo[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the ")" that closes the command name: state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const pgid = Number(fields[2]);
      if (!filter({ pid, pgid, environ: () => fs.readFileSync(`/proc/${pid}/environ`) })) continue;
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      found.push({ pid, pgid, cmd: cmd.slice(0, 200) });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Every live process whose environment holds MARKER_VAR=<runId>, wherever it moved (other group, session, parent). */
export function processesWithMarker(runId: string): ProcInfo[] {
  const entry = Buffer.from(`${MARKER_VAR}=${runId}\0`);
  const inner = Buffer.concat([Buffer.from('\0'), entry]);
  return scanProcesses(({ environ }) => {
    const env = environ();
    return env.includes(inner) || env.subarray(0, entry.length).equals(entry);
  });
}

/** Every live process of process group `pgid`. */
export function groupMembers(pgid: number): ProcInfo[] {
  return scanProcesses((p) => p.pgid === pgid);
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------------------------------------
// Profile (user data + extensions folders) and extension install

export interface Profile {
  /** Temp folder holding everything below (removed by stop() unless keep). */
  root: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's own config file (auth none), so ~/.config/code-server is never written. */
  configFile: string;
}

/** A fresh profile with DEFAULT_SETTINGS (plus `settings`) in User/settings.json. */
export function createProfile(settings: Record<string, unknown> = {}): Profile {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-e2e-'));
  const profile: Profile = {
    root,
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    configFile: path.join(root, 'code-server.yaml'),
  };
  fs.mkdirSync(path.join(profile.userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(profile.extensionsDir, { recursive: true });
  fs.writeFileSync(
    path.join(profile.userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2),
  );
  fs.writeFileSync(profile.configFile, 'auth: none\ncert: false\n');
  return profile;
}

/**
 * Environment for code-server: XDG folders inside the profile (it writes a config and logs there),
 * TMPDIR and XDG_RUNTIME_DIR too (VS Code leaves its vscode-ipc-*.sock / vscode-git-*.sock there
 * when killed), and the run marker.
 */
function codeServerEnv(profile: Profile, runId: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const tmp = path.join(profile.root, 'tmp');
  fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(profile.root, 'xdg-config'),
    XDG_DATA_HOME: path.join(profile.root, 'xdg-data'),
    XDG_CACHE_HOME: path.join(profile.root, 'xdg-cache'),
    XDG_RUNTIME_DIR: tmp,
    TMPDIR: tmp,
    ...extra,
    [MARKER_VAR]: runId,
  };
}

/** Installs a .vsix into the profile's extensions folder the way users do (`code-server --install-extension`). */
export function installVsix(profile: Profile, vsix: string): string {
  const res = spawnSync(
    codeServerBin(),
    ['--extensions-dir', profile.extensionsDir, '--user-data-dir', profile.userDataDir, '--config', profile.configFile, '--force', '--install-extension', path.resolve(vsix)],
    { env: codeServerEnv(profile, `install-${randomUUID()}`), encoding: 'utf8', timeout: 60_000 },
  );
  const out = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  if (res.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`installing ${vsix} failed (exit ${res.status}${res.error ? `, ${res.error.message}` : ''}):\n${out}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// code-server

export interface CodeServer {
  port: number;
  url: string;
  child: ChildProcess;
  /** Process group id (= pid: started detached). */
  pgid: number;
  /** code-server's stdout+stderr. */
  logFile: string;
  runId: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Groups to kill with SIGKILL if this Node process exits without stop() (e.g. a crashed test run). */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) killQuietly(-pgid, 'SIGKILL');
});

/**
 * Starts code-server on a free loopback port, in its own process group, and waits until /healthz
 * answers. Retries on another port if the chosen one was taken meanwhile.
 */
export async function startCodeServer(profile: Profile, opts: { runId: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CodeServer> {
  const bin = codeServerBin();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const logFile = path.join(profile.root, `code-server-${port}.log`);
    const log = fs.openSync(logFile, 'a');
    const args = [
      '--config', profile.configFile,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--user-data-dir', profile.userDataDir,
      '--extensions-dir', profile.extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ];
    const child = spawn(bin, args, {
      detached: true, // own process group: stop() kills the whole group
      stdio: ['ignore', log, log],
      env: codeServerEnv(profile, opts.runId, opts.env),
    });
    fs.closeSync(log);
    const pgid = child.pid;
    if (pgid === undefined) throw new Error(`could not start ${bin}`);
    liveGroups.add(pgid);
    let done = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => {
        done = true;
        resolve({ code, signal });
      }),
    );
    const server: CodeServer = { port, url: `http://127.0.0.1:${port}`, child, pgid, logFile, runId: opts.runId, exited };
    try {
      await waitFor(`code-server on port ${port} to answer /healthz`, async () => {
        if (done) throw new Error(`code-server exited early:\n${tail(logFile)}`);
        const res = await fetch(`${server.url}/healthz`).catch(() => undefined);
        return res?.ok;
      }, opts.timeoutMs ?? 30_000);
      return server;
    } catch (err) {
      await stopCodeServer(server);
      if (attempt < 3 && /EADDRINUSE/.test(tail(logFile))) continue;
      throw err;
    }
  }
}

/** Stops code-server's process group: SIGTERM, then SIGKILL after the deadline. */
export async function stopCodeServer(server: CodeServer, graceMs = 5_000): Promise<void> {
  killQuietly(-server.pgid, 'SIGTERM');
  const groupGone = () => groupMembers(server.pgid).length === 0;
  try {
    await waitFor('code-server process group to exit', groupGone, graceMs, 50);
  } catch {
    killQuietly(-server.pgid, 'SIGKILL');
    await waitFor('code-server process group to exit after SIGKILL', groupGone, 5_000, 50);
  }
  liveGroups.delete(server.pgid);
}

function tail(file: string, bytes = 4000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------
// Browser

/**
 * Headless Debian Chromium, with the run marker in its environment. Its XDG folders point into
 * `profile.root`: Chromium's crashpad handler otherwise creates ~/.config/chromium/Crash Reports.
 */
export function launchBrowser(profile: Profile, runId: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(profile.root, 'chromium-config'),
      XDG_CACHE_HOME: path.join(profile.root, 'chromium-cache'),
      [MARKER_VAR]: runId,
    },
  });
}

/** Opens the workbench on `folder` and waits until the workbench and its explorer are rendered. */
export async function openWorkbench(browser: Browser, server: CodeServer, folder: string, timeoutMs = 60_000): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/?folder=${encodeURIComponent(path.resolve(folder))}`, { timeout: timeoutMs });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  return page;
}

// ---------------------------------------------------------------------------------------------
// One call for a whole session

export interface StartOptions {
  /** Folder opened as the workspace. */
  workspace: string;
  /** .vsix files installed before code-server starts. */
  vsix?: string[];
  /** User settings merged over DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server (and so for the extension host and what it starts). */
  env?: NodeJS.ProcessEnv;
  /** Keep the profile folder (logs, user data) after stop(); also kept when SKR8TR_E2E_KEEP=1. */
  keep?: boolean;
}

export interface StopReport {
  /** Processes still alive after code-server's group was gone, which then got SIGTERM (then SIGKILL). */
  strays: ProcInfo[];
  /** Processes alive at the very end (always empty, otherwise stop() throws). */
  left: ProcInfo[];
}

export interface VSCodeSession {
  page: Page;
  browser: Browser;
  server: CodeServer;
  profile: Profile;
  runId: string;
  /** Every live process this session started (code-server, extension host, Chromium, their children). */
  processes(): ProcInfo[];
  /** Closes the browser, kills code-server's group, SIGKILLs any stray, and throws if anything is left. */
  stop(): Promise<StopReport>;
}

export async function startVSCode(opts: StartOptions): Promise<VSCodeSession> {
  const runId = randomUUID();
  const profile = createProfile(opts.settings);
  const keep = opts.keep ?? process.env.SKR8TR_E2E_KEEP === '1';
  let server: CodeServer;
  try {
    for (const vsix of opts.vsix ?? []) installVsix(profile, vsix);
    server = await startCodeServer(profile, { runId, env: opts.env });
  } catch (err) {
    if (!keep) fs.rmSync(profile.root, { recursive: true, force: true });
    throw err;
  }
  let browser: Browser | undefined;
  let stopped: Promise<StopReport> | undefined;

  const stop = (): Promise<StopReport> => {
    if (stopped) return stopped;
    stopped = (async () => {
      await browser?.close().catch(() => undefined);
      await stopCodeServer(server);
      // Anything still carrying the marker left the group (a daemon that called setsid, or the
      // browser did not exit): SIGTERM, then SIGKILL what is still there after 3 s.
      const allGone = () => processesWithMarker(runId).length === 0;
      const strays = processesWithMarker(runId);
      for (const p of strays) killQuietly(p.pid, 'SIGTERM');
      let left: ProcInfo[] = [];
      try {
        await waitFor('stray processes to exit after SIGTERM', allGone, 3_000, 50);
      } catch {
        for (const p of processesWithMarker(runId)) killQuietly(p.pid, 'SIGKILL');
        await waitFor('stray processes to exit after SIGKILL', allGone, 5_000, 50).catch(() => (left = processesWithMarker(runId)));
      }
      if (!keep) fs.rmSync(profile.root, { recursive: true, force: true });
      if (left.length > 0) throw new Error(`processes left after stop(): ${JSON.stringify(left)}`);
      return { strays, left };
    })();
    return stopped;
  };

  try {
    browser = await launchBrowser(profile, runId);
    const page = await openWorkbench(browser, server, opts.workspace);
    return { page, browser, server, profile, runId, processes: () => processesWithMarker(runId), stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// UI helpers. Selectors are VS Code 1.99's; Playwright's CSS engine pierces the (open) shadow root
// VS Code renders context menus in.

/** Escapes a string for use inside a RegExp. */
function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The explorer row of a file or folder shown under its exact name (the tree must show it: expand parents first). */
export function explorerRow(page: Page, name: string): Locator {
  return page.locator('.explorer-folders-view .monaco-list-row').filter({
    has: page.locator('.label-name', { hasText: new RegExp(`^${reEscape(name)}$`) }),
  });
}

/** Shows the Explorer view (if not shown) and waits for `name` to appear in it. */
export async function revealInExplorer(page: Page, name: string, timeoutMs = 20_000): Promise<Locator> {
  const explorer = page.locator('.explorer-folders-view');
  if (!(await explorer.isVisible())) await page.keyboard.press('Control+Shift+E');
  const row = explorerRow(page, name);
  await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
  return row.first();
}

/** An entry of the open context menu, by its title as shown (context menus show a command's title without its category). */
export function menuEntry(page: Page, title: string): Locator {
  return page.locator('.monaco-menu .action-item:not(.disabled) .action-label', { hasText: new RegExp(`^\\s*${reEscape(title)}\\s*$`) });
}

/**
 * Right-clicks `fileName` in the explorer and clicks the context-menu entry `entryTitle`. The menu
 * entry of an extension appears only once the extension's contributions are registered, so this
 * re-opens the menu (Escape, right-click) until the entry shows up or the deadline passes.
 * `beforeClick` runs while the menu is open (e.g. a screenshot). Returns how many times the menu
 * was opened.
 */
export async function explorerContextMenu(
  page: Page,
  fileName: string,
  entryTitle: string,
  opts: { timeoutMs?: number; beforeClick?: () => Promise<unknown> } = {},
): Promise<number> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let attempts = 0;
  const row = await revealInExplorer(page, fileName, timeoutMs);
  const entry = menuEntry(page, entryTitle);
  try {
    await waitFor(`"${entryTitle}" in the context menu of ${fileName}`, async () => {
      await closeMenu(page);
      attempts++;
      await row.click({ button: 'right' });
      await page.locator('.monaco-menu .action-item').first().waitFor({ state: 'visible', timeout: 5_000 });
      return entry.first().isVisible();
    }, timeoutMs, 250);
  } catch (err) {
    await closeMenu(page).catch(() => undefined); // leave the UI usable for the next step / screenshot
    throw err;
  }
  await opts.beforeClick?.();
  // VS Code ignores a click that comes too soon after the menu opened (so the right-click's own
  // release cannot pick an entry). A click it takes closes the menu at once; one it ignored leaves
  // the menu open, so clicking again cannot run the command twice.
  await entry.first().hover();
  for (let i = 0; ; i++) {
    await entry.first().click();
    const closed = await page.locator('.monaco-menu').waitFor({ state: 'hidden', timeout: 2_000 }).then(() => true, () => false);
    if (closed) break;
    if (i >= 4) throw new Error(`the context menu stayed open after clicking "${entryTitle}" ${i + 1} times`);
  }
  return attempts;
}

/** The titles of the context menu of `fileName` in the explorer (the menu is closed again). */
export async function explorerMenuTitles(page: Page, fileName: string): Promise<string[]> {
  const row = await revealInExplorer(page, fileName);
  await row.click({ button: 'right' });
  const labels = page.locator('.monaco-menu .action-item .action-label');
  await labels.first().waitFor({ state: 'visible' });
  const titles = (await labels.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  await closeMenu(page);
  return titles;
}

/** Closes an open context menu (Escape) and waits until it is gone. */
export async function closeMenu(page: Page): Promise<void> {
  const menu = page.locator('.monaco-menu');
  if (!(await menu.isVisible())) return;
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden', timeout: 5_000 });
}

/**
 * Runs a command from the command palette (F1) by the label it shows there, e.g. "View: Toggle Output".
 * The palette lists the commands whose `when` holds as it opens: one that holds only moments later
 * (a context key set just after start-up) shows on the next opening, so it opens again until it does.
 */
export async function runCommand(page: Page, label: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const item = page.locator('.quick-input-widget .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${reEscape(label)}$`) }),
  });
  await closeMenu(page);
  await waitFor(`"${label}" in the command palette`, async () => {
    // F1 is lost while focus is nowhere the workbench listens (e.g. just after a menu closed): retry.
    if (!(await input.isVisible())) await page.keyboard.press('F1');
    if (!(await input.waitFor({ state: 'visible', timeout: 1_000 }).then(() => true, () => false))) return false;
    await input.fill(`>${label}`);
    if (await item.first().waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false)) return true;
    await page.keyboard.press('Escape');
    await input.waitFor({ state: 'hidden', timeout: 2_000 }).catch(() => {});
    return false;
  }, 30_000, 100);
  await item.first().click();
  // The palette closes; a command that asks something opens a quick input of its own at once, in
  // the same widget, so what is awaited is that the palette's command text is gone.
  await waitFor(`the command palette to close after "${label}"`, async () => !(await input.isVisible()) || !(await input.inputValue().catch(() => '')).startsWith('>'), 15_000, 50);
}

/**
 * Chooses a colour theme as a user does (Preferences: Color Theme), and waits until the workbench
 * wears it: `workbenchClass` is the class VS Code gives the workbench for its kind (`vs-dark`, `vs`,
 * `hc-black`, `hc-light`).
 */
export async function setColorTheme(page: Page, theme: string, workbenchClass: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.locator('.quick-input-widget .quick-input-box input[placeholder^="Select Color Theme"]').waitFor({ state: 'visible' });
  // Each row's aria-label is the theme's label, then its id (`theme`), then its group's name:
  // "Dark High Contrast, Default High Contrast, high contrast themes". The list fills in once the
  // themes are known.
  const rows = page.locator(`.quick-input-widget .monaco-list-row[aria-label*=", ${theme.replace(/["\\]/g, '\\$&')}"]`);
  await waitFor(`"${theme}" in the theme picker`, async () => {
    for (const r of await rows.all()) {
      const label = (await r.getAttribute('aria-label')) ?? '';
      if (new RegExp(`, ${reEscape(theme)}(,|$)`).test(label)) {
        await r.click();
        return true;
      }
    }
    return false;
  }, 30_000, 200);
  await input.waitFor({ state: 'hidden' });
  await page.locator(`.monaco-workbench.${workbenchClass}`).waitFor({ state: 'attached', timeout: 30_000 });
}

/**
 * Shows a view container of the activity bar (opens it; never closes it), by its entry's aria-label:
 * a contributed container's title ("Smoke"), or a built-in one without its keybinding ("Explorer"
 * matches "Explorer (Ctrl+Shift+E)"). A click on the entry toggles, and after a window reload VS
 * Code restores an open side bar on its own at a moment of its choosing: so look at what the side
 * bar shows, click only when it shows something else, and look again.
 */
export async function clickActivityBar(page: Page, label: string): Promise<void> {
  const q = label.replace(/["\\]/g, '\\$&');
  const entry = page.locator(`.activitybar .action-item a.action-label[aria-label="${q}"], .activitybar .action-item a.action-label[aria-label^="${q} ("]`);
  const title = page.locator('.part.sidebar .composite.title .title-label h2', { hasText: new RegExp(`^\\s*${reEscape(label)}\\s*$`, 'i') });
  // A workbench still activating extensions on a busy machine may not take a click at once: try again.
  const deadline = Date.now() + 45_000;
  let attempts = 0;
  while (Date.now() < deadline) {
    if (await title.isVisible().catch(() => false)) return;
    attempts++;
    await entry.first().click({ timeout: 5_000 }).catch(() => undefined);
    if (await title.waitFor({ state: 'visible', timeout: 2_000 }).then(() => true, () => false)) return;
  }
  throw new Error(`the side bar did not show ${label} after ${attempts} clicks on its activity bar entry`);
}

export interface TreeRow {
  /** The row's aria-label (what screen readers read: label and description). */
  label: string;
  /** The visible text of the row. */
  text: string;
  /** 1-based nesting level. */
  level: number;
  /** true/false for collapsible rows, undefined for leaves. */
  expanded: boolean | undefined;
}

/**
 * The rendered rows of a view's tree: the pane whose header shows `viewTitle` (e.g. "Workloads";
 * matched on text, so it also works when a container with a single view hides that header), or
 * every pane of the side bar when omitted. Lists are virtualised: only rows in view are in the DOM.
 */
export async function treeRows(page: Page, viewTitle?: string): Promise<TreeRow[]> {
  const panes = viewTitle
    ? page.locator('.pane', { has: page.locator('.pane-header', { hasText: new RegExp(`^\\s*${reEscape(viewTitle)}\\b`, 'i') }) })
    : page.locator('.sidebar .pane');
  const rows = panes.locator('.pane-body .monaco-list-row');
  const out: TreeRow[] = [];
  for (const row of await rows.all()) {
    const expanded = await row.getAttribute('aria-expanded');
    out.push({
      label: ((await row.getAttribute('aria-label')) ?? '').trim(),
      text: (await row.innerText()).replace(/\s+/g, ' ').trim(),
      level: Number((await row.getAttribute('aria-level')) ?? '1'),
      expanded: expanded === null ? undefined : expanded === 'true',
    });
  }
  return out;
}

/** Opens the Output panel (if needed) and selects the channel `name` in its channel dropdown. */
export async function showOutputChannel(page: Page, name: string, timeoutMs = 20_000): Promise<void> {
  const view = page.locator('.output-view');
  if (!(await view.isVisible())) await runCommand(page, 'View: Toggle Output');
  await view.waitFor({ state: 'visible' });
  const select = page.locator('.panel select.monaco-select-box').first();
  await waitFor(`output channel "${name}" in the channel list`, async () => {
    const options = await select.locator('option').allTextContents();
    return options.includes(name);
  }, timeoutMs);
  // A real <select> behind VS Code's custom drop-down: selectOption fires the change event it listens to.
  await select.selectOption({ label: name });
  await waitFor(`output channel "${name}" to be selected`, async () => (await selectedLabel(select)) === name, 5_000);
}

async function selectedLabel(select: Locator): Promise<string> {
  return select.evaluate((el: { selectedIndex: number; options: ArrayLike<{ text: string }> }) => el.options[el.selectedIndex]?.text ?? '');
}

/**
 * The text of the output channel `name` as the Output panel shows it: rendered lines in order of
 * their position. Only lines in view are rendered, and the Output view wraps long lines, so a
 * wrapped line comes back as several — readOutputChannelLog gives the whole text, unwrapped.
 */
export async function readOutputChannel(page: Page, name: string): Promise<string> {
  await showOutputChannel(page, name);
  const lines = await page.locator('.output-view .view-lines .view-line').evaluateAll((els: Array<{ style: { top: string }; textContent: string | null }>) =>
    els.map((e) => ({ top: parseFloat(e.style.top) || 0, text: e.textContent ?? '' })),
  );
  return lines
    .sort((a, b) => a.top - b.top)
    .map((l) => l.text.replace(/\u00a0/g, ' '))
    .join('\n');
}

/** Polls the Output panel until channel `name` contains `expected`; returns the text. */
export async function waitForOutput(page: Page, name: string, expected: string | RegExp, timeoutMs = 20_000): Promise<string> {
  await showOutputChannel(page, name, timeoutMs);
  const matches = (t: string) => (typeof expected === 'string' ? t.includes(expected) : expected.test(t));
  return waitFor(`output channel "${name}" to show ${String(expected)}`, async () => {
    const text = await readOutputChannel(page, name);
    return matches(text) ? text : false;
  }, timeoutMs, 200);
}

export interface Problem {
  /** aria-label of the row: "Warning: smoke says hello at line 1 and character 1." for a marker, "1 problems in file a.txt of folder ." for a file. */
  label: string;
  /** Visible text: "smoke says hello [Ln 1, Col 1]" for a marker, "a.txt 1" for a file. */
  text: string;
  /** Set for a marker row, undefined for a file row. */
  severity: 'Error' | 'Warning' | 'Info' | undefined;
}

/** Opens the Problems panel and returns its rendered rows (file rows and marker rows). */
export async function readProblems(page: Page): Promise<Problem[]> {
  const view = page.locator('.markers-panel');
  if (!(await view.isVisible())) await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  await view.waitFor({ state: 'visible' });
  const out: Problem[] = [];
  for (const row of await view.locator('.monaco-list-row').all()) {
    const label = ((await row.getAttribute('aria-label')) ?? '').trim();
    const severity = /^(Error|Warning|Info):/.exec(label)?.[1] as Problem['severity'];
    out.push({ label, text: (await row.innerText()).replace(/\s+/g, ' ').trim(), severity });
  }
  return out;
}

/** Saves a full-page PNG to test-results/<sub>/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string, sub = 'e2e'): Promise<string> {
  const file = path.join(resultsDir(sub), `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file });
  return file;
}

// ---------------------------------------------------------------------------------------------
// Logs on disk

/** Files under <user-data-dir>/logs/<session>/ matching `test`, newest session first. */
function sessionLogs(userDataDir: string, test: (rel: string) => boolean): string[] {
  const logs = path.join(userDataDir, 'logs');
  if (!fs.existsSync(logs)) return [];
  const out: string[] = [];
  for (const session of fs.readdirSync(logs).sort().reverse()) {
    const base = path.join(logs, session);
    for (const rel of fs.readdirSync(base, { recursive: true }) as string[]) {
      if (test(rel)) out.push(path.join(base, rel));
    }
  }
  return out;
}

/** The extension host's log (<user-data-dir>/logs/<time>/exthost<N>/remoteexthost.log) of the newest session, if written yet. */
export function extensionHostLog(userDataDir: string): string | undefined {
  return sessionLogs(userDataDir, (rel) => /^exthost\d*[/\\]remoteexthost\.log$/.test(rel))[0];
}

/**
 * The whole text of an extension's output channel from disk: VS Code writes each channel made by
 * createOutputChannel to <user-data-dir>/logs/<time>/exthost<N>/output_logging_<time>/<n>-<name>.log.
 * Unlike readOutputChannel this is not limited to the lines in view. undefined until it exists.
 */
export function readOutputChannelLog(userDataDir: string, name: string): string | undefined {
  const re = new RegExp(`^exthost\\d*[/\\\\]output_logging_[^/\\\\]+[/\\\\]\\d+-${reEscape(name)}\\.log$`);
  const file = sessionLogs(userDataDir, (rel) => re.test(rel))[0];
  return file ? fs.readFileSync(file, 'utf8') : undefined;
}

/**
 * The whole text of an extension's log output channel (`createOutputChannel(name, { log: true })`)
 * as VS Code writes it to <user-data-dir>/logs/<time>/exthost<N>/<extension id>/<name>.log, or ''.
 */
export function readLogChannel(userDataDir: string, extensionId: string, name: string): string {
  const re = new RegExp(`^exthost\\d*[/\\\\]${reEscape(extensionId)}[/\\\\]${reEscape(name)}\\.log$`);
  const file = sessionLogs(userDataDir, (rel) => re.test(rel))[0];
  return file ? fs.readFileSync(file, 'utf8') : '';
}

/** Opens a workspace file in the editor through Quick Open, and puts the cursor in it. */
export async function openInEditor(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible' });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
}

/** In the active editor, as a user would: Find and Replace (every occurrence), then save. */
export async function replaceAllAndSave(page: Page, from: string, to: string): Promise<void> {
  await page.keyboard.press('Control+H');
  const find = page.locator('.editor-widget.find-widget textarea[aria-label="Find"], .editor-widget.find-widget input[aria-label="Find"]').first();
  await find.waitFor({ state: 'visible' });
  await find.fill(from);
  const replace = page.locator('.editor-widget.find-widget textarea[aria-label="Replace"], .editor-widget.find-widget input[aria-label="Replace"]').first();
  await replace.fill(to);
  await page.keyboard.press('Control+Alt+Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+S');
}

/** The text the visible terminal shows (its DOM renderer: set `terminal.integrated.gpuAcceleration` off). */
export async function terminalText(page: Page): Promise<string> {
  const rows = page.locator('.terminal-wrapper.active .xterm-rows, .terminal-wrapper .xterm-rows').first();
  return (await rows.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
}
