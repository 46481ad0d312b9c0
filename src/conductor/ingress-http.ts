// HTTP forwarding for one app's ingress: requests are proxied one by one, so a client's keep-alive
// connection is never pinned to a replica that is leaving, and WebSocket (and other) upgrades are
// piped to one replica for as long as they last. Backends come from the app's pool
// (backend-pool.ts); the listener itself is ingress.ts's.
//
// A request that fails before any byte of the answer was sent is retried on another ready replica,
// never surfaced, as long as its body was small enough to keep and running it again is safe
// (`mayRetry`): the replica never got it (refused), or it is idempotent (GET, HEAD, OPTIONS, PUT,
// DELETE). A POST that reached a replica which then failed is answered 502, never run twice; so that
// a connection the replica closed while idle is never taken for one that died with the request, a
// request that is not idempotent always goes on a fresh connection. Every request is answered within
// the app's `request-timeout` (from its arrival to the answer's head): 504, counted as timed out.
// Each backend has its own keep-alive agent: when the backend leaves, its idle connections close at
// once and busy ones as their requests finish.
import * as http from 'node:http';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { formatMs } from '../shared/format';
import type { Logger } from '../shared/logger';
import type { FailureKind } from '../shared/traffic-window';
import type { Backend, BackendPool } from './backend-pool';
import type { TrafficRecorder } from './traffic-meter';

/** Request bodies up to this size are kept, so the request can be retried on another replica. */
const REPLAYABLE_BODY_BYTES = 1024 * 1024;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const DEFAULT_TIMEOUT_MS = 60_000;
const RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Methods whose effect is the same however often they run (RFC 9110 9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export function idempotent(method: string | undefined): boolean {
  return IDEMPOTENT.has((method ?? 'GET').toUpperCase());
}

/** What is known of a request whose upstream failed before the answer's head. */
export interface UpstreamFailure {
  method: string | undefined;
  /** The connection to the replica was open: the replica may have received the request. */
  reached: boolean;
  /** The error's code, or its message when it has none (`socket hang up`). */
  error: string;
  /** The body was small enough to be kept, so it can be sent again. */
  replayable: boolean;
  /** The client left: nobody to answer. */
  clientGone: boolean;
}

/** Whether a failed request may be sent to another replica: never twice to a replica that may have run it, unless running it again is harmless. */
export function mayRetry(f: UpstreamFailure): boolean {
  if (f.clientGone || !f.replayable) return false;
  if (!RETRYABLE.has(f.error) && f.error !== 'socket hang up') return false;
  return !f.reached || idempotent(f.method);
}

/** The kind of failure an upstream error is, as the traffic meter counts it. */
function failureOf(err: NodeJS.ErrnoException): FailureKind {
  if (err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return 'refused';
  return err.code === 'ETIMEDOUT' ? 'timeout' : 'reset';
}

/**
 * Raw headers (`[name, value, name, value, …]`, as received) without the hop-by-hop ones, which
 * are this connection's and not the other's. Flat lists as Node reads and writes them: no header
 * object is built on either side (see the ingress's profile in docs/PERFORMANCE.md).
 */
export function endToEnd(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

/** What the forwarder needs of a request's headers, read in one pass over the raw list. */
export interface RequestHead {
  /** For the replica: the end-to-end headers and the `x-forwarded-*` ones. */
  headers: string[];
  /** The client sent a `host` header (an HTTP/1.0 client may not; the replica then gets its own address). */
  hasHost: boolean;
  /** No body follows the head (no content-length above 0, no transfer-encoding). */
  bodyless: boolean;
}

export function requestHead(req: Pick<http.IncomingMessage, 'rawHeaders'> & { socket: { remoteAddress?: string } }): RequestHead {
  const raw = req.rawHeaders;
  const headers: string[] = [];
  let bodyless = true;
  let forwardedFor: string | null = null;
  let host: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (name === 'transfer-encoding') bodyless = false;
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'content-length' && value !== '0') bodyless = false;
    if (name === 'x-forwarded-for') {
      forwardedFor = forwardedFor === null ? value : `${forwardedFor}, ${value}`;
      continue;
    }
    if (name === 'x-forwarded-proto' || name === 'x-forwarded-host') continue;
    if (name === 'host') host ??= value;
    headers.push(raw[i]!, value);
  }
  const client = req.socket.remoteAddress ?? '';
  headers.push('x-forwarded-for', forwardedFor === null ? client : `${forwardedFor}, ${client}`, 'x-forwarded-proto', 'http');
  if (host !== null) headers.push('x-forwarded-host', host);
  return { headers, hasHost: host !== null, bodyless };
}

/** `host` for a request to the backend itself: `address:port`, an IPv6 address in brackets. */
function hostOf(b: Backend): string {
  return b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`;
}

export class HttpForwarder {
  private readonly agents = new Map<Backend, http.Agent>();

  constructor(
    private readonly app: string,
    private readonly pool: BackendPool,
    private readonly log: Logger,
    private readonly record: TrafficRecorder,
    /** The app's `request-timeout` (it may change with a rollout: `bound`). */
    private timeoutMs: number = DEFAULT_TIMEOUT_MS,
  ) {}

  /** A new `request-timeout`, for requests that arrive from now on. */
  bound(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
  }

  /** A new listener's server (one per attempt to listen; the agents outlive it). */
  server(): http.Server {
    const server = http.createServer({ keepAlive: true }, (req, res) => this.forward(req, res));
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 0;
    server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.upgrade(req, socket, head));
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
    return server;
  }

  // ---- the pool's events -----------------------------------------------------------------------

  joined(b: Backend): void {
    this.agents.set(b, new http.Agent({ keepAlive: true, maxFreeSockets: 64, scheduling: 'lifo' }));
  }

  leaving(b: Backend): void {
    const agent = this.agents.get(b);
    if (!agent) return;
    // Idle keep-alive connections close now; busy ones close as their requests finish.
    for (const sockets of Object.values(agent.freeSockets)) for (const s of sockets ?? []) s.end();
    agent.on('free', (s: net.Socket) => s.end());
  }

  gone(b: Backend): void {
    this.agents.get(b)?.destroy();
    this.agents.delete(b);
  }

  // ---- forwarding ------------------------------------------------------------------------------

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    // Counted once, when the answer is done or the connection closed: how it ended, how long it took.
    const started = performance.now();
    let failure: FailureKind | null = null;
    let lastError: FailureKind = 'reset';
    let clientGone = false;
    res.once('close', () => {
      clientGone = !res.writableFinished;
      const outcome = failure ?? (clientGone ? 'cancelled' : res.statusCode >= 500 ? 'app-5xx' : 'ok');
      this.record(outcome, outcome === 'cancelled' ? null : performance.now() - started, tried.size > 1);
    });
    const body: Buffer[] = [];
    let bodyBytes = 0;
    const { headers, hasHost, bodyless } = requestHead(req);
    // A request without a body (most GETs) goes upstream at once, not after its stream ends.
    let bodyComplete = bodyless;
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

    const tried = new Set<string>();
    let current: http.ClientRequest | null = null;
    let currentId = '';
    // The bound from the request's arrival to the answer's head, across every replica tried.
    const timeoutMs = this.timeoutMs;
    const deadline = setTimeout(() => {
      if (res.headersSent || clientGone) return;
      failure = 'timeout';
      const upstream = current;
      current = null;
      upstream?.destroy();
      res.writeHead(504, { 'content-type': 'text/plain' });
      res.end(`skr8tr: ${currentId ? `replica ${currentId} of ${this.app}` : this.app} did not answer within ${formatMs(timeoutMs)} (its request-timeout)\n`);
    }, timeoutMs);
    res.once('close', () => clearTimeout(deadline));
    const fresh = !idempotent(req.method);
    const attempt = (): void => {
      const b = this.pool.pick(tried);
      if (!b) {
        clearTimeout(deadline);
        failure = tried.size > 0 ? lastError : 'unavailable';
        if (!res.headersSent) {
          res.writeHead(tried.size > 0 ? 502 : 503, { 'content-type': 'text/plain', 'retry-after': '1' });
          res.end(tried.size > 0 ? `skr8tr: no replica of ${this.app} could answer\n` : `skr8tr: no ready replica of ${this.app}\n`);
        } else res.destroy();
        return;
      }
      tried.add(b.id);
      const end = this.pool.begin(b);
      let answered = false;
      let reached = false;
      // A request that is not idempotent never rides a connection the replica may have just closed.
      const upstream = http.request({ host: b.host, port: b.port, method: req.method, path: req.url, headers: hasHost ? headers : [...headers, 'host', hostOf(b)], agent: fresh ? false : this.agents.get(b) });
      current = upstream;
      currentId = b.id;
      upstream.once('socket', (s: net.Socket) => {
        if (!s.connecting) reached = true;
        else s.once('connect', () => (reached = true));
      });
      const feed = (chunk: Buffer | null) => (chunk === null ? upstream.end() : upstream.write(chunk));
      upstream.on('response', (up) => {
        answered = true;
        clearTimeout(deadline);
        res.writeHead(up.statusCode ?? 502, up.statusMessage, endToEnd(up.rawHeaders));
        // What pipe() does, with the two listeners a response needs: the first chunk leaves with the head.
        up.on('data', (chunk: Buffer) => {
          if (!res.write(chunk)) {
            up.pause();
            res.once('drain', () => up.resume());
          }
        });
        up.on('end', () => {
          res.end();
          end();
        });
        up.on('error', () => {
          end();
          failure = 'reset';
          res.destroy();
        });
      });
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        end();
        listeners.delete(feed);
        // Timed out (answered already), or the client left (this error may be the request being dropped for it): nobody to answer.
        if (current !== upstream || clientGone) return;
        lastError = failureOf(err);
        if (answered || res.headersSent) {
          failure = lastError;
          res.destroy();
          return;
        }
        const error = err.code ?? err.message;
        if (mayRetry({ method: req.method, reached, error, replayable, clientGone })) {
          this.log.debug(`ingress ${this.app}: ${b.id} failed before answering (${error}); retrying on another replica`);
          attempt();
          return;
        }
        clearTimeout(deadline);
        failure = lastError;
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`skr8tr: replica ${b.id} failed: ${error}${reached && !idempotent(req.method) ? ` (a ${req.method} it may have received is not sent to another replica)` : ''}\n`);
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

  /** An upgrade (a WebSocket) goes to one replica as raw bytes, request line and headers first. */
  private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const b = this.pool.pick();
    if (!b) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\r\n');
      return;
    }
    const end = this.pool.begin(b);
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
}
