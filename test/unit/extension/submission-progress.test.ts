// One submission, one progress notification and one summary (src/extension/submission-progress.ts):
// what the notification says while the rollouts run (how many apps are done, which one waits for
// what), and the summary at the end (a failure first, with the replica whose logs say why).
import * as assert from 'node:assert/strict';
import { failedReplica, submissionProgress, submissionSummary, type SubmissionLook, type SubmittedApp } from '../../../src/extension/submission-progress';
import type { ReplicaView, RolloutView, WorkloadSummary } from '../../../src/shared/protocol/api';
import { replicaView, rolloutView, workloadSummary } from './fixtures';

function look(rollouts: RolloutView[], workloads: WorkloadSummary[] = [], replicas: ReplicaView[] = []): SubmissionLook {
  return {
    rollout: (id) => rollouts.find((r) => r.id === id),
    workload: (name) => workloads.find((w) => w.name === name),
    replicasOf: (app) => replicas.filter((r) => r.app === app),
  };
}

const five: SubmittedApp[] = ['db', 'api', 'web', 'worker', 'cache'].map((name) => ({ name, rollout: `ro-${name}` }));

describe('submission progress', () => {
  it('five apps: how many are done, and what the first still going waits for', () => {
    const rollouts = [
      rolloutView('ro-db', { app: 'db', state: 'succeeded', fromGeneration: 0, toGeneration: 1, ready: 1, desired: 1, endedAt: 2_000 }),
      rolloutView('ro-api', { app: 'api', fromGeneration: 0, toGeneration: 1, ready: 0, desired: 1 }),
      rolloutView('ro-web', { app: 'web', fromGeneration: 0, toGeneration: 1, ready: 1, desired: 2 }),
      rolloutView('ro-worker', { app: 'worker', state: 'succeeded', fromGeneration: 0, toGeneration: 1, ready: 1, desired: 1, endedAt: 2_000 }),
    ];
    // cache (not begun) waits for api: said before api's own progress, though api comes first.
    const workloads = [workloadSummary('cache', { problem: 'waiting for api (starting, 0/1 ready)' })];
    const p = submissionProgress(five, look(rollouts, workloads));
    assert.equal(p.message, '2/5 apps done · cache: waiting for api (starting, 0/1 ready)');
    assert.equal(p.done, false);
    // db and worker done (2), web half (0.5), api and cache none: 2.5 of 5.
    assert.equal(p.percent, 50);
  });

  it('without a problem, the first app still going says its replicas; a failure is said as soon as it happens', () => {
    const rollouts = [
      rolloutView('ro-db', { app: 'db', state: 'rolled-back', reason: 'db-2-a exited with code 1 while starting' }),
      rolloutView('ro-api', { app: 'api', state: 'running', ready: 1, desired: 3 }),
    ];
    const p = submissionProgress([{ name: 'db', rollout: 'ro-db' }, { name: 'api', rollout: 'ro-api' }], look(rollouts));
    assert.equal(p.message, '1/2 apps done · db failed · api: running, 1/3 new replicas ready');
  });

  it('one app: its replicas, without counting apps; unchanged apps count as done', () => {
    const one = submissionProgress([{ name: 'web', rollout: 'ro-web' }], look([rolloutView('ro-web', { ready: 1, desired: 2 })]));
    assert.deepEqual(one, { message: 'running, 1/2 new replicas ready', percent: 50, done: false });
    const notYet = submissionProgress([{ name: 'web', rollout: 'ro-web' }, { name: 'db', rollout: null }], look([]));
    assert.deepEqual(notYet, { message: '1/2 apps done · web: starting', percent: 50, done: false });
    assert.equal(submissionProgress([{ name: 'db', rollout: null }], look([])).done, true);
  });
});

describe('submission summary', () => {
  const ok = (app: string, over: Partial<RolloutView> = {}) => rolloutView(`ro-${app}`, { app, state: 'succeeded', fromGeneration: 0, toGeneration: 1, ready: 1, desired: 1, startedAt: 1_000, endedAt: 2_500, ...over });

  it('one app that succeeded: its generation, replicas, time and traffic, with Show Timeline', () => {
    const r = ok('web', { fromGeneration: 1, toGeneration: 2, desired: 2, traffic: { requests: 1200, failed: 0, failures: {}, retried: 0 } });
    const s = submissionSummary([{ name: 'web', rollout: r.id }], new Map([[r.id, r]]), look([r]));
    assert.equal(s.level, 'info');
    assert.equal(s.message, 'Skr8tr: web generation 2 is running (2 replicas ready in 1.5 s; 1,200 requests served, 0 failed).');
    assert.deepEqual(s.actions, ['Show Timeline']);
    assert.equal(s.timeline, r.id);
  });

  it('five apps that succeeded: one notification naming them, never five', () => {
    const ended = new Map(five.map((a) => [a.rollout!, ok(a.name)]));
    const s = submissionSummary(five, ended, look([...ended.values()]));
    assert.equal(s.level, 'info');
    assert.equal(s.message, 'Skr8tr: 5 apps are running; rolled out db, api, web, worker, cache.');
    assert.deepEqual(s.actions, []);
  });

  it('a failure is the summary, however many others succeeded: why, the logs of its replica, its timeline', () => {
    const bad = rolloutView('ro-api', { app: 'api', state: 'rolled-back', fromGeneration: 1, toGeneration: 2, reason: "api-2-ab exited with code 1 while starting; stderr: SyntaxError: Unexpected token ';'" });
    const ended = new Map(five.map((a) => [a.rollout!, a.name === 'api' ? bad : ok(a.name)]));
    // Both new replicas failed: Show Logs opens the one the message names, not the newest.
    const replicas = [replicaView('api-2-ab', { app: 'api', generation: 2, state: 'failed', createdAt: 1 }), replicaView('api-2-ac', { app: 'api', generation: 2, state: 'failed', createdAt: 5 }), replicaView('api-1-a', { app: 'api', generation: 1 })];
    const s = submissionSummary(five, ended, look([...ended.values()], [], replicas));
    assert.equal(s.level, 'error');
    assert.equal(s.message, "Skr8tr: api rolled-back: api-2-ab exited with code 1 while starting; stderr: SyntaxError: Unexpected token ';'. 4 of 5 apps are running.");
    assert.equal(s.replica, 'api-2-ab', 'the replica its reason names');
    assert.deepEqual(s.actions, ['Show Logs', 'Show Timeline']);
    assert.equal(s.timeline, 'ro-api');
  });

  it('one app that failed: the old generation keeps serving; with nothing to return to, nothing is said of one', () => {
    const back = rolloutView('ro-web', { state: 'rolled-back', reason: 'web-2-c0ffee exited with code 1 while starting' });
    const s = submissionSummary([{ name: 'web', rollout: 'ro-web' }], new Map([['ro-web', back]]), look([back]));
    assert.equal(s.message, 'Skr8tr: web rolled-back: web-2-c0ffee exited with code 1 while starting. Generation 1 keeps serving.');
    assert.equal(s.replica, 'web-2-c0ffee', 'named by the reason when the model no longer has it');
    const first = rolloutView('ro-new', { app: 'new', state: 'failed', fromGeneration: 0, toGeneration: 1, reason: 'no node fits' });
    const f = submissionSummary([{ name: 'new', rollout: 'ro-new' }], new Map([['ro-new', first]]), look([first]));
    assert.equal(f.message, 'Skr8tr: new failed: no node fits.');
    assert.deepEqual(f.actions, ['Show Timeline']);
  });

  it('unchanged, and lost sight of', () => {
    const same = submissionSummary([{ name: 'web', rollout: null }], new Map(), look([], [workloadSummary('web', { generation: 3 })]));
    assert.equal(same.message, 'Skr8tr: web is unchanged (generation 3). Use Rollout to replace its replicas anyway.');
    const lost = submissionSummary([{ name: 'web', rollout: 'ro-web' }], new Map([['ro-web', null]]), look([]));
    assert.match(lost.message, /^Skr8tr: lost sight of web /);
    const mixed = submissionSummary([{ name: 'a', rollout: 'ro-a' }, { name: 'b', rollout: null }], new Map([['ro-a', ok('a')]]), look([]));
    assert.equal(mixed.message, 'Skr8tr: 2 apps are running; rolled out a; 1 unchanged.');
  });

  it('the failed replica: the one the reason names, else the newest failed of the new generation, else none', () => {
    const r = rolloutView('x', { app: 'my.app', toGeneration: 3, reason: 'my.app-3-beef01 exited with code 2 while starting' });
    const model = look([], [], [replicaView('my.app-3-aa', { app: 'my.app', generation: 3, state: 'failed', createdAt: 2 }), replicaView('my.app-3-ab', { app: 'my.app', generation: 3, state: 'failed', createdAt: 1 })]);
    assert.equal(failedReplica(r, look([])), 'my.app-3-beef01');
    assert.equal(failedReplica(r, model), 'my.app-3-beef01');
    assert.equal(failedReplica({ ...r, reason: 'a new replica failed' }, model), 'my.app-3-aa');
    assert.equal(failedReplica({ ...r, reason: 'aborted by the user' }, look([])), null);
  });
});
