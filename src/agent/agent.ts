// The agent: dials the Conductor, says hello with the replicas it runs, heartbeats every second,
// launches and stops replicas when told, and reports what happens to them at once. While the
// Conductor is away its replicas keep running; it redials with backoff and reports them again.
// After its own crash, the next run adopts the replicas the last one left (replica-records.ts), so
// an agent restarted within the Conductor's node grace changes nothing that serves.
//
//   idle ──dial──▶ connecting ──welcome──▶ joined ──close──▶ backoff ──▶ connecting …
//                      └──refused (bad token…)──▶ backoff (the reason is logged)
//   joined ──shutdown (follows the Conductor)──▶ stopping ──▶ exited
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquirePidLock, type PidLock } from '../shared/pid-lock';
import type { Logger } from '../shared/logger';
import {
  AGENT_PROTOCOL_VERSION,
  ConductorFrame,
  MAX_FRAME_BYTES,
  describeInvalid,
  type AgentFrame,
  type LaunchSpec,
  type ReplicaReport,
} from '../shared/protocol/agent';
import { FrameError, LineDecoder, encodeLine, parseJsonLine } from '../shared/protocol/ndjson';
import { VERSION } from '../shared/version';
import { CpuSampler } from './cpu-sampler';
import { LogOutbox, SEQ_BLOCK } from './log-outbox';
import { FifoPool } from './fifo-pool';
import { FileSpool } from './line-spool';
import { ReplicaProcess, type ReplicaDeps } from './replica-process';
import { pruneOutputs } from './replica-output';
import { ReplicaRecords } from './replica-records';
import { SpawnGate } from './spawn-gate';

export interface Endpoint {
  host: string;
  port: number;
  token: string;
}

export interface AgentOptions {
  node: string;
  /** Where the Conductor reaches this node's replicas; null: the address this agent dials from. */
  advertise: string | null;
  /** Resolved before every dial, so a Conductor that restarted on another port is found. */
  endpoint: () => Endpoint | null;
  capacity: { cpu: number; memBytes: number; gpu: boolean };
  stateDir: string;
  followsConductor: boolean;
  /** Stop everything and exit after this long without a Conductor; null: never. */
  idleExitMs: number | null;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

const HEARTBEAT_MS = 1_000;

export class Agent {
  private readonly replicas = new Map<string, ReplicaProcess>();
  /** Replicas that exited while the Conductor was away, reported in the next hello. */
  private readonly unreported = new Map<string, ReplicaReport>();
  private readonly records: ReplicaRecords;
  private readonly gate = new SpawnGate();
  private readonly spool: FileSpool;
  private readonly cpu = new CpuSampler();
  private socket: net.Socket | null = null;
  private joined = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private redial: NodeJS.Timeout | null = null;
  private backoffMs = 100;
  private lastJoined = Date.now();
  private stopping: Promise<void> | null = null;
  private readonly outbox: LogOutbox;
  private readonly fifos: FifoPool;
  /** Resolves when the agent has stopped (by signal, idle exit or a Conductor shutdown). */
  readonly stopped: Promise<void>;
  private resolveStopped!: () => void;

  private lock: PidLock | null = null;

  constructor(private readonly o: AgentOptions) {
    this.records = new ReplicaRecords(o.stateDir);
    this.spool = new FileSpool(path.join(o.stateDir, 'output'));
    this.outbox = new LogOutbox((id, lines, dropped) => this.send({ t: 'logs', id, lines, dropped }), Date.now, 15, (id) => this.saveRecord(id), this.spool);
    this.fifos = new FifoPool(path.join(o.stateDir, 'output'), this.gate);
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
  }

  /** Takes the node's lock (one agent a node id), adopts what an earlier run left, and dials. */
  async start(): Promise<void> {
    this.lock = acquirePidLock(path.join(this.o.stateDir, 'agent.lock'), `an agent for node ${this.o.node}`);
    for (const record of await this.records.takeOver(this.o.log)) {
      const p = ReplicaProcess.adopt(record, this.deps(record.id));
      this.replicas.set(record.id, p);
      this.outbox.restore(record.id, this.spool.read(record.id));
      this.outbox.begin(record.id, record.seqFloor);
      this.saveRecord(record.id);
      if (p.state !== 'exited') this.o.log.info(`${record.id}: adopted pid ${record.pid}, left running by an earlier run of this agent`);
    }
    const kept = new Set(this.replicas.keys());
    this.spool.prune(kept);
    pruneOutputs(path.join(this.o.stateDir, 'output'), kept);
    this.o.log.info(`agent ${this.o.node} (pid ${process.pid}) starting`);
    this.dial();
  }

  // ---- connection ------------------------------------------------------------------------------

  private dial(): void {
    this.redial = null;
    if (this.stopping) return;
    const endpoint = this.o.endpoint();
    if (!endpoint) {
      this.o.log.debug('no Conductor to dial yet');
      this.scheduleRedial();
      return;
    }
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 5_000);
    const decoder = new LineDecoder(MAX_FRAME_BYTES);
    socket.once('connect', () => {
      const address = this.o.advertise ?? normalize(socket.localAddress ?? '127.0.0.1');
      this.send({
        t: 'hello',
        v: AGENT_PROTOCOL_VERSION,
        token: endpoint.token,
        node: this.o.node,
        address,
        capacity: this.o.capacity,
        version: VERSION,
        replicas: this.reports(),
        followsConductor: this.o.followsConductor,
      });
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const line of decoder.push(chunk)) {
          if (line.trim() === '') continue;
          const parsed = ConductorFrame.safeParse(parseJsonLine(line));
          if (!parsed.success) throw new FrameError(`invalid frame from the Conductor: ${describeInvalid(parsed.error)}`);
          this.handle(parsed.data);
        }
      } catch (err) {
        if (!(err instanceof FrameError)) throw err;
        this.o.log.warn(err.message);
        socket.destroy();
      }
    });
    socket.on('error', (err) => this.o.log.debug(`connection to ${endpoint.host}:${endpoint.port}: ${err.message}`));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      const wasJoined = this.joined;
      this.joined = false;
      this.outbox.disconnected();
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      if (wasJoined) this.o.log.warn('lost the Conductor; replicas keep running; redialing');
      this.scheduleRedial();
    });
  }

  private scheduleRedial(): void {
    if (this.stopping || this.redial) return;
    if (this.o.idleExitMs !== null && Date.now() - this.lastJoined > this.o.idleExitMs) {
      this.o.log.info(`no Conductor for ${this.o.idleExitMs} ms: stopping`);
      void this.stop();
      return;
    }
    this.redial = setTimeout(() => this.dial(), this.backoffMs);
    this.backoffMs = Math.min(2_000, this.backoffMs * 2);
  }

  private send(frame: AgentFrame): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(encodeLine(frame));
  }

  private handle(frame: ConductorFrame): void {
    switch (frame.t) {
      case 'welcome':
        this.joined = true;
        this.backoffMs = 100;
        this.lastJoined = Date.now();
        this.unreported.clear();
        this.o.log.info(`joined the Conductor ${frame.version} as ${frame.node}`);
        this.heartbeat = setInterval(() => this.sendHeartbeat(), HEARTBEAT_MS);
        this.sendHeartbeat();
        this.outbox.connectedNow();
        return;
      case 'refused':
        this.o.log.error(`the Conductor refused this agent: ${frame.reason}`);
        // A batch of lines it refused is dropped (and said), never sent again as it was.
        if (frame.logs !== undefined) this.outbox.refused(frame.logs, frame.reason);
        return;
      case 'launch':
        this.launch(frame.id, frame.spec);
        return;
      case 'stop':
        this.stopReplica(frame.id, frame.graceMs);
        return;
      case 'shutdown':
        this.o.log.info('the Conductor is shutting down for good; stopping');
        void this.stop();
        return;
      case 'logs-ack':
        this.outbox.acknowledged(frame.id, frame.seq);
        return;
    }
  }

  private sendHeartbeat(): void {
    this.lastJoined = Date.now();
    this.send({ t: 'heartbeat', cpu: this.cpu.sample(), memFree: availableMemory() });
  }

  private reports(): ReplicaReport[] {
    const running: ReplicaReport[] = [...this.replicas.values()]
      .filter((p) => p.state !== 'exited')
      .map((p) => ({
        id: p.id,
        app: p.info.app,
        generation: p.info.generation,
        pid: p.pid,
        port: p.info.port,
        startedAt: p.startedAt,
        state: 'running',
        exitCode: null,
        signal: null,
      }));
    return [...running, ...this.unreported.values()];
  }

  // ---- replicas --------------------------------------------------------------------------------

  private launch(id: string, spec: LaunchSpec): void {
    const existing = this.replicas.get(id);
    if (existing) {
      if (existing.pid !== null) this.send({ t: 'launched', id, pid: existing.pid });
      return;
    }
    this.o.log.debug(`${id}: launch asked`);
    const p = ReplicaProcess.launch(id, spec, this.deps(id, `${spec.exec ?? 'serve static'} ${spec.args.length} args`));
    this.replicas.set(id, p);
    void p.start();
  }

  /** What a replica reports to, launched here or adopted. */
  private deps(id: string, what = 'adopted'): ReplicaDeps {
    let p: ReplicaProcess | undefined;
    const me = () => (p ??= this.replicas.get(id));
    return {
      baseEnv: this.o.env ?? process.env,
      gate: this.gate,
      fifos: this.fifos,
      save: (record) => this.records.save(id, record && { ...record, seqFloor: seqFloor(this.outbox.lastSeqOf(id)) }),
      events: {
        launched: (pid) => {
          this.o.log.info(`${id}: started pid ${pid} (${what})`);
          this.send({ t: 'launched', id, pid });
        },
        launchFailed: (reason) => {
          this.o.log.warn(`${id}: could not start: ${reason}`);
          this.replicas.delete(id);
          this.send({ t: 'launch-failed', id, reason });
        },
        exited: (code, signal, restarting) => {
          const r = me();
          if (!restarting) this.outbox.ended(id);
          this.outbox.flush();
          this.o.log.info(`${id}: exited (${signal ? `signal ${signal}` : code !== null ? `code ${code}` : 'its status is unknown: adopted'})${restarting ? '; restarting in place' : ''}`);
          if (!restarting) this.replicas.delete(id);
          if (this.joined) this.send({ t: 'exited', id, code, signal, restarting });
          else if (!restarting && r) {
            this.unreported.set(id, { id, app: r.info.app, generation: r.info.generation, pid: r.pid, port: r.info.port, startedAt: r.startedAt, state: 'exited', exitCode: code, signal });
          }
        },
        restarted: (pid) => this.send({ t: 'restarted', id, pid }),
        output: (line, pieces) => this.outbox.add(id, line, pieces),
      },
    };
  }

  /** Saves a replica's adoption record again (its line numbers reached a new block). */
  private saveRecord(id: string): void {
    const p = this.replicas.get(id);
    if (p && p.state !== 'exited' && p.pid !== null) this.records.save(id, { ...p.record(), seqFloor: seqFloor(this.outbox.lastSeqOf(id)) });
  }

  private stopReplica(id: string, graceMs: number): void {
    const p = this.replicas.get(id);
    if (!p) {
      // Already gone: say so, so the Conductor can settle it.
      this.send({ t: 'exited', id, code: null, signal: null, restarting: false });
      return;
    }
    void p.stop(graceMs);
  }

  // ---- lifetime --------------------------------------------------------------------------------

  /** Stops every replica (each with its drain grace), then closes the connection. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.redial) clearTimeout(this.redial);
      const all = [...this.replicas.values()];
      this.o.log.info(`stopping ${all.length} replica${all.length === 1 ? '' : 's'}`);
      await Promise.all(all.map((p) => p.stop(p.info.drainMs)));
      this.outbox.flush();
      this.outbox.close();
      if (this.heartbeat) clearInterval(this.heartbeat);
      const socket = this.socket;
      if (socket) await new Promise<void>((resolve) => socket.end(resolve));
      socket?.destroy();
      this.o.log.info('agent stopped');
      this.lock?.release();
      this.resolveStopped();
    })();
    return this.stopping;
  }
}

/** The first line number an agent that adopts the replica may use: past the block its numbers are in now. */
function seqFloor(lastSeq: number): number {
  return (Math.floor(lastSeq / SEQ_BLOCK) + 1) * SEQ_BLOCK + 1;
}

function normalize(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Memory available for new work (libuv reads MemAvailable on Linux). */
function availableMemory(): number {
  return os.freemem();
}
