// The traffic meter's own cost, in process: what one count at the end of an ingress request costs
// (the ingress's request path pays it on every request), what reading it costs (the timeline and
// the traffic route read 600 seconds), and what an app's window holds in memory. The ingress as a
// whole, with and without it, is measured by bench/zero-downtime.ts.
// `npm run bench:traffic`; writes bench/results/traffic-meter.json.
import { performance } from 'node:perf_hooks';
import { TrafficMeter } from '../src/conductor/traffic-meter';
import { TrafficWindow, type Outcome } from '../src/shared/traffic-window';
import { median, writeResults } from './lib/results';

const OUTCOMES: Outcome[] = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'reset', 'app-5xx'];

/** Nanoseconds a call of `record` over `n` calls, median of 7 runs. */
function perCall(n: number, record: (i: number) => void): number {
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) record(i);
    runs.push(((performance.now() - t0) * 1e6) / n);
  }
  return median(runs);
}

function main(): void {
  const n = 2_000_000;
  // The window alone, the time given (as the unit tests drive it): 20 000 requests a second of fake time.
  const w = new TrafficWindow();
  const t0 = Date.now();
  const windowNs = perCall(n, (i) => w.record(t0 + i / 20, OUTCOMES[i % 10]!, (i % 97) / 7, i % 50 === 0));
  // What the ingress calls: the app's recorder, which reads the clock itself.
  const meter = new TrafficMeter();
  const record = meter.recorder('web');
  const recorderNs = perCall(n, (i) => record(OUTCOMES[i % 10]!, (i % 97) / 7, i % 50 === 0));
  // And the clock read it includes, for scale.
  let sink = 0;
  const clockNs = perCall(n, () => (sink += Date.now()));
  const perfNowNs = perCall(n, () => (sink += performance.now()));
  void sink;

  // Reading: 600 seconds of a full window (what the timeline of a 10-minute rollout asks for).
  const full = new TrafficWindow();
  const end = Date.now();
  for (let s = 0; s < 600; s++) for (let i = 0; i < 200; i++) full.record(end - (599 - s) * 1000, OUTCOMES[i % 10]!, (i % 97) / 3, false);
  const reads: number[] = [];
  for (let r = 0; r < 50; r++) {
    const a = performance.now();
    full.series(end - 600_000, end);
    reads.push(performance.now() - a);
  }
  const seriesMs = median(reads);

  // Memory of one app's window once it counted something (typed arrays, measured as allocated).
  const before = process.memoryUsage().arrayBuffers;
  const windows: TrafficWindow[] = [];
  for (let i = 0; i < 100; i++) {
    const x = new TrafficWindow();
    x.record(end, 'ok', 1, false);
    windows.push(x);
  }
  const perWindowKiB = (process.memoryUsage().arrayBuffers - before) / 100 / 1024;

  const results = { windowNs, recorderNs, clockNs, perfNowNs, seriesMs, perWindowKiB };
  const summary = [
    `one count at the end of a request: ${recorderNs.toFixed(0)} ns with its clock read (Date.now ${clockNs.toFixed(0)} ns; performance.now ${perfNowNs.toFixed(0)} ns, which the ingress reads twice for the latency); the buckets alone ${windowNs.toFixed(0)} ns — ${n.toLocaleString('en-US')} calls, median of 7 runs`,
    `reading 600 full seconds (a 10-minute timeline, percentiles from each second's histogram): ${seriesMs.toFixed(2)} ms`,
    `memory: ${perWindowKiB.toFixed(0)} KiB for each app whose ingress counted a request (none for an app without traffic)`,
  ];
  for (const s of summary) console.log(s);
  console.log(`wrote ${writeResults('traffic-meter', results, summary)}`);
}

main();
