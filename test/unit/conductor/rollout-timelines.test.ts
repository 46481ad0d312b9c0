// Rollout timelines (src/conductor/rollout-timelines.ts) from the events the state emits to the lanes
// the model draws: a rollout under traffic, recorded from its start (the replicas then, each change,
// each step), counted exactly from the meter's totals, frozen at its end and kept on disk, so a
// Conductor started later still shows it; then a rollback with a failed replica. Real state and
// journal in a temporary folder, a fake clock, no sleeping.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventLog } from '../../../src/conductor/event-log';
import { Journal } from '../../../src/conductor/journal';
import type { GenerationRecord, Replica } from '../../../src/conductor/model';
import { RolloutTimelines } from '../../../src/conductor/rollout-timelines';
import { create, planned, rollTo } from '../../../src/conductor/rollout-transitions';
import { ConductorState } from '../../../src/conductor/state';
import { TimelineStore } from '../../../src/conductor/timeline-store';
import { TrafficMeter } from '../../../src/conductor/traffic-meter';
import type { Logger } from '../../../src/shared/logger';
import { parseManifest } from '../../../src/shared/manifest';
import { timelineModel } from '../../../src/shared/timeline-model';

const T0 = 1_700_000_000_000;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function gen(generation: number, ingress = true): GenerationRecord {
  const text = `app web\n  exec ./server\n  replicas 1\n${ingress ? '  port 8080\n' : ''}`;
  return { generation, spec: parseManifest(text, '/m/web.skr8tr').apps[0]!.spec, secrets: {}, manifestPath: '/m/web.skr8tr', manifestText: text, createdAt: T0, outcome: null };
}

function replica(id: string, generation: number, over: Partial<Replica> = {}): Replica {
  return { id, app: 'web', generation, node: 'local', address: '127.0.0.1', pid: 100, port: 40000, state: 'pending', createdAt: 0, launchedAt: null, readyAt: null, endedAt: null, reason: null, restarts: 0, completed: false, inIngress: false, drainMs: 1000, portTaken: false, ...over };
}

/** Every store the tests made, so each test waits for its writes before removing its folder. */
const stores: TimelineStore[] = [];

/** A Conductor's state, event log, meter and timelines on a fake clock, in `home`. */
function conductorIn(home: string, clock: { now: number }) {
  const now = () => clock.now;
  const { journal, state: journaled } = Journal.open(path.join(home, 'state'));
  const events = new EventLog(10_000, now);
  const state = new ConductorState(journal, journaled, events, quiet, now, { ingressOf: () => null, replicaForgotten: () => {} });
  const meter = new TrafficMeter(now);
  const store = new TimelineStore(path.join(home, 'state', 'timelines'), quiet);
  const timelines = new RolloutTimelines({ events, state, meter, store, log: quiet, now });
  stores.push(store);
  return { journal, events, state, meter, store, timelines };
}

describe('rollout timelines', () => {
  let home = '';
  const clock = { now: T0 };
  const journals: Journal[] = [];

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-timelines-'));
    clock.now = T0;
  });

  afterEach(async () => {
    // A save started by a rollout's end still writes in the folder: wait for it before removing the folder.
    for (const s of stores.splice(0)) await s.idle();
    for (const j of journals.splice(0)) j.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('records a rollout under traffic from its events, counts it exactly, and keeps it after the Conductor stops', async () => {
    const c = conductorIn(home, clock);
    journals.push(c.journal);
    const record = c.meter.recorder('web');
    // Generation 1 is up and serving.
    c.state.commit(create('web', gen(1), 1, 'web-r1', T0 - 10_000), 'own');
    const old = replica('web-1-a', 1, { state: 'ready', inIngress: true, readyAt: T0 - 9000 });
    c.state.addReplica(old);
    c.state.commit(planned(c.state.workloads.get('web')!, { to: 'succeeded', reason: null }, T0 - 9000, null)!, 'own');
    for (let i = 0; i < 5; i++) record('ok', 1, false); // before the rollout: not counted

    // The rollout to generation 2.
    c.state.commit(rollTo(c.state.workloads.get('web')!, { added: gen(2), target: 2, desired: 1, rolloutId: 'web-r2' }, T0), 'own');
    clock.now = T0 + 100;
    const fresh = replica('web-2-b', 2, { createdAt: T0 + 100 });
    c.state.addReplica(fresh);
    record('ok', 2, false);
    clock.now = T0 + 300;
    c.state.updateReplica(fresh, { state: 'starting', launchedAt: T0 + 300 });
    record('ok', 3, true);
    record('reset', 4, false);
    clock.now = T0 + 1300;
    c.state.updateReplica(fresh, { state: 'ready', readyAt: T0 + 1300, inIngress: true });
    c.state.say('web', 'web-2-b ready after 1.0 s; joined the ingress');
    clock.now = T0 + 1310;
    c.state.updateReplica(old, { state: 'draining', inIngress: false, reason: 'replaced' });
    c.state.updateReplica(old, { pid: 101 }); // a change the picture does not show: no mark
    record('ok', 1, false);
    clock.now = T0 + 2000;
    c.state.updateReplica(old, { state: 'stopped', endedAt: T0 + 2000 });

    // While it runs: live, reaching now.
    const live = (await c.timelines.timeline('web-r2'))!;
    assert.equal(live.to, null);
    assert.deepEqual(c.timelines.trafficOf('web-r2'), { count: { requests: 4, failed: 1, failures: { reset: 1 }, retried: 1 }, unit: 'requests' });

    // It ends: the reconciler asks for the count and commits the end.
    clock.now = T0 + 2100;
    c.state.commit(planned(c.state.workloads.get('web')!, { to: 'succeeded', reason: null }, T0 + 2100, null, c.timelines.trafficOf('web-r2'))!, 'own');
    const done = c.state.workloads.get('web')!.history.at(-1)!;
    assert.deepEqual(done.traffic, { requests: 4, failed: 1, failures: { reset: 1 }, retried: 1 });
    const frozen = (await c.timelines.timeline('web-r2'))!;
    assert.equal(frozen.to, T0 + 2100);
    assert.equal(frozen.rollout.state, 'succeeded');
    assert.deepEqual(
      frozen.marks.map((m) => [m.at - T0, m.id, m.state, m.inIngress]),
      [
        [-2000, 'web-1-a', 'ready', true],
        [100, 'web-2-b', 'pending', false],
        [300, 'web-2-b', 'starting', false],
        [1300, 'web-2-b', 'ready', true],
        [1310, 'web-1-a', 'draining', false],
        [2000, 'web-1-a', 'stopped', false],
      ],
    );
    assert.deepEqual(frozen.steps.map((s) => s.message), ['rollout web-r2: generation 1 → 2, 1 replica', 'web-2-b ready after 1.0 s; joined the ingress', 'done: 1 replica of generation 2 ready in 2.1 s; 4 requests served during the rollout, 1 failed: 1 reset; 1 retried']);
    // The traffic of its seconds, from two seconds before it to its end (whole seconds: the first
    // one holds the 5 requests just before it too; its count above does not).
    assert.equal(frozen.traffic!.from, T0 - 2000);
    assert.deepEqual(frozen.traffic!.requests, [0, 0, 8, 1, 0]);

    // The lanes it draws.
    const m = timelineModel(frozen, T0 + 60_000);
    assert.deepEqual(
      m.groups.map((g) => [g.label, g.lanes.map((l) => `${l.replica}: ${l.segments.map((s) => s.kind).join(' → ')}`)]),
      [
        ['generation 1 (old)', ['web-1-a: serving → draining → stopped']],
        ['generation 2 (new)', ['web-2-b: starting → serving']],
      ],
    );

    // A Conductor started later (its memory gone) reads it from disk, with the rollout as the journal has it.
    // Closing (as a Conductor stopping does) waits for the save: the file is there as it resolves.
    await c.timelines.close();
    assert.ok(fs.existsSync(path.join(home, 'state', 'timelines', 'web-r2.json')), 'the ended rollout\'s timeline is on disk once closed');
    c.journal.close();
    journals.pop();
    const again = conductorIn(home, clock);
    journals.push(again.journal);
    const kept = (await again.timelines.timeline('web-r2'))!;
    assert.deepEqual(kept.marks, frozen.marks);
    assert.deepEqual(kept.rollout.traffic, done.traffic);
    assert.ok(await again.timelines.timeline('web-r1'), 'the first rollout was recorded too');
    // Once a rollout has left every history, its file goes.
    await again.store.prune(new Set(['web-r2']));
    assert.equal(await again.timelines.timeline('web-r1'), null);
    assert.deepEqual(fs.readdirSync(path.join(home, 'state', 'timelines')), ['web-r2.json']);
  });

  it('a rollback after a new replica failed: the failed replica, the steps, the old generation serving throughout', async () => {
    const c = conductorIn(home, clock);
    journals.push(c.journal);
    c.state.commit(create('web', gen(1), 1, 'web-r1', T0 - 10_000), 'own');
    const old = replica('web-1-a', 1, { state: 'ready', inIngress: true });
    c.state.addReplica(old);
    c.state.commit(planned(c.state.workloads.get('web')!, { to: 'succeeded', reason: null }, T0 - 9000, null)!, 'own');
    c.state.commit(rollTo(c.state.workloads.get('web')!, { added: gen(2), target: 2, desired: 1, rolloutId: 'web-r2' }, T0), 'own');
    const bad = replica('web-2-b', 2);
    clock.now = T0 + 50;
    c.state.addReplica(bad);
    clock.now = T0 + 500;
    c.state.updateReplica(bad, { state: 'failed', reason: 'exited with code 1 while starting', endedAt: T0 + 500 });
    c.state.commit(planned(c.state.workloads.get('web')!, { to: 'rolling-back', reason: 'a new replica failed' }, T0 + 510, 'web-2-b exited with code 1 while starting')!, 'own');
    clock.now = T0 + 700;
    c.state.commit(planned(c.state.workloads.get('web')!, { to: 'rolled-back', reason: null }, T0 + 700, null, c.timelines.trafficOf('web-r2'))!, 'own');
    const m = timelineModel((await c.timelines.timeline('web-r2'))!, T0 + 700);
    assert.equal(m.state, 'rolled-back');
    assert.deepEqual(
      m.groups.flatMap((g) => g.lanes.map((l) => `${l.replica}: ${l.segments.map((s) => s.kind).join(' → ')}`)),
      ['web-1-a: serving', 'web-2-b: starting → failed'],
    );
    assert.match(m.groups[1]!.lanes[0]!.segments[1]!.title, /web-2-b failed at \+0\.50 s: exited with code 1 while starting/);
    assert.deepEqual(m.markers.map((x) => x.level), ['info', 'error', 'error']);
    assert.equal(m.status, 'rolled-back in 700 ms (web-2-b exited with code 1 while starting); 0 requests served during the rollout, 0 failed');
  });

  it('an app without an ingress: no traffic, and its rollout is not counted', async () => {
    const c = conductorIn(home, clock);
    journals.push(c.journal);
    c.state.commit(create('web', gen(1, false), 1, 'web-r1', T0), 'own');
    assert.equal(c.timelines.trafficOf('web-r1'), null);
    const t = (await c.timelines.timeline('web-r1'))!;
    assert.equal(t.traffic, null);
    assert.equal(await c.timelines.timeline('nope'), null);
  });
});
