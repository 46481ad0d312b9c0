// Finding the Conductor for a CLI command: `--home DIR`, else SKR8TR_HOME, else ~/.skr8tr.
import { ApiClientError, ConductorClient, NotRunning } from '../shared/client';
import { resolveHome } from '../shared/home';
import type { CommandContext } from './context';
import { CliError } from './usage';

export function connect(ctx: CommandContext, home: string | undefined): ConductorClient {
  try {
    return ConductorClient.fromHome(resolveHome(home, ctx.env));
  } catch (err) {
    if (err instanceof NotRunning) throw new CliError(err.message);
    throw err;
  }
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
