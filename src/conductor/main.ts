// dist/conductor.js: the Conductor daemon. The CLI's `skr8tr conductor` requires this same bundle
// (beside it in dist/) and runs it in its own process, rather than carrying a copy.
import { runConductor } from './run';

export { runConductor };

if (require.main === module) {
  runConductor(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`skr8tr conductor: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(70);
    },
  );
}
