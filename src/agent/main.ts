// dist/agent.js: the agent daemon.
import { runAgent } from './run';

runAgent(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`skr8tr agent: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(70);
  },
);
