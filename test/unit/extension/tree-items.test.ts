// The three Skr8tr views as pure functions of the cluster model (src/extension/tree-items.ts): which
// elements each view shows under which parent, the inverse (parentOf, which reveal needs), and how
// each element looks (label, description, codicon, context value for package.json's menus).
import * as assert from 'node:assert/strict';
import type { ClusterModel } from '../../../src/extension/cluster-model';
import { children, item, parentOf, type ItemSpec, type ViewId } from '../../../src/extension/tree-items';
import { formatMs } from '../../../src/shared/format';
import type { ReplicaState } from '../../../src/shared/protocol/api';
import { modelOf, nodeView, replicaView, rolloutView, workloadSummary } from './fixtures';

const NOW = 1_000_000;
const REMOTE = 'build-01.example.com:7443';

/**
 * web:    ingress on :8080, rolling 1 → 2 (running); generation 1 has a ready and a draining replica
 *         on `local`, generation 2 a starting one on REMOTE and a pending unplaced one.
 * api:    no port, generation 1 steady: a ready replica (no port) and a stopped one on `local`.
 * worker: own port :9000 (ingress off), rollout paused, a problem; a failed replica on REMOTE.
 */
function cluster(): ClusterModel {
  const { model } = modelOf({
    nodes: [nodeView('local'), nodeView(REMOTE, { address: '10.0.0.7', connected: false, lastHeartbeatMs: 12_400 })],
    workloads: [
      workloadSummary('web', {
        generation: 2,
        latestGeneration: 2,
        desired: 2,
        ready: 0,
        port: 8080,
        ingress: { port: 8080, address: '127.0.0.1', backends: 1 },
        rollout: rolloutView('ro-web', { app: 'web', state: 'running', startedAt: 5_000, ready: 0, desired: 2 }),
      }),
      workloadSummary('api', { desired: 1, ready: 1 }),
      workloadSummary('worker', {
        generation: 3,
        latestGeneration: 3,
        desired: 1,
        ready: 0,
        port: 9000,
        rollout: rolloutView('ro-worker', { app: 'worker', fromGeneration: 2, toGeneration: 3, state: 'paused', startedAt: 6_000, desired: 1 }),
        problem: 'no node fits',
      }),
    ],
    replicas: [
      replicaView('web-1-b', { generation: 1, node: 'local', port: 40002, state: 'draining', createdAt: 200, inIngress: false }),
      replicaView('web-1-a', { generation: 1, node: 'local', port: 40001, state: 'ready', createdAt: 100, inIngress: true }),
      replicaView('web-2-a', { generation: 2, node: REMOTE, address: '10.0.0.7', port: 40003, state: 'starting', createdAt: 300, pid: 777, readyAt: null, readyAfterMs: null }),
      replicaView('web-2-b', { generation: 2, node: null, address: null, port: null, pid: null, state: 'pending', createdAt: 400, readyAt: null, readyAfterMs: null }),
      replicaView('api-1-b', { app: 'api', node: 'local', port: null, pid: null, state: 'stopped', createdAt: 50, reason: 'scaled down' }),
      replicaView('api-1-a', { app: 'api', node: 'local', port: null, state: 'ready', createdAt: 60, pid: 11, readyAfterMs: 250 }),
      replicaView('worker-3-a', { app: 'worker', generation: 3, node: REMOTE, port: 9000, pid: null, state: 'failed', createdAt: 70, reason: 'exited 1', restarts: 2 }),
    ],
    rollouts: [
      rolloutView('ro-old', { app: 'web', fromGeneration: 0, toGeneration: 1, state: 'succeeded', startedAt: 1_000, endedAt: 2_500 }),
      rolloutView('ro-bad', { app: 'api', fromGeneration: 1, toGeneration: 2, state: 'rolled-back', startedAt: 3_000, endedAt: 4_000, reason: 'health check failed' }),
    ],
  });
  return model;
}

function spec(model: ClusterModel, key: string): ItemSpec {
  const s = item(model, key, NOW);
  assert.ok(s, `an item for ${key}`);
  return s;
}

/** Every element of a view, depth first, with its parent. */
function walk(model: ClusterModel, view: ViewId): { key: string; parent: string | null }[] {
  const out: { key: string; parent: string | null }[] = [];
  const visit = (parent: string | null) => {
    for (const key of children(model, view, parent)) {
      out.push({ key, parent });
      visit(key);
    }
  };
  visit(null);
  return out;
}

const VIEWS: ViewId[] = ['workloads', 'nodes', 'rollouts'];

describe('tree items', () => {
  describe('workloads view', () => {
    it('lists workloads by name', () => {
      assert.deepEqual(children(cluster(), 'workloads', null), ['w:api', 'w:web', 'w:worker']);
    });

    it('lists the generations of a workload, newest first, including the current one with no replicas', () => {
      const model = cluster();
      assert.deepEqual(children(model, 'workloads', 'w:web'), ['g:web|2', 'g:web|1']);
      // api's rollout to generation 2 was rolled back: that generation stays in view (below).
      assert.deepEqual(children(model, 'workloads', 'w:api'), ['g:api|2', 'g:api|1']);
      model.workloads.set('api', workloadSummary('api', { generation: 4 }));
      assert.deepEqual(children(model, 'workloads', 'w:api'), ['g:api|4', 'g:api|2', 'g:api|1']);
    });

    it('a generation whose rollout failed stays in view after its replicas are gone (a Conductor restart), saying why', () => {
      const failed = rolloutView('ro-2', { app: 'web', fromGeneration: 1, toGeneration: 2, state: 'rolled-back', startedAt: 3_000, endedAt: 4_000, reason: "web-2-ab exited with code 1 while starting; stderr: SyntaxError: Unexpected token ';'" });
      const { model } = modelOf({ workloads: [workloadSummary('web', { latestGeneration: 2 })], replicas: [replicaView('web-1-a')], rollouts: [failed] });
      assert.deepEqual(children(model, 'workloads', 'w:web'), ['g:web|2', 'g:web|1']);
      const g = spec(model, 'g:web|2');
      assert.equal(g.description, "rolled-back: web-2-ab exited with code 1 while starting; stderr: SyntaxError: Unexpected token ';'");
      assert.deepEqual(g.icon, { id: 'error', color: 'testing.iconFailed' });
      assert.match(g.tooltip, /its rollout ro-2 rolled-back: web-2-ab exited/);
      assert.deepEqual(children(model, 'workloads', 'g:web|2'), [], 'no replica left to show');
      // A succeeded rollout's generation that ended is not kept in view; failed ones at most 3.
      const many = modelOf({
        workloads: [workloadSummary('web', { generation: 9 })],
        rollouts: [
          rolloutView('ok', { toGeneration: 8, state: 'succeeded', startedAt: 8 }),
          ...[3, 4, 5, 6].map((g) => rolloutView(`bad-${g}`, { toGeneration: g, state: 'failed', startedAt: g, endedAt: g + 1 })),
        ],
      }).model;
      assert.deepEqual(children(many, 'workloads', 'w:web'), ['g:web|9', 'g:web|6', 'g:web|5', 'g:web|4']);
    });

    it('sorts generations by number, not as text', () => {
      const { model } = modelOf({
        workloads: [workloadSummary('web', { generation: 10 })],
        replicas: [replicaView('a', { generation: 9 }), replicaView('b', { generation: 2 }), replicaView('c', { generation: 10 })],
      });
      assert.deepEqual(children(model, 'workloads', 'w:web'), ['g:web|10', 'g:web|9', 'g:web|2']);
    });

    it('lists the replicas of a generation: live first, then draining, then the rest, each oldest first', () => {
      const model = cluster();
      assert.deepEqual(children(model, 'workloads', 'g:web|1'), ['r:web-1-a', 'r:web-1-b']);
      assert.deepEqual(children(model, 'workloads', 'g:web|2'), ['r:web-2-a', 'r:web-2-b']);
      assert.deepEqual(children(model, 'workloads', 'g:api|1'), ['r:api-1-a', 'r:api-1-b'], 'a stopped replica is still shown, last');
      const { model: m } = modelOf({
        workloads: [workloadSummary('web')],
        replicas: [
          replicaView('failed', { state: 'failed', createdAt: 1 }),
          replicaView('draining', { state: 'draining', createdAt: 2 }),
          replicaView('young', { state: 'pending', createdAt: 9 }),
          replicaView('old', { state: 'ready', createdAt: 3 }),
        ],
      });
      assert.deepEqual(children(m, 'workloads', 'g:web|1'), ['r:old', 'r:young', 'r:draining', 'r:failed']);
    });

    it('replicas and unknown elements have no children', () => {
      const model = cluster();
      assert.deepEqual(children(model, 'workloads', 'r:web-1-a'), []);
      assert.deepEqual(children(model, 'workloads', 'n:local'), []);
      assert.deepEqual(children(model, 'workloads', 'g:web|7'), []);
    });

    it('a workload that is rolling: label, description, spinning icon, context value', () => {
      const s = spec(cluster(), 'w:web');
      assert.equal(s.id, 'w:web');
      // The most important facts in the label (a narrow side bar cuts the description first).
      assert.equal(s.label, 'web 0/2 :8080');
      assert.equal(s.description, 'running 1→2 · gen 2');
      assert.deepEqual(s.command, { id: 'skr8tr.openManifest', title: 'Open Manifest', argument: 'w:web' }, 'a click opens its manifest');
      assert.deepEqual(s.icon, { id: 'sync~spin', color: 'charts.blue' });
      assert.equal(s.contextValue, 'workload:port:rolling:running');
      assert.equal(s.collapsible, 'expanded');
      assert.match(s.tooltip, /^web: generation 2 \(latest 2\)$/m);
      assert.match(s.tooltip, /ingress on 127\.0\.0\.1:8080, 1 in rotation/);
      assert.match(s.tooltip, /rollout ro-web: running, 0\/2 new replicas ready/);
      assert.match(s.tooltip, /manifest: \/work\/web\.skr8tr/);
    });

    it('a workload with a paused rollout, its own port and a problem', () => {
      const s = spec(cluster(), 'w:worker');
      assert.equal(s.label, 'worker 0/1 :9000');
      assert.equal(s.description, '⚠ no node fits · paused 2→3 · gen 3 · own port');
      assert.deepEqual(s.icon, { id: 'warning', color: 'problemsWarningIcon.foreground' }, 'a problem shows over the rollout');
      assert.equal(s.contextValue, 'workload:port:rolling:paused');
      assert.match(s.tooltip, /port 9000, bound by the replica \(ingress off\)/);
      assert.match(s.tooltip, /⚠ no node fits/);
    });

    it('a steady workload without a port', () => {
      const s = spec(cluster(), 'w:api');
      assert.equal(s.label, 'api 1/1');
      assert.equal(s.description, 'gen 1');
      assert.deepEqual(s.icon, { id: 'package', color: 'testing.iconPassed' });
      assert.equal(s.contextValue, 'workload');
      assert.match(s.tooltip, /no port/);
      assert.doesNotMatch(s.tooltip, /rollout|⚠/);
    });

    it('a workload short of replicas is yellow; one whose rollout ended is not rolling', () => {
      const { model } = modelOf({
        workloads: [
          workloadSummary('short', { desired: 3, ready: 1 }),
          workloadSummary('done', { port: 80, rollout: rolloutView('ro-1', { app: 'done', state: 'succeeded', endedAt: 2_000 }) }),
          workloadSummary('back', { rollout: rolloutView('ro-2', { app: 'back', state: 'rolling-back' }) }),
        ],
      });
      assert.deepEqual(spec(model, 'w:short').icon, { id: 'package', color: 'charts.yellow' });
      const done = spec(model, 'w:done');
      assert.equal(done.contextValue, 'workload:port');
      assert.equal(done.label, 'done 2/2 :80');
      assert.equal(done.description, 'gen 1 · own port');
      assert.deepEqual(done.icon, { id: 'package', color: 'testing.iconPassed' });
      assert.equal(spec(model, 'w:back').contextValue, 'workload:rolling:rolling-back');
    });

    it('generations: new, old, current and ended', () => {
      const model = cluster();
      const gNew = spec(model, 'g:web|2');
      assert.equal(gNew.label, 'generation 2');
      assert.equal(gNew.description, 'new · 0 ready, 2 other');
      assert.deepEqual(gNew.icon, { id: 'versions', color: null });
      assert.equal(gNew.contextValue, 'generation:new');
      assert.equal(gNew.collapsible, 'expanded');

      const gOld = spec(model, 'g:web|1');
      assert.equal(gOld.description, 'old · 1 ready, 1 other');
      assert.deepEqual(gOld.icon, { id: 'history', color: null });
      assert.equal(gOld.contextValue, 'generation:old');
      assert.equal(gOld.collapsible, 'expanded');

      const gCurrent = spec(model, 'g:api|1');
      assert.equal(gCurrent.description, 'current · 1 ready');
      assert.equal(gCurrent.contextValue, 'generation:current');
      assert.match(gCurrent.tooltip, /api generation 1 \(current\): 1 ready of 1 running/);

      model.workloads.set('api', workloadSummary('api', { generation: 2 }));
      model.replicas.delete('api-1-a');
      const gEnded = spec(model, 'g:api|1');
      assert.equal(gEnded.description, 'ended · 0 ready');
      assert.equal(gEnded.contextValue, 'generation:ended');
      assert.equal(gEnded.collapsible, 'collapsed');
    });

    it('replicas: description, tooltip and a live context value', () => {
      const model = cluster();
      const ready = spec(model, 'r:web-1-a');
      assert.equal(ready.id, 'r:web-1-a');
      assert.equal(ready.label, 'web-1-a');
      assert.equal(ready.description, 'ready · :40001 · pid 4242 · ready in 500 ms · in ingress');
      assert.deepEqual(ready.command, { id: 'skr8tr.showLogs', title: 'Show Logs', argument: 'r:web-1-a' }, 'a click shows its logs');
      assert.equal(ready.contextValue, 'replica:live');
      assert.equal(ready.collapsible, 'none');
      assert.match(ready.tooltip, /^web-1-a \(web, generation 1\)$/m);
      assert.match(ready.tooltip, /node: local \(127\.0\.0\.1\)/);
      assert.match(ready.tooltip, /pid: 4242, port: 40001, in the ingress/);

      const pending = spec(model, 'r:web-2-b');
      assert.equal(pending.description, 'pending');
      assert.equal(pending.contextValue, 'replica:live');
      assert.match(pending.tooltip, /node: -$/m);
      assert.match(pending.tooltip, /pid: -, port: -/);

      const failed = spec(model, 'r:worker-3-a');
      assert.equal(failed.description, 'failed · :9000 · exited 1');
      assert.equal(failed.contextValue, 'replica:failed');
      assert.match(failed.tooltip, /state: failed — exited 1/);
      assert.match(failed.tooltip, /restarted 2 times in place/);
      assert.equal(spec(model, 'r:web-1-b').contextValue, 'replica:draining');
      assert.equal(spec(model, 'r:api-1-b').contextValue, 'replica:stopped');
    });

    it('each replica state has its codicon and theme color; live states share one context value', () => {
      const expected: Record<ReplicaState, { icon: ItemSpec['icon']; context: string }> = {
        pending: { icon: { id: 'clock', color: null }, context: 'replica:live' },
        starting: { icon: { id: 'loading~spin', color: 'charts.yellow' }, context: 'replica:live' },
        ready: { icon: { id: 'pass-filled', color: 'testing.iconPassed' }, context: 'replica:live' },
        draining: { icon: { id: 'arrow-circle-down', color: 'charts.orange' }, context: 'replica:draining' },
        stopped: { icon: { id: 'circle-slash', color: 'disabledForeground' }, context: 'replica:stopped' },
        failed: { icon: { id: 'error', color: 'testing.iconFailed' }, context: 'replica:failed' },
      };
      const states = Object.keys(expected) as ReplicaState[];
      const { model } = modelOf({ nodes: [nodeView('local')], workloads: [workloadSummary('web')], replicas: states.map((state) => replicaView(`web-${state}`, { state })) });
      for (const state of states) {
        const s = spec(model, `r:web-${state}`);
        assert.deepEqual(s.icon, expected[state].icon, state);
        assert.equal(s.contextValue, expected[state].context, state);
        assert.ok(s.description.startsWith(state), state);
        if (state !== 'stopped' && state !== 'failed') {
          const onNode = spec(model, `nr:local|web-${state}`);
          assert.deepEqual(onNode.icon, expected[state].icon, `${state} in the nodes view`);
          assert.equal(onNode.contextValue, expected[state].context, `${state} in the nodes view`);
        }
      }
    });

    it('says "ready in" only of a ready replica, and "1 time" in the singular', () => {
      const { model } = modelOf({
        workloads: [workloadSummary('web')],
        replicas: [replicaView('a', { state: 'draining', readyAfterMs: 300, restarts: 1 })],
      });
      const s = spec(model, 'r:a');
      assert.doesNotMatch(s.description, /ready in/);
      assert.match(s.tooltip, /ready 300 ms after launch/);
      assert.match(s.tooltip, /restarted 1 time in place/);
    });

    it('an adopted replica (its time to ready unknown) says no time, rather than its age', () => {
      const { model } = modelOf({ workloads: [workloadSummary('web')], replicas: [replicaView('a', { readyAt: 90_000, readyAfterMs: null })] });
      const s = spec(model, 'r:a');
      assert.doesNotMatch(s.description, /ready in/);
      assert.match(s.tooltip, /time to ready unknown \(adopted after a Conductor restart\)/);
    });

    it('a rollout row opens its timeline', () => {
      assert.deepEqual(spec(cluster(), 'ro:ro-web').command, { id: 'skr8tr.showRolloutTimeline', title: 'Show Rollout Timeline', argument: 'ro:ro-web' });
      assert.equal(spec(cluster(), 'n:local').command, null);
      assert.equal(spec(cluster(), 'g:web|1').command, null);
    });
  });

  describe('nodes view', () => {
    it('lists nodes by id; ids may hold `:` and `.`', () => {
      assert.deepEqual(children(cluster(), 'nodes', null), [`n:${REMOTE}`, 'n:local']);
    });

    it('a node: the "Ports in use" group first (when a replica has a port), then its live replicas', () => {
      const model = cluster();
      assert.deepEqual(children(model, 'nodes', 'n:local'), ['np:local', 'nr:local|api-1-a', 'nr:local|web-1-a', 'nr:local|web-1-b']);
      assert.deepEqual(children(model, 'nodes', 'np:local'), ['p:local|40001', 'p:local|40002']);
      assert.deepEqual(children(model, 'nodes', `n:${REMOTE}`), [`np:${REMOTE}`, `nr:${REMOTE}|web-2-a`], 'a failed replica is not on the node any more');
      assert.deepEqual(children(model, 'nodes', `np:${REMOTE}`), [`p:${REMOTE}|40003`]);
    });

    it('no "Ports in use" group when no replica on the node has a port', () => {
      const { model } = modelOf({
        nodes: [nodeView('local')],
        workloads: [workloadSummary('api')],
        replicas: [replicaView('api-1-a', { app: 'api', port: null }), replicaView('api-1-b', { app: 'api', port: 7000, state: 'stopped' })],
      });
      assert.deepEqual(children(model, 'nodes', 'n:local'), ['nr:local|api-1-a']);
    });

    it('a node without replicas has no children', () => {
      const { model } = modelOf({ nodes: [nodeView('empty')] });
      assert.deepEqual(children(model, 'nodes', 'n:empty'), []);
      assert.equal(spec(model, 'n:empty').collapsible, 'none');
    });

    it('ports are listed once each, in numeric order, with the replicas that use them', () => {
      const { model } = modelOf({
        nodes: [nodeView('local')],
        workloads: [workloadSummary('web')],
        replicas: [replicaView('a', { port: 10000 }), replicaView('b', { port: 9000 }), replicaView('c', { port: 9000 }), replicaView('d', { port: null })],
      });
      assert.deepEqual(children(model, 'nodes', 'np:local'), ['p:local|9000', 'p:local|10000']);
      const group = spec(model, 'np:local');
      assert.equal(group.label, 'Ports in use');
      assert.equal(group.description, '2');
      assert.equal(group.contextValue, 'ports');
      assert.deepEqual(group.icon, { id: 'plug', color: null });
      assert.equal(group.collapsible, 'collapsed');
      const port = spec(model, 'p:local|9000');
      assert.equal(port.label, ':9000');
      assert.equal(port.description, 'b, c');
      assert.equal(port.tooltip, 'Port 9000 on local: b, c');
      assert.equal(port.contextValue, 'port');
      assert.equal(port.collapsible, 'none');
    });

    it('a connected node', () => {
      const s = spec(cluster(), 'n:local');
      assert.equal(s.label, 'local');
      assert.equal(s.description, '3 replicas · cpu 25% · 4.0 GiB free · 127.0.0.1 · heartbeat now');
      assert.deepEqual(s.icon, { id: 'server', color: 'testing.iconPassed' });
      assert.equal(s.contextValue, 'node:connected');
      assert.equal(s.collapsible, 'expanded');
      assert.match(s.tooltip, /local at 127\.0\.0\.1 \(agent 0\.1\.0\)/);
      assert.match(s.tooltip, /CPU 25% of 8 cores, 4\.0 GiB free of 16\.0 GiB/);
    });

    it('a disconnected node whose id holds `:` and `.`', () => {
      const s = spec(cluster(), `n:${REMOTE}`);
      assert.equal(s.id, `n:${REMOTE}`);
      assert.equal(s.label, REMOTE);
      assert.equal(s.description, 'away · 1 replica · cpu 25% · 4.0 GiB free · 10.0.0.7');
      assert.deepEqual(s.icon, { id: 'debug-disconnect', color: 'problemsWarningIcon.foreground' });
      assert.equal(s.contextValue, 'node:away');
      assert.match(s.tooltip, /disconnected/);
      assert.equal(spec(cluster(), `p:${REMOTE}|40003`).tooltip, `Port 40003 on ${REMOTE}: web-2-a`);
    });

    it('a replica under a node shows its generation', () => {
      const s = spec(cluster(), 'nr:local|web-1-a');
      assert.equal(s.id, 'nr:local|web-1-a');
      assert.equal(s.label, 'web-1-a');
      assert.equal(s.description, 'gen 1 · ready · :40001 · pid 4242 · ready in 500 ms · in ingress');
      assert.equal(s.contextValue, 'replica:live');
      assert.equal(spec(cluster(), `nr:${REMOTE}|web-2-a`).description, 'gen 2 · starting · :40003 · pid 777');
    });

    it('the heartbeat age in seconds', () => {
      const { model } = modelOf({ nodes: [nodeView('slow', { lastHeartbeatMs: 4_600 })] });
      assert.match(spec(model, 'n:slow').description, / · heartbeat 5 s ago$/);
    });
  });

  describe('rollouts view', () => {
    it('lists active rollouts first, then ended ones, each newest first', () => {
      const { model } = modelOf({
        rollouts: [
          rolloutView('ended-1', { state: 'succeeded', startedAt: 100 }),
          rolloutView('active-1', { state: 'running', startedAt: 50 }),
          rolloutView('ended-3', { state: 'aborted', startedAt: 300 }),
          rolloutView('active-2', { state: 'rolling-back', startedAt: 60 }),
          rolloutView('ended-2', { state: 'failed', startedAt: 200 }),
          rolloutView('active-3', { state: 'paused', startedAt: 10 }),
        ],
      });
      assert.deepEqual(children(model, 'rollouts', null), ['ro:active-2', 'ro:active-1', 'ro:active-3', 'ro:ended-3', 'ro:ended-2', 'ro:ended-1']);
    });

    it('the rollouts of the cluster, and no children under a rollout', () => {
      const model = cluster();
      assert.deepEqual(children(model, 'rollouts', null), ['ro:ro-worker', 'ro:ro-web', 'ro:ro-bad', 'ro:ro-old']);
      assert.deepEqual(children(model, 'rollouts', 'ro:ro-web'), []);
    });

    it('an active rollout: progress and the start time', () => {
      const s = spec(cluster(), 'ro:ro-web');
      assert.equal(s.id, 'ro:ro-web');
      assert.equal(s.label, 'web 1 → 2');
      assert.equal(s.description, `running · 0/2 ready · ${new Date(5_000).toLocaleTimeString()}`);
      assert.deepEqual(s.icon, { id: 'sync~spin', color: 'charts.blue' });
      assert.equal(s.contextValue, 'rollout:rolling:running');
      assert.equal(s.collapsible, 'none');
      assert.equal(spec(cluster(), 'ro:ro-worker').contextValue, 'rollout:rolling:paused');
    });

    it('an ended rollout: how long it took, and why', () => {
      const model = cluster();
      const ok = spec(model, 'ro:ro-old');
      assert.equal(ok.label, 'web 0 → 1');
      assert.equal(ok.description, `succeeded in 1.5 s · ${new Date(1_000).toLocaleTimeString()}`);
      assert.deepEqual(ok.icon, { id: 'pass', color: 'testing.iconPassed' });
      assert.equal(ok.contextValue, 'rollout:ended:succeeded');
      const bad = spec(model, 'ro:ro-bad');
      assert.match(bad.description, /^rolled-back in 1\.0 s · /);
      assert.match(bad.tooltip, /rolled-back: health check failed/);
      assert.match(bad.tooltip, /took 1\.0 s/);
      assert.deepEqual(bad.icon, { id: 'error', color: 'testing.iconFailed' });
      assert.equal(bad.contextValue, 'rollout:ended:rolled-back');
    });

    it('an ended rollout the ingress counted: what it served, short in the row and whole in the tooltip', () => {
      const { model } = modelOf({ rollouts: [rolloutView('ro-1', { state: 'succeeded', startedAt: 1_000, endedAt: 2_400, traffic: { requests: 1245, failed: 0, failures: {}, retried: 3 } })] });
      const s = spec(model, 'ro:ro-1');
      assert.equal(s.description, `succeeded in 1.4 s · 1,245 req, 0 failed · ${new Date(1_000).toLocaleTimeString()}`);
      assert.match(s.tooltip, /\n1,245 requests served during the rollout, 0 failed \(3 retried\)$/);
    });

    it('each rollout state has its icon and context value', () => {
      const expected = {
        running: ['sync~spin', 'charts.blue', 'rollout:rolling:running'],
        paused: ['debug-pause', 'charts.yellow', 'rollout:rolling:paused'],
        'rolling-back': ['discard', 'charts.orange', 'rollout:rolling:rolling-back'],
        succeeded: ['pass', 'testing.iconPassed', 'rollout:ended:succeeded'],
        failed: ['error', 'testing.iconFailed', 'rollout:ended:failed'],
        'rolled-back': ['error', 'testing.iconFailed', 'rollout:ended:rolled-back'],
        aborted: ['error', 'testing.iconFailed', 'rollout:ended:aborted'],
      } as const;
      const { model } = modelOf({ rollouts: Object.keys(expected).map((state) => rolloutView(state, { state: state as keyof typeof expected, endedAt: 3_000 })) });
      for (const [state, [id, color, context]] of Object.entries(expected)) {
        const s = spec(model, `ro:${state}`);
        assert.deepEqual(s.icon, { id, color }, state);
        assert.equal(s.contextValue, context, state);
      }
    });
  });

  describe('every view', () => {
    for (const view of VIEWS) {
      it(`${view}: parentOf is the inverse of children, for every element`, () => {
        const model = cluster();
        const all = walk(model, view);
        assert.ok(all.length > 3, 'the view shows something');
        for (const { key, parent } of all) assert.equal(parentOf(model, key), parent, key);
      });

      it(`${view}: every element has an item whose id is its key`, () => {
        const model = cluster();
        const keys = walk(model, view).map((e) => e.key);
        assert.equal(new Set(keys).size, keys.length, 'keys are unique in the view');
        for (const key of keys) {
          const s = spec(model, key);
          assert.equal(s.id, key);
          assert.ok(s.label.length > 0, key);
          assert.ok(s.contextValue.length > 0, key);
          assert.ok(s.icon.id.length > 0, key);
        }
      });

      it(`${view}: an element has children exactly when it is collapsible`, () => {
        const model = cluster();
        for (const { key } of walk(model, view)) {
          const hasChildren = children(model, view, key).length > 0;
          const s = spec(model, key);
          if (hasChildren) assert.notEqual(s.collapsible, 'none', key);
          else if (!key.startsWith('g:')) assert.equal(s.collapsible, 'none', key);
        }
      });
    }

    it('roots and unknown keys have no parent', () => {
      const model = cluster();
      for (const key of ['w:web', 'n:local', `n:${REMOTE}`, 'ro:ro-web', 'x:what', '', 'r:gone']) assert.equal(parentOf(model, key), null, key);
    });

    it('parentOf works for node ids with `:` and `.`', () => {
      const model = cluster();
      assert.equal(parentOf(model, `np:${REMOTE}`), `n:${REMOTE}`);
      assert.equal(parentOf(model, `p:${REMOTE}|40003`), `np:${REMOTE}`);
      assert.equal(parentOf(model, `nr:${REMOTE}|web-2-a`), `n:${REMOTE}`);
    });

    it('elements that are gone have no item', () => {
      const model = cluster();
      for (const key of ['w:gone', 'r:gone', 'nr:local|gone', 'n:gone', 'ro:gone', 'x:what', '']) assert.equal(item(model, key, NOW), null, key);
    });

    it('a removed replica leaves its workload and node', () => {
      const model = cluster();
      model.replicas.delete('web-1-a');
      assert.deepEqual(children(model, 'workloads', 'g:web|1'), ['r:web-1-b']);
      assert.deepEqual(children(model, 'nodes', 'n:local'), ['np:local', 'nr:local|api-1-a', 'nr:local|web-1-b']);
      assert.deepEqual(children(model, 'nodes', 'np:local'), ['p:local|40002']);
    });
  });

  describe('formatMs', () => {
    it('milliseconds, seconds with a tenth, minutes and seconds', () => {
      assert.equal(formatMs(0), '0 ms');
      assert.equal(formatMs(999), '999 ms');
      assert.equal(formatMs(1_000), '1.0 s');
      assert.equal(formatMs(1_549), '1.5 s');
      assert.equal(formatMs(59_900), '59.9 s');
      assert.equal(formatMs(60_000), '1 min 0 s');
      assert.equal(formatMs(61_400), '1 min 1 s');
      assert.equal(formatMs(3_725_000), '62 min 5 s');
    });

    it('never rounds up to "60 s" or "1000 ms"', () => {
      for (const ms of [999.7, 59_960, 59_999, 119_600, 119_999, 3_599_999]) {
        const text = formatMs(ms);
        assert.doesNotMatch(text, /^1000 ms$|^60\.0 s$|\b60 s$/, `${ms} ms: ${text}`);
      }
      assert.equal(formatMs(119_999), '2 min 0 s');
      assert.equal(formatMs(59_999), '1 min 0 s');
      assert.equal(formatMs(999.7), '1.0 s');
    });
  });
});
