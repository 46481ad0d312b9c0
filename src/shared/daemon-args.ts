// Command-line options of the daemons (`skr8tr conductor`, `skr8tr agent`): parsing with
// node:util's parseArgs, and the value checks both need. A bad option is a usage error (exit 2)
// that names the option; it never gets as far as starting anything.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class DaemonUsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
export type OptionValues<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

export function parseDaemonArgs<O extends Options>(argv: string[], options: O): OptionValues<O> {
  try {
    return parseArgs({ args: argv, options, strict: true }).values as OptionValues<O>;
  } catch (err) {
    throw new DaemonUsageError((err as Error).message);
  }
}

/** A positive number (`integer`: a whole one), or `fallback` when the option is absent. */
export function positiveOption(name: string, text: string | undefined, fallback: number | null, integer = false): number | null {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new DaemonUsageError(`--${name} must be a positive ${integer ? 'whole ' : ''}number, not "${text}"`);
  }
  return n;
}

/** `HOST:PORT` (IPv6 hosts in brackets); port 0 allowed when `allowZero`. */
export function hostPortOption(name: string, text: string, allowZero: boolean): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535 || (!allowZero && port < 1)) throw new DaemonUsageError(`--${name} must be HOST:PORT, not "${text}"`);
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1', port };
}

/** Prints a usage error the way both daemons do; returns the exit code 2. */
export function usageFailure(command: string, usage: string, err: DaemonUsageError): number {
  process.stderr.write(`skr8tr ${command}: ${err.message}\nusage: ${usage}\n`);
  return 2;
}
