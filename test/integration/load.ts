// A bounded HTTP load on loopback, for the zero-downtime tests and benchmark: a few clients on
// keep-alive connections and a few opening a fresh connection for every request, each looping
// until stopped, a request count or a time limit, recording every failure and every latency.
import * as http from 'node:http';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface LoadResult {
  requests: number;
  failures: number;
  failureSamples: string[];
  latenciesMs: number[];
  /** Answers by body prefix (the fixture answers its version first). */
  versions: Map<string, number>;
}

export interface LoadOptions {
  port: number;
  /** Spread clients over these ports instead (client i uses ports[i % length]). */
  ports?: number[];
  host?: string;
  keepAliveClients?: number;
  freshClients?: number;
  /** Paths to request, in turn. */
  paths?: string[];
  maxRequests?: number;
  maxMs?: number;
  /** Requests a second each client makes at most (an open pace rather than as fast as it can). */
  ratePerClient?: number;
}

export class Load {
  private stopped = false;
  readonly result: LoadResult = { requests: 0, failures: 0, failureSamples: [], latenciesMs: [], versions: new Map() };
  private readonly runners: Promise<void>[] = [];
  private readonly agents: http.Agent[] = [];

  constructor(private readonly o: LoadOptions) {
    const deadline = Date.now() + (o.maxMs ?? 60_000);
    const max = o.maxRequests ?? 50_000;
    const paths = o.paths ?? ['/'];
    const client = (agent: http.Agent | false, index: number) =>
      (async () => {
        const port = o.ports ? o.ports[index % o.ports.length]! : o.port;
        let i = index;
        const gap = o.ratePerClient ? 1000 / o.ratePerClient : 0;
        let next = performance.now();
        while (!this.stopped && Date.now() < deadline && this.result.requests < max) {
          await this.once(agent, port, paths[i++ % paths.length]!);
          if (gap > 0) {
            next += gap;
            const wait = next - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
        }
      })();
    for (let i = 0; i < (o.keepAliveClients ?? 4); i++) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      this.agents.push(agent);
      this.runners.push(client(agent, i));
    }
    for (let i = 0; i < (o.freshClients ?? 2); i++) this.runners.push(client(false, i));
  }

  private once(agent: http.Agent | false, port: number, path: string): Promise<void> {
    return new Promise((resolve) => {
      const t0 = performance.now();
      const fail = (why: string) => {
        this.result.requests++;
        this.result.failures++;
        if (this.result.failureSamples.length < 20) this.result.failureSamples.push(why);
        resolve();
      };
      const req = http.get({ host: this.o.host ?? '127.0.0.1', port, path, agent, timeout: 5_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          if (res.statusCode !== 200) return fail(`status ${res.statusCode}: ${body.trim()}`);
          this.result.requests++;
          this.result.latenciesMs.push(performance.now() - t0);
          const version = body.split(' ')[0]!;
          this.result.versions.set(version, (this.result.versions.get(version) ?? 0) + 1);
          resolve();
        });
        res.on('error', (err) => fail(err.message));
      });
      req.on('timeout', () => req.destroy(new Error('timed out after 5 s')));
      req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    });
  }

  async stop(): Promise<LoadResult> {
    this.stopped = true;
    await Promise.all(this.runners);
    for (const a of this.agents) a.destroy();
    this.result.latenciesMs.sort((a, b) => a - b);
    return this.result;
  }
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
