// A small leveled logger for the daemons and clients. Lines go to a sink (stderr, a file, an
// output channel); registered secret values are masked in every line before it leaves.

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogSink = (line: string, level: Level) => void;

/** Values that must never appear in a log line (secret env values). */
export class SecretMask {
  private values = new Set<string>();

  add(values: Iterable<string>): void {
    for (const v of values) if (v.length >= 3) this.values.add(v);
  }

  mask(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('***');
    return out;
  }
}

export class SinkLogger implements Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly minLevel: Level = 'info',
    private readonly mask: SecretMask | null = null,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private write(level: Level, message: string): void {
    if (ORDER[level] < ORDER[this.minLevel]) return;
    const text = this.mask ? this.mask.mask(message) : message;
    this.sink(`${this.now().toISOString()} ${level.padEnd(5)} ${text}`, level);
  }

  debug(message: string): void {
    this.write('debug', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  error(message: string): void {
    this.write('error', message);
  }
}

export function parseLevel(text: string | undefined, fallback: Level = 'info'): Level {
  return text && text in ORDER ? (text as Level) : fallback;
}
