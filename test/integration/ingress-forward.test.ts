// The ingress's HTTP forwarder (src/conductor/ingress-http.ts) over real loopback sockets, in this
// process: two replicas that hold a request open, and a client that gives up. A request whose client
// has gone is not tried again on another replica (that would run it twice, for nobody); a replica
// that never answers gets the client a 504 within the bound; one that dies with a POST gets it a 502
// and the POST is not run again, while a GET is.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackendPool } from '../../src/conductor/backend-pool';
import { HttpForwarder } from '../../src/conductor/ingress-http';
import type { Outcome } from '../../src/shared/traffic-window';
import { SinkLogger } from '../../src/shared/logger';

const quiet = new SinkLogger(() => {}, 'error');

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('ingress forwarding, in process', function () {
  this.timeout(20_000);
  const servers: http.Server[] = [];

  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('a client that gives up while a replica holds its request: no other replica is asked, and it counts as cancelled', async () => {
    // Each replica takes the request and never answers; it says when the request's connection closes.
    const got: string[] = [];
    let closedAtReplica!: () => void;
    const replicaSawClose = new Promise<void>((r) => (closedAtReplica = r));
    let arrived!: () => void;
    const replicaHasIt = new Promise<void>((r) => (arrived = r));
    const replica = (name: string) => {
      const s = http.createServer((req) => {
        got.push(name);
        req.socket.once('close', closedAtReplica);
        arrived();
      });
      servers.push(s);
      return listen(s);
    };
    const ports = [await replica('a'), await replica('b')];

    let fwd!: HttpForwarder;
    const pool = new BackendPool({ joined: (b) => fwd.joined(b), leaving: (b) => fwd.leaving(b), gone: (b) => fwd.gone(b) });
    const recorded: { outcome: Outcome; retried: boolean }[] = [];
    fwd = new HttpForwarder('web', pool, quiet, (outcome, _ms, retried) => recorded.push({ outcome, retried }));
    pool.add({ id: 'web-1-a', host: '127.0.0.1', port: ports[0]! });
    pool.add({ id: 'web-1-b', host: '127.0.0.1', port: ports[1]! });
    const ingress = fwd.server();
    servers.push(ingress);
    const port = await listen(ingress);

    // The client asks, and leaves once a replica has the request.
    const client = http.get({ host: '127.0.0.1', port, path: '/slow', agent: false });
    client.on('error', () => {});
    await replicaHasIt;
    client.destroy();
    // The forwarder learns of it first (the replica's side of the closed connection comes later):
    // by the time the replica sees its connection close, a retry would have been sent.
    await replicaSawClose;
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got.length, 1, `asked: ${got.join(', ')}`);
    assert.deepEqual(recorded, [{ outcome: 'cancelled', retried: false }]);
    pool.leave('web-1-a', 0);
    pool.leave('web-1-b', 0);
  });

  /** An ingress over the given replica handlers (each a real server on loopback), bound by `timeoutMs`. */
  async function ingressOver(handlers: http.RequestListener[], timeoutMs = 60_000) {
    const ports: number[] = [];
    for (const h of handlers) {
      const server = http.createServer(h);
      servers.push(server);
      ports.push(await listen(server));
    }
    let fwd!: HttpForwarder;
    const pool = new BackendPool({ joined: (b) => fwd.joined(b), leaving: (b) => fwd.leaving(b), gone: (b) => fwd.gone(b) });
    const recorded: { outcome: Outcome; retried: boolean }[] = [];
    fwd = new HttpForwarder('web', pool, quiet, (outcome, _ms, retried) => recorded.push({ outcome, retried }), timeoutMs);
    ports.forEach((port, i) => pool.add({ id: `web-1-${i}`, host: '127.0.0.1', port }));
    const ingress = fwd.server();
    servers.push(ingress);
    const port = await listen(ingress);
    const done = () => ports.forEach((_, i) => void pool.leave(`web-1-${i}`, 0));
    return { port, recorded, done };
  }

  function ask(port: number, method: string, path: string, body?: string): Promise<{ status: number; text: string; ms: number }> {
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: Date.now() - t0 }));
      });
      req.on('error', reject);
      req.setTimeout(20_000, () => req.destroy(new Error('no answer from the ingress within 20 s')));
      req.end(body);
    });
  }

  it('a replica that never answers: the client gets a 504 after the request-timeout, counted as timed out', async () => {
    const { port, recorded, done } = await ingressOver([() => {}], 300);
    const answer = await ask(port, 'GET', '/hang');
    assert.equal(answer.status, 504);
    assert.match(answer.text, /did not answer within 300 ms/);
    assert.ok(answer.ms >= 290 && answer.ms < 5_000, `answered after ${answer.ms} ms`);
    await waitUntil(() => recorded.length === 1);
    assert.deepEqual(recorded, [{ outcome: 'timeout', retried: false }]);
    done();
  });

  it('a POST that reached a replica which then died is answered 502 and run nowhere else; a GET is tried on another replica', async () => {
    const got: string[] = [];
    // Each replica takes the request, then its connection dies before any answer (as a replica that crashes).
    const dies = (name: string): http.RequestListener => (req, res) => {
      got.push(`${name} ${req.method}`);
      if (req.url === '/ok') return void res.end('ok');
      req.on('data', () => {});
      req.on('end', () => req.socket.destroy());
    };
    const { port, recorded, done } = await ingressOver([dies('a'), dies('b')]);
    const post = await ask(port, 'POST', '/pay', 'amount=5');
    assert.equal(got.filter((g) => g.endsWith('POST')).length, 1, `the POST ran once: ${got.join(', ')}`);
    assert.equal(post.status, 502);
    assert.match(post.text, /not sent to another replica/);

    got.length = 0;
    const get = await ask(port, 'GET', '/read');
    assert.equal(get.status, 502, 'both replicas died with it');
    assert.deepEqual(got.sort(), ['a GET', 'b GET'], 'the GET was tried on the other replica');
    await waitUntil(() => recorded.length === 2);
    assert.deepEqual(recorded, [{ outcome: 'reset', retried: false }, { outcome: 'reset', retried: true }]);
    done();
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
