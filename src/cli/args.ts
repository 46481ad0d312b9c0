// Parsing a command's arguments with node:util's parseArgs, turning its errors into usage errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandArgs<O extends Options> {
  values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
  positionals: string[];
}

export function parseCommandArgs<O extends Options>(
  argv: string[],
  options: O,
  usage: string,
  positionals: { min: number; max: number },
): CommandArgs<O> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''), usage);
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError('missing argument', usage);
  if (count > positionals.max) throw new UsageError(`unexpected argument "${parsed.positionals[positionals.max]}"`, usage);
  return parsed as unknown as CommandArgs<O>;
}
