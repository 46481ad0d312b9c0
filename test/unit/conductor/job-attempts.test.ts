// A `type job` is tried a bounded number of times (src/conductor/model.ts jobFailed, the
// jobRunFailed transition), then counts as failed; an app that needs it completed stops waiting and
// fails, saying why (src/conductor/needs.ts). Pure: the workload and the failures in, the verdicts out.
import * as assert from 'node:assert/strict';
import { jobFailed, type GenerationRecord, type WorkloadRecord } from '../../../src/conductor/model';
import { needsVerdict, type NeededApp } from '../../../src/conductor/needs';
import { create, jobRunFailed, rollTo } from '../../../src/conductor/rollout-transitions';
import { parseManifest } from '../../../src/shared/manifest';

const T0 = 1_000_000;
const job = (attempts?: number) => parseManifest(`app migrate\n  type job\n  exec ./migrate\n${attempts ? `  attempts ${attempts}\n` : ''}`, '/m/a.skr8tr').apps[0]!.spec;
const gen = (generation: number, attempts?: number): GenerationRecord => ({ generation, spec: job(attempts), secrets: {}, manifestPath: '/m/a.skr8tr', manifestText: '', createdAt: T0, outcome: null });

function failTimes(w: WorkloadRecord, n: number, generation = w.generation): WorkloadRecord {
  for (let i = 0; i < n; i++) w = jobRunFailed(w, generation, `exited with code ${i + 1}`).next;
  return w;
}

describe('job attempts', () => {
  it('a job is failed after `attempts` failed runs (7 by default), naming the last', () => {
    const w = create('migrate', gen(1), 1, 'r1', T0).next;
    assert.equal(jobFailed(failTimes(w, 6)), null);
    assert.equal(jobFailed(failTimes(w, 7)), 'failed: 7 of 7 attempts failed (last: exited with code 7)');
    const three = create('migrate', gen(1, 3), 1, 'r1', T0).next;
    assert.equal(jobFailed(failTimes(three, 2)), null);
    assert.match(jobFailed(failTimes(three, 3))!, /^failed: 3 of 3 attempts failed/);
  });

  it('a new generation starts the count again; failures of another generation do not count', () => {
    const failed = failTimes(create('migrate', gen(1, 2), 1, 'r1', T0).next, 2);
    assert.notEqual(jobFailed(failed), null);
    const again = rollTo(failed, { added: gen(2, 2), target: 2, desired: 1, rolloutId: 'r2' }, T0 + 1000).next;
    assert.equal(jobFailed(again), null, 'rolled out again: it runs again');
    assert.equal(jobFailed(failTimes(again, 5, 1)), null, 'failures of generation 1');
    assert.notEqual(jobFailed(failTimes(again, 2)), null);
  });

  it('an app that needs a failed job completed fails, saying which and why; one still trying waits', () => {
    const needed = (failed: string | null): NeededApp => ({ generation: 1, desired: 1, job: true, replicas: [{ generation: 1, state: 'failed', completed: false }], problem: null, failed });
    const waiting = needsVerdict([{ app: 'migrate', condition: 'completed' }], () => needed(null));
    assert.deepEqual([waiting.holds, waiting.failed], [false, null]);
    assert.match(waiting.waitingFor!, /^waiting for migrate to complete/);
    const failed = needsVerdict([{ app: 'migrate', condition: 'completed' }], () => needed('failed: 7 of 7 attempts failed (last: exited with code 1)'));
    assert.equal(failed.holds, false);
    assert.equal(failed.failed, 'cannot start: migrate failed: 7 of 7 attempts failed (last: exited with code 1); roll migrate out again to retry');
  });
});
