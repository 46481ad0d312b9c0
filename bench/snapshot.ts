// What capturing a generation's build output costs (src/conductor/snapshots.ts), and why it copies:
// the real capture (a copy that asks for copy-on-write clones) against a tree of hard links, for a
// typical front-end `dist` and for a node_modules-sized tree (this project's own node_modules).
// `npm run bench:snapshot`; writes bench/results/snapshot.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Snapshots } from '../src/conductor/snapshots';
import { SinkLogger } from '../src/shared/logger';
import { median, writeResults } from './lib/results';

const ROOT = path.resolve(__dirname, '..');
const RUNS = 3;

/** A Vite-like dist: an index, hashed chunks and assets of realistic sizes. */
function makeDist(dir: string): void {
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/index-3f9a.js"></script>');
  let seed = 1;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => (seed = (seed * 48271) % 2147483647) & 0xff));
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(dir, 'assets', `chunk-${i}-${(i * 7919).toString(16)}.js`), bytes(5_000 + i * 9_000));
  for (let i = 0; i < 19; i++) fs.writeFileSync(path.join(dir, 'assets', `image-${i}.png`), bytes(10_000 + i * 15_000));
}

function treeSize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return { files, bytes };
}

/** The alternative: a tree of hard links (symlinks kept as they are). */
function linkTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isDirectory()) linkTree(a, b);
    else if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(a), b);
    else fs.linkSync(a, b);
  }
}

async function measure(label: string, source: string, work: string) {
  const snapshots = new Snapshots(path.join(work, 'builds'), new SinkLogger(() => {}, 'error'));
  const copyMs: number[] = [];
  const linkMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    const dir = await snapshots.capture(label, i + 1, source);
    copyMs.push(performance.now() - t);
    fs.rmSync(dir, { recursive: true, force: true });
    t = performance.now();
    linkTree(source, path.join(work, 'links', String(i)));
    linkMs.push(performance.now() - t);
    fs.rmSync(path.join(work, 'links', String(i)), { recursive: true, force: true });
  }
  return { tree: label, ...treeSize(source), copyMs: +median(copyMs).toFixed(1), hardLinksMs: +median(linkMs).toFixed(1), copyRuns: copyMs.map((x) => +x.toFixed(1)), hardLinkRuns: linkMs.map((x) => +x.toFixed(1)) };
}

/** Whether a hard-linked capture changes when a builder rewrites a file in place (open, truncate, write). */
function hardLinksShareInPlaceWrites(work: string): boolean {
  const out = path.join(work, 'inplace-out');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'server.js'), 'generation 1');
  linkTree(out, path.join(work, 'inplace-capture'));
  fs.writeFileSync(path.join(out, 'server.js'), 'generation 2'); // what tsc, cp and many tools do
  return fs.readFileSync(path.join(work, 'inplace-capture', 'server.js'), 'utf8') === 'generation 2';
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-bench-snapshot-'));
  try {
    const dist = path.join(work, 'dist');
    makeDist(dist);
    const results = {
      fileSystem: fs.statfsSync(work).type,
      trees: [await measure('dist', dist, work), await measure('node_modules', path.join(ROOT, 'node_modules'), work)],
      hardLinksShareInPlaceWrites: hardLinksShareInPlaceWrites(work),
    };
    const summary = results.trees.map(
      (t) => `${t.tree}: ${t.files} files, ${(t.bytes / 1024 ** 2).toFixed(1)} MiB — copy (the capture) ${t.copyMs} ms, hard links ${t.hardLinksMs} ms (medians of ${RUNS})`,
    );
    summary.push(`a hard-linked capture ${results.hardLinksShareInPlaceWrites ? 'CHANGES' : 'does not change'} when a builder rewrites a file in place`);
    const file = writeResults('snapshot', results, summary);
    for (const line of summary) console.log(line);
    console.log(`wrote ${file}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main();
