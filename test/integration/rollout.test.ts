// Health-gated rolling updates with the real Conductor, agent and workload processes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ApiEvent, ReplicaView } from '../../src/shared/protocol/api';
import { isAlive } from '../../src/shared/platform/process';
import { Cluster, Gate, fixtureApp, waitFor } from './harness';

describe('rolling updates', function () {
  this.timeout(90_000);
  let c: Cluster;

  beforeEach(async () => {
    c = new Cluster('rollout');
    await c.startConductor();
    await c.startAgent('n1');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  it('replaces 3 replicas, stopping each old one only after a new one passed its probe', async () => {
    const file = c.manifest('web.skr8tr', fixtureApp('web', { replicas: 3, env: { FIXTURE_START_DELAY_MS: '150' } }));
    const up = await c.cli(['up', file]);
    assert.equal(up.code, 0, up.stderr);
    const v1 = await c.settled('web', 1, 3);
    const oldPids = v1.replicas.filter((r) => r.state === 'ready').map((r) => r.pid!);

    const events = await c.recordEvents();
    c.manifest('web.skr8tr', fixtureApp('web', { replicas: 3, version: 'v2', env: { FIXTURE_START_DELAY_MS: '150' } }));
    const out = await c.cli(['rollout', file, '--wait']);
    assert.equal(out.code, 0, out.stdout + out.stderr);
    assert.match(out.stdout, /done: 3 replicas of generation 2 ready/);

    const v2 = await c.settled('web', 2, 3);
    assert.equal(v2.generation, 2);
    // Old pids are gone.
    await waitFor('old replicas to exit', () => oldPids.every((p) => !isAlive(p)));

    // Replay the replica events: whenever an old replica starts draining, more new replicas have
    // passed their probe than old ones have been retired, and the ready count never drops below 3.
    const states = new Map<string, ReplicaView>();
    let newReady = 0;
    let oldRetired = 0;
    let minReady = Infinity;
    for (const e of events as ApiEvent[]) {
      if (e.type === 'snapshot') for (const r of e.replicas) states.set(r.id, r);
      if (e.type !== 'replica') continue;
      const before = states.get(e.replica.id);
      states.set(e.replica.id, e.replica);
      if (e.replica.generation === 2 && e.replica.state === 'ready' && before?.state !== 'ready') newReady++;
      if (e.replica.generation === 1 && e.replica.state === 'draining' && before?.state !== 'draining') {
        oldRetired++;
        assert.ok(newReady >= oldRetired, `old replica ${e.replica.id} drained while only ${newReady} new replicas were ready`);
      }
      minReady = Math.min(minReady, [...states.values()].filter((r) => r.state === 'ready').length);
    }
    assert.equal(oldRetired, 3);
    assert.ok(minReady >= 3, `ready replicas dropped to ${minReady}`);
  });

  /** Rolls `web` (3 replicas) from v1 to v2 with `extra` manifest lines; what its replicas did, in event order. */
  async function rollOut(extra: string[]): Promise<{ stdout: string; launches: Launches }> {
    const app = (version: string) => fixtureApp('web', { replicas: 3, version, env: { FIXTURE_START_DELAY_MS: '150' }, extra });
    const file = c.manifest('web.skr8tr', app('v1'));
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('web', 1, 3);
    const events = await c.recordEvents();
    c.manifest('web.skr8tr', app('v2'));
    const out = await c.cli(['rollout', file, '--wait']);
    assert.equal(out.code, 0, out.stdout + out.stderr);
    await c.settled('web', 2, 3);
    return { stdout: out.stdout, launches: launchesOf(events as ApiEvent[]) };
  }

  it('surge not written and room for all: the 3 new replicas start together, and an old one stops only for a ready new one', async () => {
    const { stdout, launches } = await rollOut([]);
    assert.equal(launches.launchedBeforeFirstReady, 3, 'every new replica was launched before the first was ready');
    assert.equal(launches.mostStarting, 3);
    assert.equal(launches.oldRetired, 3);
    // The steps say it too: three launches before any new replica is ready.
    const lines = stdout.split('\n');
    const firstReady = lines.findIndex((l) => /web-2-\w+ ready/.test(l));
    assert.equal(lines.slice(0, firstReady).filter((l) => /launching web-2-/.test(l)).length, 3, stdout);
  });

  it('a written `surge 1` goes one at a time', async () => {
    const { launches } = await rollOut(['rollout', '  surge 1']);
    assert.equal(launches.mostStarting, 1, 'never two new replicas starting at once');
    assert.equal(launches.launchedBeforeFirstReady, 1);
    assert.equal(launches.oldRetired, 3);
  });

  it('surge not written and no room (cpu requests beyond the node): one at a time, and the rollout still succeeds', async () => {
    // One node places anyway (relaxed placement: it says it is overcommitted); there is no room to start more than one.
    const { stdout, launches } = await rollOut(['cpu 1000']);
    assert.equal(launches.mostStarting, 1);
    assert.equal(launches.launchedBeforeFirstReady, 1);
    assert.equal(launches.oldRetired, 3);
    assert.match(stdout, /done: 3 replicas of generation 2 ready/);
  });

  it('fails a version that never becomes ready at its deadline and rolls back, keeping the healthy pids', async () => {
    const file = c.manifest('api.skr8tr', fixtureApp('api', { replicas: 2, extra: ['rollout', '  deadline 2s'] }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const v1 = await c.settled('api', 1, 2);
    const pids = v1.replicas.map((r) => r.pid).sort();

    c.manifest('api.skr8tr', fixtureApp('api', { replicas: 2, version: 'v2', env: { FIXTURE_MODE: 'never-ready' }, extra: ['rollout', '  deadline 2s'] }));
    const t0 = Date.now();
    const out = await c.cli(['rollout', file, '--wait']);
    const took = Date.now() - t0;
    assert.equal(out.code, 1, out.stdout);
    assert.match(out.stdout, /not ready after 2 s \(GET http:\/\/127\.0\.0\.1:\d+\/health: answered 503 \(expected 200\)\)/);
    assert.match(out.stderr, /rolled-back/);
    assert.ok(took >= 2_000, `failed after ${took} ms, before its deadline`);

    const after = await c.settled('api', 1, 2);
    assert.deepEqual(after.replicas.filter((r) => r.state === 'ready').map((r) => r.pid).sort(), pids);
    const history = (await c.workload('api')).history;
    assert.equal(history.at(-1)!.state, 'rolled-back');
  });

  it('detects a version that crashes at start at once, not at the deadline', async () => {
    const file = c.manifest('crashy.skr8tr', fixtureApp('crashy', { replicas: 2, extra: ['rollout', '  deadline 60s'] }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const v1 = await c.settled('crashy', 1, 2);
    const pids = v1.replicas.map((r) => r.pid).sort();

    c.manifest('crashy.skr8tr', fixtureApp('crashy', { replicas: 2, version: 'v2', env: { FIXTURE_MODE: 'crash' }, extra: ['rollout', '  deadline 60s'] }));
    const t0 = Date.now();
    const out = await c.cli(['rollout', file, '--wait']);
    const took = Date.now() - t0;
    assert.equal(out.code, 1, out.stdout);
    // The step quotes what the replica wrote to its standard error.
    assert.match(out.stdout, /exited with code 1 while starting; stderr: fixture: crashing at start, as asked/);
    assert.ok(took < 20_000, `took ${took} ms: the crash was not detected at once`);
    const after = await c.settled('crashy', 1, 2);
    assert.deepEqual(after.replicas.filter((r) => r.state === 'ready').map((r) => r.pid).sort(), pids);
  });

  it('a version that exits with a SyntaxError: the failure step, the replica and the rollout quote the error, never a secret', async () => {
    const dir = path.dirname(c.manifest('syntax.skr8tr', ''));
    const secret = 'sk-7f3a9c1e5b2d4e6f8a0b';
    fs.writeFileSync(path.join(dir, 'main.js'), "console.error('token ' + process.env.TOKEN);\nrequire('./broken.js');\n");
    fs.writeFileSync(path.join(dir, 'broken.js'), 'const x = ;\n');
    const bad = ['app syntax', `  exec ${process.execPath}`, '  args main.js', '  settle 60s', '  secret', `    TOKEN ${secret}`, ''].join('\n');
    const file = c.manifest('syntax.skr8tr', bad);
    const out = await c.cli(['rollout', file, '--wait'], 60_000);
    assert.notEqual(out.code, 0, out.stdout);
    const w = await c.workload('syntax');
    const failed = w.replicas.find((r) => r.state === 'failed');
    assert.ok(failed, JSON.stringify(w.replicas));
    // Node's own lines: where, the line, the error; no stack frame, no version trailer.
    assert.match(failed.reason ?? '', /^exited with code 1 while starting; stderr: token \*\*\* ⏎ \S*broken\.js:1 ⏎ const x = ; ⏎ SyntaxError: Unexpected token ';'$/);
    assert.match(out.stdout, /failed: exited with code 1 while starting; stderr: .*SyntaxError: Unexpected token ';'/);
    assert.match(w.history.at(-1)?.reason ?? w.rollout?.reason ?? '', /SyntaxError: Unexpected token ';'/);
    const everything = out.stdout + out.stderr + JSON.stringify(w) + c.dump();
    assert.ok(!everything.includes(secret), 'the secret the replica printed is masked');
  });

  it('with no health check, a replica is ready only after `settle`', async () => {
    const file = c.manifest('plain.skr8tr', fixtureApp('plain', { replicas: 1, health: null, extra: ['settle 1200ms'] }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const w = await c.settled('plain', 1, 1);
    const r = w.replicas.find((x) => x.state === 'ready')!;
    assert.ok(r.readyAfterMs !== null && r.readyAfterMs >= 1200, `ready after ${r.readyAfterMs} ms`);
  });

  it('rollback returns to the previous generation, and abort stops a rollout in progress', async () => {
    const file = c.manifest('svc.skr8tr', fixtureApp('svc', { replicas: 2 }));
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('svc', 1, 2);
    c.manifest('svc.skr8tr', fixtureApp('svc', { replicas: 2, version: 'v2' }));
    assert.equal((await c.cli(['rollout', file, '--wait'])).code, 0);
    await c.settled('svc', 2, 2);

    const back = await c.cli(['rollback', 'svc', '--wait']);
    assert.equal(back.code, 0, back.stdout + back.stderr);
    await c.settled('svc', 1, 2);

    // A version whose replicas the test never lets be ready (a gate it does not release), aborted while they start.
    c.manifest('svc.skr8tr', fixtureApp('svc', { replicas: 2, version: 'v3', env: new Gate(c.home).env }));
    assert.equal((await c.cli(['rollout', file])).code, 0);
    await waitFor('the v3 rollout to launch', async () => (await c.workload('svc')).replicas.some((r) => r.generation === 3));
    const abort = await c.cli(['abort', 'svc']);
    assert.equal(abort.code, 0, abort.stderr);
    const w = await c.settled('svc', 1, 2);
    assert.equal(w.history.at(-1)!.state, 'aborted');
  });

  it('stopping one of two replicas on one node never touches the other', async () => {
    const file = c.manifest('pair.skr8tr', fixtureApp('pair', { replicas: 2 }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const w = await c.settled('pair', 1, 2);
    const [a, b] = w.running;
    const stop = await c.cli(['stop', a!.id]);
    assert.equal(stop.code, 0, stop.stderr);
    await waitFor('the stopped replica to be replaced', async () => {
      const now = await c.workload('pair');
      return now.replicas.find((r) => r.id === a!.id)?.state === 'stopped' && now.replicas.filter((r) => r.state === 'ready').length === 2;
    });
    assert.ok(isAlive(b!.pid!), 'the other replica is alive');
    const logs = await c.cli(['logs', b!.id]);
    assert.doesNotMatch(logs.stdout, /got SIGTERM/, 'the other replica was never signalled');
    const logsA = await c.cli(['logs', a!.id]);
    assert.match(logsA.stdout, /got SIGTERM/);
  });

  it('scales up and down', async () => {
    const file = c.manifest('sc.skr8tr', fixtureApp('sc', { replicas: 1 }));
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('sc', 1, 1);
    assert.equal((await c.cli(['scale', 'sc', '3'])).code, 0);
    await c.settled('sc', 1, 3);
    assert.equal((await c.cli(['scale', 'sc', '1'])).code, 0);
    await c.settled('sc', 1, 1);
    const down = await c.cli(['down', 'sc']);
    assert.equal(down.code, 0);
    await waitFor('sc to be gone', async () => (await c.client().request<unknown[]>('GET', '/v1/workloads')).length === 0);
  });
});

interface Launches {
  /** New replicas (generation 2) launched before the first of them was ready. */
  launchedBeforeFirstReady: number;
  /** The most new replicas pending or starting at one time. */
  mostStarting: number;
  /** Old replicas (generation 1) that began draining. */
  oldRetired: number;
}

/** Replays replica events; checks on the way that no old replica drains before a new one is ready for it. */
function launchesOf(events: readonly ApiEvent[]): Launches {
  const states = new Map<string, ReplicaView>();
  let launchedBeforeFirstReady = 0;
  let newReady = 0;
  let oldRetired = 0;
  let mostStarting = 0;
  for (const e of events) {
    if (e.type === 'snapshot') for (const r of e.replicas) states.set(r.id, r);
    if (e.type !== 'replica') continue;
    const before = states.get(e.replica.id);
    states.set(e.replica.id, e.replica);
    if (e.replica.generation === 2 && !before && newReady === 0) launchedBeforeFirstReady++;
    if (e.replica.generation === 2 && e.replica.state === 'ready' && before?.state !== 'ready') newReady++;
    if (e.replica.generation === 1 && e.replica.state === 'draining' && before?.state !== 'draining') {
      oldRetired++;
      assert.ok(newReady >= oldRetired, `old replica ${e.replica.id} drained while only ${newReady} new replicas were ready`);
    }
    const starting = [...states.values()].filter((r) => r.generation === 2 && (r.state === 'pending' || r.state === 'starting')).length;
    mostStarting = Math.max(mostStarting, starting);
  }
  return { launchedBeforeFirstReady, mostStarting, oldRetired };
}
