// Finding the Conductor for a CLI command: `--home DIR`, else SKR8TR_HOME, else ~/.skr8tr. A command
// that needs one starts it when none runs (with a local agent, detached, as the editor does; they
// run until `skr8tr shutdown`), saying so on one line; `status` and `shutdown` only look.
import * as path from 'node:path';
import { ApiClientError, ConductorClient } from '../shared/client';
import { findConductor, Incompatible, startDaemons } from '../shared/daemon-launch';
import { resolveHome } from '../shared/home';
import type { CommandContext } from './context';
import { CliError } from './usage';

/** The daemons' bundles: beside the CLI's own (dist/cli.js, dist/conductor.js, dist/agent.js). */
const BUNDLES = __dirname;

export interface Connected {
  client: ConductorClient;
  home: string;
  /** This command started the daemons (else it found them running). */
  started: boolean;
}

/** The running Conductor of the home, or null; a Conductor of another version is a clear error. */
export function findRunning(home: string): ConductorClient | null {
  try {
    return findConductor(home);
  } catch (err) {
    if (err instanceof Incompatible) throw new CliError(`${err.message}; \`skr8tr shutdown\` stops it (or use another --home)`);
    throw err;
  }
}

/** The running Conductor of the home, or one started now with a local agent (told on one line on stderr). */
export async function connectOrStart(ctx: CommandContext, home: string | undefined): Promise<Connected> {
  const dir = resolveHome(home, ctx.env);
  const found = findRunning(dir);
  if (found) return { client: found, home: dir, started: false };
  let started;
  try {
    started = await startDaemons({ home: dir, bundles: BUNDLES, logLevel: 'info', leaseMs: null, localAgents: 1 });
  } catch (err) {
    if (err instanceof Incompatible) throw new CliError(`${err.message}; \`skr8tr shutdown\` stops it (or use another --home)`);
    throw new CliError((err as Error).message);
  }
  if (!started.won) return { client: started.client, home: dir, started: false };
  const agents = started.agents.map((a) => ` and agent ${a.node} (pid ${a.pid})`).join('');
  const late = started.nodeJoined ? '' : ` (no node joined yet: see ${path.join(dir, 'logs')})`;
  ctx.err(`started a Conductor (pid ${started.pid})${agents} for ${dir}${late}; \`skr8tr shutdown\` stops ${agents ? 'them' : 'it'}`);
  return { client: started.client, home: dir, started: true };
}

/** `connectOrStart`, for the commands that need only the client. */
export async function connect(ctx: CommandContext, home: string | undefined): Promise<ConductorClient> {
  return (await connectOrStart(ctx, home)).client;
}

/** Runs an API call, turning the Conductor's refusal into a one-line CLI error (with its details). */
export async function call<T>(ctx: CommandContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiClientError) {
      for (const d of err.details) ctx.err(d);
      throw new CliError(err.message);
    }
    throw err;
  }
}

export const homeOption = { home: { type: 'string' } } as const;
