// Daemons killed with SIGKILL: nothing acknowledged is lost, no replica is left unaccounted for.
import * as assert from 'node:assert/strict';
import { isAlive } from '../../src/shared/platform/process';
import { Cluster, Gate, fixtureApp, waitFor } from './harness';

describe('faults', function () {
  this.timeout(120_000);
  let c: Cluster;

  beforeEach(() => {
    c = new Cluster('faults');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  it('kill -9 of the Conductor mid-rollout: after a restart it ends with the desired replicas of one generation and no orphan', async () => {
    let conductor = await c.startConductor();
    await c.startAgent('n1');
    const file = c.manifest('web.skr8tr', fixtureApp('web', { replicas: 3, env: { FIXTURE_START_DELAY_MS: '400' } }));
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('web', 1, 3);

    // Kill it while a new replica is starting: held so by a gate until the Conductor is gone.
    const gate = new Gate(c.home);
    c.manifest('web.skr8tr', fixtureApp('web', { replicas: 3, version: 'v2', env: { ...gate.env } }));
    assert.equal((await c.cli(['rollout', file])).code, 0);
    await waitFor('a generation 2 replica to be starting', async () => (await c.workload('web')).replicas.some((r) => r.generation === 2 && r.state === 'starting'));
    await c.kill9(conductor);
    gate.open();

    conductor = await c.startConductor();
    const w = await c.settled('web', 2, 3, 30_000);
    assert.equal(w.desired, 3);
    // Every process the agent runs is one the Conductor lists, and no other fixture is alive.
    const listed = new Set(w.replicas.filter((r) => r.state === 'ready').map((r) => r.pid));
    await waitFor('every replica not listed as ready to be gone', () => [...c.replicaPids].every((p) => listed.has(p) || !isAlive(p)));
    assert.equal(listed.size, 3);
  });

  it('kill -9 of an agent that stays away past the node grace: its replicas move to another agent; when it returns, it stops what it left', async () => {
    await c.startConductor(['--node-grace', '2000']);
    const a1 = await c.startAgent('n1');
    const file = c.manifest('web.skr8tr', fixtureApp('web', { replicas: 2 }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const before = await c.settled('web', 1, 2);
    assert.ok(before.replicas.every((r) => r.node === 'n1'));
    const orphans = before.replicas.map((r) => r.pid!);

    await c.startAgent('n2');
    await c.kill9(a1);
    const moved = await waitFor('both replicas to run on n2', async () => {
      const w = await c.workload('web');
      const ready = w.replicas.filter((r) => r.state === 'ready');
      return ready.length === 2 && ready.every((r) => r.node === 'n2') ? w : null;
    });
    assert.equal(moved.replicas.filter((r) => r.node === 'n1' && r.state !== 'stopped' && r.state !== 'failed').length, 0);
    const nodes = await c.client().request<{ id: string }[]>('GET', '/v1/nodes');
    assert.deepEqual(nodes.map((n) => n.id), ['n2']);

    // The killed agent's replicas outlived it; its next run adopts them, and the Conductor, which
    // replaced them, has them stopped.
    assert.ok(orphans.some((p) => isAlive(p)), 'the replicas of a SIGKILLed agent are still running');
    await c.startAgent('n1');
    await waitFor('the replicas left by the killed agent to be stopped', () => orphans.every((p) => !isAlive(p)));
    const after = await c.workload('web');
    assert.equal(after.replicas.filter((r) => r.state === 'ready').length, 2);
  });

  it('an agent that comes back after its node was lost: its duplicates are stopped, not kept', async () => {
    await c.startConductor(['--node-grace', '2000']);
    const a1 = await c.startAgent('n1');
    const file = c.manifest('dup.skr8tr', fixtureApp('dup', { replicas: 1 }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const w1 = await c.settled('dup', 1, 1);
    const first = w1.running[0]!;
    await c.startAgent('n2');

    // Freeze the agent: it keeps its socket and its replica, but sends no heartbeat.
    a1.child.kill('SIGSTOP');
    await waitFor('the replica to be replaced on n2', async () => {
      const w = await c.workload('dup');
      return w.replicas.some((r) => r.node === 'n2' && r.state === 'ready');
    });
    a1.child.kill('SIGCONT');
    // It redials, says hello with its old replica, and is told to stop it.
    await waitFor('the duplicate on n1 to be stopped', () => !isAlive(first.pid!));
    const w = await c.workload('dup');
    assert.equal(w.replicas.filter((r) => r.state === 'ready').length, 1);
  });

  it('the Conductor away: replicas keep running and are adopted, with the same pids, when it returns', async () => {
    const conductor = await c.startConductor();
    await c.startAgent('n1');
    const file = c.manifest('keep.skr8tr', fixtureApp('keep', { replicas: 2 }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const before = await c.settled('keep', 1, 2);
    await c.stop(conductor);
    for (const r of before.replicas) assert.ok(isAlive(r.pid!), `${r.id} kept running while the Conductor was away`);
    await c.startConductor();
    const after = await c.settled('keep', 1, 2);
    assert.deepEqual(after.replicas.map((r) => r.pid).sort(), before.replicas.map((r) => r.pid).sort());
    // When they first became ready is unknown to the new Conductor: no time to ready (not their age).
    assert.ok(before.replicas.every((r) => r.readyAfterMs !== null));
    assert.deepEqual(after.replicas.map((r) => r.readyAfterMs), [null, null]);
  });
});
