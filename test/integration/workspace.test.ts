// A workspace of services with real parts: Debian's redis-server as the database and the cache
// (`check tcp`, `ingress off`), a migration job (redis-cli) that needs the database ready, an HTTP
// API that needs both, and a frontend that needs the API, across two manifests. Ready times respect
// every edge, independent branches start at once, a cycle or a missing app is refused with its
// place, `down` goes dependents first, and a port another program holds is named.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { describeOwner, portOwner } from '../../src/shared/platform/port-owner';
import { isAlive } from '../../src/shared/platform/process';
import type { ApiEvent, WorkloadView } from '../../src/shared/protocol/api';
import { Cluster, FIXTURE, waitFor } from './harness';
import { freePort } from './load';
import { requirePrograms } from './requires';

function data(dbPort: number, cachePort: number): string {
  const redis = (name: string, port: number) => [
    `app ${name}`,
    '  exec redis-server',
    '  args --port ${PORT} --bind 127.0.0.1 --save "" --appendonly no',
    `  port ${port}`,
    '  ingress off',
    '  health tcp',
    '  drain 1s',
  ];
  return [...redis('db', dbPort), ...redis('cache', cachePort), 'app migrate', '  type job', '  exec redis-cli', `  args -p ${dbPort} SET migrated yes`, '  needs db', ''].join('\n');
}

function web(apiPort: number, frontPort: number, extraApi: string[] = []): string {
  const fixture = (name: string, port: number, needs: string) => [
    `app ${name}`,
    `  exec ${process.execPath}`,
    `  args ${FIXTURE}`,
    `  port ${port}`,
    '  health GET /health 200',
    `  needs ${needs}`,
    '  drain 1s',
    '  env',
    '    FIXTURE_START_DELAY_MS 300',
  ];
  return [...fixture('api', apiPort, 'db migrate:completed cache:started'), ...extraApi, ...fixture('frontend', frontPort, 'api'), ''].join('\n');
}

const firstReady = (w: WorkloadView) => Math.min(...w.replicas.filter((r) => r.readyAt !== null).map((r) => r.readyAt!));
const firstCreated = (w: WorkloadView) => Math.min(...w.replicas.map((r) => r.createdAt));

describe('a workspace of services', function () {
  this.timeout(120_000);
  let c: Cluster;
  let squatter: ChildProcess | null = null;

  before(function () {
    requirePrograms(this, 'the workspace tests', ['redis-server', 'redis-cli', 'python3']);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    if (squatter?.pid) {
      squatter.kill('SIGKILL');
      await waitFor('the squatter to exit', () => !isAlive(squatter!.pid!), 10_000);
    }
    squatter = null;
    await c.cleanup();
  });

  it('starts in the order of needs (real redis, a migration job), in parallel where it can; refuses cycles and missing apps; takes down dependents first', async () => {
    c = new Cluster('workspace');
    await c.startConductor();
    await c.startAgent('n1');
    const [dbPort, cachePort, apiPort, frontPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const dataFile = c.manifest('data.skr8tr', data(dbPort, cachePort));
    const webFile = c.manifest('web.skr8tr', web(apiPort, frontPort));
    const dir = path.dirname(dataFile);

    // An app that needs an app the Conductor does not know: refused, nothing created.
    const alone = await c.cli(['up', webFile]);
    assert.notEqual(alone.code, 0);
    assert.match(alone.stderr, /app api \(.*web\.skr8tr\) needs db, which is no app of this submission and none the Conductor runs/);
    assert.deepEqual(await c.client().call('workloads', {}), []);

    const events = await c.recordEvents();
    const up = await c.cli(['up', dir]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /api: created/);
    assert.doesNotMatch(up.stdout + up.stderr, /is not an app of this file/, 'no warning for an app another manifest of the workspace defines');
    const all = await waitFor('every app to be up and the migration to complete', async () => {
      const ws = await c.client().call('workloads', {});
      const byName = new Map(ws.map((w) => [w.name, w]));
      const done = ['db', 'cache', 'api', 'frontend'].every((n) => byName.get(n)?.replicas.some((r) => r.state === 'ready'));
      return done && byName.get('migrate')!.replicas.some((r) => r.state === 'stopped') ? byName : null;
    }, 60_000, 50);
    const db = all.get('db')!;
    const migrate = all.get('migrate')!;
    const api = all.get('api')!;
    const frontend = all.get('frontend')!;
    const cache = all.get('cache')!;
    const migrated = migrate.replicas.find((r) => r.state === 'stopped')!;
    // Every edge: a dependent's first replica was created after what it needs held.
    assert.ok(firstCreated(migrate) >= firstReady(db), 'migrate after db is ready');
    assert.ok(firstCreated(api) >= firstReady(db), 'api after db is ready');
    assert.ok(firstCreated(api) >= (migrate.replicas.find((r) => r.reason === 'completed')?.createdAt ?? Infinity), 'api after migrate completed');
    assert.ok(firstCreated(frontend) >= firstReady(api), 'frontend after api is ready');
    // Independent branches start at once: cache did not wait for anything.
    assert.ok(firstCreated(cache) <= firstCreated(migrate), 'cache started with db, not after the chain');
    assert.ok(migrated.reason === 'completed');
    // The waiting was said: the tree and `list` showed what api waited for.
    const waits = events.filter((e): e is Extract<ApiEvent, { type: 'workload' }> => e.type === 'workload' && e.workload.name === 'api' && /^waiting for /.test(e.workload.problem ?? ''));
    assert.ok(waits.length > 0, 'api said what it waited for');
    assert.match(waits[0]!.workload.problem!, /waiting for db \((not started|launching|starting), 0\/1 ready\)/);
    const list = await c.cli(['list']);
    assert.doesNotMatch(list.stdout, /waiting for/, 'nothing waits once all are up');

    // A cycle across the two manifests: refused with the cycle; nothing changed.
    c.manifest('data.skr8tr', data(dbPort, cachePort).replace('  needs db', '  needs db frontend'));
    const cycle = await c.cli(['up', dir]);
    assert.notEqual(cycle.code, 0);
    assert.match(cycle.stderr, /a cycle of needs: api → migrate → frontend → api/);
    c.manifest('data.skr8tr', data(dbPort, cachePort));
    // Within one file the CLI refuses it with the place.
    const one = c.manifest('one.skr8tr', 'app a\n  exec ./a\n  needs b\napp b\n  exec ./b\n  needs a\n');
    const local = await c.cli(['up', one]);
    assert.equal(local.code, 1);
    assert.match(local.stderr, /one\.skr8tr:3:9: error: a cycle of needs: a → b → a/);

    // Down of an app others need is refused, naming them.
    const refused = await c.cli(['down', 'db']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /db is needed by migrate, api/);

    // Down of the workspace: dependents first.
    const downEvents = await c.recordEvents();
    const down = await c.cli(['down', dataFile, webFile]);
    assert.equal(down.code, 0, down.stdout + down.stderr);
    await waitFor('every workload to be gone', async () => (await c.client().call('workloads', {})).length === 0, 30_000);
    const drainedAt = new Map<string, number>();
    for (const e of downEvents) {
      if (e.type === 'replica' && e.replica.state === 'draining' && !drainedAt.has(e.replica.app)) drainedAt.set(e.replica.app, e.at);
    }
    const removedAt = new Map<string, number>();
    for (const e of downEvents) if (e.type === 'workload-removed') removedAt.set(e.name, e.at);
    assert.ok(drainedAt.get('api')! >= removedAt.get('frontend')!, 'api stops after frontend is gone');
    assert.ok(drainedAt.get('db')! >= removedAt.get('api')!, 'db stops after api is gone');
    assert.ok(drainedAt.get('cache')! >= removedAt.get('api')!, 'cache stops after api is gone');
  });

  it('a port another program holds is named: `up` refuses before starting anything; taken while the Conductor was away, the ingress names it and takes the port once it is free', async () => {
    c = new Cluster('squat');
    let conductor = await c.startConductor();
    await c.startAgent('n1');
    const port = await freePort();
    squatter = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { stdio: 'ignore' });
    const owner = await waitFor('python3 to listen', () => portOwner(port), 10_000, 50);
    assert.equal(owner.pid, squatter.pid);
    assert.equal(describeOwner(owner), `pid ${squatter.pid} (python3 -m http.server ${port} --bind 127.0.0.1)`);
    const file = c.manifest('api.skr8tr', web(port, await freePort()).split('app frontend')[0]!.replace(/ {2}needs .*\n/, ''));
    const up = await c.cli(['up', file]);
    assert.notEqual(up.code, 0);
    assert.match(up.stderr, new RegExp(`port ${port} of app api is in use by pid ${squatter.pid} \\(python3 -m http.server ${port} --bind 127\\.0\\.0\\.1\\); stop it, or give api another port`));
    assert.deepEqual(await c.client().call('workloads', {}), [], 'nothing was started');

    squatter.kill('SIGKILL');
    await waitFor('the port to be free', async () => (await portOwner(port)) === null, 10_000, 50);
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('api', 1, 1);
    // The Conductor goes away (its workloads keep running); a program takes the port meanwhile.
    await c.stop(conductor);
    squatter = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { stdio: 'ignore' });
    await waitFor('python3 to listen', () => portOwner(port), 10_000, 50);
    conductor = await c.startConductor();
    const w = await waitFor('the ingress to name the holder', async () => {
      const v = await c.workload('api');
      return v.problem?.includes(`pid ${squatter!.pid}`) ? v : null;
    }, 20_000);
    assert.match(w.problem!, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use by pid ${squatter.pid} \\(python3 -m http\\.server`));
    assert.match((await c.cli(['list'])).stdout, /! .*is in use by pid \d+ \(python3 -m http\.server/);
    squatter.kill('SIGKILL');
    await waitFor('the ingress to take the port', async () => {
      const v = await c.workload('api');
      return v.problem === null && v.ingress !== null;
    }, 20_000);
    void conductor;
  });
});

