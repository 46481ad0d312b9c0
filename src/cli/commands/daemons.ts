// `skr8tr conductor` and `skr8tr agent`: the daemons in the foreground. When one ends, the
// process ends with it (nothing else of the CLI is running). The daemons' code is loaded only
// then: in the built CLI from their own bundles beside it, dist/conductor.js and dist/agent.js
// (scripts/bundles.mjs), so that cli.js does not carry a second copy of them.
import { agentUsage } from '../../agent/usage';
import { conductorUsage } from '../../conductor/usage';

const exitWith = (code: number): never => process.exit(code);

export const conductor = { usage: conductorUsage, run: async (argv: string[]) => exitWith(await (await import('../../conductor/main')).runConductor(argv)) };
export const agent = { usage: agentUsage, run: async (argv: string[]) => exitWith(await (await import('../../agent/main')).runAgent(argv)) };

/** Hidden: the static file server an agent started by `skr8tr agent` runs for `serve static` apps. */
export const serveStatic = {
  usage: 'skr8tr serve-static DIR --port N [--proxy URL]',
  run: async (argv: string[]) => exitWith(await (await import('../../agent/main')).runStaticServer(argv)),
};
