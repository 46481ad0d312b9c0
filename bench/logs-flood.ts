// Logs at a normal rate and in a flood. Normal: a replica writes a line stamped with its own clock
// every 20 ms; a follower of `GET /v1/logs?follow=1` (what the editor's Logs view reads) measures
// written → delivered. Flood: a replica writes as fast as it can for 10 s (well over 50,000 lines a
// second here); sampled every 200 ms: the Conductor's and the agent's CPU and memory, and how far the
// follower lags. The view itself writes what it got at most 16 ms later (its batch).
// `npm run bench:logs`; writes bench/results/logs-flood.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LogLine } from '../src/shared/protocol/api';
import { Cluster, waitFor } from '../test/integration/harness';
import { percentile, writeResults } from './lib/results';
import { cpuMs, rssMiB } from './lib/proc-stats';

const NORMAL_MS = 10_000;
const FLOOD_MS = 10_000;
/** Clock ticks a second in /proc/<pid>/stat (Linux's USER_HZ). */

const STAMPED = `setInterval(() => console.log('stamp ' + Date.now()), 20); process.on('SIGTERM', () => process.exit(0));`;
const FLOOD = `
const end = Date.now() + ${FLOOD_MS};
let n = 0;
function burst() {
  if (Date.now() > end) { require('fs').writeFileSync('flood-count', String(n)); return; }
  let chunk = '';
  for (let i = 0; i < 1000; i++) chunk += 'flood line ' + (++n) + ' ' + Date.now() + '\\n';
  if (process.stdout.write(chunk)) setImmediate(burst); else process.stdout.once('drain', burst);
}
burst();
setInterval(() => {}, 1000);
process.on('SIGTERM', () => process.exit(0));
`;

async function main(): Promise<void> {
  const c = new Cluster('bench-logs');
  try {
    const conductor = await c.startConductor();
    const agent = await c.startAgent('n1');
    const dir = path.join(c.home, 'manifests');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'stamped.js'), STAMPED);
    fs.writeFileSync(path.join(dir, 'flood.js'), FLOOD);
    const app = (name: string, script: string) => [`app ${name}`, `  exec ${process.execPath}`, `  args ${script}`, '  settle 100ms', '  drain 1s', ''].join('\n');

    // Normal rate: written → delivered to a follower.
    const latencies: number[] = [];
    const abort = new AbortController();
    const follow = c.client().callStream('logs', { follow: true, tail: 0 }, (l: LogLine) => {
      const m = /^stamp (\d+)$/.exec(l.text);
      if (m && Date.now() - 60_000 < Number(m[1])) latencies.push(Date.now() - Number(m[1]));
    }, abort.signal).catch(() => {});
    assert((await c.cli(['up', c.manifest('stamped.skr8tr', app('stamped', 'stamped.js'))])).code === 0, 'up stamped');
    await waitFor('stamped lines to arrive', () => latencies.length > 10, 20_000);
    latencies.length = 0;
    await new Promise((r) => setTimeout(r, NORMAL_MS)); // measuring over a window
    const normal = [...latencies].sort((a, b) => a - b);

    // Flood: the daemons' CPU and memory, and the follower's lag.
    let floodLines = 0;
    let lagMax = 0;
    const lags: number[] = [];
    const floodAbort = new AbortController();
    void c.client().callStream('logs', { app: 'flood', follow: true, tail: 0 }, (l: LogLine) => {
      floodLines++;
      const m = / (\d+)$/.exec(l.text);
      if (m) {
        const lag = Date.now() - Number(m[1]);
        lags.push(lag);
        lagMax = Math.max(lagMax, lag);
      }
    }, floodAbort.signal).catch(() => {});
    const cpu0 = { conductor: cpuMs(conductor.pid) / 1000, agent: cpuMs(agent.pid) / 1000 };
    const rss0 = { conductor: rssMiB(conductor.pid), agent: rssMiB(agent.pid) };
    const t0 = Date.now();
    assert((await c.cli(['up', c.manifest('flood.skr8tr', app('flood', 'flood.js'))])).code === 0, 'up flood');
    const rss = { conductor: [] as number[], agent: [] as number[] };
    while (Date.now() - t0 < FLOOD_MS + 3_000) {
      rss.conductor.push(rssMiB(conductor.pid));
      rss.agent.push(rssMiB(agent.pid));
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (Date.now() - t0) / 1000;
    const cpu = { conductor: (cpuMs(conductor.pid) / 1000 - cpu0.conductor) / seconds, agent: (cpuMs(agent.pid) / 1000 - cpu0.agent) / seconds };
    const written = Number(fs.readFileSync(path.join(dir, 'flood-count'), 'utf8'));
    abort.abort();
    floodAbort.abort();
    await follow;
    const sortedLags = [...lags].sort((a, b) => a - b);
    const results = {
      normal: { lines: normal.length, p50Ms: percentile(normal, 50), p99Ms: percentile(normal, 99), maxMs: normal.at(-1) },
      flood: {
        writtenLines: written,
        writtenPerSecond: Math.round(written / (FLOOD_MS / 1000)),
        deliveredLines: floodLines,
        followerLagP50Ms: percentile(sortedLags, 50),
        followerLagMaxMs: lagMax,
        conductorCpu: +cpu.conductor.toFixed(2),
        agentCpu: +cpu.agent.toFixed(2),
        conductorRssMiB: { before: +rss0.conductor.toFixed(1), max: +Math.max(...rss.conductor).toFixed(1) },
        agentRssMiB: { before: +rss0.agent.toFixed(1), max: +Math.max(...rss.agent).toFixed(1) },
      },
    };
    const f = results.flood;
    const summary = [
      `normal rate (50 lines a second): written → delivered to a follower of the log stream p50 ${results.normal.p50Ms} ms, p99 ${results.normal.p99Ms} ms, max ${results.normal.maxMs} ms (${results.normal.lines} lines); the Logs view writes within 16 ms of delivery (its batch)`,
      `flood: ${f.writtenLines} lines written in ${FLOOD_MS / 1000} s (${f.writtenPerSecond} a second); the agent passed on ${f.deliveredLines} (at most 2,000 a second, the drop said in a line); follower lag p50 ${f.followerLagP50Ms} ms, max ${f.followerLagMaxMs} ms`,
      `during the flood: Conductor ${Math.round(f.conductorCpu * 100)} % of a core, RSS ${f.conductorRssMiB.before} → max ${f.conductorRssMiB.max} MiB; agent ${Math.round(f.agentCpu * 100)} % of a core, RSS ${f.agentRssMiB.before} → max ${f.agentRssMiB.max} MiB`,
    ];
    for (const s of summary) console.log(s);
    console.log(`wrote ${writeResults('logs-flood', results, summary)}`);
  } finally {
    await c.cleanup();
  }
}

function assert(ok: boolean, what: string): void {
  if (!ok) throw new Error(`${what} failed`);
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
