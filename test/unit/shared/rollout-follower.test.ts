// Following rollouts to their end (src/shared/rollout-follower.ts), as `skr8tr rollout --wait` and the
// editor's progress notification do: events and rollout views in, steps, progress, ends and the
// outcome out. Includes a rollback, an abort, and an end the stream missed (a snapshot after it).
import * as assert from 'node:assert/strict';
import { isFinal, type RolloutState, type RolloutView } from '../../../src/shared/protocol/api';
import { RolloutFollower, type FollowUpdate } from '../../../src/shared/rollout-follower';
import { EventSource, rolloutView, stepView, workloadSummary } from '../extension/fixtures';

function kinds(updates: FollowUpdate[]): string[] {
  return updates.map((u) => (u.kind === 'step' ? `step ${u.step.message}` : u.kind === 'unknown' ? `unknown ${u.id}` : `${u.kind} ${u.rollout.id} ${u.rollout.state}`));
}

function state(id: string, s: RolloutState, over: Partial<RolloutView> = {}): RolloutView {
  return rolloutView(id, { state: s, endedAt: isFinal(s) ? 9_000 : null, ...over });
}

describe('rollout follower', () => {
  it('which states are final', () => {
    const all: RolloutState[] = ['running', 'paused', 'rolling-back', 'succeeded', 'failed', 'rolled-back', 'aborted'];
    assert.deepEqual(all.filter(isFinal), ['succeeded', 'failed', 'rolled-back', 'aborted']);
  });

  it('a rollout that succeeds: its steps, its progress, its end; nothing of other rollouts', () => {
    const events = new EventSource();
    const f = new RolloutFollower(['ro-1']);
    const seen = [
      events.next({ type: 'rollout', rollout: state('ro-1', 'running', { ready: 0 }) }),
      events.next({ type: 'step', step: stepView({ rollout: 'ro-1', message: 'started web-2-a' }) }),
      events.next({ type: 'step', step: stepView({ rollout: 'ro-other', message: 'not ours' }) }),
      events.next({ type: 'rollout', rollout: state('ro-other', 'succeeded') }),
      events.next({ type: 'workload', workload: workloadSummary('web', { rollout: state('ro-1', 'running', { ready: 1 }) }) }),
      events.next({ type: 'replica-removed', id: 'web-1-a', app: 'web' }),
      events.next({ type: 'rollout', rollout: state('ro-1', 'succeeded', { ready: 2 }) }),
    ].flatMap((e) => kinds(f.event(e)));
    assert.deepEqual(seen, ['progress ro-1 running', 'step started web-2-a', 'progress ro-1 running', 'ended ro-1 succeeded']);
    assert.equal(f.done, true);
    assert.deepEqual(f.pending(), []);
    assert.deepEqual(f.outcome().failed, []);
    assert.deepEqual(
      f.outcome().ended.map((r) => r.id),
      ['ro-1'],
    );
  });

  it('a rollout that fails and rolls back: rolling back is not an end, rolled back is, and a failure', () => {
    const events = new EventSource();
    const f = new RolloutFollower(['ro-1']);
    const seen = [
      events.next({ type: 'rollout', rollout: state('ro-1', 'running') }),
      events.next({ type: 'rollout', rollout: state('ro-1', 'rolling-back', { reason: 'web-2-a exited 1' }) }),
      events.next({ type: 'step', step: stepView({ rollout: 'ro-1', message: 'failed: web-2-a exited 1; rolling back to generation 1', level: 'error' }) }),
    ].flatMap((e) => kinds(f.event(e)));
    assert.deepEqual(seen, ['progress ro-1 running', 'progress ro-1 rolling-back', 'step failed: web-2-a exited 1; rolling back to generation 1']);
    assert.equal(f.done, false);
    assert.deepEqual(kinds(f.event(events.next({ type: 'rollout', rollout: state('ro-1', 'rolled-back', { reason: 'web-2-a exited 1' }) }))), ['ended ro-1 rolled-back']);
    // The Conductor writes the last step after the end: it is still shown.
    assert.deepEqual(kinds(f.event(events.next({ type: 'step', step: stepView({ rollout: 'ro-1', message: 'rolled back: generation 1 is running again' }) }))), [
      'step rolled back: generation 1 is running again',
    ]);
    assert.equal(f.done, true);
    const { failed } = f.outcome();
    assert.deepEqual(
      failed.map((r) => [r.id, r.state, r.reason]),
      [['ro-1', 'rolled-back', 'web-2-a exited 1']],
    );
  });

  it('failed and aborted rollouts are failures too', () => {
    const f = new RolloutFollower(['a', 'b']);
    f.seen(state('a', 'aborted'));
    f.seen(state('b', 'failed'));
    assert.deepEqual(
      f.outcome().failed.map((r) => r.state),
      ['aborted', 'failed'],
    );
  });

  it('several rollouts: done when the last ends; the outcome lists them in the order they ended', () => {
    const f = new RolloutFollower(['a', 'b', 'c']);
    f.seen(state('b', 'succeeded'));
    f.seen(state('a', 'running'));
    f.seen(state('c', 'rolled-back'));
    assert.equal(f.done, false);
    assert.deepEqual(f.pending(), ['a']);
    f.seen(state('a', 'succeeded'));
    assert.equal(f.done, true);
    assert.deepEqual(
      f.outcome().ended.map((r) => r.id),
      ['b', 'c', 'a'],
    );
    assert.deepEqual(
      f.outcome().failed.map((r) => r.id),
      ['c'],
    );
  });

  it('an end is reported once; a later view (a stale answer, a repeated event) changes nothing', () => {
    const f = new RolloutFollower(['ro-1']);
    assert.deepEqual(kinds(f.seen(state('ro-1', 'succeeded'))), ['ended ro-1 succeeded']);
    assert.deepEqual(f.seen(state('ro-1', 'succeeded')), []);
    assert.deepEqual(f.seen(state('ro-1', 'running')), []);
    assert.deepEqual(f.outcome().ended[0]!.state, 'succeeded');
  });

  it('nothing to follow is done at once', () => {
    const f = new RolloutFollower([]);
    assert.equal(f.done, true);
    assert.deepEqual(f.outcome(), { ended: [], failed: [] });
  });

  describe('an end the stream missed', () => {
    it('a snapshot without the rollout: unknown, until its state is asked for', () => {
      const events = new EventSource();
      const f = new RolloutFollower(['ro-1']);
      f.event(events.next({ type: 'rollout', rollout: state('ro-1', 'running') }));
      // The stream is lost; the rollout ends meanwhile (it leaves its workload); a new stream starts with a snapshot.
      const again = new EventSource('epoch-b');
      const snapshot = again.snapshot({ workloads: [workloadSummary('web', { rollout: null })] });
      assert.deepEqual(kinds(f.event(snapshot)), ['unknown ro-1']);
      assert.equal(f.done, false);
      assert.deepEqual(kinds(f.seen(state('ro-1', 'succeeded'))), ['ended ro-1 succeeded']);
      assert.equal(f.done, true);
    });

    it('a snapshot that still shows the rollout: its progress, nothing unknown', () => {
      const f = new RolloutFollower(['ro-1']);
      const snapshot = new EventSource().snapshot({ workloads: [workloadSummary('web', { rollout: state('ro-1', 'paused') })] });
      assert.deepEqual(kinds(f.event(snapshot)), ['progress ro-1 paused']);
    });

    it('a snapshot says nothing about rollouts that have already ended', () => {
      const f = new RolloutFollower(['ro-1', 'ro-2']);
      f.seen(state('ro-1', 'succeeded'));
      assert.deepEqual(kinds(f.event(new EventSource().snapshot())), ['unknown ro-2']);
    });

    it('the editor: the model forgets the rollout at a snapshot and learns its end from the history', () => {
      // RolloutUi feeds the follower with the model's view of the rollout after each change.
      const f = new RolloutFollower(['ro-1']);
      const model = new Map<string, RolloutView>([['ro-1', state('ro-1', 'running')]]);
      const feed = () => (model.has('ro-1') ? kinds(f.seen(model.get('ro-1')!)) : []);
      assert.deepEqual(feed(), ['progress ro-1 running']);
      model.clear(); // a snapshot
      assert.deepEqual(feed(), []);
      model.set('ro-1', state('ro-1', 'rolled-back')); // the history, fetched after the snapshot
      assert.deepEqual(feed(), ['ended ro-1 rolled-back']);
      assert.equal(f.done, true);
    });
  });
});
