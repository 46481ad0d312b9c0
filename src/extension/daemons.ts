// The daemons as the extension sees them, and their supervisor: attach to a live, compatible
// Conductor through SKR8TR_HOME, or start the bundled Conductor and local agents, detached (a window
// reload keeps the user's workloads running), on the extension host's own runtime, the same way
// `skr8tr` does from a terminal (shared/daemon-launch.ts), so each finds the other's. A Conductor
// started here holds a lease: it stops its workloads and exits once no window has been connected.
//
//   unknown ──presence──▶ attached ◀──start── starting
//      │                     │ crashed (conductor-link.ts decides it is gone)
//      └──absent──▶ stopped ◀┴── budget spent (told once) / stopped on purpose / cleanly
//                        └──restart (within the budget: 3 in 3 minutes)──▶ starting
//
// A crash is told from a clean stop by what is left behind: a crashed Conductor leaves conductor.json
// naming a dead pid, a crashed agent its lock file; a clean exit removes both. A stop this window
// asked for is remembered by pid, so its end is never taken for a crash, however it ends.
import * as path from 'node:path';
import { ConductorClient } from '../shared/client';
import { agentLockPid, findConductor, startAgents, startDaemons, type LaunchOptions } from '../shared/daemon-launch';
import { paths, readConductorInfo } from '../shared/home';
import { isAlive } from '../shared/platform/process';
import type { Settings } from './config';
import type { Presence } from './conductor-link';
import { conductorPresence } from './presence';
import type { ConductorSupervisor } from './connection';
import { RestartBudget, restartDecision, type Departure } from './supervision';

/** How a Conductor is asked to stop: with its workloads, or leaving them to their agents (adopted when it returns). */
export type StopMode = 'stop-workloads' | 'leave-workloads';

/** What the supervisor needs from the editor. */
export interface SupervisorPolicy {
  /** Whether daemons may be (re)started without asking: trusted workspace and `skr8tr.autoStart`. */
  allowed(): boolean;
  /** Tells the user, once, that a daemon keeps crashing and is left stopped. */
  givingUp(what: string): void;
}

export class Daemons implements ConductorSupervisor {
  private readonly conductorBudget = new RestartBudget();
  private readonly agentBudget = new RestartBudget();
  /** Conductors (by pid) this window asked to stop. */
  private readonly stoppedOnPurpose = new Set<number>();
  /** Local agents seen connected, watched for a crash. */
  private readonly localAgents = new Set<string>();
  private toldGivingUp = false;

  constructor(
    private readonly extensionPath: string,
    private readonly settings: () => Settings,
    private readonly log: (line: string) => void,
    private readonly policy: SupervisorPolicy,
  ) {}

  get home(): string {
    return this.settings().home;
  }

  /** A client for the running Conductor, or null when none runs. Throws Incompatible for another version. */
  find(): ConductorClient | null {
    return findConductor(this.home);
  }

  /** The one reading of the home folder that every path of the connection decides from. */
  presence(): Presence<ConductorClient> {
    return conductorPresence(this.home);
  }

  /** The attached Conductor crashed: restarted within the budget (its replicas are adopted), or left stopped. */
  async crashed(pid: number): Promise<ConductorClient | null> {
    if (!this.decide('the Conductor', 'crashed', this.stoppedOnPurpose.has(pid), this.conductorBudget)) return null;
    this.log(`the Conductor (pid ${pid}) stopped unexpectedly; restarting it`);
    try {
      return await this.start();
    } catch (err) {
      this.log(`restart failed: ${(err as Error).message}`);
      return null;
    }
  }

  /**
   * Local agents, from the nodes the Conductor reports: one seen connected that is no longer, and left
   * its lock behind (a clean exit removes it), crashed: restarted within its budget.
   */
  watchAgents(nodes: Iterable<{ id: string; connected: boolean }>): void {
    const byId = new Map<string, boolean>();
    for (const n of nodes) byId.set(n.id, n.connected);
    for (const [id, connected] of byId) if (connected && /^local(-\d+)?$/.test(id)) this.localAgents.add(id);
    for (const id of this.localAgents) {
      if (byId.get(id)) continue;
      const pid = agentLockPid(this.home, id);
      if (pid !== null && isAlive(pid)) continue; // still exiting: the next report looks again
      this.localAgents.delete(id);
      if (this.decide(`agent ${id}`, pid === null ? 'stopped' : 'crashed', false, this.agentBudget)) {
        this.log(`agent ${id} stopped unexpectedly; restarting it`);
        this.startAgents();
      }
    }
  }

  private decide(what: string, departure: Departure, onPurpose: boolean, budget: RestartBudget): boolean {
    const decision = restartDecision({ departure, onPurpose, allowed: this.policy.allowed(), budget, now: Date.now() });
    if (decision === 'budget-spent') {
      this.log(`${what} keeps stopping unexpectedly; it is not restarted again`);
      if (!this.toldGivingUp) {
        this.toldGivingUp = true;
        this.policy.givingUp(what);
      }
    }
    return decision === 'restart';
  }

  private launchOptions(): LaunchOptions {
    const s = this.settings();
    return { home: s.home, bundles: path.join(this.extensionPath, 'dist'), logLevel: s.logLevel, leaseMs: s.leaseMs, ingressAddress: s.ingressAddress, localAgents: s.localAgents };
  }

  /** Starts the Conductor (with a lease) and the local agents (shared/daemon-launch.ts); resolves when the API answers. */
  async start(): Promise<ConductorClient> {
    const o = this.launchOptions();
    const started = await startDaemons(o);
    if (started.won) this.log(`started the Conductor (pid ${started.pid}) for ${o.home}`);
    else this.log(`another client started the Conductor (pid ${started.pid}) for ${o.home} meanwhile; using it`);
    for (const a of started.agents) this.log(`started agent ${a.node} (pid ${a.pid})`);
    if (!started.nodeJoined) this.log('no local agent joined in time; the first replicas wait for one');
    return started.client;
  }

  /** Starts the configured number of local agents; an agent already running for a node id refuses to start twice. */
  startAgents(): void {
    for (const a of startAgents(this.launchOptions())) this.log(`started agent ${a.node} (pid ${a.pid})`);
  }

  /** Asks the Conductor to exit; waits until it is gone. Its going is never taken for a crash. */
  async stop(client: ConductorClient, mode: StopMode): Promise<void> {
    const info = readConductorInfo(this.home);
    if (info) this.stoppedOnPurpose.add(info.pid);
    await client.call('shutdown', {}, { stopWorkloads: mode === 'stop-workloads' }).catch(() => {});
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
