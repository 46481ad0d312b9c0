// The faults a skeptical operator found (issue 22, shared/design/PROBE.md), each against the real
// daemons: a busy agent is not a dead node, an agent that crashes and comes back adopts what it left,
// and the apps on a node keep serving through both.
import * as assert from 'node:assert/strict';
import { isAlive } from '../../src/shared/platform/process';
import type { ApiEvent } from '../../src/shared/protocol/api';
import { Cluster, fixtureApp, waitFor } from './harness';
import { Load, freePort } from './load';

describe('faults a skeptical operator found', function () {
  this.timeout(180_000);
  let c: Cluster;

  beforeEach(() => {
    c = new Cluster('probe');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  /** Every change of `app`'s replicas the events told, as `id state`. */
  const changesOf = (events: ApiEvent[], app: string) =>
    events.flatMap((e) => (e.type === 'replica' && e.replica.app === app ? [`${e.replica.id} ${e.replica.state}`] : e.type === 'replica-removed' && e.app === app ? [`${e.id} removed`] : []));

  it('one app scaled to many on the only node: the agent keeps its heartbeat, and another app is neither dropped nor restarted', async () => {
    // The harness's Conductor expires a node after 1.5 s of silence: launching this many node
    // processes back to back held the agent's event loop for several seconds.
    const MANY = 80;
    await c.startConductor();
    await c.startAgent('n1');
    const port = await freePort();
    const keepFile = c.manifest('keep.skr8tr', fixtureApp('keep', { replicas: 2, extra: [`port ${port}`] }));
    const manyFile = c.manifest('many.skr8tr', fixtureApp('many', { replicas: 1}));
    assert.equal((await c.cli(['up', keepFile])).code, 0);
    assert.equal((await c.cli(['up', manyFile])).code, 0);
    const before = await c.settled('keep', 1, 2);
    await c.settled('many', 1, 1);
    const events = await c.recordEvents();

    const load = new Load({ port, keepAliveClients: 2, freshClients: 1, ratePerClient: 20, maxMs: 150_000, maxRequests: 20_000 });
    try {
      assert.equal((await c.cli(['scale', 'many', String(MANY)])).code, 0);
      await waitFor(`${MANY} replicas of many to run`, async () => (await c.live('many')).length === MANY && (await c.workload('many')).replicas.filter((r) => r.state === 'ready').length === MANY, 150_000, 250);
    } finally {
      const result = await load.stop();
      assert.ok(result.requests > 20, `the load ran (${result.requests} requests)`);
      assert.equal(result.failures, 0, `requests to keep failed: ${result.failureSamples.join('; ')}`);
    }
    const after = await c.settled('keep', 1, 2);
    assert.deepEqual(after.running.map((r) => r.pid).sort(), before.running.map((r) => r.pid).sort(), 'keep runs the same processes');
    assert.deepEqual(changesOf(events, 'keep'), [], 'nothing happened to keep');
    const conductor = c.dump();
    assert.doesNotMatch(conductor, /node n1 (lost|expired)/);
    assert.equal((await c.cli(['scale', 'many', '1'])).code, 0);
    await c.settled('many', 1, 1, 60_000);
  });
});
