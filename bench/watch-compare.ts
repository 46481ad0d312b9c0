// Save a source file, the new code serves: Skr8tr's watch against nodemon and PM2's --watch, in one
// run, on the same 2-replica HTTP service (300 ms of start-up before it listens, graceful on
// SIGTERM) under the same bounded load. Each saves the service's version file 10 times; for each
// save: the time from the write to the first answer of the new version, and the requests that
// failed meanwhile (until the new version answered, plus 1 s).
//   - Skr8tr: `port P`, 2 replicas, `health GET /health 200`, `watch *.js`, `skr8tr up --watch`.
//   - PM2: cluster mode, `-i 2` on the port, `watch: ['*.js']` (a change restarts the workers).
//   - nodemon: one process on the port (nodemon runs one), restarted on a change.
// nodemon and PM2 are installed at bench time into ~/.cache/skr8tr-bench (bench/lib/peers.ts).
// `npm run bench:watch`; writes bench/results/watch-compare.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import { Cluster, waitFor } from '../test/integration/harness';
import { Load, freePort } from '../test/integration/load';
import { ensureTool, getOnce, mark, markedProcesses, Pm2 } from './lib/peers';
import { percentile, writeResults } from './lib/results';

const SAVES = 10;
const TAIL_MS = 1000;
const LOAD = { keepAliveClients: 3, freshClients: 1, ratePerClient: 50, maxMs: 10 * 60_000, maxRequests: 500_000 };
const SERVER = `
const http = require('http');
const version = require('./version.js');
const server = http.createServer((req, res) => res.end(req.url === '/health' ? 'ok' : version + ' ' + process.pid));
setTimeout(() => server.listen(Number(process.env.PORT), '127.0.0.1'), 300);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
`;

interface Save {
  toServingMs: number;
  requests: number;
  failures: number;
}

interface Variant {
  tool: string;
  saves: Save[];
  p50Ms: number;
  p90Ms: number;
  failures: number;
  requests: number;
}

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-bench-watch-'));
  fs.writeFileSync(path.join(dir, 'server.js'), SERVER);
  fs.writeFileSync(path.join(dir, 'version.js'), "module.exports = 'v0';\n");
  return dir;
}

/** Saves the version file SAVES times, each once the previous version serves and has settled. */
async function saves(tool: string, dir: string, port: number): Promise<Variant> {
  await waitFor(`${tool} to serve v0`, async () => (await getOnce(port))?.body.startsWith('v0 '), 60_000, 20);
  const load = new Load({ port, ...LOAD });
  const out: Save[] = [];
  try {
    await waitFor('the load to get going', () => load.result.requests >= 50, 10_000);
    for (let i = 1; i <= SAVES; i++) {
      const before = { requests: load.result.requests, failures: load.result.failures };
      const t0 = performance.now();
      fs.writeFileSync(path.join(dir, 'version.js'), `module.exports = 'v${i}';\n`);
      await waitFor(`v${i} to serve`, async () => (await getOnce(port, 500))?.body.startsWith(`v${i} `), 60_000, 5);
      const toServingMs = Math.round(performance.now() - t0);
      await new Promise((r) => setTimeout(r, TAIL_MS));
      out.push({ toServingMs, requests: load.result.requests - before.requests, failures: load.result.failures - before.failures });
      console.log(`${tool} save ${i}: new code serving after ${toServingMs} ms; ${out.at(-1)!.failures} of ${out.at(-1)!.requests} requests failed`);
      // Let a restarting tool settle before the next save.
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await load.stop();
  }
  const sorted = out.map((s) => s.toServingMs).sort((a, b) => a - b);
  return {
    tool,
    saves: out,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    failures: out.reduce((n, s) => n + s.failures, 0),
    requests: out.reduce((n, s) => n + s.requests, 0),
  };
}

async function skr8tr(): Promise<Variant> {
  const c = new Cluster('bench-watch');
  const dir = project();
  try {
    await c.startConductor();
    await c.startAgent('n1');
    const port = await freePort();
    const file = path.join(dir, 'web.skr8tr');
    fs.writeFileSync(file, ['app web', `  exec ${process.execPath}`, '  args server.js', `  port ${port}`, '  replicas 2', '  health GET /health 200', '  drain 2s', '  watch *.js', '  env', `    BENCH_MARK ${mark}`, ''].join('\n'));
    const up = await c.cli(['up', file, '--watch']);
    if (up.code !== 0) throw new Error(up.stderr);
    await c.settled('web', 1, 2, 30_000);
    return await saves('Skr8tr watch (2 replicas, health-gated)', dir, port);
  } finally {
    await c.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function pm2(): Promise<Variant> {
  const { dir: pm2Dir, version } = await ensureTool('pm2');
  const dir = project();
  const pm = new Pm2(path.join(pm2Dir, 'node_modules/pm2/bin/pm2'), { PM2_KILL_SIGNAL: 'SIGTERM' });
  try {
    const port = await freePort();
    const config = pm.config('web', { script: path.join(dir, 'server.js'), cwd: dir, exec_mode: 'cluster', instances: 2, watch: ['*.js'], watch_delay: 0, kill_timeout: 2000, env: { PORT: String(port), BENCH_MARK: mark } });
    await pm.cli(['start', config]);
    await pm.recordPids();
    return await saves(`PM2 ${version} --watch (cluster, 2 instances)`, dir, port);
  } finally {
    await pm.recordPids().catch(() => {});
    await pm.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function nodemon(): Promise<Variant> {
  const { dir: nmDir, version } = await ensureTool('nodemon');
  const dir = project();
  const port = await freePort();
  let child: ChildProcess | null = null;
  try {
    child = spawn(process.execPath, [path.join(nmDir, 'node_modules/nodemon/bin/nodemon.js'), '--watch', '.', '--ext', 'js', '--signal', 'SIGTERM', 'server.js'], {
      cwd: dir,
      env: { ...process.env, PORT: String(port), BENCH_MARK: mark },
      stdio: 'ignore',
      detached: true,
    });
    return await saves(`nodemon ${version} (1 process)`, dir, port);
  } finally {
    if (child?.pid) process.kill(-child.pid, 'SIGTERM');
    await waitFor('nodemon and its child to be gone', () => markedProcesses().length === 0, 15_000).catch(() => {
      for (const p of markedProcesses()) process.kill(p, 'SIGKILL');
    });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const variants = [await skr8tr(), await nodemon(), await pm2()];
  const left = markedProcesses();
  if (left.length > 0) throw new Error(`processes of this benchmark are still alive: ${left.join(', ')}`);
  const summary = [
    `save → new code serving, over ${SAVES} saves of a 300 ms start-up HTTP service under ${LOAD.keepAliveClients + LOAD.freshClients} clients × ${LOAD.ratePerClient} req/s; failures counted from each save until ${TAIL_MS} ms after the new code answered`,
    ...variants.map((v) => `${v.tool}: p50 ${v.p50Ms} ms, p90 ${v.p90Ms} ms; ${v.failures} of ${v.requests} requests failed`),
  ];
  for (const s of summary) console.log(s);
  console.log(`wrote ${writeResults('watch-compare', { saves: SAVES, load: LOAD, variants }, summary)}`);
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
