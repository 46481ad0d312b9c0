// A failure that repeats (a full disk) is said once, then counted (src/conductor/repeated-failure.ts).
import * as assert from 'node:assert/strict';
import { RepeatedFailure } from '../../../src/conductor/repeated-failure';

describe('repeated failure', () => {
  const words = { failing: 'cannot write replica logs', recovered: 'replica logs are written again' };

  it('50 failures a second for 2.5 minutes: the first said in full, then one count a minute, then the recovery once', () => {
    const f = new RepeatedFailure(words, 60_000);
    const said: string[] = [];
    let now = 1_000_000;
    for (let i = 0; i < 50 * 150; i++, now += 20) {
      const line = f.failed(now, 'ENOSPC: no space left on device');
      if (line) said.push(line);
    }
    const back = f.succeeded(now);
    assert.equal(said.length, 3);
    assert.match(said[0]!, /^cannot write replica logs: ENOSPC: no space left on device \(said once: while it goes on, a count every 60 s\)$/);
    assert.match(said[1]!, /^cannot write replica logs: 3000 more times in the last 60 s \(last: ENOSPC/);
    assert.match(said[2]!, /^cannot write replica logs: 3000 more times in the last 60 s/);
    assert.equal(back, 'replica logs are written again, after 7500 failures over 150 s');
    assert.equal(f.succeeded(now + 1), null, 'said once');
  });

  it('a new run of failures after a recovery is said in full again', () => {
    const f = new RepeatedFailure(words, 60_000);
    assert.ok(f.failed(0, 'x'));
    assert.equal(f.failed(10, 'x'), null);
    assert.ok(f.succeeded(20));
    assert.match(f.failed(30, 'y')!, /^cannot write replica logs: y \(said once/);
  });
});
