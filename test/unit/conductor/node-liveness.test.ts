// Whether a node is alive, as its silence says (src/conductor/node-liveness.ts): a busy or restarting
// agent is silent, not lost; only past the grace are its replicas replaced.
import * as assert from 'node:assert/strict';
import { nodeLiveness } from '../../../src/conductor/node-liveness';

describe('node liveness', () => {
  const limits = { expiryMs: 5_000, graceMs: 30_000 };

  it('a node heard from within the expiry is live', () => {
    assert.equal(nodeLiveness(0, limits, true), 'live');
    assert.equal(nodeLiveness(4_999, limits, true), 'live');
  });

  it('a node running replicas is silent from the expiry until the grace, then lost', () => {
    let now = 1_000_000;
    const lastHeard = now;
    const seen: string[] = [];
    let last = '';
    for (; now <= lastHeard + 31_000; now += 500) {
      const v = nodeLiveness(now - lastHeard, limits, true);
      if (v !== last) seen.push(`${v}@${now - lastHeard}`);
      last = v;
    }
    assert.deepEqual(seen, ['live@0', 'silent@5000', 'lost@30000']);
  });

  it('a node that runs nothing is lost at the expiry: it has nothing to keep', () => {
    assert.equal(nodeLiveness(5_000, limits, false), 'lost');
    assert.equal(nodeLiveness(4_999, limits, false), 'live');
  });

  it('a grace shorter than the expiry makes the node lost at the expiry', () => {
    assert.equal(nodeLiveness(1_500, { expiryMs: 1_500, graceMs: 1_000 }, true), 'lost');
  });
});
