// Restart decisions of the daemons' supervisor (src/extension/supervision.ts), time as an input.
import * as assert from 'node:assert/strict';
import { RestartBudget, restartDecision, type RestartInput } from '../../../src/extension/supervision';

function input(over: Partial<RestartInput> = {}): RestartInput {
  return { departure: 'crashed', onPurpose: false, allowed: true, budget: new RestartBudget(), now: 0, ...over };
}

describe('supervision', () => {
  describe('restart budget', () => {
    it('allows three restarts within three minutes, then none until the oldest ages out', () => {
      const b = new RestartBudget(3, 180_000);
      assert.deepEqual([b.take(0), b.take(1_000), b.take(2_000), b.take(3_000)], [true, true, true, false]);
      assert.equal(b.take(179_999), false);
      assert.equal(b.take(180_000), true, 'the first restart left the window');
      assert.equal(b.take(180_001), false);
    });
  });

  describe('what a departed daemon gets', () => {
    it('a crash is restarted', () => {
      assert.equal(restartDecision(input()), 'restart');
    });
    it('a stop this window asked for is never a crash, even when it ended in a kill', () => {
      assert.equal(restartDecision(input({ onPurpose: true })), 'stopped-on-purpose');
    });
    it('a clean stop is left alone', () => {
      assert.equal(restartDecision(input({ departure: 'stopped' })), 'stopped-cleanly');
    });
    it('nothing is restarted where it may not be (untrusted, autoStart off), and no budget is spent', () => {
      const budget = new RestartBudget(1);
      assert.equal(restartDecision(input({ allowed: false, budget })), 'not-allowed');
      assert.equal(restartDecision(input({ budget })), 'restart');
    });
    it('a daemon that keeps crashing spends the budget, then is left stopped', () => {
      const budget = new RestartBudget(2, 60_000);
      const seq = [0, 10, 20].map((now) => restartDecision(input({ budget, now })));
      assert.deepEqual(seq, ['restart', 'restart', 'budget-spent']);
    });
  });
});
