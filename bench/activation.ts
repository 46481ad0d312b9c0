// Extension activation time, as VS Code itself measures it ("Developer: Show Running Extensions"),
// in a real VS Code (code-server) with the packaged .vsix, opening a workspace with a manifest, in
// fresh sessions; plus the size of every bundle and of the package, and what fills each bundle (by
// npm package or room of src/, from the esbuild metafiles in dist/meta). `npm run bench:activation`
// (packages first; `-- --sessions N` for other than 5 sessions; `-- --baseline OTHER.vsix` alternates
// sessions of another build, say one of an earlier commit, so that both see the same machine);
// writes bench/results/activation.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, runCommand, startVSCode, waitFor } from '../test/e2e/vscode';
import { describeBundle, kib, readBundles } from '../scripts/bundle-contents';
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

/** The largest origins of each bundle kept in the results. */
const TOP_ORIGINS = 8;

async function main(): Promise<void> {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.join(ROOT, `skr8tr-${version}.vsix`);
  if (!fs.existsSync(vsix)) throw new Error(`no ${vsix}: run npm run package first`);
  const at = process.argv.indexOf('--sessions');
  const sessions = at >= 0 ? Number(process.argv[at + 1]) : 5;
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 50) throw new Error(`--sessions takes a whole number from 1 to 50, not ${process.argv[at + 1]}`);
  const b = process.argv.indexOf('--baseline');
  const baseline = b >= 0 ? path.resolve(process.argv[b + 1] ?? '') : null;
  if (baseline !== null && !fs.existsSync(baseline)) throw new Error(`--baseline: no file ${baseline}`);
  const bundles = readBundles();
  const times: number[] = [];
  const baselineTimes: number[] = [];
  for (let i = 0; i < sessions; i++) {
    times.push(await once(vsix));
    if (baseline) baselineTimes.push(await once(baseline));
    console.log(`session ${i + 1}: activation ${times.at(-1)} ms${baseline ? `, baseline ${baselineTimes.at(-1)} ms` : ''}`);
  }
  const sizes = Object.fromEntries(Object.values(bundles).map((c) => [path.relative('dist', c.file), fs.statSync(path.join(ROOT, c.file)).size]));
  const contents = Object.fromEntries(Object.values(bundles).map((c) => [path.relative('dist', c.file), c.origins.slice(0, TOP_ORIGINS)]));
  const vsixBytes = fs.statSync(vsix).size;
  const summary = [
    `extension activation (VS Code's own measure, ${sessions} fresh sessions, opening a .skr8tr file): median ${median(times)} ms (${times.join(', ')} ms)`,
    ...(baseline
      ? [`baseline ${path.basename(baseline)} (${kib(fs.statSync(baseline).size)}), sessions alternated with the above: median ${median(baselineTimes)} ms (${baselineTimes.join(', ')} ms)`]
      : []),
    `bundles: ${Object.entries(sizes).map(([f, n]) => `${f} ${kib(n)}`).join(', ')}; ${path.basename(vsix)} ${kib(vsixBytes)}`,
  ];
  for (const s of summary) console.log(s);
  for (const c of Object.values(bundles)) console.log(`  ${describeBundle(c)}`);
  console.log(`wrote ${writeResults('activation', { activationMs: times, ...(baseline ? { baselineActivationMs: baselineTimes, baselineVsixBytes: fs.statSync(baseline).size } : {}), bundleBytes: sizes, vsixBytes, contents }, summary)}`);
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
