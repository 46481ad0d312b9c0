// `npm run package`: the .vsix, made with @vscode/vsce from the esbuild bundles and the allow-listed
// files in .vscodeignore (nothing from node_modules ships; no source map or metafile). Prints its
// size and its file list; fails if a source, a map or a metafile got in, or a bundle did not.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { name, version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.join(root, `${name}-${version}.vsix`);
const vsce = path.join(root, 'node_modules', '.bin', 'vsce');

execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
execFileSync(vsce, ['package', '--no-dependencies', '--out', out], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
const files = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' }).trim().split('\n').sort();
const bad = files.filter((f) => f.startsWith('node_modules/') || f.startsWith('src/') || f.startsWith('test/') || f.startsWith('dist/meta/') || f.endsWith('.map'));
// Every bundle, the webview's page scripts in dist/webview too.
const bundles = fs.readdirSync(path.join(root, 'dist'), { recursive: true }).map(String).filter((f) => f.endsWith('.js')).map((f) => `dist/${f.split(path.sep).join('/')}`);
const missing = bundles.filter((f) => !files.includes(f));
const size = fs.statSync(out).size;
console.log(`${path.relative(root, out)}: ${(size / 1024).toFixed(0)} KiB, ${files.length} files`);
for (const f of files) console.log(`  ${f}`);
if (bad.length > 0) {
  console.error(`these files must not ship: ${bad.join(', ')}`);
  process.exit(1);
}
if (missing.length > 0) {
  console.error(`these bundles are not in the package (add them to .vscodeignore): ${missing.join(', ')}`);
  process.exit(1);
}
