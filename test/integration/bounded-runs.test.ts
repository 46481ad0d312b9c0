// The runner every test layer goes through (scripts/bounded.mjs): a run that overstays its bound is
// stopped and fails naming itself; whatever a run leaves behind (a detached daemon, say) is found by
// the marker in its environment, killed, and fails the run.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { isAlive } from '../../src/shared/platform/process';
import { ROOT, waitFor } from './harness';

const RUNNER = path.join(ROOT, 'scripts', 'bounded.mjs');

/** Runs runBounded in a child Node (it owns signal handlers), returning its status and output. */
function bounded(name: string, script: string, timeoutMs: number): { status: number; out: string; pids: number[] } {
  const code = `
    import { runBounded } from ${JSON.stringify(RUNNER)};
    const status = await runBounded({ name: ${JSON.stringify(name)}, cmd: process.execPath, args: ['-e', ${JSON.stringify(script)}], timeoutMs: ${timeoutMs} });
    process.exit(status);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
  const out = `${r.stdout}${r.stderr}`;
  const pids = [...out.matchAll(/PID (\d+)/g)].map((m) => Number(m[1]));
  return { status: r.status ?? -1, out, pids };
}

describe('bounded test runs', function () {
  this.timeout(60_000);

  it('a run that overstays its bound is stopped, fails, and says which run it was', () => {
    const started = Date.now();
    const r = bounded('slow layer', "console.log('PID ' + process.pid); setTimeout(() => {}, 60000)", 1_000);
    assert.equal(r.status, 1);
    assert.match(r.out, /SLOW LAYER EXCEEDED ITS 1-SECOND BOUND/);
    assert.ok(Date.now() - started < 20_000, 'ended soon after its bound');
    assert.equal(r.pids.length, 1);
    assert.equal(isAlive(r.pids[0]!), false);
  });

  it('a run that passes but leaves a detached process behind fails, and the process is killed', async () => {
    const script = [
      "const { spawn } = require('child_process');",
      "const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { detached: true, stdio: 'ignore' });",
      "console.log('PID ' + c.pid); c.unref();",
    ].join(' ');
    const r = bounded('leaky layer', script, 30_000);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /leaky layer: 1 process\(es\) were still running after it ended \(killed now\)/);
    await waitFor('the leftover to be gone', () => r.pids.length === 1 && !isAlive(r.pids[0]!), 10_000);
  });

  it('a clean run passes with its own status', () => {
    assert.equal(bounded('quick layer', 'process.exit(0)', 30_000).status, 0);
    assert.equal(bounded('failing layer', 'process.exit(3)', 30_000).status, 3);
  });
});
