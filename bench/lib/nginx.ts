// Debian's nginx as the reverse proxy a user would put in front of their replicas instead of the
// Skr8tr ingress: round robin over the replicas with a keep-alive upstream pool (HTTP/1.1,
// `Connection ""`), no access log, everything (config, pid, temporary files, error log) in a
// folder of its own. Started in the foreground (`daemon off`) so the benchmark owns the master;
// its workers are its children (nginx clears their environment, so they are found by parent).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isAlive } from '../../src/shared/platform/process';
import { waitFor } from '../../test/integration/harness';
import { mark } from './peers';

export class Nginx {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-bench-nginx-'));
  private master: ChildProcess | null = null;
  private readonly workers = new Set<number>();

  /** `workers`: nginx's worker_processes (one a core is its documented tuning, `auto`). */
  constructor(
    readonly port: number,
    private readonly backends: number[],
    readonly workerCount: number,
  ) {}

  config(): string {
    const d = this.dir;
    return [
      `worker_processes ${this.workerCount};`,
      'daemon off;',
      `pid ${d}/nginx.pid;`,
      `error_log ${d}/error.log warn;`,
      'events { worker_connections 4096; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${d}/body; proxy_temp_path ${d}/proxy; fastcgi_temp_path ${d}/fastcgi; uwsgi_temp_path ${d}/uwsgi; scgi_temp_path ${d}/scgi;`,
      `  upstream app { ${this.backends.map((p) => `server 127.0.0.1:${p};`).join(' ')} keepalive 64; }`,
      '  server {',
      `    listen 127.0.0.1:${this.port};`,
      '    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }',
      '  }',
      '}',
      '',
    ].join('\n');
  }

  async start(): Promise<string> {
    fs.writeFileSync(path.join(this.dir, 'nginx.conf'), this.config());
    const child = spawn('nginx', ['-p', this.dir, '-c', path.join(this.dir, 'nginx.conf'), '-e', path.join(this.dir, 'error.log')], {
      stdio: 'ignore',
      env: { ...process.env, BENCH_MARK: mark },
    });
    this.master = child;
    await waitFor('nginx and its workers', () => {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${fs.readFileSync(path.join(this.dir, 'error.log'), 'utf8').slice(-2000)}`);
      for (const pid of childrenOf(child.pid!)) this.workers.add(pid);
      return this.workers.size >= this.workerCount;
    }, 20_000, 20);
    return /nginx\/(\S+)/.exec(spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr)?.[1] ?? '?';
  }

  /** Stops the master (its workers with it) and proves every process gone. */
  async stop(): Promise<void> {
    const child = this.master;
    if (!child) return;
    if (child.exitCode === null) child.kill('SIGQUIT');
    const all = () => [child.pid!, ...this.workers].filter(isAlive);
    const left = await waitFor('nginx to be gone', () => (all().length === 0 ? 'none' : null), 10_000, 50).catch(all);
    if (left !== 'none') {
      for (const p of left) process.kill(p, 'SIGKILL');
      throw new Error(`nginx processes outlived SIGQUIT (now killed): ${left.join(', ')}`);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}
