// The ingress's HTTP forwarder (src/conductor/ingress-http.ts) over real loopback sockets, in this
// process: two replicas that hold a request open, and a client that gives up. A request whose client
// has gone is not tried again on another replica (that would run it twice, for nobody).
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
});
