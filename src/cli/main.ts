// The `skr8tr` command line: a table of commands, each a small module in ./commands.
import { VERSION } from '../shared/version';
import type { CommandContext } from './context';
import { CliError, UsageError } from './usage';
import * as validateCmd from './commands/validate';

interface Command {
  summary: string;
  usage: string;
  run(argv: string[], ctx: CommandContext): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  validate: { summary: 'check a manifest; --json prints the model', usage: validateCmd.usage, run: validateCmd.validate },
};

function help(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return ['usage: skr8tr COMMAND [ARGS]', '', 'commands:', ...lines].join('\n');
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
  const command = COMMANDS[name];
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
  const ctx: CommandContext = {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    env: process.env,
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
