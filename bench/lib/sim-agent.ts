// A simulated node for benchmarks: a small in-process client of the agent protocol (TCP, the home's
// join token, a valid `hello`, a heartbeat every second) that runs nothing: it answers each `launch`
// with `launched` (a fake pid, above any pid Linux can hand out) and one start-up log line at once,
// and each `stop` with `exited`. Every frame the Conductor sends is validated with the protocol's own
// schema; anything unexpected is recorded in `problems`, which the benchmark fails on.
import * as net from 'node:net';
import { paths, readConductorInfo, readToken } from '../../src/shared/home';
import { AGENT_PROTOCOL_VERSION, ConductorFrame, MAX_FRAME_BYTES, describeInvalid, type AgentFrame } from '../../src/shared/protocol/agent';
import { LineDecoder, encodeLine, parseJsonLine } from '../../src/shared/protocol/ndjson';

/** Fake pids start above PID_MAX_LIMIT (2^22): no real process can ever have one. */
const FAKE_PID_BASE = 5_000_000;

export interface Endpoint {
  host: string;
  port: number;
  token: string;
}

export function endpointOf(home: string): Endpoint {
  const info = readConductorInfo(home);
  const m = info ? /^(.*):(\d+)$/.exec(info.agents) : null;
  const token = readToken(paths.joinToken(home));
  if (!m || !token) throw new Error(`no agent address or join token in ${home}`);
  return { host: m[1] === '0.0.0.0' ? '127.0.0.1' : m[1]!, port: Number(m[2]), token };
}

let nextFakePid = FAKE_PID_BASE;

/**
 * One simulated node: speaks the agent protocol, runs nothing. Every frame the Conductor sends is
 * validated with the protocol's own schema; anything unexpected is recorded and fails the run.
 */
export class SimAgent {
  private socket: net.Socket | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly running = new Map<string, number>();
  launches = 0;
  stops = 0;
  readonly problems: string[] = [];
  private closing = false;

  constructor(
    readonly node: string,
    private readonly address: string,
    private readonly endpoint: Endpoint,
  ) {}

  get replicas(): number {
    return this.running.size;
  }

  /** Dials and says hello; resolves on `welcome`. */
  join(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.endpoint.host, port: this.endpoint.port });
      this.socket = socket;
      socket.setNoDelay(true);
      const decoder = new LineDecoder(MAX_FRAME_BYTES);
      const timer = setTimeout(() => reject(new Error(`${this.node}: no welcome within ${timeoutMs} ms`)), timeoutMs);
      socket.once('connect', () =>
        this.send({
          t: 'hello',
          v: AGENT_PROTOCOL_VERSION,
          token: this.endpoint.token,
          node: this.node,
          address: this.address,
          capacity: { cpu: 4, memBytes: 16 * 1024 ** 3, gpu: false },
          version: 'bench-sim',
          replicas: [],
          followsConductor: false,
        }),
      );
      socket.on('data', (chunk: Buffer) => {
        try {
          for (const line of decoder.push(chunk)) {
            if (line.trim() === '') continue;
            const parsed = ConductorFrame.safeParse(parseJsonLine(line));
            if (!parsed.success) throw new Error(`invalid frame from the Conductor: ${describeInvalid(parsed.error)}`);
            const f = parsed.data;
            switch (f.t) {
              case 'welcome':
                clearTimeout(timer);
                this.heartbeat = setInterval(() => this.send({ t: 'heartbeat', cpu: 0.05, memFree: 12 * 1024 ** 3 }), 1000);
                this.send({ t: 'heartbeat', cpu: 0.05, memFree: 12 * 1024 ** 3 });
                resolve();
                break;
              case 'refused':
                clearTimeout(timer);
                this.problems.push(`refused: ${f.reason}`);
                reject(new Error(`${this.node} refused: ${f.reason}`));
                break;
              case 'launch': {
                this.launches++;
                let pid = this.running.get(f.id);
                if (pid === undefined) this.running.set(f.id, (pid = nextFakePid++));
                this.send({ t: 'launched', id: f.id, pid });
                // One start-up line, as a real service prints.
                this.send({ t: 'logs', id: f.id, lines: [{ seq: 1, at: Date.now(), stream: 'out', text: `simulated ${f.spec.app} ${f.spec.env.VERSION ?? ''} pid ${pid} listening on ${f.spec.port}` }], dropped: 0 });
                break;
              }
              case 'stop':
                this.stops++;
                this.running.delete(f.id);
                this.send({ t: 'exited', id: f.id, code: null, signal: 'SIGTERM', restarting: false });
                break;
              case 'shutdown':
                break;
            }
          }
        } catch (err) {
          this.problems.push((err as Error).message);
          socket.destroy();
        }
      });
      socket.on('error', (err) => {
        if (!this.closing) this.problems.push(`socket: ${err.message}`);
      });
      socket.on('close', () => {
        clearTimeout(timer);
        if (this.heartbeat) clearInterval(this.heartbeat);
        this.heartbeat = null;
        if (!this.closing) {
          this.problems.push('the Conductor closed the connection');
          reject(new Error(`${this.node}: connection closed before welcome`));
        }
      });
    });
  }

  private send(frame: AgentFrame): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(encodeLine(frame));
  }

  close(): void {
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.socket?.destroy();
  }
}
