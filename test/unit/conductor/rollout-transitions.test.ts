// Changes of a workload's desired state (src/conductor/rollout-transitions.ts): pure functions from
// a workload and a change to the new workload and the step lines, checked one by one. The planner's
// simulated rollouts (planner.test.ts) run through these too.
import * as assert from 'node:assert/strict';
import type { GenerationRecord, WorkloadRecord } from '../../../src/conductor/model';
import { built, byUser, create, planned, rollTo, scale } from '../../../src/conductor/rollout-transitions';
import { parseManifest } from '../../../src/shared/manifest';

const T0 = 1_000_000;
const spec = parseManifest('app web\n  exec ./server\n', '/m/a.skr8tr').apps[0]!.spec;

function gen(generation: number): GenerationRecord {
  return { generation, spec, secrets: {}, manifestPath: '/m/a.skr8tr', manifestText: '', createdAt: T0, outcome: null };
}

/** web at generation 1, its first rollout done. */
function running(): WorkloadRecord {
  const t = create('web', gen(1), 3, 'web-r1', T0);
  return planned(t.next, { to: 'succeeded', reason: null }, T0 + 1000, null)!.next;
}

/** web rolling out generation 2 from 1. */
function rolling(): WorkloadRecord {
  return rollTo(running(), { added: gen(2), target: 2, desired: 3, rolloutId: 'web-r2' }, T0 + 2000).next;
}

describe('rollout transitions', () => {
  it('never change the workload they are given (a change that cannot be saved changes nothing)', () => {
    const w = rolling();
    const frozen = structuredClone(w);
    planned(w, { to: 'rolling-back', reason: 'x' }, T0 + 3000, null);
    byUser(w, 'pause', T0 + 3000);
    scale(w, 7);
    built(w, 2, T0, '/c');
    rollTo(w, { added: gen(3), target: 3, desired: 3, rolloutId: 'web-r3' }, T0 + 3000);
    assert.deepEqual(w, frozen);
  });

  it('create: generation 1, rolling out from nothing, one step', () => {
    const t = create('web', gen(1), 2, 'web-r1', T0);
    assert.equal(t.next.generation, 1);
    assert.deepEqual([t.next.rollout!.fromGeneration, t.next.rollout!.toGeneration, t.next.rollout!.state], [0, 1, 'running']);
    assert.deepEqual(t.steps.map((s) => s.message), ['rollout web-r1: generation 1, 2 replicas']);
  });

  it('succeeded: the rollout goes to history, the generation\'s outcome is set, "done" with the time', () => {
    const t = planned(rolling(), { to: 'succeeded', reason: null }, T0 + 3500, null)!;
    assert.equal(t.next.rollout, null);
    assert.deepEqual(t.next.history.map((h) => [h.id, h.state]), [['web-r1', 'succeeded'], ['web-r2', 'succeeded']]);
    assert.equal(t.next.generations.find((g) => g.generation === 2)!.outcome, 'succeeded');
    assert.deepEqual(t.steps.map((s) => [s.rollout.id, s.message, s.level]), [['web-r2', 'done: 3 replicas of generation 2 ready in 1.5 s', 'info']]);
  });

  it('the step that ends a rollout says what the ingress served meanwhile, and its history entry keeps the count', () => {
    const count = { requests: 1245, failed: 0, failures: {}, retried: 3 };
    const t = planned(rolling(), { to: 'succeeded', reason: null }, T0 + 3400, null, { count, unit: 'requests' })!;
    assert.equal(t.steps[0]!.message, 'done: 3 replicas of generation 2 ready in 1.4 s; 1,245 requests served during the rollout, 0 failed (3 retried)');
    assert.deepEqual(t.next.history.at(-1)!.traffic, count);
    // Rolled back: the same count ends the line.
    const back = planned(rolling(), { to: 'rolling-back', reason: 'x' }, T0 + 3000, null, { count, unit: 'requests' })!;
    assert.equal(back.next.rollout!.traffic, null, 'a rollout still going has no count yet');
    const failures = { requests: 40, failed: 2, failures: { reset: 2 }, retried: 0 };
    const done = planned(back.next, { to: 'rolled-back', reason: null }, T0 + 4000, null, { count: failures, unit: 'requests' })!;
    assert.match(done.steps[0]!.message, /^rolled back: generation 1 is running again \(2\.0 s\); 40 requests served during the rollout, 2 failed: 2 reset$/);
    assert.deepEqual(done.next.history.at(-1)!.traffic, failures);
    // Not counted (no ingress): no words about traffic, no count.
    const quiet = planned(rolling(), { to: 'succeeded', reason: null }, T0 + 3400, null, null)!;
    assert.equal(quiet.steps[0]!.message, 'done: 3 replicas of generation 2 ready in 1.4 s');
    assert.equal(quiet.next.history.at(-1)!.traffic, null);
  });

  it('a failure rolls back to the previous generation, naming the failed replica when there is one', () => {
    const t = planned(rolling(), { to: 'rolling-back', reason: 'a new replica failed' }, T0 + 3000, 'web-2-ab exited with code 1 while starting')!;
    assert.equal(t.next.generation, 1);
    assert.equal(t.next.rollout!.state, 'rolling-back');
    assert.equal(t.next.rollout!.reason, 'web-2-ab exited with code 1 while starting');
    assert.deepEqual(t.steps.map((s) => [s.message, s.level]), [['failed: web-2-ab exited with code 1 while starting; rolling back to generation 1', 'error']]);
    const back = planned(t.next, { to: 'rolled-back', reason: null }, T0 + 4000, null)!;
    assert.equal(back.next.history.at(-1)!.state, 'rolled-back');
    assert.equal(back.next.generations.find((g) => g.generation === 2)!.outcome, 'rolled back: web-2-ab exited with code 1 while starting');
    assert.match(back.steps[0]!.message, /^rolled back: generation 1 is running again \(2\.0 s\)$/);
  });

  it('a first rollout that fails has nothing to return to: failed, and it keeps trying', () => {
    const t = planned(create('web', gen(1), 1, 'web-r1', T0).next, { to: 'rolling-back', reason: 'no replica could be placed' }, T0 + 10, null)!;
    assert.equal(t.next.rollout, null);
    assert.equal(t.next.generation, 1);
    assert.deepEqual(t.next.history.map((h) => [h.state, h.reason]), [['failed', 'no replica could be placed']]);
    assert.match(t.steps[0]!.message, /there is no earlier generation to roll back to/);
  });

  it('paused by a failure (on-failure pause) and by the user; resumed counts failures from then on', () => {
    const p = planned(rolling(), { to: 'paused', reason: 'a new replica failed' }, T0 + 3000, null)!;
    assert.deepEqual([p.next.rollout!.state, p.next.rollout!.reason], ['paused', 'a new replica failed']);
    assert.equal(byUser(p.next, 'pause', T0), null, 'already paused');
    const r = byUser(p.next, 'resume', T0 + 9000)!;
    assert.deepEqual([r.next.rollout!.state, r.next.rollout!.countFailuresSince], ['running', T0 + 9000]);
    const u = byUser(rolling(), 'pause', T0 + 3000)!;
    assert.deepEqual([u.next.rollout!.state, u.steps[0]!.message], ['paused', 'paused by the user']);
  });

  it('abort rolls back and ends as aborted; a first rollout cannot be aborted', () => {
    const a = byUser(rolling(), 'abort', T0 + 3000)!;
    assert.deepEqual([a.next.generation, a.next.rollout!.state, a.next.rollout!.aborted], [1, 'rolling-back', true]);
    const done = planned(a.next, { to: 'rolled-back', reason: null }, T0 + 4000, null)!;
    assert.equal(done.next.history.at(-1)!.state, 'aborted');
    assert.match(done.steps[0]!.message, /^aborted: generation 1 is running again/);
    assert.equal(byUser(create('web', gen(1), 1, 'web-r1', T0).next, 'abort', T0), null);
  });

  it('a newer rollout supersedes the one in progress: both told, the old one first', () => {
    const t = rollTo(rolling(), { added: gen(3), target: 3, desired: 3, rolloutId: 'web-r3', same: true }, T0 + 3000);
    assert.deepEqual(t.steps.map((s) => [s.rollout.id, s.message]), [
      ['web-r2', 'superseded by a newer rollout'],
      ['web-r3', 'rollout web-r3: generation 2 → 3, 3 replicas (same spec, fresh replicas)'],
    ]);
    assert.equal(t.next.history.at(-1)!.state, 'aborted');
    assert.equal(t.next.generations.find((g) => g.generation === 2)!.outcome, 'superseded');
    assert.deepEqual([t.next.generation, t.next.latestGeneration, t.next.rollout!.fromGeneration], [3, 3, 2]);
  });

  it('a rollback re-targets an earlier generation without adding one', () => {
    const done = planned(rolling(), { to: 'succeeded', reason: null }, T0 + 3000, null)!.next;
    const t = rollTo(done, { added: null, target: 1, desired: 3, rolloutId: 'web-r3' }, T0 + 5000);
    assert.deepEqual([t.next.generation, t.next.latestGeneration, t.next.generations.length], [1, 2, 2]);
    assert.equal(t.steps[0]!.message, 'rollback web-r3: generation 2 → 1');
  });

  it('scale and a build change only what they name', () => {
    assert.equal(scale(running(), 5).next.desired, 5);
    const b = built(rolling(), 2, T0 + 7, '/home/builds/web/2').next.generations.find((g) => g.generation === 2)!;
    assert.deepEqual([b.builtAt, b.capture], [T0 + 7, '/home/builds/web/2']);
  });
});
