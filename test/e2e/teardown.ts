// An e2e suite's cleanup: every step runs whatever the steps before it did (a daemon that would
// not exit must not leave code-server and Chromium running), and the first failure is thrown at the
// end, so the run still reports it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConductorClient } from '../../src/shared/client';
import { readConductorInfo } from '../../src/shared/home';
import { groupMembers, isAlive } from '../../src/shared/platform/process';
import { waitFor, type VSCodeSession } from './vscode';
export async function teardown(steps: Array<() => unknown>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; '));
}

/**
 * Stops the daemons the extension started for `home` (and their workloads) through the API, and
 * proves every one of them, their replicas and the replicas' process groups gone (SIGKILL otherwise).
 * `seen`: replica pids a test saw earlier, checked too.
 */
export async function shutDownDaemons(home: string, seen: Iterable<number> = []): Promise<void> {
  const pids = new Set<number>(seen);
  const info = readConductorInfo(home);
  if (info && isAlive(info.pid)) {
    const client = ConductorClient.fromHome(home);
    for (const w of await client.call('workloads', {}).catch(() => [])) for (const r of w.replicas) if (r.pid) pids.add(r.pid);
    await client.call('shutdown', {}, { stopWorkloads: true }).catch(() => {});
    pids.add(info.pid);
  }
  for (const entry of fs.existsSync(home) ? fs.readdirSync(home) : []) {
    const lock = path.join(home, entry, 'agent.lock');
    if (entry.startsWith('agent-') && fs.existsSync(lock)) pids.add(Number(fs.readFileSync(lock, 'utf8').trim()));
  }
  await waitFor('the Conductor, the agents and the replicas to exit', () => [...pids].every((p) => !isAlive(p) && groupMembers(p).length === 0), 30_000).catch((err: Error) => {
    for (const p of pids) if (isAlive(p)) process.kill(p, 'SIGKILL');
    throw err;
  });
}

/** Stops the editor and the browser, and proves every process of theirs stopped by itself. */
export async function endSession(session: VSCodeSession | null): Promise<void> {
  const report = await session?.stop();
  if (report) assert.deepEqual(report.strays, [], 'every process stopped by itself');
}
