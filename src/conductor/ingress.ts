// The ingress: for each app with `port P` and `ingress on`, one stable listener on P owned by the
// Conductor, forwarding to the app's ready replicas (each on its own port). This is what makes a
// rolling update of a fixed-port service on one machine free of downtime:
//   - a replica joins when its probe passes;
//   - a replica leaves before it is stopped: no new request or connection goes to it, its in-flight
//     requests finish, its idle keep-alive connections are closed, then it gets its stop signal;
//   - a request that fails to reach a backend before any byte of the answer was sent (refused, or
//     reset by a replica going away) is retried on another ready replica, never surfaced.
//
// This file owns the listeners (one per app; a port that is taken is tried again every 2 s) and the
// API the reconciler's side (ingress-traffic.ts) calls. Each app's backends are a pool
// (backend-pool.ts); HTTP apps are proxied request by request (ingress-http.ts), apps with a `tcp`
// check connection by connection (ingress-tcp.ts). Each request (or connection) is counted once, as
// it ends, by the traffic meter (traffic-meter.ts).
//
// Listener lifecycle:  opening ──bound──▶ listening;  either ──error──▶ waiting ──2 s──▶ opening;
//                      any ──close──▶ closed (its backends go, pending leaves resolve)
import { describeOwner, portOwner } from '../shared/platform/port-owner';
import type * as net from 'node:net';
import type { Logger } from '../shared/logger';
import { BackendPool, type BackendRef } from './backend-pool';
import { HttpForwarder } from './ingress-http';
import { tcpServer } from './ingress-tcp';
import type { TrafficMeter, TrafficRecorder } from './traffic-meter';

export type { BackendRef } from './backend-pool';

export type IngressMode = 'http' | 'tcp';

export interface ListenerEvents {
  /** The listener could not be opened (or failed later). */
  error(app: string, message: string): void;
  listening(app: string, address: string, port: number): void;
}

/** One app's listener and backends. */
class AppIngress {
  readonly pool: BackendPool;
  private readonly http: HttpForwarder | null;
  private readonly record: TrafficRecorder;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  listening = false;

  constructor(
    readonly app: string,
    readonly address: string,
    readonly port: number,
    readonly mode: IngressMode,
    log: Logger,
    private readonly events: ListenerEvents,
    meter: TrafficMeter,
    timeoutMs: number,
  ) {
    this.record = meter.recorder(app);
    this.pool = new BackendPool({
      joined: (b) => this.http?.joined(b),
      leaving: (b) => this.http?.leaving(b),
      gone: (b) => this.http?.gone(b),
      overran: (b, capMs) =>
        log.warn(`ingress ${app}: ${b.id} still had ${b.inFlight} request${b.inFlight === 1 ? '' : 's'} in flight after ${capMs} ms; stopping it anyway`),
    });
    this.http = mode === 'http' ? new HttpForwarder(app, this.pool, log, this.record, timeoutMs) : null;
  }

  /** The app's `request-timeout` changed (a rollout): new requests are bound by it. */
  bound(timeoutMs: number): void {
    this.http?.bound(timeoutMs);
  }

  open(): void {
    const server = this.http ? this.http.server() : tcpServer(this.pool, this.record);
    this.server = server;
    server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('error', (err: NodeJS.ErrnoException) => {
      this.listening = false;
      server.close();
      if (this.server === server) this.server = null;
      if (!this.closed) this.retry = setTimeout(() => this.open(), 2_000);
      void this.explain(err).then((why) => {
        if (!this.closed) this.events.error(this.app, `the ingress cannot listen: ${why}; trying again every 2 s`);
      });
    });
    server.listen({ port: this.port, host: this.address }, () => {
      this.listening = true;
      this.events.listening(this.app, this.address, this.port);
    });
  }

  /** Why the listener could not open; for a port in use, which program holds it. */
  private async explain(err: NodeJS.ErrnoException): Promise<string> {
    if (err.code !== 'EADDRINUSE') return err.message;
    const owner = await portOwner(this.port).catch(() => null);
    return `port ${this.port} on ${this.address} is in use by ${owner ? describeOwner(owner) : 'another process'}`;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.pool.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }
}

export class Ingress {
  private readonly apps = new Map<string, AppIngress>();

  constructor(
    private readonly address: string,
    private readonly log: Logger,
    private readonly events: ListenerEvents,
    /** Counts every request (or connection) each listener forwards. */
    readonly meter: TrafficMeter,
  ) {}

  /** Makes sure `app` listens on `port` (reopening if the port or mode changed), answering within `timeoutMs`. */
  ensure(app: string, port: number, mode: IngressMode, timeoutMs: number): void {
    const existing = this.apps.get(app);
    if (existing && existing.port === port && existing.mode === mode) {
      existing.bound(timeoutMs);
      return;
    }
    if (existing) void existing.close();
    const a = new AppIngress(app, this.address, port, mode, this.log, this.events, this.meter, timeoutMs);
    this.apps.set(app, a);
    a.open();
  }

  has(app: string): boolean {
    return this.apps.has(app);
  }

  info(app: string): { port: number; address: string; backends: number; listening: boolean } | null {
    const a = this.apps.get(app);
    return a ? { port: a.port, address: a.address, backends: a.pool.activeCount(), listening: a.listening } : null;
  }

  join(app: string, ref: BackendRef): boolean {
    const a = this.apps.get(app);
    if (!a) return false;
    a.pool.add(ref);
    return true;
  }

  /** Takes a backend out of rotation; resolves once its in-flight requests are done (or after `capMs`). */
  leave(app: string, id: string, capMs: number): Promise<void> {
    return this.apps.get(app)?.pool.leave(id, capMs) ?? Promise.resolve();
  }

  async close(app: string): Promise<void> {
    const a = this.apps.get(app);
    if (!a) return;
    this.apps.delete(app);
    await a.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.apps.keys()].map((app) => this.close(app)));
  }
}
