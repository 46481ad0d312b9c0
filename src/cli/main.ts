// The `skr8tr` command line: a table of commands, each a small module in ./commands.
import { VERSION } from '../shared/version';
import type { CommandContext } from './context';
import { CliError, UsageError } from './usage';
import * as daemons from './commands/daemons';
import * as devCmd from './commands/dev';
import * as exportCmd from './commands/export';
import * as initCmd from './commands/init';
import * as rolloutCmd from './commands/rollout';
import * as shutdownCmd from './commands/shutdown';
import * as validateCmd from './commands/validate';
import * as views from './commands/views';
import * as workloads from './commands/workloads';

interface Command {
  summary: string;
  usage: string;
  run(argv: string[], ctx: CommandContext): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  conductor: { summary: 'run the Conductor in the foreground', ...daemons.conductor },
  agent: { summary: 'run an agent in the foreground', ...daemons.agent },
  up: { summary: 'create or update the apps of manifests (files, or every one under a folder); --watch watches their files; --wait exits once all are ready (0) or one failed (1), within --timeout (default 10m)', usage: workloads.upUsage, run: workloads.up },
  dev: { summary: 'up with watching on, then print every rollout a saved file starts, until Ctrl-C (which shuts down the daemons dev started, or else stops the watching it turned on)', usage: devCmd.devUsage, run: (argv, ctx) => devCmd.dev(argv, ctx) },
  watch: { summary: 'watch an app\'s files (a change rolls it out again); --off stops', usage: devCmd.watchUsage, run: devCmd.watch },
  rollout: { summary: 'roll out a manifest (new replicas replace old ones); --wait follows it', usage: rolloutCmd.rolloutUsage, run: rolloutCmd.rollout },
  down: { summary: 'remove an app and stop its replicas', usage: workloads.downUsage, run: workloads.down },
  scale: { summary: 'set how many replicas an app runs', usage: workloads.scaleUsage, run: workloads.scale },
  abort: { summary: 'stop an app\'s rollout and return to the previous generation', ...workloads.abort },
  pause: { summary: 'hold an app\'s rollout between steps', ...workloads.pause },
  resume: { summary: 'continue a paused rollout', ...workloads.resume },
  rollback: { summary: 'roll out an earlier generation again', usage: rolloutCmd.rollbackUsage, run: rolloutCmd.rollback },
  stop: { summary: 'stop one replica (the Conductor replaces it)', usage: workloads.stopUsage, run: workloads.stopReplica },
  list: { summary: 'workloads, their generations and replicas', usage: views.listUsage, run: views.list },
  nodes: { summary: 'nodes, their ports and replicas', usage: views.nodesUsage, run: views.nodes },
  logs: { summary: 'every app\'s output interleaved (or one app\'s, or a replica\'s); -f follows; --tail N: the last N lines (default 100, 0 to 10000)', usage: views.logsUsage, run: (argv, ctx) => views.logs(argv, ctx) },
  status: { summary: 'the Conductor\'s state (exit 3 when none runs; it starts none)', usage: views.statusUsage, run: views.status },
  shutdown: { summary: 'stop the workloads, then the Conductor and agents of the home; --keep-workloads leaves the replicas for the next Conductor to adopt', usage: shutdownCmd.shutdownUsage, run: shutdownCmd.shutdown },
  validate: { summary: 'check a manifest; --json prints the model', usage: validateCmd.usage, run: validateCmd.validate },
  init: { summary: 'write a manifest from what the folder has: compose, Procfile, process-compose, PM2, npm or Python; says what does not carry over', usage: initCmd.usage, run: initCmd.init },
  export: { summary: 'write manifests as Kubernetes objects or Nomad jobs; says what does not carry over', usage: exportCmd.usage, run: exportCmd.exportManifests },
};

/** Commands the agent uses itself, not listed in the help. */
const HIDDEN: Record<string, Command> = {
  'serve-static': { summary: 'static file server for `serve static` apps', ...daemons.serveStatic },
};

function help(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  const note = 'A command that needs a Conductor starts one and a local agent when none runs for the home (they run until `skr8tr shutdown`); status, shutdown, validate and export start none.';
  return ['usage: skr8tr COMMAND [ARGS]', '', 'commands:', ...lines, '', note].join('\n');
}

/**
 * The reader of the output went away (`skr8tr logs | head -1`): end quietly, as a Unix filter does,
 * instead of with an EPIPE stack.
 */
function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(0);
      throw err;
    });
  }
}

export async function runCli(argv: string[], ctx: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? ctx.err : ctx.out)(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    ctx.out(VERSION);
    return 0;
  }
  const command = COMMANDS[name] ?? HIDDEN[name];
  if (!command) {
    ctx.err(`skr8tr: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  try {
    return await command.run(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.err(`skr8tr ${name}: ${err.message}\nusage: ${err.usage}`);
      return 2;
    }
    if (err instanceof CliError) {
      ctx.err(`skr8tr ${name}: ${err.message}`);
      return err.exitCode;
    }
    throw err;
  }
}


if (require.main === module) {
  endQuietlyWhenOutputCloses();
  const ctx: CommandContext = {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    env: process.env,
    tty: process.stdout.isTTY === true,
  };
  runCli(process.argv.slice(2), ctx).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`skr8tr: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
