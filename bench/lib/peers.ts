// The tools Skr8tr is measured against (PM2, nodemon), as the benchmarks run them: installed at
// bench time into ~/.cache/skr8tr-bench/<tool> (not dependencies of the project; skipped when
// present), every process they start marked in its environment (BENCH_MARK) so the benchmark can
// prove none outlives it, and PM2 with its own PM2_HOME (the user's ~/.pm2 is untouched).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { isAlive } from '../../src/shared/platform/process';
import { exec, waitFor, type Exec } from '../../test/integration/harness';

/** This run's mark: `BENCH_MARK=<mark>` in the environment of everything the benchmark starts. */
export const mark = crypto.randomBytes(8).toString('hex');

/** Live processes whose environment holds `BENCH_MARK=<this run's mark>`: everything this benchmark started. */
export function markedProcesses(also?: string): number[] {
  const needle = Buffer.from(`BENCH_MARK=${mark}\0`);
  const more = also === undefined ? null : Buffer.from(`${also}\0`);
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${name}/environ`);
      if (env.includes(needle) && (more === null || env.includes(more)) && isAlive(Number(name))) out.push(Number(name));
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

/** One GET / on a fresh connection: its status and body, or null when it failed. */
export function getOnce(port: number, timeoutMs = 1000): Promise<{ status: number; body: string } | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/** A tool from the npm registry in the benchmark cache: installs it when missing; returns its folder and version. */
export async function ensureTool(pkg: string): Promise<{ dir: string; version: string }> {
  const dir = path.join(os.homedir(), '.cache/skr8tr-bench', pkg);
  const manifest = path.join(dir, 'node_modules', pkg, 'package.json');
  if (!fs.existsSync(manifest)) {
    console.log(`installing ${pkg} into ${dir} (not a dependency of the project)`);
    fs.mkdirSync(dir, { recursive: true });
    const r = await exec('npm', ['install', '--prefix', dir, `${pkg}@latest`, '--no-audit', '--no-fund'], process.env, 300_000);
    if (r.code !== 0 || !fs.existsSync(manifest)) throw new Error(`npm install ${pkg} failed:\n${r.stdout}\n${r.stderr}`);
  }
  return { dir, version: (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version };
}

/** PM2 with a home of its own. */
export class Pm2 {
  readonly home = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-bench-pm2-'));
  readonly seen = new Set<number>();
  private daemonPid = 0;

  constructor(
    private readonly bin: string,
    private readonly extraEnv: Record<string, string>,
  ) {}

  private get env(): NodeJS.ProcessEnv {
    return { ...process.env, PM2_HOME: this.home, BENCH_MARK: mark, ...this.extraEnv };
  }

  async cli(args: string[], timeoutMs = 60_000): Promise<Exec> {
    const r = await exec(process.execPath, [this.bin, ...args], this.env, timeoutMs);
    if (r.code !== 0) throw new Error(`pm2 ${args.join(' ')} exited with ${r.code}:\n${r.stdout}\n${r.stderr}`);
    try {
      this.daemonPid ||= Number(fs.readFileSync(path.join(this.home, 'pm2.pid'), 'utf8'));
    } catch {
      // not started yet
    }
    return r;
  }

  /** Writes an ecosystem file holding `app`; returns its path. */
  config(name: string, app: Record<string, unknown>): string {
    const file = path.join(this.home, `${name}.config.json`);
    fs.writeFileSync(file, JSON.stringify({ apps: [{ name, ...app }] }, null, 2));
    return file;
  }

  async recordPids(): Promise<void> {
    const list = JSON.parse((await this.cli(['jlist'])).stdout) as { pid: number }[];
    for (const p of list) if (p.pid > 0) this.seen.add(p.pid);
  }

  /** `pm2 kill`, then proof that the daemon and every app process are gone; the temporary PM2_HOME is removed. */
  async kill(): Promise<void> {
    let killError: Error | null = null;
    try {
      await this.cli(['kill'], 60_000);
    } catch (err) {
      killError = err as Error;
    }
    // This PM2's processes only (its PM2_HOME is in their environment): other variants may still run.
    const alive = () => [...new Set([...markedProcesses(`PM2_HOME=${this.home}`), ...this.seen, this.daemonPid].filter((p) => p > 0 && isAlive(p)))];
    const left = await waitFor('PM2 and its apps to be gone', () => (alive().length === 0 ? 'none' : null), 10_000, 100).catch(alive);
    if (left !== 'none') {
      for (const p of left) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // gone
        }
      }
      throw new Error(`after pm2 kill, processes were still alive (now killed): ${left.join(', ')}${killError ? `; pm2 kill: ${killError.message}` : ''}`);
    }
    if (killError) throw killError;
    fs.rmSync(this.home, { recursive: true, force: true });
    console.log(`pm2 kill: the daemon (pid ${this.daemonPid}) and all ${this.seen.size} app processes it ran are gone`);
  }
}
