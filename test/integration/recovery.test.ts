// kill -9 of the Conductor at every phase of a rollout (the Conductor kills itself with SIGKILL at
// an exact point, SKR8TR_CRASH_AT): after a restart the workload reaches the desired replicas of one
// generation, and what `list` says agrees with the processes actually running.
import * as assert from 'node:assert/strict';
import { isAlive } from '../../src/shared/platform/process';
import { Cluster, fixtureApp, waitFor } from './harness';

describe('recovery from kill -9 of the Conductor at every phase of a rollout', function () {
  this.timeout(120_000);
  let c: Cluster;

  beforeEach(() => {
    c = new Cluster('recovery');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  const phases: [string, string, Record<string, string>, string[]][] = [
    ['before the first launch', 'before-launch:1', {}, []],
    ['while a new replica starts', 'after-launch:1', { FIXTURE_START_DELAY_MS: '500' }, []],
    ['while an old replica drains', 'after-stop:1', {}, []],
    // The adopted replicas turn ready first (3 times); the 4th is the first new replica.
    ['between replicas', 'after-ready:4', {}, []],
  ];

  for (const [phase, point, env2, extra] of phases) {
    it(`${phase} (${point})`, async () => {
      let conductor = await c.startConductor();
      await c.startAgent('n1');
      // Old replicas ignore SIGTERM, so a drain lasts its full grace (2 s) and the crash lands in it.
      const v1 = fixtureApp('web', { replicas: 3, env: { FIXTURE_MODE: 'ignore-term' } });
      const file = c.manifest('web.skr8tr', v1);
      assert.equal((await c.cli(['up', file])).code, 0);
      await c.settled('web', 1, 3);

      // A Conductor that will kill itself at the phase under test adopts the running replicas.
      await c.stop(conductor);
      conductor = await c.startConductor([], { SKR8TR_CRASH_AT: point });
      await c.settled('web', 1, 3);
      c.manifest('web.skr8tr', fixtureApp('web', { replicas: 3, version: 'v2', env: env2, extra }));
      const submitted = await c.cli(['rollout', file]);
      assert.equal(submitted.code, 0, submitted.stderr);
      await waitFor(`the Conductor to reach ${point}`, () => conductor.done, 30_000);
      assert.deepEqual(await conductor.exited, { code: null, signal: 'SIGKILL' }, `the Conductor reached ${point}`);

      // A new Conductor finishes the interrupted rollout from the journal and the agent's report.
      await c.startConductor();
      const w = await c.settled('web', 2, 3, 40_000);
      const listed = new Set(w.replicas.filter((r) => r.state === 'ready').map((r) => r.pid));
      assert.equal(listed.size, 3);
      // Every fixture process ever seen is either listed as a ready replica, or gone.
      await waitFor('no process the list does not account for', () => [...c.replicaPids].every((p) => listed.has(p) || !isAlive(p)), 20_000);
      const list = JSON.parse((await c.cli(['list', '--json'])).stdout) as { name: string; generation: number; desired: number; replicas: { pid: number; state: string }[] }[];
      assert.equal(list[0]!.generation, 2);
      assert.deepEqual(list[0]!.replicas.filter((r) => r.state === 'ready').map((r) => r.pid).sort(), [...listed].sort());
    });
  }
});
