// wrk (Debian's package) as the load at saturation: a fixed number of threads and keep-alive
// connections for a fixed time, what it answers parsed (requests a second, latency, errors).
import { spawn, spawnSync } from 'node:child_process';

export interface WrkResult {
  requestsPerSec: number;
  requests: number;
  /** Answers that were not 2xx or 3xx. */
  non2xx: number;
  /** Connect, read, write and timeout errors together. */
  socketErrors: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export function wrkVersion(): string {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return /wrk (\S+)/.exec(r.stdout + r.stderr)?.[1] ?? '?';
}

/** One run of wrk against 127.0.0.1:port. Bounded: wrk's own duration, and a hard limit beyond it. */
export function wrk(port: number, o: { threads: number; connections: number; seconds: number }): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', [`-t${o.threads}`, `-c${o.connections}`, `-d${o.seconds}s`, '--latency', `http://127.0.0.1:${port}/`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const limit = setTimeout(() => child.kill('SIGKILL'), (o.seconds + 30) * 1000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(limit);
      if (code === 0) resolve(parseWrk(out));
      else reject(new Error(`wrk exited with ${code}: ${out}`));
    });
  });
}

const ms = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit]!;

export function parseWrk(out: string): WrkResult {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const lat = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    return m ? +ms(m[1]!, m[2]!).toFixed(3) : null;
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requestsPerSec: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    p50Ms: lat('50'),
    p99Ms: lat('99'),
  };
}
