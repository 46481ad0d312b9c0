// The ingress: for each app with `port P` and `ingress on`, one stable listener on P owned by the
// Conductor, forwarding to the app's ready replicas (each on its own port). This is what makes a
// rolling update of a fixed-port service on one machine free of downtime:
//   - a replica joins when its probe passes;
//   - a replica leaves before it is stopped: no new request or connection goes to it, its in-flight
//     requests finish, its idle keep-alive connections are closed, then it gets its stop signal;
//   - a request that fails to reach a backend before any byte of the answer was sent (refused, or
//     reset by a replica going away) is retried on another ready replica, never surfaced.
// HTTP apps are proxied request by request, so a client's keep-alive connection is never pinned to
// a replica that is leaving; apps with a `tcp` check are forwarded connection by connection.
//
// Backend lifecycle:  active ──leave──▶ leaving ──in-flight 0 (or drain cap)──▶ gone
import * as http from 'node:http';
import * as net from 'node:net';
import type { Logger } from '../shared/logger';

export type IngressMode = 'http' | 'tcp';

export interface BackendRef {
  id: string;
  host: string;
  port: number;
}

interface Backend extends BackendRef {
  state: 'active' | 'leaving';
  inFlight: number;
  agent: http.Agent;
  drained: Array<() => void>;
}

/** Request bodies up to this size are kept, so the request can be retried on another replica. */
const REPLAYABLE_BODY_BYTES = 1024 * 1024;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface ListenerEvents {
  /** The listener could not be opened (or failed later). */
  error(app: string, message: string): void;
  listening(app: string, address: string, port: number): void;
}

/** One app's listener and backends. */
class AppIngress {
  readonly backends = new Map<string, Backend>();
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private next = 0;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  listening = false;

  constructor(
    readonly app: string,
    readonly address: string,
    readonly port: number,
    readonly mode: IngressMode,
    private readonly log: Logger,
    private readonly events: ListenerEvents,
  ) {}

  open(): void {
    const server = this.mode === 'http' ? this.httpServer() : net.createServer((socket) => this.forwardTcp(socket));
    this.server = server;
    server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('error', (err: NodeJS.ErrnoException) => {
      this.listening = false;
      const why = err.code === 'EADDRINUSE' ? `port ${this.port} on ${this.address} is in use by another process` : err.message;
      this.events.error(this.app, `the ingress cannot listen: ${why}; trying again every 2 s`);
      server.close();
      if (this.server === server) this.server = null;
      if (!this.closed) this.retry = setTimeout(() => this.open(), 2_000);
    });
    server.listen({ port: this.port, host: this.address }, () => {
      this.listening = true;
      this.events.listening(this.app, this.address, this.port);
    });
  }

  private httpServer(): http.Server {
    const server = http.createServer({ keepAlive: true }, (req, res) => this.forwardHttp(req, res));
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 0;
    server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.forwardUpgrade(req, socket, head));
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
    return server;
  }

  /** The active backend with the fewest requests in flight (round robin among equals), not in `skip`. */
  private pick(skip: ReadonlySet<string>): Backend | null {
    const active = [...this.backends.values()].filter((b) => b.state === 'active' && !skip.has(b.id));
    if (active.length === 0) return null;
    let best: Backend | null = null;
    for (let i = 0; i < active.length; i++) {
      const b = active[(this.next + i) % active.length]!;
      if (!best || b.inFlight < best.inFlight) best = b;
    }
    this.next = (this.next + 1) % Math.max(1, active.length);
    return best;
  }

  private begin(b: Backend): () => void {
    b.inFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      b.inFlight--;
      if (b.inFlight === 0 && b.state === 'leaving') this.settle(b);
    };
  }

  private forwardHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const body: Buffer[] = [];
    let bodyBytes = 0;
    // A request without a body (most GETs) goes upstream at once, not after its stream ends.
    const length = req.headers['content-length'];
    let bodyComplete = req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
    let replayable = true;
    const listeners = new Set<(chunk: Buffer | null) => void>();
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (bodyBytes <= REPLAYABLE_BODY_BYTES) body.push(chunk);
      else replayable = false;
      for (const l of listeners) l(chunk);
    });
    req.on('end', () => {
      if (bodyComplete) return;
      bodyComplete = true;
      for (const l of listeners) l(null);
    });
    req.on('error', () => res.destroy());

    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    const client = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = req.headers['x-forwarded-for'] ? `${req.headers['x-forwarded-for']}, ${client}` : client;
    headers['x-forwarded-proto'] = 'http';
    if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;

    const tried = new Set<string>();
    const attempt = (): void => {
      const b = this.pick(tried);
      if (!b) {
        if (!res.headersSent) {
          res.writeHead(tried.size > 0 ? 502 : 503, { 'content-type': 'text/plain', 'retry-after': '1' });
          res.end(tried.size > 0 ? `skr8tr: no replica of ${this.app} could answer\n` : `skr8tr: no ready replica of ${this.app}\n`);
        } else res.destroy();
        return;
      }
      tried.add(b.id);
      const end = this.begin(b);
      let answered = false;
      const upstream = http.request({ host: b.host, port: b.port, method: req.method, path: req.url, headers, agent: b.agent });
      const feed = (chunk: Buffer | null) => (chunk === null ? upstream.end() : upstream.write(chunk));
      upstream.on('response', (up) => {
        answered = true;
        const out: http.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
        res.writeHead(up.statusCode ?? 502, up.statusMessage, out);
        up.pipe(res);
        up.on('end', end);
        up.on('error', () => {
          end();
          res.destroy();
        });
      });
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        end();
        listeners.delete(feed);
        if (answered || res.headersSent) {
          res.destroy();
          return;
        }
        const retry = replayable && (RETRYABLE.has(err.code ?? '') || err.message === 'socket hang up');
        if (retry) {
          this.log.debug(`ingress ${this.app}: ${b.id} failed before answering (${err.code ?? err.message}); retrying on another replica`);
          attempt();
          return;
        }
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`skr8tr: replica ${b.id} failed: ${err.code ?? err.message}\n`);
      });
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
        end();
      });
      // Send what has arrived of the body, then the rest as it comes.
      for (const chunk of body) upstream.write(chunk);
      if (bodyComplete) upstream.end();
      else listeners.add(feed);
    };
    attempt();
  }

  private forwardUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const b = this.pick(new Set());
    if (!b) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\r\n');
      return;
    }
    const end = this.begin(b);
    const upstream = net.connect({ host: b.host, port: b.port }, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const close = () => {
      end();
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', close);
    socket.on('error', close);
    upstream.on('close', close);
    socket.on('close', close);
  }

  private forwardTcp(socket: net.Socket): void {
    socket.pause();
    const tried = new Set<string>();
    const attempt = () => {
      const b = this.pick(tried);
      if (!b) {
        socket.destroy();
        return;
      }
      tried.add(b.id);
      const end = this.begin(b);
      let connected = false;
      const upstream = net.connect({ host: b.host, port: b.port });
      upstream.once('connect', () => {
        connected = true;
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

  add(ref: BackendRef): void {
    const existing = this.backends.get(ref.id);
    if (existing) {
      existing.state = 'active';
      return;
    }
    const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 64, scheduling: 'lifo' });
    this.backends.set(ref.id, { ...ref, state: 'active', inFlight: 0, agent, drained: [] });
  }

  /** Takes a backend out of rotation; resolves once its in-flight requests are done (or after `capMs`). */
  remove(id: string, capMs: number): Promise<void> {
    const b = this.backends.get(id);
    if (!b) return Promise.resolve();
    b.state = 'leaving';
    // Idle keep-alive connections close now; busy ones close as their requests finish.
    for (const sockets of Object.values(b.agent.freeSockets)) for (const s of sockets ?? []) s.end();
    b.agent.on('free', (s: net.Socket) => s.end());
    return new Promise<void>((resolve) => {
      if (b.inFlight === 0) {
        this.settle(b);
        resolve();
        return;
      }
      b.drained.push(resolve);
      setTimeout(() => {
        if (this.backends.get(id) === b) {
          this.log.warn(`ingress ${this.app}: ${id} still had ${b.inFlight} request${b.inFlight === 1 ? '' : 's'} in flight after ${capMs} ms; stopping it anyway`);
          this.settle(b);
        }
      }, capMs).unref();
    });
  }

  private settle(b: Backend): void {
    if (this.backends.get(b.id) !== b) return;
    this.backends.delete(b.id);
    b.agent.destroy();
    for (const r of b.drained.splice(0)) r();
  }

  activeCount(): number {
    return [...this.backends.values()].filter((b) => b.state === 'active').length;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    for (const b of [...this.backends.values()]) this.settle(b);
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
  ) {}

  /** Makes sure `app` listens on `port` (reopening if the port or mode changed). */
  ensure(app: string, port: number, mode: IngressMode): void {
    const existing = this.apps.get(app);
    if (existing && existing.port === port && existing.mode === mode) return;
    if (existing) void existing.close();
    const a = new AppIngress(app, this.address, port, mode, this.log, this.events);
    this.apps.set(app, a);
    a.open();
  }

  has(app: string): boolean {
    return this.apps.has(app);
  }

  info(app: string): { port: number; address: string; backends: number; listening: boolean } | null {
    const a = this.apps.get(app);
    return a ? { port: a.port, address: a.address, backends: a.activeCount(), listening: a.listening } : null;
  }

  join(app: string, ref: BackendRef): boolean {
    const a = this.apps.get(app);
    if (!a) return false;
    a.add(ref);
    return true;
  }

  leave(app: string, id: string, capMs: number): Promise<void> {
    return this.apps.get(app)?.remove(id, capMs) ?? Promise.resolve();
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
