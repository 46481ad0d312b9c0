// Misbehaving workloads: one that ignores SIGTERM, one that forks, one that exits at once, one that
// floods stdout. Stops stay bounded by `drain`, no grandchild survives, the crash loop backs off,
// and logs stay bounded.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { groupMembers, isAlive } from '../../src/shared/platform/process';
import type { ApiEvent, LogLine } from '../../src/shared/protocol/api';
import { Cluster, fixtureApp, waitFor } from './harness';

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

describe('misbehaving workloads', function () {
  this.timeout(120_000);
  let c: Cluster;

  beforeEach(async () => {
    c = new Cluster('workloads');
    await c.startConductor();
    await c.startAgent('n1');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  it('one that ignores SIGTERM is killed when its drain runs out', async () => {
    const file = c.manifest('stubborn.skr8tr', fixtureApp('stubborn', { env: { FIXTURE_MODE: 'ignore-term' }, extra: ['drain 1s'] }).replace('  drain 2s\n', ''));
    assert.equal((await c.cli(['up', file])).code, 0);
    const w = await c.settled('stubborn', 1, 1);
    const pid = w.running[0]!.pid!;
    const t0 = Date.now();
    assert.equal((await c.cli(['stop', w.running[0]!.id])).code, 0);
    await waitFor('the stubborn replica to be gone', () => !isAlive(pid), 10_000, 20);
    const took = Date.now() - t0;
    assert.ok(took >= 900, `stopped after ${took} ms: before its drain ran out`);
    assert.ok(took < 3_000, `stopped after ${took} ms: the drain of 1 s was not enforced`);
    const logs = await c.cli(['logs', w.running[0]!.id]);
    assert.match(logs.stdout, /got SIGTERM/, 'it was asked politely first');
  });

  it('one that forks: no grandchild survives its stop', async () => {
    const file = c.manifest('forker.skr8tr', fixtureApp('forker', { env: { FIXTURE_MODE: 'fork' } }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const w = await c.settled('forker', 1, 1);
    const r = w.running[0]!;
    const lines = await waitFor('the grandchild to be reported', async () => {
      const { lines } = await c.client().request<{ lines: LogLine[] }>('GET', `/v1/replicas/${r.id}/logs`);
      return lines.find((l) => /grandchild pid \d+/.test(l.text)) ?? null;
    });
    const grandchild = Number(/grandchild pid (\d+)/.exec(lines.text)![1]);
    assert.ok(isAlive(grandchild));
    assert.equal((await c.cli(['down', 'forker'])).code, 0);
    await waitFor('the replica and its grandchild to be gone', () => !isAlive(r.pid!) && !isAlive(grandchild) && groupMembers(r.pid!).length === 0, 15_000);
  });

  it('one that exits at once: it never counts as ready, and relaunches back off', async () => {
    const events = await c.recordEvents();
    const file = c.manifest('quitter.skr8tr', fixtureApp('quitter', { env: { FIXTURE_MODE: 'exit-now' } }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const w = await waitFor('the crash loop to be reported', async () => {
      const v = await c.workload('quitter');
      return v.problem?.startsWith('crash loop') ? v : null;
    }, 30_000);
    assert.equal(w.ready, 0);
    // Launches are spaced 1 s, 2 s, 4 s… apart: over 6 s, at most a handful.
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 6_000)); // observing a rate over a window, not waiting for a state
    const launches = events.filter((e: ApiEvent) => e.type === 'replica' && e.replica.state === 'pending' && e.at >= t0).length;
    assert.ok(launches <= 4, `${launches} launches in 6 s: no backoff`);
    assert.ok(launches >= 1, 'it keeps trying');
    assert.ok(events.every((e) => e.type !== 'replica' || e.replica.app !== 'quitter' || e.replica.state !== 'ready'));
  });

  it('one that floods stdout: logs stay bounded, and the daemons stay responsive and small', async () => {
    const conductorPid = (await c.client().request<{ pid: number }>('GET', '/v1/status')).pid;
    const before = rssKiB(conductorPid);
    const file = c.manifest('flood.skr8tr', fixtureApp('flood', { env: { FIXTURE_MODE: 'flood' } }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const w = await c.settled('flood', 1, 1);
    const id = w.running[0]!.id;
    // Let it flood for a while, asking the Conductor something throughout.
    const deadline = Date.now() + 5_000;
    let slowest = 0;
    while (Date.now() < deadline) {
      const t = Date.now();
      await c.client().request('GET', '/v1/status');
      slowest = Math.max(slowest, Date.now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(slowest < 1_000, `the API took ${slowest} ms to answer during the flood`);
    const { lines } = await c.client().request<{ lines: LogLine[] }>('GET', `/v1/replicas/${id}/logs?tail=10000`);
    // The agent keeps at most 2,000 lines a second of a replica (and says how many it dropped).
    const perSecond = new Map<number, number>();
    for (const l of lines) perSecond.set(Math.floor(l.at / 1000), (perSecond.get(Math.floor(l.at / 1000)) ?? 0) + 1);
    assert.ok(Math.max(...perSecond.values()) <= 2_001, `at most 2,000 lines (and the dropped note) a second: ${[...perSecond.values()].join(', ')}`);
    assert.ok(lines.length > 100, 'the flood is logged');
    assert.ok(lines.some((l) => /^\[skr8tr: \d+ lines not kept: more than 2000 a second/.test(l.text)), 'the dropped lines are said');
    const grew = rssKiB(conductorPid) - before;
    assert.ok(grew < 100 * 1024, `the Conductor grew by ${grew} KiB`);
    assert.equal((await c.cli(['down', 'flood'])).code, 0);
  });

  it('one with `restart on-failure` that dies is restarted in place: same replica, new pid', async () => {
    const once = `${c.home}/died-once`;
    const file = c.manifest('phoenix.skr8tr', fixtureApp('phoenix', { env: { FIXTURE_EXIT_AFTER_MS: '800', FIXTURE_EXIT_ONCE_FILE: once }, extra: ['restart on-failure'] }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const before = (await c.settled('phoenix', 1, 1)).running[0]!;
    const after = await waitFor('the replica to be restarted in place and ready again', async () => {
      const r = (await c.workload('phoenix')).replicas.find((x) => x.id === before.id);
      return r && r.restarts === 1 && r.state === 'ready' ? r : null;
    }, 30_000);
    assert.notEqual(after.pid, before.pid);
    assert.ok(!isAlive(before.pid!));
    const w = await c.workload('phoenix');
    assert.equal(w.replicas.filter((r) => r.state === 'ready').length, 1, 'restarted, not replaced');
  });
});
