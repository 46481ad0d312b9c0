// The Conductor's side of the agent protocol: a listener agents dial, one session a connection.
// A session must say a valid `hello` with the join token first; every frame is validated, and an
// invalid, oversized or out-of-order one closes that connection (with a logged reason) and nothing
// else. Any frame is a sign of life. A node silent past the expiry gets nothing new, but its replicas
// keep serving while their health checks pass; only one silent past the grace is lost, and its
// replicas replaced (node-liveness.ts decides).
//
//   connected ──hello ok──▶ joined ──close──▶ (silent, then lost unless it comes back)
//       └──bad token / bad frame / no hello in 5 s──▶ refused (closed)
import * as net from 'node:net';
import type { Logger } from '../shared/logger';
import { tokensEqual } from '../shared/secure-compare';
import { AGENT_PROTOCOL_VERSION, AgentFrame, MAX_FRAME_BYTES, describeInvalid, type ConductorFrame } from '../shared/protocol/agent';
import { FrameError, LineDecoder, encodeLine, parseJsonLine } from '../shared/protocol/ndjson';
import type { LogLine } from '../shared/protocol/api';
import { VERSION } from '../shared/version';
import type { AgentReportSink } from './agent-reports';
import type { NodeConnection, NodeLinks } from './node-links';
import { nodeLiveness } from './node-liveness';
import type { ConductorState } from './state';

const HELLO_TIMEOUT_MS = 5_000;

export interface AgentServerOptions {
  joinToken: string;
  expiryMs: number;
  /** Silence after which a node's replicas are replaced (node-liveness.ts). */
  graceMs: number;
}

/** Where replicas' output lines go; resolves with the number up to which the replica's lines are kept (acknowledged to the agent). */
export interface LogSink {
  append(replica: string, lines: readonly Pick<LogLine, 'seq' | 'at' | 'stream' | 'text'>[]): Promise<number>;
}

class Session implements NodeConnection {
  node: string | null = null;
  followsConductor = false;
  private readonly decoder = new LineDecoder(MAX_FRAME_BYTES);
  private readonly helloTimer: NodeJS.Timeout;
  closed = false;

  constructor(
    readonly socket: net.Socket,
    private readonly server: AgentServer,
  ) {
    socket.setNoDelay(true);
    this.helloTimer = setTimeout(() => this.close('no hello within 5 s'), HELLO_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      clearTimeout(this.helloTimer);
      this.server.sessionClosed(this);
    });
  }

  get peer(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let logsOf: string | undefined;
    try {
      for (const line of this.decoder.push(chunk)) {
        if (this.closed) return;
        if (line.trim() === '') continue;
        const value = parseJsonLine(line);
        const parsed = AgentFrame.safeParse(value);
        if (!parsed.success) {
          logsOf = logsFrameOf(value);
          throw new FrameError(`invalid frame: ${logsOf !== undefined ? `logs of ${logsOf}: ` : ''}${describeInvalid(parsed.error)}`);
        }
        if (this.node === null && parsed.data.t !== 'hello') throw new FrameError(`\`${parsed.data.t}\` before \`hello\``);
        if (this.node !== null && parsed.data.t === 'hello') throw new FrameError('a second `hello`');
        if (parsed.data.t === 'hello') clearTimeout(this.helloTimer);
        this.server.handle(this, parsed.data);
      }
    } catch (err) {
      if (err instanceof FrameError) this.close(err.message, logsOf);
      else throw err;
    }
  }

  send(frame: ConductorFrame): boolean {
    if (this.closed) return false;
    this.socket.write(encodeLine(frame));
    return true;
  }

  /**
   * Closes this connection, saying why to the peer (as a `refused` frame) and to the log; `logs`:
   * the replica whose lines were refused (the agent drops them rather than send them again).
   */
  close(reason: string, logs?: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.helloTimer);
    this.server.log.warn(`agent connection ${this.peer}${this.node ? ` (${this.node})` : ''} closed: ${reason}`);
    this.socket.end(encodeLine({ t: 'refused', reason, ...(logs !== undefined ? { logs } : {}) } satisfies ConductorFrame));
    this.socket.destroySoon();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

export class AgentServer {
  private readonly server: net.Server;
  private readonly all = new Set<Session>();
  /** Per replica, the frames still taking effect (log lines being kept). */
  private readonly pending = new Map<string, Promise<void>>();
  private expiryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly state: ConductorState,
    private readonly links: NodeLinks,
    private readonly reports: AgentReportSink,
    private readonly logs: LogSink,
    readonly log: Logger,
    private readonly now: () => number,
    private readonly options: AgentServerOptions,
  ) {
    this.server = net.createServer((socket) => {
      const session = new Session(socket, this);
      this.all.add(session);
    });
    this.server.on('error', (err) => this.log.error(`agent listener: ${err.message}`));
  }

  listen(host: string, port: number): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.expiryTimer = setInterval(() => this.expire(), Math.min(500, this.options.expiryMs / 4));
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  handle(session: Session, frame: AgentFrame): void {
    const node = session.node;
    if (node !== null && frame.t !== 'heartbeat') this.heard(node);
    switch (frame.t) {
      case 'hello':
        this.hello(session, frame);
        return;
      case 'heartbeat':
        this.backFromSilence(node!);
        this.state.nodeHeartbeat(node!, frame.cpu, frame.memFree);
        return;
      case 'launched':
        if (this.owns(node!, frame.id)) this.inOrder(frame.id, () => this.reports.onLaunched(frame.id, frame.pid));
        return;
      case 'launch-failed':
        if (this.owns(node!, frame.id)) this.inOrder(frame.id, () => this.reports.onLaunchFailed(frame.id, frame.reason));
        return;
      case 'exited':
        if (this.owns(node!, frame.id)) this.inOrder(frame.id, () => this.reports.onExited(frame.id, frame.code, frame.signal, frame.restarting));
        return;
      case 'restarted':
        if (this.owns(node!, frame.id)) this.inOrder(frame.id, () => this.reports.onRestarted(frame.id, frame.pid));
        return;
      case 'logs':
        if (this.owns(node!, frame.id)) {
          const appended = this.logs.append(frame.id, frame.lines).then((seq) => session.send({ t: 'logs-ack', id: frame.id, seq }));
          this.inOrder(frame.id, () => appended);
        }
        return;
    }
  }

  /**
   * Frames about one replica take effect in the order the agent sent them: an exit waits for the
   * lines sent just before it to be kept (what a failed start printed names its cause).
   */
  private inOrder(replica: string, act: () => unknown): void {
    const before = this.pending.get(replica);
    if (!before) {
      const result = act();
      if (!(result instanceof Promise)) return;
      this.track(replica, result);
      return;
    }
    this.track(replica, before.then(act));
  }

  private track(replica: string, work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      (err: Error) => this.log.error(`frame about ${replica}: ${err.message}`),
    );
    this.pending.set(replica, settled);
    void settled.then(() => {
      if (this.pending.get(replica) === settled) this.pending.delete(replica);
    });
  }

  /** Whether a replica is one the Conductor placed on this node (frames about others are ignored). */
  private owns(node: string, id: string): boolean {
    const r = this.state.replicas.get(id);
    if (r && r.node === node) return true;
    this.log.debug(`frame about ${id} from ${node}, which does not run it; ignored`);
    return false;
  }

  private hello(session: Session, frame: Extract<AgentFrame, { t: 'hello' }>): void {
    if (!tokensEqual(frame.token, this.options.joinToken)) {
      session.close('wrong join token');
      return;
    }
    if (frame.v !== AGENT_PROTOCOL_VERSION) {
      session.close(`agent protocol ${frame.v} is not supported (this Conductor speaks ${AGENT_PROTOCOL_VERSION}); upgrade the agent`);
      return;
    }
    session.node = frame.node;
    session.followsConductor = frame.followsConductor;
    const previous = this.links.attach(frame.node, session);
    if (previous) previous.close(`replaced by a new connection from ${session.peer}`);
    const address = frame.address ?? normalizeAddress(session.socket.remoteAddress ?? '127.0.0.1');
    this.state.nodeJoined({ id: frame.node, address, capacity: frame.capacity, version: frame.version });
    session.send({ t: 'welcome', v: AGENT_PROTOCOL_VERSION, node: frame.node, version: VERSION });
    this.log.info(`node ${frame.node} joined from ${session.peer} (address ${address}, ${frame.replicas.length} replica${frame.replicas.length === 1 ? '' : 's'} running)`);
    this.reports.onHello(frame.node, address, frame.replicas);
  }

  sessionClosed(session: Session): void {
    this.all.delete(session);
    if (session.node === null || !this.links.detach(session.node, session)) return;
    if (!this.state.nodes.has(session.node)) return;
    this.log.warn(`node ${session.node} disconnected; its replicas keep running and serving while their health checks pass, and are replaced if it stays away ${formatSilence(this.options.graceMs)}`);
    this.state.nodeDisconnected(session.node);
  }

  /** Any frame says the node is alive (a busy agent may be late with its heartbeat, not with everything). */
  private heard(node: string): void {
    this.backFromSilence(node);
    this.state.nodeHeard(node);
  }

  private backFromSilence(node: string): void {
    const n = this.state.nodes.get(node);
    if (n && n.silentUntil !== null) this.log.info(`node ${node} is heard from again after ${formatSilence(this.now() - n.lastHeartbeat)} of silence`);
  }

  private expire(): void {
    const now = this.now();
    const limits = { expiryMs: this.options.expiryMs, graceMs: this.options.graceMs };
    for (const n of [...this.state.nodes.values()]) {
      const silence = now - n.lastHeartbeat;
      const running = this.state.replicasOn(n.id).filter((r) => r.state !== 'stopped' && r.state !== 'failed');
      const verdict = nodeLiveness(silence, limits, running.length > 0);
      if (verdict === 'live') continue;
      if (verdict === 'silent') {
        if (n.silentUntil !== null) continue;
        const mine = running.filter((r) => r.state === 'ready').length;
        this.log.warn(
          `node ${n.id} silent for ${formatSilence(silence)}: nothing new is placed on it; its ${mine} ready replica${mine === 1 ? '' : 's'} keep serving while their health checks pass, and are replaced if it stays silent ${formatSilence(limits.graceMs)}`,
        );
        this.state.nodeSilent(n.id, n.lastHeartbeat + limits.graceMs);
        continue;
      }
      const why = `no heartbeat for ${formatSilence(silence)}`;
      this.log.warn(`node ${n.id} lost: ${why}`);
      this.links.get(n.id)?.close(why);
      this.links.detach(n.id);
      this.reports.onNodeLost(n.id, why);
      this.state.nodeRemoved(n.id);
    }
  }

  async close(): Promise<void> {
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    for (const s of this.all) s.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}


/** The replica a frame that failed validation was about, when it is a `logs` frame that names one. */
function logsFrameOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { t?: unknown; id?: unknown };
  return v.t === 'logs' && typeof v.id === 'string' && v.id.length <= 200 ? v.id : undefined;
}

function formatSilence(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
