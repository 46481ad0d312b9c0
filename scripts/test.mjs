// `npm test`: first the setup (scripts/setup.sh: the Debian packages and code-server the layers use,
// installed when missing; where that cannot be done it fails at once, naming the packages), then every
// test layer in order, each within its own time bound (a layer that overstays is stopped and fails
// loudly, naming itself) and proven to leave no process behind (scripts/bounded.mjs).
// Bounds can be raised for a slow machine with SKR8TR_TEST_BOUND_SCALE (a factor, default 1).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBounded } from './bounded.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scale = Number(process.env.SKR8TR_TEST_BOUND_SCALE ?? '1') || 1;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const minutes = (m) => m * 60_000 * scale;

const LAYERS = [
  { name: 'setup', cmd: 'bash', args: [path.join(root, 'scripts/setup.sh')], bound: minutes(20) },
  { name: 'typecheck', script: 'typecheck', bound: minutes(5) },
  { name: 'build', script: 'build', bound: minutes(5) },
  { name: 'unit tests', script: 'test:unit', bound: minutes(10) },
  { name: 'integration tests', script: 'test:integration', bound: minutes(35) },
  { name: 'end-to-end tests', script: 'test:e2e', bound: minutes(25) },
];

const only = process.argv.slice(2);
for (const layer of LAYERS) {
  if (only.length > 0 && !only.includes(layer.script ?? layer.name)) continue;
  const started = Date.now();
  console.log(`\n== ${layer.name} (bound ${Math.round(layer.bound / 60_000)} min)`);
  const status = await runBounded({ name: layer.name, cmd: layer.cmd ?? npm, args: layer.args ?? ['run', '--silent', layer.script], timeoutMs: layer.bound, cwd: root });
  const took = ((Date.now() - started) / 1000).toFixed(0);
  if (status !== 0) {
    console.error(`\n== ${layer.name}: FAILED (exit ${status}) after ${took} s`);
    process.exit(status);
  }
  console.log(`== ${layer.name}: passed in ${took} s`);
}
