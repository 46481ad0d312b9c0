// Zero-downtime rolling updates of a fixed-port service on one machine, through the ingress.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { Cluster, Gate, fixtureApp, waitFor } from './harness';
import { Load, freePort } from './load';

function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('ingress', function () {
  this.timeout(120_000);
  let c: Cluster;
  let port: number;

  beforeEach(async () => {
    c = new Cluster('ingress');
    await c.startConductor();
    await c.startAgent('n1');
    port = await freePort();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  // A drain far longer than the load client's 5 s limit for one request: a request left waiting on a
  // replica that is going away would wait out the drain, and so count as a failure rather than a slow answer.
  const app = (version: string, env: Record<string, string> = {}, extra: string[] = []) =>
    fixtureApp('web', { replicas: 3, version, drain: '10s', env: { FIXTURE_START_DELAY_MS: '100', ...env }, extra: [`port ${port}`, ...extra] });

  it('serves the app on its port, each replica on its own backend port', async () => {
    const file = c.manifest('web.skr8tr', app('v1'));
    assert.equal((await c.cli(['up', file])).code, 0);
    const w = await c.settled('web', 1, 3);
    assert.ok(w.running.every((r) => r.port !== port && r.inIngress));
    assert.equal(new Set(w.running.map((r) => r.port)).size, 3);
    assert.deepEqual(w.ingress, { port, address: '127.0.0.1', backends: 3 });
    const pids = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = await get(port);
      assert.equal(r.status, 200);
      pids.add(r.body.split(' ')[1]!.trim());
    }
    assert.equal(pids.size, 3, 'requests are spread over the three replicas');
    const nodes = await c.cli(['nodes', '--json']);
    const [n] = JSON.parse(nodes.stdout) as { ports: number[] }[];
    assert.deepEqual(n!.ports.sort(), w.running.map((r) => r.port!).sort());
  });

  it('passes a request through: its body, its end-to-end headers as written, x-forwarded-*, never a hop-by-hop header', async () => {
    const file = c.manifest('web.skr8tr', app('v1'));
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('web', 1, 3);
    const body = 'x'.repeat(100_000);
    const agent = new http.Agent({ keepAlive: true });
    try {
      const answer = await new Promise<{ status: number; headers: string[]; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: '/echo',
            method: 'POST',
            agent,
            headers: { 'Content-Type': 'text/plain', 'X-Trace': ['one', 'two'], 'X-Forwarded-For': '203.0.113.7', 'Keep-Alive': 'timeout=9', TE: 'trailers', 'Content-Length': String(body.length) },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.rawHeaders, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(answer.status, 200);
      const seen = JSON.parse(answer.body) as { method: string; rawHeaders: string[]; body: string };
      assert.equal(seen.method, 'POST');
      assert.equal(seen.body, body);
      const pairs = (raw: string[]) => Array.from({ length: raw.length / 2 }, (_, i) => [raw[2 * i]!.toLowerCase(), raw[2 * i + 1]!] as const);
      const sent = pairs(seen.rawHeaders);
      assert.deepEqual(sent.filter(([k]) => k === 'x-trace').map(([, v]) => v), ['one', 'two'], 'repeated headers stay apart, in order');
      assert.deepEqual(sent.filter(([k]) => k === 'x-forwarded-for').map(([, v]) => v), ['203.0.113.7, 127.0.0.1'], 'the client is added to x-forwarded-for');
      assert.deepEqual(sent.filter(([k]) => k === 'x-forwarded-proto' || k === 'x-forwarded-host').map(([k, v]) => `${k}: ${v}`), ['x-forwarded-proto: http', `x-forwarded-host: 127.0.0.1:${port}`]);
      assert.ok(!sent.some(([k]) => k === 'keep-alive' || k === 'te'), `hop-by-hop headers reached the replica: ${JSON.stringify(sent)}`);
      const got = pairs(answer.headers);
      assert.deepEqual(got.filter(([k]) => k === 'set-cookie').map(([, v]) => v), ['a=1', 'b=2'], 'both cookies come back');
      assert.ok(!got.some(([k, v]) => k === 'keep-alive' && v === 'timeout=5'), 'the replica\'s own keep-alive header stays with its connection');
    } finally {
      agent.destroy();
    }
  });

  it('an HTTP/1.0 request without a host header reaches the replica with one (its own address)', async () => {
    const file = c.manifest('web.skr8tr', app('v1'));
    assert.equal((await c.cli(['up', file])).code, 0);
    const w = await c.settled('web', 1, 3);
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => s.write('GET /echo HTTP/1.0\r\n\r\n'));
      let text = '';
      s.setEncoding('utf8');
      s.on('data', (chunk: string) => (text += chunk));
      s.on('close', () => resolve(text));
      s.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 200 /);
    const seen = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { rawHeaders: string[] };
    const host = seen.rawHeaders[seen.rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === 'host') + 1];
    assert.ok(w.running.some((r) => host === `127.0.0.1:${r.port}`), `host ${host}`);
  });

  it('rolls out with zero failed requests under keep-alive and fresh-connection load', async () => {
    const file = c.manifest('web.skr8tr', app('v1'));
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('web', 1, 3);

    // Some requests are slow (250 ms), so replicas are drained with requests in flight.
    const load = new Load({ port, keepAliveClients: 4, freshClients: 2, paths: ['/', '/', '/', '/', '/', '/', '/', '/slow'], maxRequests: 40_000, maxMs: 60_000 });
    await waitFor('load to be flowing', () => load.result.requests > 50);
    const atStart = load.result.requests;
    // The new replicas are held by a gate until the load has made 100 requests with the rollout under way.
    const gate = new Gate(c.home);
    c.manifest('web.skr8tr', app('v2', { FIXTURE_SLOW_MS: '250', ...gate.env }));
    const rolling = c.cli(['rollout', file, '--wait']);
    await waitFor('100 requests while the new replicas start', async () => load.result.requests - atStart > 100 && (await c.workload('web')).replicas.some((r) => r.generation === 2));
    gate.open();
    const out = await rolling;
    assert.equal(out.code, 0, out.stdout + out.stderr);
    const during = load.result.requests - atStart;
    await waitFor('v2 to answer', () => (load.result.versions.get('v2') ?? 0) > 50);
    const r = await load.stop();
    assert.equal(r.failures, 0, `failed requests: ${r.failureSamples.join('; ')}`);
    assert.ok(during > 100, `only ${during} requests were made during the rollout`);
    assert.ok((r.versions.get('v1') ?? 0) > 0 && (r.versions.get('v2') ?? 0) > 0);
  });

  it('rolls back a crashing version with zero failed requests', async () => {
    const file = c.manifest('web.skr8tr', app('v1'));
    assert.equal((await c.cli(['up', file])).code, 0);
    const before = await c.settled('web', 1, 3);

    const load = new Load({ port, keepAliveClients: 4, freshClients: 2, maxRequests: 40_000, maxMs: 60_000 });
    await waitFor('load to be flowing', () => load.result.requests > 50);
    c.manifest('web.skr8tr', app('v2', { FIXTURE_MODE: 'crash' }));
    const out = await c.cli(['rollout', file, '--wait']);
    assert.equal(out.code, 1, out.stdout);
    const after = await c.settled('web', 1, 3);
    const r = await load.stop();
    assert.equal(r.failures, 0, `failed requests: ${r.failureSamples.join('; ')}`);
    assert.deepEqual(after.replicas.filter((x) => x.state === 'ready').map((x) => x.pid).sort(), before.replicas.map((x) => x.pid).sort());
  });

  it('a replica that dies under load is retried on another, never surfaced', async () => {
    const file = c.manifest('web.skr8tr', app('v1'));
    assert.equal((await c.cli(['up', file])).code, 0);
    const w = await c.settled('web', 1, 3);
    const load = new Load({ port, keepAliveClients: 4, freshClients: 2, maxRequests: 40_000, maxMs: 60_000 });
    await waitFor('load to be flowing', () => load.result.requests > 100);
    process.kill(w.running[0]!.pid!, 'SIGKILL');
    await waitFor('the dead replica to be replaced', async () => (await c.workload('web')).replicas.filter((r) => r.state === 'ready').length === 3 && load.result.requests > 400);
    const r = await load.stop();
    assert.equal(r.failures, 0, `failed requests: ${r.failureSamples.join('; ')}`);
  });

  it('the port stays the Conductor\'s: a second app cannot take it, and `down` frees it', async () => {
    const file = c.manifest('web.skr8tr', app('v1'));
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('web', 1, 3);
    assert.equal((await c.cli(['down', 'web'])).code, 0);
    await waitFor('the port to be free', async () => {
      try {
        await get(port);
        return false;
      } catch {
        return true;
      }
    });
  });

  describe('with `ingress off`', () => {
    const plain = (version: string, extra: string[] = []) =>
      fixtureApp('own', { replicas: 1, version, extra: [`port ${port}`, 'ingress off', ...extra] });

    it('the replica binds the port itself, and a second one on the same host is refused with the reason', async () => {
      const file = c.manifest('own.skr8tr', plain('v1'));
      assert.equal((await c.cli(['up', file])).code, 0);
      const w = await c.settled('own', 1, 1);
      assert.equal(w.running[0]!.port, port);
      assert.equal(w.ingress, null);
      assert.match((await get(port)).body, /^v1 /);
      assert.equal((await c.cli(['scale', 'own', '2'])).code, 0);
      const stuck = await waitFor('the problem to be reported', async () => {
        const v = await c.workload('own');
        return v.problem ? v : null;
      });
      assert.match(stuck.problem!, new RegExp(`port ${port} in use on 127\\.0\\.0\\.1`));
    });

    it('a rollout that cannot place a replica beside the old one says so at once instead of hanging', async () => {
      const file = c.manifest('own.skr8tr', plain('v1'));
      assert.equal((await c.cli(['up', file])).code, 0);
      const before = await c.settled('own', 1, 1);
      c.manifest('own.skr8tr', plain('v2'));
      const t0 = Date.now();
      const out = await c.cli(['rollout', file, '--wait']);
      assert.equal(out.code, 1, out.stdout);
      assert.ok(Date.now() - t0 < 10_000, 'it did not wait for a deadline');
      assert.match(out.stdout + out.stderr, /with `ingress off` and `unavailable 0`, no old replica may stop first/);
      const after = await c.settled('own', 1, 1);
      assert.equal(after.replicas.find((r) => r.state === 'ready')!.pid, before.running[0]!.pid);

      // Allowing one replica to be unavailable replaces it in place (with the outage that implies).
      c.manifest('own.skr8tr', plain('v3', ['rollout', '  unavailable 1']));
      const again = await c.cli(['rollout', file, '--wait']);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      await c.settled('own', 3, 1);
      assert.match((await get(port)).body, /^v3 /);
    });
  });
});
