// What is inside a bundle, from its esbuild metafile (dist/meta/NAME.json, written by every build):
// the bytes each package or room of the source contributes to the output. Read by `npm run size`,
// by bench/activation.ts for its results, and by the unit test that keeps daemon code out of the
// extension.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The part of an esbuild metafile read here. */
export interface Metafile {
  outputs: Record<string, { bytes: number; entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

export interface BundleContents {
  /** The output file, relative to the project (`dist/extension.js`, `dist/webview/timeline.js`). */
  file: string;
  /** The bundle's size (the .js file, without its source map). */
  bytes: number;
  /** Bytes in the output by origin, largest first: an npm package by name, or a room of src/ (`src/conductor`, `src/shared/manifest`). */
  origins: { origin: string; bytes: number }[];
  /** Every input file that contributed bytes (paths relative to the project). */
  inputs: string[];
}

export const ROOT = path.resolve(__dirname, '..');
export const META_DIR = path.join(ROOT, 'dist/meta');

/** Where an input comes from: its npm package, or its room of src/. */
export function originOf(input: string): string {
  // The innermost package: a dependency's own nested copy of another counts as that other one.
  const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)(?!.*\/node_modules\/)/.exec(input);
  if (pkg) return pkg[1]!;
  const parts = input.split('/');
  if (parts[0] === 'src') {
    // src/shared holds several rooms (manifest, protocol, platform) and loose files.
    if (parts[1] === 'shared' && parts.length > 3) return parts.slice(0, 3).join('/');
    return parts.slice(0, 2).join('/');
  }
  return input;
}

export function bundleContents(meta: Metafile): BundleContents {
  const output = Object.entries(meta.outputs).find(([file, o]) => o.entryPoint !== undefined && file.endsWith('.js'));
  if (!output) throw new Error('the metafile names no JavaScript output with an entry point');
  const byOrigin = new Map<string, number>();
  const inputs: string[] = [];
  for (const [input, { bytesInOutput }] of Object.entries(output[1].inputs)) {
    if (bytesInOutput === 0) continue;
    inputs.push(input);
    const origin = originOf(input);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + bytesInOutput);
  }
  const origins = [...byOrigin].map(([origin, bytes]) => ({ origin, bytes })).sort((a, b) => b.bytes - a.bytes || a.origin.localeCompare(b.origin));
  return { file: output[0], bytes: output[1].bytes, origins, inputs };
}

/** Every bundle's contents, by bundle name, from dist/meta (run `npm run build` first). */
export function readBundles(dir = META_DIR): Record<string, BundleContents> {
  if (!fs.existsSync(dir)) throw new Error(`no ${path.relative(ROOT, dir)}: run npm run build first`);
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return Object.fromEntries(names.map((f) => [f.slice(0, -'.json'.length), bundleContents(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Metafile)]));
}

export const kib = (bytes: number): string => (bytes < 512 ? '<1 KiB' : `${(bytes / 1024).toFixed(0)} KiB`);

/** One line a bundle: its size, then its largest origins. */
export function describeBundle(c: BundleContents, top = 6): string {
  return `${path.relative('dist', c.file)} ${kib(c.bytes)}: ${c.origins.slice(0, top).map((o) => `${o.origin} ${kib(o.bytes)}`).join(', ')}`;
}
