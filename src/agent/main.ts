// dist/agent.js: the agent daemon (and, as `agent.js serve-static …`, the static file server it
// runs for apps with `serve static`). The CLI's `skr8tr agent` and `skr8tr serve-static` require
// this same bundle (beside it in dist/) and run it in their own process, rather than carrying a copy.
import { runAgent } from './run';
import { runStaticServer } from './static-server';

export { runAgent, runStaticServer };

if (require.main === module) {
  const argv = process.argv.slice(2);
  const run = argv[0] === 'serve-static' ? runStaticServer(argv.slice(1)) : runAgent(argv);
  run.then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`skr8tr agent: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(70);
    },
  );
}
