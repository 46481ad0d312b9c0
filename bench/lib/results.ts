// Where benchmarks write what they measured: bench/results/<name>.json, with the machine it ran on.
import { execFileSync } from 'node:child_process';
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

/** What was measured: the commit, when dist/ (what the daemons run) was built, and how busy the
 * machine was, since other work skews latency. Captured when the benchmark starts and ends. */
export interface Provenance {
  commit: string;
  distBuiltAt: string | null;
  distRebuiltDuringRun: boolean;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
}

const ROOT = path.resolve(__dirname, '../..');
const distMtime = (): string | null => {
  try {
    return fs.statSync(path.join(ROOT, 'dist/conductor.js')).mtime.toISOString();
  } catch {
    return null;
  }
};
const loadAverage = () => os.loadavg().map((l) => +l.toFixed(2));
const atStart = { dist: distMtime(), load: loadAverage() };

export function provenance(): Provenance {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return { commit, distBuiltAt: atStart.dist, distRebuiltDuringRun: distMtime() !== atStart.dist, loadAverageAtStart: atStart.load, loadAverageAtEnd: loadAverage() };
}

/** Writes the results file, adding the machine, the date and the provenance (also as the summary's last line). */
export function writeResults(name: string, results: unknown, summary: string[]): string {
  const dir = path.resolve(__dirname, '../results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const p = provenance();
  summary.push(
    `measured: commit ${p.commit}, dist/ built ${p.distBuiltAt ?? 'never'}${p.distRebuiltDuringRun ? ' — WARNING: dist/ was rebuilt during the run, so later parts ran a newer build' : ''}; load average ${p.loadAverageAtStart.join(' ')} at the start`,
  );
  const record = { benchmark: name, date: new Date().toISOString(), machine: machine(), provenance: p, results, summary };
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
