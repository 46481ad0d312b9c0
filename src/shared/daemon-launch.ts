// Finding and starting the daemons of a home, one way for the editor and the terminal: the bundled
// Conductor and local agents, detached (they outlive the window or the command that started them),
// on this process's own runtime with the daemons' Node flags, `--home`, `--quiet` and a log level,
// the agents as nodes `local`, `local-2`… that follow the Conductor. So a Conductor started from
// VS Code and one started by `skr8tr up` are the same kind, and each client finds the other's. Only
// the lease differs: the editor's Conductor stops once no window is connected; the terminal's runs
// until `skr8tr shutdown`. No vscode here (src/extension/daemons.ts supervises what it starts).
//
//   spawn Conductor ──its conductor.json and API answer──▶ won ──spawn agents──▶ a node joined (bounded)
//        └──it exited──▶ lost the race? (conductor.lock names a live pid) ──its API answers──▶ found
//                            └──no──▶ failed (see its log)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConductorClient, NotRunning } from './client';
import { DAEMON_NODE_FLAGS, daemonEnv } from './daemon-runtime';
import { paths, readConductorInfo, type ConductorInfo } from './home';
import type { Level } from './logger';
import { isAlive } from './platform/process';
import type { NodeView } from './protocol/api';
import { VERSION } from './version';

/** How long a start may take: the Conductor's API answering, then a node joining. */
export const START_TIMEOUT_MS = 15_000;
/** A local agent started here exits after this long without a Conductor (stopping its replicas). */
export const AGENT_IDLE_EXIT_MS = 600_000;

export interface LaunchOptions {
  home: string;
  /** The folder holding the daemons' bundles, conductor.js and agent.js (dist/). */
  bundles: string;
  logLevel: Level;
  /** The editor's Conductor stops its workloads and exits this long after its last client; null: never (the terminal's). */
  leaseMs: number | null;
  /** The address the ingress listeners bind; the Conductor's default (loopback) when absent. */
  ingressAddress?: string;
  /** How many local agents (nodes `local`, `local-2`…). */
  localAgents: number;
}

export class Incompatible extends Error {
  constructor(readonly info: ConductorInfo) {
    super(`a Conductor of version ${info.version} (pid ${info.pid}) is running for ${info.home}; this is ${VERSION}`);
  }
}

/** A client for the running Conductor, or null when none runs. Throws Incompatible for another version. */
export function findConductor(home: string): ConductorClient | null {
  const info = readConductorInfo(home);
  if (!info || !isAlive(info.pid)) return null;
  if (info.version !== VERSION) throw new Incompatible(info);
  try {
    return ConductorClient.fromHome(home);
  } catch (err) {
    if (err instanceof NotRunning) return null;
    throw err;
  }
}

/** The node id of the i-th local agent (from 1). */
export function localNodeId(i: number): string {
  return i === 1 ? 'local' : `local-${i}`;
}

/** Starts a daemon's bundle detached, in a session of its own, its output ignored (it logs to the home); returns its pid. */
function spawnDaemon(o: LaunchOptions, script: string, args: string[]): number {
  const file = path.join(o.bundles, script);
  if (!fs.existsSync(file)) throw new Error(`cannot start the daemons: ${file} is missing`);
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, file, '--home', o.home, '--quiet', '--log-level', o.logLevel, ...args], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, ...daemonEnv(process.env), ELECTRON_RUN_AS_NODE: '1', SKR8TR_HOME: o.home },
  });
  child.unref();
  child.on('error', () => {});
  return child.pid ?? -1;
}

export interface StartedConductor {
  client: ConductorClient;
  pid: number;
  /** Whether the Conductor is the one started here; false: another start won the race, and this is that one. */
  won: boolean;
}

/** Starts the Conductor; resolves when its API answers (its own, or that of a start that won the race). */
export async function startConductor(o: LaunchOptions, timeoutMs = START_TIMEOUT_MS): Promise<StartedConductor> {
  fs.mkdirSync(o.home, { recursive: true, mode: 0o700 });
  const args = [...(o.leaseMs !== null ? ['--lease', String(o.leaseMs)] : []), ...(o.ingressAddress ? ['--ingress-address', o.ingressAddress] : [])];
  const pid = spawnDaemon(o, 'conductor.js', args);
  const deadline = Date.now() + timeoutMs;
  const log = path.join(paths.logs(o.home), 'conductor.log');
  while (Date.now() < deadline) {
    const ours = isAlive(pid);
    const info = readConductorInfo(o.home);
    // Ours once it has written conductor.json; another's when ours exited (it lost the lock) and a live one holds the lock.
    const candidate = info && isAlive(info.pid) && (info.pid === pid || !ours) ? info : null;
    if (candidate) {
      if (candidate.version !== VERSION) throw new Incompatible(candidate);
      const client = await answering(o.home);
      if (client) return { client, pid: candidate.pid, won: candidate.pid === pid };
    }
    if (!ours && lockHolder(o.home) === null && !candidate) throw new Error(`the Conductor exited during start-up; see ${log}`);
    await sleep(50);
  }
  throw new Error(`the Conductor did not answer within ${timeoutMs / 1000} s; see ${log}`);
}

/** A client whose status call answered, or null. */
async function answering(home: string): Promise<ConductorClient | null> {
  try {
    const client = ConductorClient.fromHome(home);
    await client.callWithin(2_000, 'status', {});
    return client;
  } catch {
    return null;
  }
}

/** The live pid holding the home's Conductor lock (one starting or running), or null. */
function lockHolder(home: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(home, 'conductor.lock'), 'utf8').trim());
    return pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** The pid an agent of the home recorded in its lock (HOME/agent-<node>/agent.lock), or null. */
export function agentLockPid(home: string, node: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(paths.agentState(home, node), 'agent.lock'), 'utf8').trim());
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The agents of the home that are alive, by their locks (those started here, and any started by hand with this home). */
export function liveAgents(home: string): { node: string; pid: number }[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(home).filter((f) => f.startsWith('agent-'));
  } catch {
    return [];
  }
  return names.flatMap((f) => {
    const node = f.slice('agent-'.length);
    const pid = agentLockPid(home, node);
    return pid !== null && isAlive(pid) ? [{ node, pid }] : [];
  });
}

/** Starts the local agents that do not run yet (an agent already running for a node id would refuse to start twice). */
export function startAgents(o: LaunchOptions): { node: string; pid: number }[] {
  const out: { node: string; pid: number }[] = [];
  for (let i = 1; i <= o.localAgents; i++) {
    const node = localNodeId(i);
    const running = agentLockPid(o.home, node);
    if (running !== null && isAlive(running)) continue;
    out.push({ node, pid: spawnDaemon(o, 'agent.js', ['--node', node, '--follow-conductor', '--idle-exit', String(AGENT_IDLE_EXIT_MS)]) });
  }
  return out;
}

/** Waits (bounded) until a node has joined, so the first rollout has somewhere to run; false when none did. */
export async function waitForNode(client: ConductorClient, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  do {
    const nodes = await client.callWithin(2_000, 'nodes', {}).catch((): NodeView[] => []);
    if (nodes.some((n) => n.connected)) return true;
    await sleep(50);
  } while (Date.now() < deadline);
  return false;
}

export interface StartedDaemons extends StartedConductor {
  /** The agents started here (none when another start won the race: it starts its own). */
  agents: { node: string; pid: number }[];
  /** Whether a node joined within the start's bound. */
  nodeJoined: boolean;
}

/** Starts the Conductor, then (when this start won) the local agents, and waits for a node. */
export async function startDaemons(o: LaunchOptions): Promise<StartedDaemons> {
  const started = Date.now();
  const conductor = await startConductor(o);
  const agents = conductor.won ? startAgents(o) : [];
  const nodeJoined = o.localAgents === 0 || (await waitForNode(conductor.client, Math.max(0, started + START_TIMEOUT_MS - Date.now())));
  return { ...conductor, agents, nodeJoined };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
