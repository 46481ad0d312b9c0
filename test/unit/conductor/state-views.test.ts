// The state's bookkeeping at scale (src/conductor/state.ts) and the API's kept views
// (src/conductor/workload-views.ts): replicas found by app and by node without a scan, ended
// replicas bounded and forgotten with their log rings, history capped, and each workload's JSON
// built once per change: identical to building it afresh, dropped by any event about its app (and
// only its app), rebuilt when its ingress changed unseen, gone with its workload.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventLog } from '../../../src/conductor/event-log';
import { Journal } from '../../../src/conductor/journal';
import { LogFiles } from '../../../src/conductor/log-files';
import { LogStore } from '../../../src/conductor/log-store';
import { HISTORY_LIMIT, type GenerationRecord, type Replica } from '../../../src/conductor/model';
import { create, rollTo, planned } from '../../../src/conductor/rollout-transitions';
import { ConductorState, type IngressInfo } from '../../../src/conductor/state';
import { WorkloadViews } from '../../../src/conductor/workload-views';
import { parseManifest } from '../../../src/shared/manifest';
import { SinkLogger } from '../../../src/shared/logger';

const quiet = new SinkLogger(() => {}, 'error');

function generation(app: string, n: number): GenerationRecord {
  const r = parseManifest(`app ${app}\n  exec ./server\n  replicas 2\n  env\n    VERSION v${n}\n`, '/m/a.skr8tr');
  return { generation: n, spec: r.apps[0]!.spec, secrets: {}, manifestPath: '/m/a.skr8tr', manifestText: '', createdAt: 1000 + n, outcome: null };
}

function replica(app: string, node: string, n: number, extra: Partial<Replica> = {}): Replica {
  return {
    id: `${app}-1-${n.toString(16).padStart(6, '0')}`,
    app,
    generation: 1,
    node,
    address: '127.0.0.1',
    pid: 100 + n,
    port: 20000 + n,
    state: 'pending',
    createdAt: 1000 + n,
    launchedAt: null,
    readyAt: null,
    endedAt: null,
    reason: null,
    restarts: 0,
    completed: false,
    inIngress: false,
    drainMs: 1000,
    portTaken: false,
    ...extra,
  };
}

describe('state and kept views at scale', () => {
  let dir: string;
  let journal: Journal;
  let state: ConductorState;
  let events: EventLog;
  let views: WorkloadViews;
  let builds: number;
  let now: number;
  const ingress = new Map<string, IngressInfo>();
  const forgotten: string[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-state-'));
    const opened = Journal.open(dir);
    journal = opened.journal;
    now = 5000;
    events = new EventLog(100, () => now);
    ingress.clear();
    forgotten.length = 0;
    state = new ConductorState(journal, opened.state, events, quiet, () => now, {
      ingressOf: (app) => ingress.get(app) ?? null,
      replicaForgotten: (id) => forgotten.push(id),
    });
    builds = 0;
    // Counts how often a view is built, to tell a kept one from a fresh one.
    const counting = Object.create(state) as ConductorState;
    counting.workloadView = (w) => {
      builds++;
      return state.workloadView(w);
    };
    views = new WorkloadViews(counting, events);
    for (const app of ['web', 'api']) state.commit(create(app, generation(app, 1), 2, `${app}-ro-1`, now), 'acknowledged');
  });

  afterEach(() => {
    journal.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const fresh = () => JSON.stringify([...state.workloads.values()].map((w) => state.workloadView(w)));
  const listText = () => views.all().json.toString();

  it('finds replicas by app and by node, in the order they were added, and forgets them from both', () => {
    const rs = [replica('web', 'n1', 1), replica('api', 'n1', 2), replica('web', 'n2', 3), replica('web', 'n1', 4)];
    for (const r of rs) state.addReplica(r);
    assert.deepEqual(state.replicasOf('web').map((r) => r.id), [rs[0]!.id, rs[2]!.id, rs[3]!.id]);
    assert.deepEqual(state.replicasOn('n1').map((r) => r.id), [rs[0]!.id, rs[1]!.id, rs[3]!.id]);
    assert.deepEqual(state.replicasOf('nothing'), []);
    state.removeReplicasOf('web');
    assert.deepEqual(state.replicasOf('web'), []);
    assert.deepEqual(state.replicasOn('n1').map((r) => r.id), [rs[1]!.id]);
    assert.deepEqual(state.replicasOn('n2'), []);
    assert.deepEqual([...state.replicas.keys()], [rs[1]!.id]);
    assert.deepEqual(forgotten.sort(), [rs[0]!.id, rs[2]!.id, rs[3]!.id].sort());
  });

  it('keeps a bounded number of ended replicas an app; the rest are forgotten, with their log rings', async () => {
    const logsDir = path.join(dir, 'logs');
    const logs = new LogStore(new LogFiles(logsDir, 1e9, quiet), quiet);
    const s = new ConductorState(journal, { workloads: state.workloads, nodes: [] }, events, quiet, () => now, { ingressOf: () => null, replicaForgotten: (id) => logs.forget(id) });
    const n = HISTORY_LIMIT.terminalReplicas * 3;
    for (let i = 0; i < n; i++) {
      const r = replica('web', 'n1', i);
      s.addReplica(r);
      await logs.append(r.id, [{ seq: 1, at: now, stream: 'out', text: `hello from ${i}` }]);
      now++;
      s.updateReplica(r, { state: 'stopped', endedAt: now });
    }
    const kept = s.replicasOf('web');
    assert.equal(kept.length, HISTORY_LIMIT.terminalReplicas);
    assert.deepEqual(kept.map((r) => r.pid), Array.from({ length: HISTORY_LIMIT.terminalReplicas }, (_, i) => 100 + n - HISTORY_LIMIT.terminalReplicas + i), 'the most recent');
    assert.equal(logs.replicasInMemory, HISTORY_LIMIT.terminalReplicas, 'a ring for each kept replica, none for the forgotten');
    assert.equal(s.replicasOn('n1').length, HISTORY_LIMIT.terminalReplicas);
  });

  it('a replica forgotten while its lines were being kept gets no ring back', async () => {
    const logs = new LogStore(new LogFiles(path.join(dir, 'logs'), 1e9, quiet), quiet);
    const pending = logs.append('web-1-0000aa', [{ seq: 1, at: now, stream: 'out', text: 'late' }]);
    logs.forget('web-1-0000aa');
    assert.equal(await pending, 1, 'still written and acknowledged');
    assert.equal(logs.replicasInMemory, 0);
    assert.deepEqual(logs.recent('web-1-0000aa', 10), []);
  });

  it('a replica\'s lines are in memory once `settled` resolves, however long reading its last number from disk took', async () => {
    const logs = new LogStore(new LogFiles(path.join(dir, 'logs'), 1e9, quiet), quiet);
    const id = 'web-1-0000ab';
    // An exit report handled right after its lines arrived: the lines are not in memory yet...
    void logs.append(id, [{ seq: 1, at: now, stream: 'err', text: 'SyntaxError: Unexpected token' }]);
    assert.deepEqual(logs.recent(id, 10), []);
    // ...and are once the lines received so far have settled.
    await logs.settled(id);
    assert.deepEqual(logs.recent(id, 10).map((l) => l.text), ['SyntaxError: Unexpected token']);
    await logs.settled('web-1-nolines');
  });

  it('caps generations and finished rollouts a workload keeps', () => {
    let w = state.workloads.get('web')!;
    const rollouts = HISTORY_LIMIT.rollouts + 5;
    for (let g = 2; g <= rollouts + 1; g++) {
      state.commit(rollTo(w, { added: generation('web', g), target: g, desired: 2, rolloutId: `web-ro-${g}` }, now), 'acknowledged');
      w = state.workloads.get('web')!;
      state.commit(planned(w, { to: 'succeeded', reason: null }, now, null)!, 'own');
      w = state.workloads.get('web')!;
    }
    assert.equal(w.generations.length, HISTORY_LIMIT.generations);
    assert.equal(w.generations.at(-1)!.generation, rollouts + 1);
    assert.equal(w.history.length, HISTORY_LIMIT.rollouts);
    assert.equal(w.history.at(-1)!.id, `web-ro-${rollouts + 1}`);
  });

  it('the list is the same JSON as building every view afresh, and is built once until something changes', () => {
    for (let i = 0; i < 6; i++) state.addReplica(replica(i % 2 ? 'web' : 'api', `n${i % 3}`, i));
    assert.equal(listText(), fresh());
    const after = builds;
    assert.equal(listText(), fresh());
    assert.equal(views.all().json, views.all().json, 'the same bytes, not built again');
    assert.equal(builds, after, 'no view built again');
    assert.equal(views.one('web')!.json, JSON.stringify(state.workloadView(state.workloads.get('web')!)));
    assert.equal(views.one('nothing'), null);
  });

  it('an event about one app rebuilds that app alone; heartbeats and steps rebuild nothing', () => {
    const r = replica('web', 'n1', 1);
    state.addReplica(r);
    state.nodeJoined({ id: 'n1', address: '127.0.0.1', capacity: { cpu: 2, memBytes: 1e9, gpu: false }, version: 't' });
    listText();
    const before = builds;
    state.nodeHeartbeat('n1', 0.5, 1e8);
    state.say('web', 'a step of its rollout');
    listText();
    assert.equal(builds, before, 'nothing rebuilt');
    state.updateReplica(r, { state: 'ready', readyAt: now });
    assert.equal(listText(), fresh());
    assert.equal(builds, before + 1, 'only web was built again');
    state.setProblem('api', 'placement', 'no node');
    assert.equal(listText(), fresh());
    assert.equal(builds, before + 2, 'only api was built again');
  });

  it('notices an ingress that changed without an event', () => {
    listText();
    ingress.set('web', { port: 8080, address: '127.0.0.1', backends: 2 });
    assert.equal(listText(), fresh());
    assert.match(views.one('web')!.json.toString(), /"backends":2/);
  });

  it('a removed workload and its kept view go; the list follows', () => {
    listText();
    assert.equal(views.size, 2);
    state.deleteWorkload('api');
    assert.equal(views.size, 1);
    assert.equal(listText(), fresh());
    assert.equal(JSON.parse(listText()).length, 1);
  });
});
