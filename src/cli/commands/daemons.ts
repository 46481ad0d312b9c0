// `skr8tr conductor` and `skr8tr agent`: the daemons in the foreground. When one ends, the
// process ends with it (nothing else of the CLI is running).
import { agentUsage, runAgent } from '../../agent/run';
import { runStaticServer } from '../../agent/static-server';
import { conductorUsage, runConductor } from '../../conductor/run';

const exitWith = (code: number): never => process.exit(code);

export const conductor = { usage: conductorUsage, run: async (argv: string[]) => exitWith(await runConductor(argv)) };
export const agent = { usage: agentUsage, run: async (argv: string[]) => exitWith(await runAgent(argv)) };

/** Hidden: the static file server an agent started by `skr8tr agent` runs for `serve static` apps. */
export const serveStatic = { usage: 'skr8tr serve-static DIR --port N [--proxy URL]', run: async (argv: string[]) => exitWith(await runStaticServer(argv)) };
