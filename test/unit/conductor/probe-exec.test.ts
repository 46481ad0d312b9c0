// `check exec` (src/conductor/probes.ts): the program runs without a shell, `${PORT}` expanded, exit 0
// healthy; any other exit, a program that is missing, or one that outlives the timeout (killed with
// its process group) is a failure whose detail says which.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeOnce, type ProbeTarget } from '../../../src/conductor/probes';
import { groupAlive } from '../../../src/shared/platform/process';
import type { HealthSpec } from '../../../src/shared/manifest';

function target(command: string[], address = '127.0.0.1'): ProbeTarget {
  const health: HealthSpec = { kind: 'exec', method: null, path: null, status: null, command, intervalMs: 10_000, timeoutMs: 2_000, retries: 3 };
  return { address, port: 4321, health, cwd: process.cwd() };
}

const node = (code: string) => [process.execPath, '-e', code];

describe('check exec probe', () => {
  it('exit 0 is healthy; `${PORT}` is the replica\'s port in the arguments and in PORT', async () => {
    const r = await probeOnce(target([...node('process.exit(process.argv[1] === "4321" && process.env.PORT === "4321" ? 0 : 5)'), '${PORT}']), 5_000);
    assert.deepEqual(r, { ok: true });
  });

  it('another exit is a failure that says the code and the first line of stderr', async () => {
    const r = await probeOnce(target(node('console.error("not accepting connections\\nsecond"); process.exit(3)')), 5_000);
    assert.deepEqual(r, { ok: false, detail: 'exited 3: not accepting connections' });
  });

  it('never runs a shell: shell syntax is an argument like any other', async () => {
    const r = await probeOnce(target([...node('process.exit(process.argv[1] === "$(exit 0) && true" ? 7 : 0)'), '$(exit 0) && true']), 5_000);
    assert.deepEqual(r, { ok: false, detail: 'exited 7' });
  });

  it('a missing program says so', async () => {
    const r = await probeOnce(target(['skr8tr-no-such-program-here', 'ping']), 5_000);
    assert.deepEqual(r, { ok: false, detail: 'program not found: skr8tr-no-such-program-here' });
  });

  it('a program that outlives the timeout is killed with what it started', async () => {
    // It writes its pid (its process group's id), starts a child in its group, and never exits on its own.
    const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-probe-')), 'pid');
    const code = 'require("fs").writeFileSync(process.argv[1], String(process.pid)); require("child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" }); setInterval(() => {}, 1000)';
    const r = await probeOnce(target([...node(code), pidFile]), 500);
    assert.deepEqual(r, { ok: false, detail: 'no exit within 500 ms' });
    const pgid = Number(fs.readFileSync(pidFile, 'utf8'));
    const deadline = Date.now() + 5_000;
    while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(groupAlive(pgid), false, 'the probe and the child it started are gone');
  });

  it('a replica on another host is not checked from here', async () => {
    const r = await probeOnce(target(node('process.exit(0)'), '10.0.0.7'), 5_000);
    assert.equal(r.ok, false);
    assert.match((r as { detail: string }).detail, /runs on the Conductor's host, and this replica runs on 10\.0\.0\.7/);
  });
});
