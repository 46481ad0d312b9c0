// `skr8tr shutdown [--keep-workloads]`: stops the workloads, then the daemons of a home — the
// Conductor through its API (any version: the route is the same), then the home's local agents (by
// the pids their locks hold): politely, then firmly after a bound, their replicas' process groups
// with them. `--keep-workloads` stops the Conductor alone: the agents keep their replicas running
// for the next Conductor to adopt (an agent started by skr8tr or the editor waits 10 minutes for
// one, then stops them and exits). With nothing running it says so.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConductorClient } from '../../shared/client';
import { AGENT_IDLE_EXIT_MS, liveAgents } from '../../shared/daemon-launch';
import { formatMs } from '../../shared/format';
import { paths, readConductorInfo, resolveHome } from '../../shared/home';
import { groupAlive, isAlive, processStartToken, signalGroup, signalProcess } from '../../shared/platform/process';
import { parseCommandArgs } from '../args';
import { homeOption } from '../conductor-client';
import type { CommandContext } from '../context';

/** How long the Conductor may take to stop its workloads (their drains) and exit, and an agent its replicas. */
const STOP_MS = 60_000;
/** How long agents that follow the Conductor get to exit on their own after its shutdown. */
const FOLLOW_MS = 5_000;

export const shutdownUsage = 'skr8tr shutdown [--keep-workloads] [--home DIR]';
export async function shutdown(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(argv, { ...homeOption, 'keep-workloads': { type: 'boolean' } }, shutdownUsage, { min: 0, max: 0 });
  const home = resolveHome(values.home, ctx.env);
  const keep = values['keep-workloads'] ?? false;
  const r = await stopDaemons(home, keep, ctx.err);
  const agents = (list: { node: string; pid: number }[]) => list.map((a) => `agent ${a.node} (pid ${a.pid})`).join(', ');
  if (r.conductor === null && r.agents.length === 0) {
    ctx.out(`nothing runs for ${home}`);
    return 0;
  }
  if (keep) {
    const stopped = r.conductor !== null ? `stopped the Conductor (pid ${r.conductor}) of ${home}` : `no Conductor runs for ${home}`;
    const kept = r.agents.length > 0 ? `; the replicas keep running under ${agents(r.agents)} for the next Conductor to adopt (an agent skr8tr started waits ${formatMs(AGENT_IDLE_EXIT_MS)} for one)` : '; no agent runs here, so no replica does';
    ctx.out(stopped + kept);
    return 0;
  }
  const what = [r.conductor !== null ? `the Conductor (pid ${r.conductor})` : null, r.agents.length > 0 ? agents(r.agents) : null].filter(Boolean).join(' and ');
  ctx.out(`stopped the workloads, then ${what} of ${home}`);
  return 0;
}

export interface Stopped {
  conductor: number | null;
  /** The home's agents: stopped, or (keeping the workloads) left running. */
  agents: { node: string; pid: number }[];
}

/** Stops the daemons of a home (see the top of this file); `note` hears what had to be forced. */
export async function stopDaemons(home: string, keepWorkloads: boolean, note: (line: string) => void): Promise<Stopped> {
  const info = readConductorInfo(home);
  const conductor = info && isAlive(info.pid) ? info.pid : null;
  const before = liveAgents(home);
  if (conductor !== null) {
    let asked = false;
    try {
      await ConductorClient.fromHome(home).callWithin(10_000, 'shutdown', {}, { stopWorkloads: !keepWorkloads });
      asked = true;
    } catch (err) {
      note(`the Conductor (pid ${conductor}) did not take the shutdown (${(err as Error).message}); sending it SIGTERM`);
    }
    // Without the API, SIGTERM stops it leaving the workloads: stopping the agents below stops them.
    if (!asked) signalProcess(conductor, 'SIGTERM');
    if (!(await gone([conductor], STOP_MS))) {
      note(`the Conductor (pid ${conductor}) did not stop within ${formatMs(STOP_MS)}; killed it`);
      signalProcess(conductor, 'SIGKILL');
      await gone([conductor], 5_000);
    }
  }
  if (keepWorkloads) return { conductor, agents: liveAgents(home) };
  const agents = [...new Map([...before, ...liveAgents(home)].map((a) => [a.pid, a])).values()];
  // Agents that follow the Conductor exit after its shutdown; the others are asked now.
  if (conductor !== null) await gone(agents.map((a) => a.pid), FOLLOW_MS);
  const left = agents.filter((a) => isAlive(a.pid));
  for (const a of left) signalProcess(a.pid, 'SIGTERM');
  if (!(await gone(left.map((a) => a.pid), STOP_MS))) {
    for (const a of left.filter((x) => isAlive(x.pid))) {
      note(`agent ${a.node} (pid ${a.pid}) did not stop within ${formatMs(STOP_MS)}; killed it and its replicas`);
      signalProcess(a.pid, 'SIGKILL');
      killReplicaGroups(paths.agentState(home, a.node));
    }
    await gone(left.map((a) => a.pid), 5_000);
  }
  return { conductor, agents };
}

/**
 * The last resort after an agent was killed: the process groups of the replicas it recorded (the
 * agent's replica records, one JSON file each in its state folder: pid and start token), when they
 * are still the processes it started.
 */
function killReplicaGroups(stateDir: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(stateDir).filter((n) => n.endsWith('.json'));
  } catch {
    return;
  }
  for (const name of names) {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(stateDir, name), 'utf8')) as { pid?: unknown; startToken?: unknown };
      if (typeof r.pid !== 'number' || r.pid <= 0) continue;
      if (processStartToken(r.pid) === r.startToken || groupAlive(r.pid)) signalGroup(r.pid, 'SIGKILL');
    } catch {
      // a torn record: nothing to go by
    }
  }
}

/** Whether every pid is gone within `ms`. */
async function gone(pids: readonly number[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pids.some((p) => isAlive(p))) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
