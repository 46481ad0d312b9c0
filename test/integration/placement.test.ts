// What a laptop user meets first: a rollout that cannot place a replica ends by its deadline (and
// the running generation keeps serving), two apps cannot take one port, and a program that binds
// the manifest's port itself is told what to do.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { Cluster, fixtureApp } from './harness';
import { requirePrograms } from './requires';
import { freePort } from './load';

function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('placement, ports and first mistakes', function () {
  this.timeout(90_000);
  let c: Cluster;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  it('strict placement: a rollout whose replica fits no node fails at its deadline, rolls back, and the running generation keeps serving', async () => {
    c = new Cluster('place');
    await c.startConductor(['--placement', 'strict']);
    await c.startAgent('n1', ['--cpu', '2']);
    const port = await freePort();
    const file = c.manifest('web.skr8tr', fixtureApp('web', { version: 'v1', extra: [`port ${port}`, 'cpu 1'] }));
    assert.equal((await c.cli(['rollout', file, '--wait'])).code, 0);
    await c.settled('web', 1, 1);
    c.manifest('web.skr8tr', fixtureApp('web', { version: 'v2', extra: [`port ${port}`, 'cpu 4', 'rollout', '  deadline 2s'] }));
    const started = Date.now();
    const r = await c.cli(['rollout', file, '--wait']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(Date.now() - started < 20_000, `it ended (after ${Date.now() - started} ms), not waiting for ever`);
    assert.match(r.stdout + r.stderr, /no replica could be placed for 2\.0 s: no node fits \(1 node: not enough free CPU for 4\)/);
    assert.match(r.stdout + r.stderr, /rolling back to generation 1/);
    const w = await c.settled('web', 1, 1);
    assert.equal(w.history.at(-1)!.state, 'rolled-back');
    assert.match((await get(port)).body, /^v1 /);
  });

  it('a second app on a port another app has is refused (422), naming the app and its manifest; nothing is created', async () => {
    c = new Cluster('ports');
    await c.startConductor();
    await c.startAgent('n1');
    const port = await freePort();
    const a = c.manifest('a.skr8tr', fixtureApp('alpha', { extra: [`port ${port}`] }));
    assert.equal((await c.cli(['up', a])).code, 0);
    const b = c.manifest('b.skr8tr', fixtureApp('beta', { extra: [`port ${port}`] }));
    const r = await c.cli(['up', b]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`port ${port} of app beta is already the port of app alpha \\(${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\); give beta another port, or take alpha down first`));
    const list = await c.client().request<{ name: string }[]>('GET', '/v1/workloads');
    assert.deepEqual(list.map((w) => w.name), ['alpha']);
    // Two apps of one manifest on one port: refused too.
    const both = c.manifest('both.skr8tr', fixtureApp('gamma', { extra: ['port 1'] }) + fixtureApp('delta', { extra: ['port 1'] }));
    const r2 = await c.cli(['up', both]);
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /apps gamma and delta both want port 1; give one another port/);
  });

  it('a program that binds the manifest\'s port itself (python3 -m http.server PORT) fails with what to do', async function () {
    requirePrograms(this, 'this test', ['python3']);
    c = new Cluster('hint');
    await c.startConductor();
    await c.startAgent('n1');
    const port = await freePort();
    const file = c.manifest('py.skr8tr', ['app py', '  exec python3', `  args -m http.server ${port} --bind 127.0.0.1`, `  port ${port}`, ''].join('\n'));
    const v = await c.cli(['validate', file]);
    assert.equal(v.code, 0);
    assert.match(v.stderr, /info: each replica gets its own port in \$PORT/);
    const r = await c.cli(['rollout', file, '--wait']);
    assert.notEqual(r.code, 0, r.stdout);
    const hint = `it tried to listen on ${port}, which the ingress holds: make it listen on $PORT (given to each replica), or add "ingress off"`;
    assert.ok((r.stdout + r.stderr).includes(hint), r.stdout + r.stderr);
    const w = await c.workload('py');
    assert.ok(w.replicas.some((x) => x.state === 'failed' && x.reason?.includes(hint)), JSON.stringify(w.replicas.map((x) => x.reason)));
  });
});
