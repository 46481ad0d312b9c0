// The CLI's small decisions, pure: what Ctrl-C of `dev` does (tear down what it started, or stop
// only the watching it turned on), and what `down` says happens to an app's replicas.
import * as assert from 'node:assert/strict';
import { onStop } from '../../../src/cli/commands/dev';
import { downLine } from '../../../src/cli/commands/workloads';
import type { WorkloadView } from '../../../src/shared/protocol/api';
import { parseManifest } from '../../../src/shared/manifest';
import { replicaView, workloadSummary } from '../extension/fixtures';

function workload(name: string, live: number, needs: string[] = []): WorkloadView {
  const text = [`app ${name}`, '  exec ./server', ...needs.map((n) => `  needs ${n}`), ''].join('\n');
  const spec = parseManifest(text, `/m/${name}.skr8tr`).apps[0]!.spec;
  const replicas = Array.from({ length: live }, (_, i) => replicaView(`${name}-1-${i}`, { app: name }));
  return { ...workloadSummary(name), replicas: [...replicas, replicaView(`${name}-1-old`, { app: name, state: 'stopped' })], spec, generations: [], history: [] };
}

describe('dev: what Ctrl-C does', () => {
  it('dev started the daemons: it takes its apps down and shuts them down', () => {
    assert.deepEqual(onStop(true, ['web', 'api'], new Set(['web'])), { kind: 'teardown', apps: ['web', 'api'] });
  });

  it('dev found them running: it stops watching only what it turned on', () => {
    assert.deepEqual(onStop(false, ['web', 'api', 'db'], new Set(['web', 'other'])), { kind: 'unwatch', unwatch: ['api', 'db'], kept: ['web'] });
    assert.deepEqual(onStop(false, ['web'], new Set(['web'])), { kind: 'unwatch', unwatch: [], kept: ['web'] });
  });
});

describe('down: what it says', () => {
  it('an app nobody needs: its live replicas are stopping (ended ones not counted)', () => {
    const all = [workload('web', 3)];
    assert.equal(downLine('web', all, false), 'taken down; its 3 replicas are stopping');
    assert.equal(downLine('web', [workload('web', 1)], false), 'taken down; its replica is stopping');
    assert.equal(downLine('web', [workload('web', 0)], false), 'taken down (it ran no replicas)');
  });

  it('an app that live apps need: its replicas stop after them', () => {
    const all = [workload('db', 1), workload('api', 2, ['db']), workload('web', 1, ['db'])];
    assert.equal(downLine('db', all, false), 'taken down; its replica stops after api, web, which need it');
    assert.equal(downLine('db', [workload('db', 1), workload('api', 2, ['db']), workload('web', 0, ['db'])], false), 'taken down; its replica stops after api, which needs it');
    assert.equal(downLine('api', all, false), 'taken down; its 2 replicas are stopping');
  });
});
