// The timeline model (src/shared/timeline-model.ts): a rollout's record (replica marks, steps,
// traffic per second) in, swim lanes of segments, markers and the traffic strip out. A rollout that
// succeeds, one that rolls back after a replica failed, one still running, and the axis.
import * as assert from 'node:assert/strict';
import type { ReplicaMark, ReplicaState, RolloutTimelineView, RolloutView, StepView } from '../../../src/shared/protocol/api';
import { segmentsOf, ticks, timelineModel, type Lane, type TimelineModel } from '../../../src/shared/timeline-model';

const T0 = 1_700_000_000_000;

function rollout(over: Partial<RolloutView> = {}): RolloutView {
  return { id: 'web-r2', app: 'web', fromGeneration: 1, toGeneration: 2, state: 'succeeded', reason: null, startedAt: T0, endedAt: T0 + 4200, ready: 2, desired: 2, trigger: null, traffic: { requests: 1245, failed: 0, failures: {}, retried: 3 }, ...over };
}

function mark(at: number, id: string, state: ReplicaState, inIngress = state === 'ready', reason: string | null = null): ReplicaMark {
  return { at: T0 + at, id, generation: Number(id.split('-')[1]), state, inIngress, reason };
}

function step(at: number, message: string, level: StepView['level'] = 'info'): StepView {
  return { rollout: 'web-r2', app: 'web', at: T0 + at, elapsedMs: at, message, level };
}

function timeline(over: Partial<RolloutTimelineView> = {}): RolloutTimelineView {
  return { rollout: rollout(), from: T0 - 2000, to: T0 + 4200, marks: [], steps: [], traffic: null, unit: 'requests', partial: false, ...over };
}

/** Each lane as `replica: kind from→to, …` in ms from the rollout's start, grouped as drawn. */
function lanes(m: TimelineModel): string[] {
  const seg = (l: Lane) => `${l.replica}: ${l.segments.map((s) => `${s.kind} ${s.from - T0}→${s.to - T0}${s.open ? '…' : ''}`).join(', ')}`;
  return m.groups.flatMap((g) => [`[${g.label}]`, ...g.lanes.map(seg)]);
}

describe('timeline model', () => {
  it('a rolling update: old lanes above serving then draining then stopped, new ones below starting then serving', () => {
    const t = timeline({
      marks: [
        mark(-2000, 'web-1-a', 'ready'),
        mark(-2000, 'web-1-b', 'ready'),
        mark(10, 'web-2-c', 'pending', false),
        mark(40, 'web-2-c', 'starting', false),
        mark(1200, 'web-2-c', 'ready'),
        mark(1210, 'web-1-a', 'draining', false, 'replaced'),
        mark(1300, 'web-1-a', 'stopped', false, 'drained'),
        mark(1310, 'web-2-d', 'pending', false),
        mark(1320, 'web-2-d', 'starting', false),
        mark(2500, 'web-2-d', 'ready'),
        mark(2510, 'web-1-b', 'draining', false, 'replaced'),
        mark(4100, 'web-1-b', 'stopped', false),
      ],
      steps: [step(0, 'rollout web-r2: generation 1 → 2, 2 replicas'), step(1200, 'web-2-c ready after 1.2 s; joined the ingress'), step(4200, 'done: 2 replicas of generation 2 ready in 4.2 s; 1,245 requests served during the rollout, 0 failed (3 retried)')],
    });
    const m = timelineModel(t, T0 + 60_000);
    assert.deepEqual(lanes(m), [
      '[generation 1 (old)]',
      'web-1-a: serving -2000→1210, draining 1210→1300, stopped 1300→4200',
      'web-1-b: serving -2000→2510, draining 2510→4100, stopped 4100→4200',
      '[generation 2 (new)]',
      // pending and starting are one segment: both are "starting"
      'web-2-c: starting 10→1200, serving 1200→4200',
      'web-2-d: starting 1310→2500, serving 2500→4200',
    ]);
    assert.equal(m.live, false);
    assert.equal(m.title, 'web: generation 1 → 2');
    assert.equal(m.status, 'succeeded in 4.2 s; 1,245 requests served during the rollout, 0 failed (3 retried)');
    assert.deepEqual(m.markers.map((x) => x.title.split('  ')[0]), ['+0.00 s', '+1.20 s', '+4.20 s']);
    const a = m.groups[0]!.lanes[0]!;
    assert.equal(a.segments[0]!.title, 'web-1-a serving (in the ingress) from −2.00 s to +1.21 s (3.2 s)');
    assert.equal(a.segments[1]!.title, 'web-1-a draining from +1.21 s to +1.30 s (90 ms): replaced');
    assert.equal(a.segments[2]!.title, 'web-1-a stopped at +1.30 s: drained');
    assert.equal(a.summary, 'web-1-a, generation 1: serving (in the ingress) 3.2 s, then draining 90 ms, then stopped');
    assert.deepEqual(m.notes, ['This app has no ingress, so no traffic is shown.']);
  });

  it('a rollback: the new replica that failed ends red, the old generation serves again, the steps say so', () => {
    const t = timeline({
      rollout: rollout({ state: 'rolled-back', reason: 'web-2-c exited with code 1 while starting', endedAt: T0 + 3000, traffic: { requests: 400, failed: 0, failures: {}, retried: 2 } }),
      to: T0 + 3000,
      marks: [
        mark(-2000, 'web-1-a', 'ready'),
        mark(20, 'web-2-c', 'starting', false),
        mark(900, 'web-2-c', 'failed', false, 'exited with code 1 while starting'),
        // on-failure rollback: a replica of generation 1 again (none was stopped, but say one restarted in place)
        mark(1000, 'web-1-a', 'starting', false, 'exited with code 137; restarting in place'),
        mark(1800, 'web-1-a', 'ready'),
      ],
      steps: [step(0, 'rollout web-r2: generation 1 → 2, 1 replica'), step(900, 'web-2-c failed: exited with code 1 while starting', 'error'), step(901, 'failed: web-2-c exited with code 1 while starting; rolling back to generation 1', 'error'), step(3000, 'rolled back: generation 1 is running again (3.0 s)', 'error')],
    });
    const m = timelineModel(t, T0 + 10_000);
    assert.deepEqual(lanes(m), ['[generation 1 (old)]', 'web-1-a: serving -2000→1000, starting 1000→1800, serving 1800→3000', '[generation 2 (new)]', 'web-2-c: starting 20→900, failed 900→3000']);
    const failed = m.groups[1]!.lanes[0]!.segments[1]!;
    assert.equal(failed.title, 'web-2-c failed at +0.90 s: exited with code 1 while starting');
    assert.deepEqual(m.failures, ['web-2-c failed at +0.90 s: exited with code 1 while starting'], 'said on the page too');
    assert.deepEqual(m.markers.map((x) => x.level), ['info', 'error', 'error', 'error']);
    assert.equal(m.status, 'rolled-back in 3.0 s (web-2-c exited with code 1 while starting); 400 requests served during the rollout, 0 failed (2 retried)');
  });

  it('a running rollout reaches now: its last segments are open and the status says how far it is', () => {
    const t = timeline({
      rollout: rollout({ state: 'running', endedAt: null, ready: 0, desired: 1, traffic: null }),
      to: null,
      marks: [mark(-2000, 'web-1-a', 'ready'), mark(10, 'web-2-b', 'starting', false)],
    });
    const m = timelineModel(t, T0 + 1500);
    assert.equal(m.live, true);
    assert.equal(m.to, T0 + 1500);
    assert.deepEqual(lanes(m), ['[generation 1 (old)]', 'web-1-a: serving -2000→1500…', '[generation 2 (new)]', 'web-2-b: starting 10→1500…']);
    assert.match(m.groups[1]!.lanes[0]!.segments[0]!.title, /from \+0\.01 s to now/);
    assert.equal(m.status, 'running: 0/1 new replicas ready (1.5 s so far)');
  });

  it('an app without an ingress shows ready (not serving); other generations sit between old and new', () => {
    const t = timeline({
      rollout: rollout({ fromGeneration: 3, toGeneration: 1 }),
      marks: [mark(-2000, 'web-3-a', 'ready', false), mark(-2000, 'web-2-z', 'draining', false), mark(100, 'web-1-b', 'ready', false)],
    });
    const m = timelineModel(t, T0);
    assert.deepEqual(m.groups.map((g) => g.label), ['generation 3 (old)', 'generation 2', 'generation 1 (new)']);
    assert.equal(m.groups[0]!.lanes[0]!.segments[0]!.kind, 'ready');
  });

  it('the traffic strip: one point a second, with its words, and the scales', () => {
    const t = timeline({
      traffic: { from: T0 - 2000, requests: [100, 250, 0], failed: [0, 2, 0], retried: [0, 1, 0], p50: [1, 2, null], p99: [3.14159, 42.4, null] },
    });
    const m = timelineModel(t, T0);
    assert.equal(m.traffic!.maxRequests, 250);
    assert.equal(m.traffic!.maxP99, 42.4);
    assert.deepEqual(m.traffic!.points.map((p) => p.title), [
      '−2.00 s to −1.00 s: 100 requests, 0 failed, p99 3.14 ms',
      '−1.00 s to +0.00 s: 250 requests, 2 failed, 1 retried, p99 42 ms',
      '+0.00 s to +1.00 s: 0 requests, 0 failed',
    ]);
    assert.deepEqual(m.notes, []);
  });

  it('a timeline kept across a Conductor restart says what it misses', () => {
    const m = timelineModel(timeline({ partial: true }), T0);
    assert.match(m.notes[0]!, /Conductor restarted during this rollout/);
  });

  it('repeated marks of the same kind make one segment; a segment never runs backwards', () => {
    const s = segmentsOf('x', [mark(0, 'web-2-x', 'starting', false), mark(5, 'web-2-x', 'pending', false), mark(10, 'web-2-x', 'ready'), mark(10, 'web-2-x', 'ready')], T0 + 5, false, T0);
    assert.deepEqual(s.map((x) => [x.kind, x.from - T0, x.to - T0]), [['starting', 0, 10], ['serving', 10, 10]]);
  });

  it('axis ticks: about eight, at a round step, counted from the rollout start', () => {
    assert.deepEqual(ticks(T0 - 2000, T0 + 4200, T0).map((x) => x.label), ['−2 s', '−1 s', '0 s', '+1 s', '+2 s', '+3 s', '+4 s']);
    assert.deepEqual(ticks(T0 - 2000, T0 + 600_000, T0).map((x) => x.label), ['0 s', '+2 min', '+4 min', '+6 min', '+8 min', '+10 min']);
    assert.deepEqual(ticks(T0, T0 + 500, T0).map((x) => x.label), ['0 s', '+0.1 s', '+0.2 s', '+0.3 s', '+0.4 s', '+0.5 s']);
  });
});
