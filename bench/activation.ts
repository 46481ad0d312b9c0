// Extension activation time, as VS Code itself measures it ("Developer: Show Running Extensions"),
// in a real VS Code (code-server) with the packaged .vsix, opening a workspace with a manifest, in
// fresh sessions; plus the bundle and package sizes. `npm run bench:activation` (packages first);
// writes bench/results/activation.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, runCommand, startVSCode, waitFor } from '../test/e2e/vscode';
import { median, writeResults } from './lib/results';

async function once(vsix: string): Promise<number> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-activation-'));
  fs.writeFileSync(path.join(ws, 'a.skr8tr'), 'app a\n  exec /bin/true\n');
  const session = await startVSCode({ workspace: ws, vsix: [vsix], env: { SKR8TR_HOME: path.join(ws, 'home') }, settings: { 'workbench.editorAssociations': {} } });
  try {
    const { page } = session;
    // Opening the manifest activates the extension (onLanguage:skr8tr).
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill('a.skr8tr');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'a.skr8tr' }).first().waitFor();
    await page.keyboard.press('Enter');
    await runCommand(page, 'Developer: Show Running Extensions');
    const text = await waitFor('the activation time of Skr8tr', async () => {
      const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'Skr8tr' }).first();
      if (!(await row.count())) return null;
      const t = await row.innerText();
      return /Activation:?\s*\d+/.test(t.replace(/\s+/g, ' ')) ? t.replace(/\s+/g, ' ') : null;
    }, 60_000, 250);
    return Number(/Activation:?\s*(\d+)\s*ms/.exec(text)![1]);
  } finally {
    await session.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.join(ROOT, `skr8tr-${version}.vsix`);
  if (!fs.existsSync(vsix)) throw new Error(`no ${vsix}: run npm run package first`);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    times.push(await once(vsix));
    console.log(`session ${i + 1}: activation ${times.at(-1)} ms`);
  }
  const sizes = Object.fromEntries(['extension.js', 'conductor.js', 'agent.js', 'cli.js'].map((f) => [f, fs.statSync(path.join(ROOT, 'dist', f)).size]));
  const vsixBytes = fs.statSync(vsix).size;
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const summary = [
    `extension activation (VS Code's own measure, 5 fresh sessions, opening a .skr8tr file): median ${median(times)} ms (${times.join(', ')} ms)`,
    `bundles: ${Object.entries(sizes).map(([f, n]) => `${f} ${kib(n)}`).join(', ')}; ${path.basename(vsix)} ${kib(vsixBytes)}`,
  ];
  for (const s of summary) console.log(s);
  console.log(`wrote ${writeResults('activation', { activationMs: times, bundleBytes: sizes, vsixBytes }, summary)}`);
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
