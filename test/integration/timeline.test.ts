// A rollout's traffic and timeline, with real parts: a Conductor, an agent and fixture replicas
// behind the ingress, a bounded load client on real sockets. What the rollout counts (its history
// entry, its last step, `rollout --wait`) agrees with what the load client saw; its timeline shows
// both generations' replicas and the traffic; the traffic route answers and follows.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { RolloutView, TrafficSecond } from '../../src/shared/protocol/api';
import { timelineModel } from '../../src/shared/timeline-model';
import { Cluster, Gate, fixtureApp, waitFor } from './harness';
import { Load, freePort } from './load';

describe('rollout traffic and timeline', function () {
  this.timeout(120_000);
  let c: Cluster;
  let port: number;

  beforeEach(async () => {
    c = new Cluster('timeline');
    await c.startConductor();
    await c.startAgent('n1');
    port = await freePort();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  // `surge 1`: one new replica at a time, so the traffic has moved to a new replica while the rollout still runs.
  const app = (version: string, env: Record<string, string> = {}) => fixtureApp('web', { replicas: 2, version, env, extra: [`port ${port}`, 'rollout', '  surge 1'] });

  const rollout = (id: string) => c.client().call('getRollout', { id });

  it('counts the requests served during a rollout exactly as the load client saw them, 0 failed', async () => {
    const file = c.manifest('web.skr8tr', app('v1'));
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('web', 1, 2);

    // A rollout whose new replicas the test lets through one by one (a gate): the first now, the
    // second only once the load has stopped, so the rollout still runs while the load runs.
    const gate = new Gate(c.home);
    gate.release(1);
    fs.writeFileSync(file, app('v2', gate.env));
    const submitted = await c.client().call('rollout', {}, { path: file, text: fs.readFileSync(file, 'utf8') });
    const id = submitted.apps[0]!.rollout!;
    const load = new Load({ port, keepAliveClients: 3, freshClients: 1, ratePerClient: 50, maxMs: 30_000, maxRequests: 20_000 });
    // Load until the traffic has moved (a new replica serves and an old one has left the ingress) and
    // more than 50 requests were made; the gate keeps the rollout running meanwhile.
    await waitFor('a new replica in the ingress, an old one out of it, and 50 requests', async () => {
      const w = await c.client().call('workload', { name: 'web' });
      return load.result.requests > 50 && w.replicas.some((r) => r.generation === 2 && r.inIngress) && w.replicas.some((r) => r.generation === 1 && !r.inIngress);
    }, 30_000, 50);
    const seen = await load.stop();
    assert.equal((await rollout(id)).state, 'running', 'the load stopped before the rollout ended, so every request it made falls within the rollout');
    gate.release(1);
    assert.equal(seen.failures, 0, `failed requests: ${seen.failureSamples.join('; ')}`);
    assert.ok(seen.requests > 50, `only ${seen.requests} requests`);

    const done = await waitFor('the rollout to end', async () => {
      const r = await rollout(id);
      return r.endedAt !== null ? r : null;
    }, 30_000, 100);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(done.traffic, { requests: seen.requests, failed: 0, failures: {}, retried: done.traffic!.retried });

    // Its last step says so; the history keeps it.
    const timeline = await c.client().call('rolloutTimeline', { id });
    const last = timeline.steps.at(-1)!.message;
    assert.match(last, new RegExp(`^done: 2 replicas of generation 2 ready in [\\d.]+ m?s; ${seen.requests.toLocaleString('en-US')} requests served during the rollout, 0 failed`));
    const w = await c.client().call('workload', { name: 'web' });
    assert.deepEqual(w.history.find((h: RolloutView) => h.id === id)!.traffic, done.traffic);

    // The timeline: both generations' replicas, the traffic of its seconds (whole seconds, so at least what the client made).
    assert.equal(timeline.to, done.endedAt);
    const model = timelineModel(timeline, Date.now());
    assert.deepEqual(model.groups.map((g) => [g.label, g.lanes.length]), [['generation 1 (old)', 2], ['generation 2 (new)', 2]]);
    for (const lane of model.groups[0]!.lanes) assert.deepEqual(lane.segments.map((s) => s.kind), ['serving', 'draining', 'stopped']);
    for (const lane of model.groups[1]!.lanes) assert.deepEqual(lane.segments.map((s) => s.kind), ['starting', 'serving']);
    const served = timeline.traffic!.requests.reduce((a, b) => a + b, 0);
    assert.ok(served >= seen.requests, `the timeline's seconds hold ${served} requests, the client made ${seen.requests}`);
    assert.equal(timeline.traffic!.failed.reduce((a, b) => a + b, 0), 0);
    assert.ok(timeline.traffic!.p99.some((p) => p !== null && p > 0));
  });

  it('a replica killed under load: the meter counts the retries that saved its requests, and no failure', async () => {
    const file = c.manifest('web.skr8tr', fixtureApp('web', { replicas: 3, extra: [`port ${port}`] }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const w = await c.settled('web', 1, 3);
    const load = new Load({ port, keepAliveClients: 4, freshClients: 2, maxRequests: 40_000, maxMs: 60_000 });
    await waitFor('load to be flowing', () => load.result.requests > 100);
    process.kill(w.running[0]!.pid!, 'SIGKILL');
    await waitFor('the dead replica to be replaced', async () => (await c.workload('web')).replicas.filter((r) => r.state === 'ready').length === 3 && load.result.requests > 400);
    const seen = await load.stop();
    assert.equal(seen.failures, 0, `failed requests: ${seen.failureSamples.join('; ')}`);
    // Every request the client made, counted once as it ended (the last ones a moment after the client saw them end).
    const totals = await waitFor('the meter to count every request', async () => {
      const t = (await c.client().call('traffic', { name: 'web' })).totals;
      return t.requests === seen.requests ? t : null;
    }, 5_000, 50);
    assert.equal(totals.failed, 0);
    assert.ok(totals.retried > 0, 'requests that reached the killed replica were retried on another');
  });

  it('`rollout --wait` ends with what was served; the traffic route answers and follows; bad asks are named', async () => {
    const file = c.manifest('web.skr8tr', app('v1'));
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('web', 1, 2);
    const load = new Load({ port, keepAliveClients: 2, freshClients: 1, ratePerClient: 40, maxMs: 30_000, maxRequests: 20_000 });
    try {
      await waitFor('load to be flowing', () => load.result.requests > 20);
      fs.writeFileSync(file, app('v2'));
      const out = await c.cli(['rollout', file, '--wait']);
      assert.equal(out.code, 0, out.stdout + out.stderr);
      const lines = out.stdout.trim().split('\n');
      assert.match(lines.at(-1)!, /done: 2 replicas of generation 2 ready in [\d.]+ m?s; [\d,]+ requests served during the rollout, 0 failed( \(\d+ retried\))?$/);

      // The app's recent traffic, then two seconds of it as they complete.
      const view = await c.client().call('traffic', { name: 'web' });
      assert.equal(view.unit, 'requests');
      assert.ok(view.totals.requests >= load.result.requests - 20, `totals ${view.totals.requests}, client ${load.result.requests}`);
      assert.equal(view.series.requests.length, 600, 'the last 10 minutes, a second each');
      const abort = new AbortController();
      const followed: TrafficSecond[] = [];
      await c.client().callStream('traffic', { name: 'web', follow: true }, (s) => {
        followed.push(s);
        if (followed.length === 2) abort.abort();
      }, abort.signal);
      assert.equal(followed.length, 2);
      assert.equal(followed[1]!.at - followed[0]!.at, 1000);
      assert.ok(followed.every((s) => s.requests > 0 && s.failed === 0), JSON.stringify(followed));
    } finally {
      const seen = await load.stop();
      assert.equal(seen.failures, 0, `failed requests: ${seen.failureSamples.join('; ')}`);
    }

    await assert.rejects(c.client().call('rolloutTimeline', { id: 'nope-r000000' }), /no rollout nope-r000000/);
    await assert.rejects(c.client().call('traffic', { name: 'web', since: -5 }), /`since` must be a time/);
    assert.equal((await c.cli(['up', c.manifest('quiet.skr8tr', fixtureApp('quiet', { replicas: 1 }))])).code, 0);
    await assert.rejects(c.client().call('traffic', { name: 'quiet' }), /quiet has no ingress/);
  });
});
