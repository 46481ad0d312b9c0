// GET /v1/workloads, timed from a process of its own, as `skr8tr list` or the extension would ask:
// request to parsed answer, one connection each. The benchmarks that simulate agents run them in
// their own process; timing the list there would also time those agents' work and the
// benchmark's grown heap, which no real client carries. `sampleList` starts this file as a child.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ConductorClient } from '../../src/shared/client';

export interface ListSamples {
  /** Each request's time, in the order made. */
  ms: number[];
  /** The answer's size. */
  bytes: number;
  /** Workloads in the first answer. */
  workloads: number;
}

/** `n` timed requests (after 10 untimed) from a child process; rejects when it fails. */
export function sampleList(home: string, n: number): Promise<ListSamples> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename, home, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the list sampler exited with ${code}`));
      else resolve(JSON.parse(out) as ListSamples);
    });
  });
}

async function main(home: string, n: number): Promise<void> {
  const client = ConductorClient.fromHome(home);
  for (let i = 0; i < 10; i++) await client.request('GET', '/v1/workloads');
  const ms: number[] = [];
  let bytes = 0;
  let workloads = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const ws = await client.request<unknown[]>('GET', '/v1/workloads');
    ms.push(performance.now() - t0);
    if (i === 0) {
      bytes = Buffer.byteLength(JSON.stringify(ws));
      workloads = ws.length;
    }
  }
  process.stdout.write(JSON.stringify({ ms, bytes, workloads } satisfies ListSamples));
}

if (require.main === module) {
  const [home, n] = process.argv.slice(2);
  main(home!, Number(n)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
