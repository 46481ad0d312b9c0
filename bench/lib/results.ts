// Where benchmarks write what they measured: bench/results/<name>.json, with the machine it ran on.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Machine {
  cpu: string;
  cores: number;
  memGiB: number;
  os: string;
  node: string;
}

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

export function writeResults(name: string, results: unknown, summary: string[]): string {
  const dir = path.resolve(__dirname, '../results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const record = { benchmark: name, date: new Date().toISOString(), machine: machine(), results, summary };
  fs.writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
  return file;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}
