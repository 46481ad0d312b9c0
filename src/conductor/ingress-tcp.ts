// TCP forwarding for one app's ingress (apps with a `tcp` check): each client connection is piped to
// one replica from the app's pool (backend-pool.ts) and counts as in flight there until either side
// closes. A replica that refuses the connection is skipped for the next one; the client's bytes wait
// (paused) until a replica took the connection. The listener itself is ingress.ts's. The traffic
// meter counts each connection once: taken by a replica (with the time it took), or refused by all.
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { BackendPool } from './backend-pool';
import type { TrafficRecorder } from './traffic-meter';

/** A new listener's server (one per attempt to listen). */
export function tcpServer(pool: BackendPool, record: TrafficRecorder): net.Server {
  return net.createServer((socket) => forwardTcp(pool, socket, record));
}

function forwardTcp(pool: BackendPool, socket: net.Socket, record: TrafficRecorder): void {
  socket.pause();
  const started = performance.now();
  const tried = new Set<string>();
  const attempt = () => {
    const b = pool.pick(tried);
    if (!b) {
      record(tried.size > 0 ? 'refused' : 'unavailable', performance.now() - started, false);
      socket.destroy();
      return;
    }
    tried.add(b.id);
    const end = pool.begin(b);
    let connected = false;
    const upstream = net.connect({ host: b.host, port: b.port });
    upstream.once('connect', () => {
      connected = true;
      record('ok', performance.now() - started, tried.size > 1);
      upstream.pipe(socket);
      socket.pipe(upstream);
      socket.resume();
    });
    upstream.on('error', () => {
      if (!connected) {
        end();
        attempt();
        return;
      }
      socket.destroy();
    });
    upstream.on('close', () => {
      if (!connected) return;
      end();
      socket.destroy();
    });
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
  };
  attempt();
}
