// The daemons as the extension sees them: attach to a live, compatible Conductor through
// SKR8TR_HOME, or start the bundled Conductor and local agents, detached (a window reload keeps the
// user's workloads running), on the extension host's own runtime. A Conductor started here holds a
// lease: it stops its workloads and exits once no window has been connected for a while.
//
//   unknown ──find──▶ attached ◀──start── starting
//      │                 │ gone (crash)
//      └──none──▶ stopped ◀──── budget spent (told once) / stop
//                        └──restart (within the budget: 3 in 3 minutes)──▶ starting
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { ConductorClient, NotRunning } from '../shared/client';
import { paths, readConductorInfo, type ConductorInfo } from '../shared/home';
import { isAlive } from '../shared/platform/process';
import type { NodeView, StatusView } from '../shared/protocol/api';
import { VERSION } from '../shared/version';
import type { Settings } from './config';

export class Incompatible extends Error {
  constructor(readonly info: ConductorInfo) {
    super(`a Conductor of version ${info.version} is running for ${info.home}; this extension is ${VERSION}`);
  }
}

const START_TIMEOUT_MS = 15_000;
const RESTART_BUDGET = { count: 3, windowMs: 3 * 60_000 };

export class Daemons {
  private readonly restarts: number[] = [];

  constructor(
    private readonly extensionPath: string,
    private settings: () => Settings,
    private readonly log: (line: string) => void,
  ) {}

  get home(): string {
    return this.settings().home;
  }

  /** A client for the running Conductor, or null when none runs. Throws Incompatible for another version. */
  find(): ConductorClient | null {
    const info = readConductorInfo(this.home);
    if (!info || !isAlive(info.pid)) return null;
    if (info.version !== VERSION) throw new Incompatible(info);
    try {
      return ConductorClient.fromHome(this.home);
    } catch (err) {
      if (err instanceof NotRunning) return null;
      throw err;
    }
  }

  private script(name: string): string {
    return path.join(this.extensionPath, 'dist', name);
  }

  private spawnDetached(script: string, args: string[]): number {
    const s = this.settings();
    const child = execa(process.execPath, [this.script(script), '--home', s.home, '--quiet', '--log-level', s.logLevel, ...args], {
      detached: true,
      stdio: 'ignore',
      cleanup: false,
      reject: false,
      env: { ELECTRON_RUN_AS_NODE: '1', SKR8TR_HOME: s.home },
      extendEnv: true,
    });
    child.unref();
    void child.catch(() => {});
    return child.pid ?? -1;
  }

  /** Starts the Conductor (with a lease) and the local agents; resolves when the API answers. */
  async start(): Promise<ConductorClient> {
    const s = this.settings();
    fs.mkdirSync(s.home, { recursive: true, mode: 0o700 });
    const pid = this.spawnDetached('conductor.js', ['--lease', String(s.leaseMs), '--ingress-address', s.ingressAddress]);
    this.log(`started the Conductor (pid ${pid}) for ${s.home}`);
    const deadline = Date.now() + START_TIMEOUT_MS;
    let client: ConductorClient | null = null;
    while (Date.now() < deadline) {
      const info = readConductorInfo(s.home);
      if (info && info.pid === pid) {
        try {
          client = ConductorClient.fromHome(s.home);
          await client.request<StatusView>('GET', '/v1/status', undefined, 2_000);
          break;
        } catch {
          client = null;
        }
      }
      if (!isAlive(pid)) {
        const other = this.find();
        if (other) return other; // another window won the race
        throw new Error(`the Conductor exited during start-up; see ${path.join(paths.logs(s.home), 'conductor.log')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!client) throw new Error(`the Conductor did not answer within ${START_TIMEOUT_MS / 1000} s; see ${path.join(paths.logs(s.home), 'conductor.log')}`);
    this.startAgents();
    await this.waitForNode(client, Math.max(0, deadline - Date.now()));
    return client;
  }

  /** Waits (bounded) until a node has joined, so the first rollout has somewhere to run. */
  private async waitForNode(client: ConductorClient, timeoutMs: number): Promise<void> {
    if (this.settings().localAgents === 0) return;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const nodes = await client.request<NodeView[]>('GET', '/v1/nodes', undefined, 2_000).catch(() => []);
      if (nodes.some((n) => n.connected)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    this.log('no local agent joined in time; the first replicas wait for one');
  }

  /** Starts the configured number of local agents; an agent already running for a node id refuses to start twice. */
  startAgents(): void {
    const s = this.settings();
    for (let i = 1; i <= s.localAgents; i++) {
      const node = i === 1 ? 'local' : `local-${i}`;
      const pid = this.spawnDetached('agent.js', ['--node', node, '--follow-conductor', '--idle-exit', '600000']);
      this.log(`started agent ${node} (pid ${pid})`);
    }
  }

  /** Whether a crashed Conductor may be restarted now (spends one from the budget). */
  mayRestart(): boolean {
    const now = Date.now();
    while (this.restarts.length > 0 && now - this.restarts[0]! > RESTART_BUDGET.windowMs) this.restarts.shift();
    if (this.restarts.length >= RESTART_BUDGET.count) return false;
    this.restarts.push(now);
    return true;
  }

  /** Asks the Conductor to exit (with its workloads, or leaving them to their agents); waits until it is gone. */
  async stop(client: ConductorClient, stopWorkloads: boolean): Promise<void> {
    const info = readConductorInfo(this.home);
    await client.request('POST', '/v1/shutdown', { stopWorkloads }).catch(() => {});
    if (!info) return;
    const deadline = Date.now() + 60_000;
    while (isAlive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(info.pid)) {
      process.kill(info.pid, 'SIGKILL');
      this.log(`the Conductor (pid ${info.pid}) did not stop within 60 s; killed it`);
    }
  }

  logFile(name: 'conductor' | string): string {
    return path.join(paths.logs(this.home), `${name}.log`);
  }
}
