// The waiter of `up --wait`, `rollout --wait` and `rollback --wait` (src/shared/ready-waiter.ts):
// fake events and times in, verdicts out. Ready needs the submission's rollout to have succeeded and
// every desired replica of the current generation ready (a job: completed); a failed rollout, a
// crash loop, a take-down or a need waited for past the deadline fail at once; the bound times out,
// naming what each app waits for. The Conductor's own words (conductor/needs.ts) are read back.
import * as assert from 'node:assert/strict';
import { needsVerdict } from '../../../src/conductor/needs';
import type { ApiEvent, ReplicaView, RolloutView } from '../../../src/shared/protocol/api';
import { ReadyWaiter, type WaitTarget, type WaitVerdict } from '../../../src/shared/ready-waiter';
import { EventSource, replicaView, rolloutView, stepView, workloadSummary } from '../extension/fixtures';

const T0 = 100_000;
const target = (app: string, over: Partial<WaitTarget> = {}): WaitTarget => ({ app, rollout: null, job: false, deadlineMs: 3_000, ...over });
const ready = (id: string, app: string, generation: number, over: Partial<ReplicaView> = {}) => replicaView(id, { app, generation, state: 'ready', ...over });
const rollout = (id: string, app: string, over: Partial<RolloutView> = {}) => rolloutView(id, { app, fromGeneration: 0, toGeneration: 1, ...over });

/** The verdict's kind and, per app, its state and words. */
function said(v: WaitVerdict): string[] {
  return [v.kind, ...v.apps.map((a) => `${a.app} ${a.state}: ${a.state === 'ready' ? a.detail : a.state === 'failed' ? a.reason : a.for}`)];
}

function feed(w: ReadyWaiter, events: ApiEvent[], at = T0): void {
  for (const e of events) w.event(e, at);
}

describe('ready waiter (up/rollout/rollback --wait)', () => {
  it('a new app: waiting while its rollout runs, ready once it succeeded with every replica of its generation ready', () => {
    const ev = new EventSource();
    const w = new ReadyWaiter([target('web', { rollout: 'ro-1' })], T0, 600_000);
    feed(w, [ev.snapshot(), ev.next({ type: 'workload', workload: workloadSummary('web', { desired: 2, ready: 0, rollout: rollout('ro-1', 'web') }) })]);
    assert.deepEqual(said(w.verdict(T0)), ['waiting', 'web waiting: rollout ro-1, 0/2 of generation 1 ready']);
    feed(w, [ev.next({ type: 'replica', replica: ready('web-1-a', 'web', 1) }), ev.next({ type: 'replica', replica: ready('web-1-b', 'web', 1) })]);
    assert.equal(w.verdict(T0).kind, 'waiting', 'both replicas are ready, but the rollout has not said it is done');
    const steps = w.event(ev.next({ type: 'step', step: stepView({ rollout: 'ro-1', app: 'web', message: 'done' }) }), T0);
    assert.deepEqual(steps.map((u) => u.kind), ['step'], 'its steps, to print');
    feed(w, [ev.next({ type: 'rollout', rollout: rollout('ro-1', 'web', { state: 'succeeded' }) }), ev.next({ type: 'workload', workload: workloadSummary('web', { desired: 2, ready: 2 }) })]);
    const v = w.verdict(T0);
    assert.deepEqual(said(v), ['ready', 'web ready: 2/2 replicas of generation 1 ready']);
    assert.equal(v.apps[0]!.state === 'ready' && v.apps[0]!.announced, true, 'its rollout\'s last step said so already');
  });

  it('an unchanged app without a rollout: ready when its replicas are, from the snapshot alone', () => {
    const ev = new EventSource();
    const w = new ReadyWaiter([target('web')], T0, 600_000);
    feed(w, [ev.snapshot({ workloads: [workloadSummary('web', { desired: 2 })], replicas: [ready('web-1-a', 'web', 1), ready('web-1-b', 'web', 1), ready('other-1-a', 'other', 1)] })]);
    const v = w.verdict(T0);
    assert.deepEqual(said(v), ['ready', 'web ready: 2/2 replicas of generation 1 ready']);
    assert.equal(v.apps[0]!.state === 'ready' && v.apps[0]!.announced, false, 'to be said');
  });

  it('replicas of another generation or not ready do not count', () => {
    const ev = new EventSource();
    const w = new ReadyWaiter([target('web')], T0, 600_000);
    feed(w, [ev.snapshot({ workloads: [workloadSummary('web', { generation: 2, desired: 2 })], replicas: [ready('web-1-a', 'web', 1), ready('web-2-a', 'web', 2), replicaView('web-2-b', { app: 'web', generation: 2, state: 'starting' })] })]);
    assert.deepEqual(said(w.verdict(T0)), ['waiting', 'web waiting: 1/2 of generation 2 ready']);
  });

  it('a job is ready once it completed, even after the Conductor forgot its replica', () => {
    const ev = new EventSource();
    const w = new ReadyWaiter([target('migrate', { job: true, rollout: 'ro-m' })], T0, 600_000);
    feed(w, [
      ev.snapshot(),
      ev.next({ type: 'workload', workload: workloadSummary('migrate', { desired: 1, rollout: rollout('ro-m', 'migrate') }) }),
      ev.next({ type: 'replica', replica: ready('migrate-1-a', 'migrate', 1) }),
      ev.next({ type: 'rollout', rollout: rollout('ro-m', 'migrate', { state: 'succeeded' }) }),
    ]);
    assert.deepEqual(said(w.verdict(T0)), ['waiting', 'migrate waiting: 0/1 of generation 1 completed'], 'running is not done for a job');
    feed(w, [ev.next({ type: 'replica', replica: replicaView('migrate-1-a', { app: 'migrate', generation: 1, state: 'stopped', completed: true, reason: 'completed' }) }), ev.next({ type: 'replica-removed', id: 'migrate-1-a', app: 'migrate' })]);
    const v = w.verdict(T0);
    assert.deepEqual(said(v), ['ready', 'migrate ready: 1/1 replica of generation 1 completed']);
    assert.equal(v.apps[0]!.state === 'ready' && v.apps[0]!.announced, false, 'a job\'s completion is said');
  });

  it('fails as soon as one app fails, naming it and why: a rollout that did not succeed, a take-down', () => {
    const ev = new EventSource();
    const w = new ReadyWaiter([target('web', { rollout: 'ro-1' }), target('api'), target('gone')], T0, 600_000);
    feed(w, [ev.snapshot({ workloads: [workloadSummary('web', { rollout: rollout('ro-1', 'web') }), workloadSummary('api', { desired: 1 }), workloadSummary('gone')] })]);
    feed(w, [ev.next({ type: 'rollout', rollout: rollout('ro-1', 'web', { state: 'failed', reason: 'web-1-a exited with code 1 while starting' }) }), ev.next({ type: 'workload-removed', name: 'gone' })]);
    assert.deepEqual(said(w.verdict(T0)), [
      'failed',
      'web failed: rollout ro-1 failed: web-1-a exited with code 1 while starting',
      'api waiting: 0/1 of generation 1 ready',
      'gone failed: taken down',
    ]);
  });

  it('a crash loop fails an app outside a rollout of its own; within one, the rollout\'s outcome decides (the problem may be an older generation\'s)', () => {
    const loop = 'crash loop: 3 failures in a row, next try in 4.0 s (last: exited with code 1 while starting; SyntaxError)';
    const ev = new EventSource();
    const plain = new ReadyWaiter([target('db')], T0, 600_000);
    feed(plain, [ev.snapshot({ workloads: [workloadSummary('db', { desired: 1, problem: loop, problems: { 'crash-loop': loop } })] })]);
    assert.deepEqual(said(plain.verdict(T0)), ['failed', `db failed: ${loop}`]);
    const rolling = new ReadyWaiter([target('db', { rollout: 'ro-2' })], T0, 600_000);
    feed(rolling, [ev.snapshot({ workloads: [workloadSummary('db', { desired: 1, problem: loop, problems: { 'crash-loop': loop }, rollout: rollout('ro-2', 'db') })] })]);
    assert.equal(rolling.verdict(T0).kind, 'waiting');
  });

  it('a job whose attempts all failed fails at once, with the Conductor\'s reason', () => {
    const ev = new EventSource();
    const why = 'failed: 7 of 7 attempts failed (last: exited with code 3); roll it out again to retry';
    const w = new ReadyWaiter([target('migrate', { job: true })], T0, 600_000);
    feed(w, [ev.snapshot({ workloads: [workloadSummary('migrate', { desired: 1, ready: 0, problem: why, problems: { job: why } })] })]);
    assert.deepEqual(said(w.verdict(T0)), ['failed', `migrate failed: ${why}`]);
  });

  it('an app held back by a need: failed at its deadline, naming the need, even while its rollout goes on; the waiter asks to be woken then', () => {
    const waitingFor = needsVerdict([{ app: 'db', condition: 'ready' }], () => ({ generation: 1, desired: 1, job: false, replicas: [], failed: null, problem: 'crash loop: 3 failures in a row, next try in 4.0 s (last: exited with code 1)' })).waitingFor!;
    const ev = new EventSource();
    const w = new ReadyWaiter([target('api', { rollout: 'ro-a', deadlineMs: 3_000 })], T0, 600_000);
    feed(w, [ev.snapshot(), ev.next({ type: 'workload', workload: workloadSummary('api', { desired: 1, rollout: rollout('ro-a', 'api') }) })], T0);
    feed(w, [ev.next({ type: 'workload', workload: workloadSummary('api', { desired: 1, rollout: rollout('ro-a', 'api'), problem: waitingFor, problems: { needs: waitingFor } }) })], T0 + 500);
    const before = w.verdict(T0 + 3_499);
    assert.equal(before.kind, 'waiting');
    assert.equal(before.kind === 'waiting' && before.wakeAt, T0 + 3_500, 'woken at the deadline, counted from when it began to wait');
    assert.deepEqual(said(w.verdict(T0 + 3_500)), [
      'failed',
      `api failed: waited 3.0 s (its deadline) for what it needs: ${waitingFor}; its rollout ro-a goes on in the Conductor (\`skr8tr abort api\` ends it)`,
    ]);
  });

  it('a need that comes in time resets the wait', () => {
    const ev = new EventSource();
    const w = new ReadyWaiter([target('api', { deadlineMs: 3_000 })], T0, 600_000);
    feed(w, [ev.snapshot({ workloads: [workloadSummary('api', { desired: 1, problem: 'waiting for db (starting, 0/1 ready)', problems: { needs: 'waiting for db (starting, 0/1 ready)' } })] })], T0);
    feed(w, [ev.next({ type: 'workload', workload: workloadSummary('api', { desired: 1 }) })], T0 + 2_000);
    feed(w, [ev.next({ type: 'workload', workload: workloadSummary('api', { desired: 1, problem: 'waiting for db (starting, 0/1 ready)', problems: { needs: 'waiting for db (starting, 0/1 ready)' } }) })], T0 + 2_500);
    assert.equal(w.verdict(T0 + 4_000).kind, 'waiting', 'its second wait began at +2.5 s');
    assert.equal(w.verdict(T0 + 5_500).kind, 'failed');
  });

  it('the bound of the whole wait: timed out, naming each app not ready and what it waits for; none: no wake-up of its own', () => {
    const ev = new EventSource();
    const w = new ReadyWaiter([target('web', { rollout: 'ro-1' }), target('ok')], T0, 60_000);
    feed(w, [ev.snapshot({ workloads: [workloadSummary('web', { generation: 2, desired: 3, rollout: rollout('ro-1', 'web', { state: 'paused', reason: 'paused by the user' }) }), workloadSummary('ok', { desired: 0 })], replicas: [ready('web-2-a', 'web', 2)] })]);
    const v = w.verdict(T0 + 1_000);
    assert.equal(v.kind === 'waiting' && v.wakeAt, T0 + 60_000);
    const out = w.verdict(T0 + 60_000);
    assert.equal(out.kind, 'timed-out');
    assert.deepEqual(out.kind === 'timed-out' && out.waiting.map((a) => `${a.app}: ${a.for}`), ['web: rollout ro-1 paused: paused by the user; 1/3 of generation 2 ready']);
    const unbounded = new ReadyWaiter([target('web')], T0, null);
    feed(unbounded, [ev.snapshot({ workloads: [workloadSummary('web', { desired: 1 })] })]);
    const u = unbounded.verdict(T0 + 10_000_000);
    assert.equal(u.kind === 'waiting' && u.wakeAt, null);
  });

  it('a rollout the snapshot does not show is asked for, and its view counts', () => {
    const ev = new EventSource();
    const w = new ReadyWaiter([target('web', { rollout: 'ro-gone' })], T0, 600_000);
    const updates = w.event(ev.snapshot({ workloads: [workloadSummary('web', { desired: 1 })], replicas: [ready('web-1-a', 'web', 1)] }), T0);
    assert.deepEqual(updates.map((u) => u.kind === 'unknown' && u.id), ['ro-gone']);
    assert.deepEqual(w.pendingRollouts(), ['ro-gone']);
    assert.equal(w.verdict(T0).kind, 'waiting');
    w.seen(rollout('ro-gone', 'web', { state: 'succeeded' }));
    assert.deepEqual(said(w.verdict(T0)), ['ready', 'web ready: 1/1 replica of generation 1 ready']);
  });
});
