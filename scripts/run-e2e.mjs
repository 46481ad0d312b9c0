// `npm run test:e2e`: the end-to-end layer, in a real VS Code (code-server) driven by Chromium.
// Needs what scripts/setup.sh installs. Where that is missing and cannot be installed, it says
// so loudly and passes only outside CI; under CI (CI set) a missing prerequisite fails the run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBounded } from './bounded.mjs';
import { mochaArgs } from './mocha-args.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = process.env.SKR8TR_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'skr8tr-e2e');
const chromium = process.env.SKR8TR_E2E_CHROMIUM ?? '/usr/bin/chromium';
const codeServer = path.join(cache, 'node_modules', '.bin', 'code-server');
const ci = !!process.env.CI;

function missing() {
  const out = [];
  if (!fs.existsSync(chromium)) out.push(`Chromium (${chromium})`);
  if (!fs.existsSync(codeServer)) out.push(`code-server (${codeServer})`);
  return out;
}

let lacking = missing();
if (lacking.length > 0) {
  console.log(`e2e: missing ${lacking.join(' and ')}; running scripts/setup.sh`);
  const setup = spawnSync('bash', [path.join(root, 'scripts/setup.sh')], { stdio: 'inherit' });
  lacking = missing();
  if (lacking.length > 0 || setup.status !== 0) {
    const banner = [
      '',
      '################################################################################',
      `#  END-TO-END TESTS NOT RUN: ${lacking.join(' and ') || 'the setup failed'} unavailable.`,
      '#  Run scripts/setup.sh as root (it installs Debian chromium and code-server; `npm test` runs it first).',
      ci ? '#  CI is set, so this is a failure.' : '#  CI is not set, so the rest of the test run stands without them.',
      '################################################################################',
      '',
    ].join('\n');
    console.error(banner);
    process.exit(ci ? 1 : 0);
  }
}

// Bounded, and proven to leave no code-server, Chromium or daemon behind, even when a test or its
// cleanup failed (scripts/bounded.mjs).
const boundMs = Number(process.env.SKR8TR_E2E_BOUND_MS ?? 20 * 60_000);
const status = await runBounded({
  name: 'end-to-end tests',
  cmd: path.join(root, 'node_modules', '.bin', 'mocha'),
  args: mochaArgs(root, 'test/e2e/.mocharc.json', process.argv.slice(2)),
  timeoutMs: boundMs,
  cwd: root,
});
process.exit(status);
