// What the state journals (src/conductor/state.ts commitAll, src/conductor/journal.ts appendAll): the
// apps of one submission are saved in one write or not at all, an acknowledged change that cannot be
// saved is refused and changes nothing, and the Conductor's own changes that cannot be saved are said
// once, then counted, not a line each.
import * as assert from 'node:assert/strict';
import nodeFs = require('node:fs');
import * as os from 'node:os';
import * as path from 'node:path';
import { EventLog } from '../../../src/conductor/event-log';
import { Journal } from '../../../src/conductor/journal';
import type { GenerationRecord } from '../../../src/conductor/model';
import { create, scale } from '../../../src/conductor/rollout-transitions';
import { ConductorState } from '../../../src/conductor/state';
import { parseManifest } from '../../../src/shared/manifest';
import { SinkLogger } from '../../../src/shared/logger';

const fs = nodeFs;

function generation(app: string): GenerationRecord {
  return { generation: 1, spec: parseManifest(`app ${app}\n  exec ./server\n`, '/m/a.skr8tr').apps[0]!.spec, secrets: {}, manifestPath: '/m/a.skr8tr', manifestText: '', createdAt: 0, outcome: null };
}

/** Runs `fn` while every write fails as on a full disk. */
function diskFull<T>(fn: () => T): T {
  const realWrite = nodeFs.writeSync;
  nodeFs.writeSync = (() => {
    const err = new Error('ENOSPC: no space left on device, write') as NodeJS.ErrnoException;
    err.code = 'ENOSPC';
    throw err;
  }) as typeof nodeFs.writeSync;
  try {
    return fn();
  } finally {
    nodeFs.writeSync = realWrite;
  }
}

describe('committing changes', () => {
  let dir: string;
  let state: ConductorState;
  let journal: Journal;
  let now: number;
  const logged: string[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-commit-'));
    const opened = Journal.open(dir);
    journal = opened.journal;
    now = 1_000_000;
    logged.length = 0;
    const log = new SinkLogger((line) => logged.push(line), 'info');
    state = new ConductorState(journal, opened.state, new EventLog(100, () => now), log, () => now, { ingressOf: () => null, replicaForgotten: () => {} });
  });

  afterEach(() => {
    journal.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the apps of one submission are journaled together: all of them survive a reopen', () => {
    state.commitAll([create('a', generation('a'), 1, 'a-r1', now), create('b', generation('b'), 1, 'b-r1', now)], 'acknowledged');
    journal.close();
    const reopened = Journal.open(dir);
    assert.deepEqual([...reopened.state.workloads.keys()].sort(), ['a', 'b']);
    journal = reopened.journal;
  });

  it('an acknowledged change that cannot be saved is refused, and none of its apps is applied', () => {
    assert.throws(() => diskFull(() => state.commitAll([create('a', generation('a'), 1, 'a-r1', now), create('b', generation('b'), 1, 'b-r1', now)], 'acknowledged')), /ENOSPC/);
    assert.equal(state.workloads.size, 0);
    journal.close();
    const reopened = Journal.open(dir);
    assert.equal(reopened.state.workloads.size, 0, 'nothing on disk either');
    journal = reopened.journal;
  });

  it("the Conductor's own changes on a full disk: kept in memory, said once, then counted; the recovery is said", () => {
    state.commit(create('a', generation('a'), 1, 'a-r1', now), 'acknowledged');
    diskFull(() => {
      for (let i = 0; i < 100; i++, now += 20) state.commit(scale(state.workloads.get('a')!, 1 + (i % 3)), 'own');
    });
    assert.equal(state.workloads.get('a')!.desired, 1 + (99 % 3), 'applied in memory');
    const errors = logged.filter((l) => l.includes('cannot save the state'));
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0]!, /cannot save the state; it is kept in memory and saved with the next change: a: ENOSPC/);
    state.commit(scale(state.workloads.get('a')!, 5), 'own');
    assert.ok(logged.some((l) => /the state is saved again, after 100 failures/.test(l)));
  });
});
