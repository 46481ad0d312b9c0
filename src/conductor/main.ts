// dist/conductor.js: the Conductor daemon.
import { runConductor } from './run';

runConductor(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`skr8tr conductor: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(70);
  },
);
