// `skr8tr conductor` and `skr8tr agent`: the daemons in the foreground. When one ends, the
// process ends with it (nothing else of the CLI is running).
import { agentUsage, runAgent } from '../../agent/run';
import { conductorUsage, runConductor } from '../../conductor/run';

const exitWith = (code: number): never => process.exit(code);

export const conductor = { usage: conductorUsage, run: async (argv: string[]) => exitWith(await runConductor(argv)) };
export const agent = { usage: agentUsage, run: async (argv: string[]) => exitWith(await runAgent(argv)) };
