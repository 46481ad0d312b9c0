// The extension's cluster model (src/extension/cluster-model.ts): events of the Conductor's stream
// in, the model's maps and the change (what the views refresh) out.
import * as assert from 'node:assert/strict';
import { ClusterModel, type ModelChange } from '../../../src/extension/cluster-model';
import { isFinal, type RolloutState } from '../../../src/shared/protocol/api';
import { EventSource, nodeView, replicaView, rolloutView, stepView, workloadSummary } from './fixtures';

/** The change of an event that changed nothing. */
function noChange(): ModelChange {
  return { all: false, workloads: new Set(), nodes: new Set(), workloadList: false, nodeList: false, rollouts: false, steps: [] };
}

function change(over: Partial<ModelChange>): ModelChange {
  return { ...noChange(), ...over };
}

function connected(): { model: ClusterModel; events: EventSource } {
  const model = new ClusterModel();
  const events = new EventSource();
  model.apply(events.snapshot());
  return { model, events };
}

const ENDED: RolloutState[] = ['succeeded', 'failed', 'rolled-back', 'aborted'];
const ACTIVE: RolloutState[] = ['running', 'paused', 'rolling-back'];

describe('cluster model', () => {
  describe('a new model', () => {
    it('is empty and has no stream position', () => {
      const model = new ClusterModel();
      assert.equal(model.nodes.size, 0);
      assert.equal(model.workloads.size, 0);
      assert.equal(model.replicas.size, 0);
      assert.equal(model.rollouts.size, 0);
      assert.equal(model.position, null);
      assert.deepEqual(model.activeRollouts(), []);
    });
  });

  describe('snapshot', () => {
    it('fills nodes, workloads and replicas by their ids, and says everything changed', () => {
      const model = new ClusterModel();
      const events = new EventSource();
      const active = rolloutView('ro-1', { app: 'api' });
      const c = model.apply(
        events.snapshot({
          nodes: [nodeView('local'), nodeView('local-2')],
          workloads: [workloadSummary('web'), workloadSummary('api', { rollout: active })],
          replicas: [replicaView('web-1-a'), replicaView('api-2-a', { app: 'api', generation: 2 })],
        }),
      );
      assert.deepEqual(c, change({ all: true }));
      assert.deepEqual([...model.nodes.keys()], ['local', 'local-2']);
      assert.deepEqual([...model.workloads.keys()], ['web', 'api']);
      assert.deepEqual([...model.replicas.keys()], ['web-1-a', 'api-2-a']);
      assert.equal(model.workloads.get('api')!.rollout, active);
      assert.deepEqual([...model.rollouts.keys()], ['ro-1'], "a workload's active rollout is a rollout of the model");
      assert.deepEqual(model.position, { seq: 1, epoch: 'epoch-a' });
    });

    it('replaces what an earlier snapshot of the same epoch said', () => {
      const model = new ClusterModel();
      const events = new EventSource();
      model.apply(events.snapshot({ nodes: [nodeView('a')], workloads: [workloadSummary('web')], replicas: [replicaView('web-1-a')] }));
      const c = model.apply(events.snapshot({ nodes: [nodeView('b')], workloads: [workloadSummary('api')], replicas: [replicaView('api-1-a', { app: 'api' })] }));
      assert.equal(c.all, true);
      assert.deepEqual([...model.nodes.keys()], ['b']);
      assert.deepEqual([...model.workloads.keys()], ['api']);
      assert.deepEqual([...model.replicas.keys()], ['api-1-a']);
      assert.deepEqual(model.position, { seq: 2, epoch: 'epoch-a' });
    });

    it('of a new epoch resets the model, even to a lower sequence number', () => {
      const model = new ClusterModel();
      const old = new EventSource('epoch-a');
      model.apply(
        old.snapshot({
          nodes: [nodeView('local')],
          workloads: [workloadSummary('web', { rollout: rolloutView('ro-old') })],
          replicas: [replicaView('web-1-a')],
        }),
      );
      for (let i = 0; i < 20; i++) model.apply(old.next({ type: 'step', step: stepView() }));
      assert.equal(model.position!.seq, 21);

      const restarted = new EventSource('epoch-b');
      const c = model.apply(restarted.snapshot({ nodes: [nodeView('local-2')], workloads: [workloadSummary('api')] }));
      assert.equal(c.all, true);
      assert.deepEqual([...model.nodes.keys()], ['local-2']);
      assert.deepEqual([...model.workloads.keys()], ['api']);
      assert.equal(model.replicas.size, 0);
      // The old Conductor's rollout ended with it (or its end was never seen): it must not stay active.
      assert.deepEqual(model.activeRollouts(), []);
      assert.equal(model.rollouts.has('ro-old'), false);
      assert.deepEqual(model.position, { seq: 1, epoch: 'epoch-b' });

      // The new epoch's events apply from there on, though their numbers are lower than the old ones.
      const c2 = model.apply(restarted.next({ type: 'node', node: nodeView('local-3') }));
      assert.equal(c2.nodeList, true);
      assert.ok(model.nodes.has('local-3'));
    });

    it('drops a rollout whose end the stream missed (the workload no longer has it)', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'workload', workload: workloadSummary('web', { rollout: rolloutView('ro-1') }) }));
      assert.deepEqual(
        model.activeRollouts().map((r) => r.id),
        ['ro-1'],
      );
      // Reconnected after the ring overflowed: a snapshot in which the rollout is over.
      events.seq += 100;
      model.apply(events.snapshot({ workloads: [workloadSummary('web')] }));
      assert.deepEqual(model.activeRollouts(), []);
    });

    it('is applied whatever its sequence number (a reconnect starts with one)', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'node', node: nodeView('a') }));
      const c = model.apply({ type: 'snapshot', nodes: [nodeView('b')], workloads: [], replicas: [], seq: 1, epoch: 'epoch-a', at: 0 });
      assert.equal(c.all, true);
      assert.deepEqual([...model.nodes.keys()], ['b']);
    });
  });

  describe('nodes', () => {
    it('a new node changes the node list and the node', () => {
      const { model, events } = connected();
      const n = nodeView('local');
      const c = model.apply(events.next({ type: 'node', node: n }));
      assert.deepEqual(c, change({ nodes: new Set(['local']), nodeList: true }));
      assert.equal(model.nodes.get('local'), n);
    });

    it('an update of a known node changes that node only', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'node', node: nodeView('local') }));
      const c = model.apply(events.next({ type: 'node', node: nodeView('local', { connected: false }) }));
      assert.deepEqual(c, change({ nodes: new Set(['local']) }));
      assert.equal(model.nodes.get('local')!.connected, false);
    });

    it('node-removed removes it and changes the node list', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'node', node: nodeView('local') }));
      model.apply(events.next({ type: 'node', node: nodeView('local-2') }));
      const c = model.apply(events.next({ type: 'node-removed', id: 'local' }));
      assert.equal(c.nodeList, true);
      assert.equal(c.workloadList, false);
      assert.equal(c.all, false);
      assert.deepEqual([...model.nodes.keys()], ['local-2']);
    });

    it('node ids with `:` and `.` are kept as they are', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'node', node: nodeView('build-01.example.com:7443') }));
      assert.ok(model.nodes.has('build-01.example.com:7443'));
    });
  });

  describe('workloads', () => {
    it('a new workload changes the workload list and the workload', () => {
      const { model, events } = connected();
      const w = workloadSummary('web');
      const c = model.apply(events.next({ type: 'workload', workload: w }));
      assert.deepEqual(c, change({ workloads: new Set(['web']), workloadList: true }));
      assert.equal(model.workloads.get('web'), w);
    });

    it('an update of a known workload changes that workload only', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'workload', workload: workloadSummary('web') }));
      const c = model.apply(events.next({ type: 'workload', workload: workloadSummary('web', { ready: 1 }) }));
      assert.deepEqual(c, change({ workloads: new Set(['web']) }));
      assert.equal(model.workloads.get('web')!.ready, 1);
    });

    it("a workload with a rollout notes the rollout and says rollouts changed", () => {
      const { model, events } = connected();
      const ro = rolloutView('ro-1', { state: 'paused' });
      const c = model.apply(events.next({ type: 'workload', workload: workloadSummary('web', { rollout: ro }) }));
      assert.deepEqual(c, change({ workloads: new Set(['web']), workloadList: true, rollouts: true }));
      assert.equal(model.rollouts.get('ro-1'), ro);
      assert.deepEqual(model.activeRollouts(), [ro]);
    });

    it('workload-removed removes it and changes the workload list', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'workload', workload: workloadSummary('web') }));
      model.apply(events.next({ type: 'workload', workload: workloadSummary('api') }));
      const c = model.apply(events.next({ type: 'workload-removed', name: 'web' }));
      assert.equal(c.workloadList, true);
      assert.equal(c.nodeList, false);
      assert.equal(c.rollouts, false);
      assert.deepEqual([...model.workloads.keys()], ['api']);
    });
  });

  describe('replicas', () => {
    it('a new replica changes its workload and its node', () => {
      const { model, events } = connected();
      const r = replicaView('web-1-a', { node: 'local' });
      const c = model.apply(events.next({ type: 'replica', replica: r }));
      assert.deepEqual(c, change({ workloads: new Set(['web']), nodes: new Set(['local']) }));
      assert.equal(model.replicas.get('web-1-a'), r);
    });

    it('a replica not yet placed changes only its workload', () => {
      const { model, events } = connected();
      const c = model.apply(events.next({ type: 'replica', replica: replicaView('web-1-a', { node: null, state: 'pending' }) }));
      assert.deepEqual(c, change({ workloads: new Set(['web']) }));
    });

    it('a replica that moves changes both its old and its new node', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'replica', replica: replicaView('web-1-a', { node: 'a' }) }));
      const c = model.apply(events.next({ type: 'replica', replica: replicaView('web-1-a', { node: 'b' }) }));
      assert.deepEqual(c.nodes, new Set(['a', 'b']));
      assert.equal(model.replicas.get('web-1-a')!.node, 'b');
    });

    it('a state change replaces the replica', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'replica', replica: replicaView('web-1-a', { state: 'starting' }) }));
      model.apply(events.next({ type: 'replica', replica: replicaView('web-1-a', { state: 'ready' }) }));
      assert.equal(model.replicas.size, 1);
      assert.equal(model.replicas.get('web-1-a')!.state, 'ready');
    });

    it('replica-removed removes it and changes its workload and the node it was on', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'replica', replica: replicaView('web-1-a', { node: 'local' }) }));
      const c = model.apply(events.next({ type: 'replica-removed', id: 'web-1-a', app: 'web' }));
      assert.deepEqual(c, change({ workloads: new Set(['web']), nodes: new Set(['local']) }));
      assert.equal(model.replicas.size, 0);
    });

    it('replica-removed of an unknown replica still changes its workload', () => {
      const { model, events } = connected();
      const c = model.apply(events.next({ type: 'replica-removed', id: 'ghost', app: 'web' }));
      assert.deepEqual(c, change({ workloads: new Set(['web']) }));
    });

    it('replicasOf lists the replicas of an app; replicasOn the live ones of a node', () => {
      const { model, events } = connected();
      for (const r of [
        replicaView('web-1-a', { node: 'a', state: 'ready' }),
        replicaView('web-1-b', { node: 'a', state: 'stopped' }),
        replicaView('web-1-c', { node: 'a', state: 'failed' }),
        replicaView('web-1-d', { node: 'a', state: 'draining' }),
        replicaView('web-1-e', { node: 'b', state: 'starting' }),
        replicaView('api-1-a', { app: 'api', node: 'a', state: 'pending' }),
      ]) {
        model.apply(events.next({ type: 'replica', replica: r }));
      }
      assert.deepEqual(
        model.replicasOf('web').map((r) => r.id),
        ['web-1-a', 'web-1-b', 'web-1-c', 'web-1-d', 'web-1-e'],
      );
      assert.deepEqual(
        model.replicasOn('a').map((r) => r.id),
        ['web-1-a', 'web-1-d', 'api-1-a'],
      );
      assert.deepEqual(model.replicasOf('nothing'), []);
      assert.deepEqual(model.replicasOn('nowhere'), []);
    });
  });

  describe('rollouts and steps', () => {
    it('a rollout event notes the rollout and changes rollouts and its workload', () => {
      const { model, events } = connected();
      const ro = rolloutView('ro-1', { app: 'web' });
      const c = model.apply(events.next({ type: 'rollout', rollout: ro }));
      assert.deepEqual(c, change({ workloads: new Set(['web']), rollouts: true }));
      assert.equal(model.rollouts.get('ro-1'), ro);
    });

    it('a later event of the same rollout replaces it; an ended one is no longer active', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'rollout', rollout: rolloutView('ro-1') }));
      model.apply(events.next({ type: 'rollout', rollout: rolloutView('ro-1', { state: 'succeeded', endedAt: 5_000, ready: 2 }) }));
      assert.equal(model.rollouts.size, 1);
      assert.equal(model.rollouts.get('ro-1')!.state, 'succeeded');
      assert.deepEqual(model.activeRollouts(), []);
    });

    it('activeRollouts lists running, paused and rolling-back rollouts', () => {
      const { model, events } = connected();
      [...ACTIVE, ...ENDED].forEach((state, i) => model.apply(events.next({ type: 'rollout', rollout: rolloutView(`ro-${state}`, { state, startedAt: i }) })));
      assert.deepEqual(
        model
          .activeRollouts()
          .map((r) => r.state)
          .sort(),
        [...ACTIVE].sort(),
      );
    });

    it('isFinal is true exactly for ended states', () => {
      for (const s of ENDED) assert.equal(isFinal(s), true, s);
      for (const s of ACTIVE) assert.equal(isFinal(s), false, s);
    });

    it('a step changes nothing but is passed on, in order', () => {
      const { model, events } = connected();
      const s1 = stepView({ message: 'one' });
      const s2 = stepView({ message: 'two', level: 'warn' });
      const c1 = model.apply(events.next({ type: 'step', step: s1 }));
      const c2 = model.apply(events.next({ type: 'step', step: s2 }));
      assert.deepEqual(c1, change({ steps: [s1] }));
      assert.deepEqual(c2, change({ steps: [s2] }));
      assert.equal(model.rollouts.size, 0);
    });

    it('a daemon log line changes nothing but moves the position', () => {
      const { model, events } = connected();
      const c = model.apply(events.next({ type: 'daemon-log', level: 'info', message: 'hello' }));
      assert.deepEqual(c, noChange());
      assert.deepEqual(model.position, { seq: 2, epoch: 'epoch-a' });
    });
  });

  describe('duplicate and older events', () => {
    it('an event seen again is ignored and changes nothing', () => {
      const { model, events } = connected();
      const e = events.next({ type: 'node', node: nodeView('local') });
      model.apply(e);
      model.apply(events.next({ type: 'node-removed', id: 'local' }));
      assert.deepEqual(model.apply(e), noChange());
      assert.equal(model.nodes.size, 0, 'the replayed node event did not bring the node back');
      assert.deepEqual(model.position, { seq: 3, epoch: 'epoch-a' });
    });

    it('an older event of the same epoch is ignored, of every type', () => {
      const { model, events } = connected();
      const old = [
        events.next({ type: 'node', node: nodeView('n1') }),
        events.next({ type: 'node-removed', id: 'n0' }),
        events.next({ type: 'workload', workload: workloadSummary('w1', { rollout: rolloutView('ro-9') }) }),
        events.next({ type: 'workload-removed', name: 'w0' }),
        events.next({ type: 'replica', replica: replicaView('r1') }),
        events.next({ type: 'replica-removed', id: 'r0', app: 'web' }),
        events.next({ type: 'rollout', rollout: rolloutView('ro-8') }),
        events.next({ type: 'step', step: stepView() }),
      ];
      model.apply(events.snapshot({ nodes: [nodeView('n0')], workloads: [workloadSummary('w0')], replicas: [replicaView('r0')] }));
      const position = model.position;
      for (const e of old) assert.deepEqual(model.apply(e), noChange(), e.type);
      assert.deepEqual([...model.nodes.keys()], ['n0']);
      assert.deepEqual([...model.workloads.keys()], ['w0']);
      assert.deepEqual([...model.replicas.keys()], ['r0']);
      assert.equal(model.rollouts.size, 0);
      assert.deepEqual(model.position, position, 'an ignored event does not move the position back');
    });

    it('an event with the same number but another epoch is applied', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'node', node: nodeView('a') }));
      const c = model.apply({ type: 'node', node: nodeView('b'), seq: 2, epoch: 'epoch-b', at: 0 });
      assert.equal(c.nodeList, true);
      assert.ok(model.nodes.has('b'));
      assert.deepEqual(model.position, { seq: 2, epoch: 'epoch-b' });
    });

    it('events before any position are applied', () => {
      const model = new ClusterModel();
      const c = model.apply({ type: 'workload', workload: workloadSummary('web'), seq: 7, epoch: 'e', at: 0 });
      assert.equal(c.workloadList, true);
      assert.deepEqual(model.position, { seq: 7, epoch: 'e' });
    });
  });

  describe('keeping the most recent 50 ended rollouts', () => {
    it('trims ended rollouts to the 50 most recently started, and keeps every active one', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'rollout', rollout: rolloutView('active-old', { startedAt: 0, state: 'paused' }) }));
      for (let i = 1; i <= 60; i++) {
        model.apply(events.next({ type: 'rollout', rollout: rolloutView(`ro-${i}`, { startedAt: i * 10, state: ENDED[i % 4]!, endedAt: i * 10 + 5 }) }));
      }
      model.apply(events.next({ type: 'rollout', rollout: rolloutView('active-new', { startedAt: 9_999 }) }));
      const ended = [...model.rollouts.values()].filter((r) => isFinal(r.state));
      assert.equal(ended.length, 50);
      assert.deepEqual(ended.map((r) => r.id).sort(), Array.from({ length: 50 }, (_, i) => `ro-${i + 11}`).sort());
      assert.ok(model.rollouts.has('active-old'), 'an active rollout is never trimmed, however old');
      assert.ok(model.rollouts.has('active-new'));
      assert.equal(model.rollouts.size, 52);
    });

    it('an active rollout that ends counts among the ended ones', () => {
      const { model, events } = connected();
      for (let i = 1; i <= 50; i++) model.apply(events.next({ type: 'rollout', rollout: rolloutView(`ro-${i}`, { startedAt: i, state: 'succeeded' }) }));
      model.apply(events.next({ type: 'rollout', rollout: rolloutView('ro-51', { startedAt: 51 }) }));
      assert.equal(model.rollouts.size, 51);
      model.apply(events.next({ type: 'rollout', rollout: rolloutView('ro-51', { startedAt: 51, state: 'failed' }) }));
      assert.equal(model.rollouts.size, 50);
      assert.equal(model.rollouts.has('ro-1'), false, 'the oldest ended rollout went');
      assert.ok(model.rollouts.has('ro-51'));
    });
  });

  describe('addHistory', () => {
    it('adds rollouts learnt from the workloads', () => {
      const { model } = connected();
      const a = rolloutView('ro-1', { state: 'succeeded', startedAt: 1 });
      const b = rolloutView('ro-2', { state: 'rolled-back', startedAt: 2 });
      model.addHistory([a, b]);
      assert.equal(model.rollouts.get('ro-1'), a);
      assert.equal(model.rollouts.get('ro-2'), b);
    });

    it('does not replace a rollout the stream already told about (it is newer)', () => {
      const { model, events } = connected();
      const live = rolloutView('ro-1', { state: 'succeeded', endedAt: 9_000 });
      model.apply(events.next({ type: 'rollout', rollout: live }));
      model.addHistory([rolloutView('ro-1', { state: 'running' })]);
      assert.equal(model.rollouts.get('ro-1'), live);
    });

    it('keeps only the 50 most recent ended rollouts', () => {
      const { model } = connected();
      model.addHistory(Array.from({ length: 70 }, (_, i) => rolloutView(`ro-${i}`, { state: 'succeeded', startedAt: 1_000 - i })));
      assert.equal(model.rollouts.size, 50);
      assert.ok(model.rollouts.has('ro-0'), 'the most recent is kept');
      assert.ok(model.rollouts.has('ro-49'));
      assert.equal(model.rollouts.has('ro-50'), false);
    });

    it('of nothing changes nothing', () => {
      const { model, events } = connected();
      model.apply(events.next({ type: 'rollout', rollout: rolloutView('ro-1') }));
      model.addHistory([]);
      assert.deepEqual([...model.rollouts.keys()], ['ro-1']);
    });
  });

  describe('clear', () => {
    it('empties every map and forgets the position', () => {
      const model = new ClusterModel();
      const events = new EventSource();
      model.apply(
        events.snapshot({
          nodes: [nodeView('local')],
          workloads: [workloadSummary('web', { rollout: rolloutView('ro-1') })],
          replicas: [replicaView('web-1-a')],
        }),
      );
      model.clear();
      assert.equal(model.nodes.size + model.workloads.size + model.replicas.size + model.rollouts.size, 0);
      assert.equal(model.position, null);
      // After clearing, the same stream's events apply again from the start.
      const c = model.apply({ type: 'node', node: nodeView('local'), seq: 1, epoch: 'epoch-a', at: 0 });
      assert.equal(c.nodeList, true);
    });
  });
});
