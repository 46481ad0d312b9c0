// test/e2e/smoke.ts — proves the end-to-end harness (test/e2e/vscode.ts) works on this machine:
// packages the throwaway extension in test/e2e/smoke-extension with vsce, installs it into a fresh
// code-server, opens a workspace holding a.txt, right-clicks a.txt, chooses "Hello", and checks
// that the output channel "Smoke" shows "hello from smoke a.txt"; then that b.md's menu lacks
// "Hello", that Problems shows the warning the command set, and that the extension's own view lists
// its two rows (this covers every UI helper). Screenshots go to test-results/e2e-smoke/.
//
//   scripts/setup.sh          # once (as root: Debian packages)
//   npx tsx test/e2e/smoke.ts     # exit 0 when it passed
//
// runSmoke() is exported so a mocha suite can call it too.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ROOT,
  clickActivityBar,
  explorerContextMenu,
  explorerMenuTitles,
  extensionHostLog,
  readOutputChannelLog,
  readProblems,
  resultsDir,
  revealInExplorer,
  screenshot,
  startVSCode,
  treeRows,
  waitFor,
  waitForOutput,
  type StopReport,
  type VSCodeSession,
} from './vscode';

const EXTENSION_DIR = path.join(__dirname, 'smoke-extension');
const SHOTS = 'e2e-smoke';

/** Packages the smoke extension into `outDir` with the project's pinned vsce; returns the .vsix path. */
export function packageSmokeExtension(outDir: string): string {
  const vsix = path.join(outDir, 'smoke.vsix');
  const vsce = path.join(ROOT, 'node_modules', '.bin', 'vsce');
  // --allow-missing-repository / --skip-license: otherwise vsce asks y/N questions on stdin.
  const res = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix], {
    cwd: EXTENSION_DIR,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  if (res.status !== 0 || !fs.existsSync(vsix)) {
    throw new Error(`vsce package failed (exit ${res.status}${res.error ? `, ${res.error.message}` : ''}):\n${res.stdout}${res.stderr}`);
  }
  return vsix;
}

export interface SmokeResult {
  /** Milliseconds since the start at each step. */
  ms: Record<string, number>;
  /** How many times the context menu was opened before "Hello" was in it. */
  menuOpenings: number;
  output: string;
  stop: StopReport;
}

export async function runSmoke(): Promise<SmokeResult> {
  const t0 = Date.now();
  const ms: Record<string, number> = {};
  const mark = (step: string) => (ms[step] = Date.now() - t0);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-e2e-smoke-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'a.txt'), 'a text file\n');
  fs.writeFileSync(path.join(workspace, 'b.md'), '# not a text file for the menu\n');
  for (const f of fs.readdirSync(resultsDir(SHOTS))) fs.rmSync(path.join(resultsDir(SHOTS), f), { force: true });

  try {
    const vsix = packageSmokeExtension(tmp);
    mark('packaged');
    const session = await startVSCode({ workspace, vsix: [vsix] });
    mark('workbench');
    try {
      return await drive(session, mark, ms);
    } catch (err) {
      await screenshot(session.page, 'failure', SHOTS).catch(() => undefined);
      throw err;
    } finally {
      await session.stop().catch((err) => console.error(`stop failed: ${err}`)); // no-op when drive() stopped it
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The UI part of the smoke test, on a running session; stops the session at the end. */
async function drive(session: VSCodeSession, mark: (step: string) => void, ms: Record<string, number>): Promise<SmokeResult> {
  const { page, profile } = session;
  await revealInExplorer(page, 'a.txt');
  await screenshot(page, '1-workbench', SHOTS);

  const menuOpenings = await explorerContextMenu(page, 'a.txt', 'Hello', { beforeClick: () => screenshot(page, '2-context-menu', SHOTS) });
  mark('command');

  const output = await waitForOutput(page, 'Smoke', 'hello from smoke a.txt');
  mark('output');
  await screenshot(page, '3-output', SHOTS);
  assert.match(output, /^hello from smoke a\.txt$/m);

  // The menu entry is contributed for *.txt only.
  const mdMenu = await explorerMenuTitles(page, 'b.md');
  assert.ok(mdMenu.length > 0 && !mdMenu.includes('Hello'), `b.md's menu should not offer Hello: ${JSON.stringify(mdMenu)}`);

  // The command also put a warning on a.txt.
  const problems = await waitFor('the smoke warning in Problems', async () => {
    const rows = await readProblems(page);
    return rows.some((r) => r.severity === 'Warning' && r.text.startsWith('smoke says hello')) && rows;
  });
  await screenshot(page, '4-problems', SHOTS);
  assert.ok(problems.some((r) => r.severity === undefined && r.text.startsWith('a.txt')), JSON.stringify(problems));

  // The contributed view container and its tree.
  await clickActivityBar(page, 'Smoke');
  const rows = await waitFor('the rows of the Items view', async () => {
    const r = await treeRows(page, 'Items');
    return r.length === 2 && r;
  });
  await screenshot(page, '5-view', SHOTS);
  assert.deepEqual(rows.map((r) => r.label), ['alpha', 'beta']);
  mark('checks');

  // The same line, from the channel's file on disk (the whole text, not just the lines in view).
  const onDisk = await waitFor('the Smoke channel log on disk', () => readOutputChannelLog(profile.userDataDir, 'Smoke')?.includes('hello from smoke a.txt'), 10_000);
  assert.ok(onDisk);
  const exthost = extensionHostLog(profile.userDataDir);
  assert.ok(exthost && /skr8tr-e2e\.smoke/.test(fs.readFileSync(exthost, 'utf8')), `extension host log should mention the extension (${exthost})`);

  // The run marker reached code-server's extension host and Chromium: stop() will find them.
  const running = session.processes().map((p) => p.cmd);
  assert.ok(running.some((c) => c.includes('--type=extensionHost')), `no extension host among ${JSON.stringify(running)}`);
  assert.ok(running.some((c) => c.includes('chromium')), `no Chromium among ${JSON.stringify(running)}`);
  const stop = await session.stop();
  mark('stopped');
  assert.deepEqual(stop.left, []);
  assert.deepEqual(session.processes(), []);
  return { ms, output, stop, menuOpenings };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  runSmoke().then(
    ({ ms, output, stop, menuOpenings }) => {
      console.log(`smoke: PASS in ${ms.stopped} ms`);
      console.log(`  context menu opened ${menuOpenings} time(s) before "Hello" was in it`);
      console.log(`  steps (ms since start): ${JSON.stringify(ms)}`);
      console.log(`  output channel "Smoke": ${JSON.stringify(output)}`);
      console.log(`  processes left after stop: ${stop.left.length} (strays killed: ${stop.strays.length})`);
      console.log(`  screenshots: ${path.relative(ROOT, resultsDir(SHOTS))}/`);
    },
    (err) => {
      console.error(`smoke: FAIL: ${err instanceof Error ? err.stack : err}`);
      process.exitCode = 1;
    },
  );
}
