// The per-second traffic buckets (src/shared/traffic-window.ts): counting by second and by kind,
// the ring forgetting what is older than its window, running totals, percentiles from the
// histogram against exact ones, and the summary in words. The time is given, never read.
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { TrafficWindow, bucketBound, bucketOf, countBetween, trafficSummary, type Outcome } from '../../../src/shared/traffic-window';

const T0 = 1_700_000_000_000; // a whole second

describe('traffic window', () => {
  it('counts each request in the second it ended, by kind, with retries that saved one', () => {
    const w = new TrafficWindow();
    w.record(T0 + 10, 'ok', 2, false);
    w.record(T0 + 990, 'ok', 3, true);
    w.record(T0 + 999, 'refused', 1, false);
    w.record(T0 + 1000, 'app-5xx', 5, false);
    w.record(T0 + 1500, 'reset', 8, true); // retried, then failed: not a retry that saved it
    w.record(T0 + 1600, 'cancelled', null, false);
    assert.deepEqual(w.second(T0), { at: T0, requests: 3, failed: 1, retried: 1, p50: w.second(T0).p50, p99: w.second(T0).p99 });
    const s1 = w.second(T0 + 1000);
    assert.equal(s1.requests, 3);
    assert.equal(s1.failed, 2);
    assert.equal(s1.retried, 0);
    assert.deepEqual(w.totals(), { requests: 6, failed: 3, failures: { refused: 1, reset: 1, 'app-5xx': 1 }, retried: 1 });
  });

  it('a second without requests is empty, and so is one older than the window', () => {
    const w = new TrafficWindow(10);
    w.record(T0, 'ok', 1, false);
    assert.deepEqual(w.second(T0 + 1000), { at: T0 + 1000, requests: 0, failed: 0, retried: 0, p50: null, p99: null });
    // Ten seconds later the same bucket holds another second: the old one is gone.
    w.record(T0 + 10_000, 'ok', 1, false);
    assert.equal(w.second(T0).requests, 0);
    assert.equal(w.second(T0 + 10_000).requests, 1);
    // The totals keep everything.
    assert.equal(w.totals().requests, 2);
  });

  it('a window that never counted anything answers zeros, and allocates nothing', () => {
    const w = new TrafficWindow();
    assert.deepEqual(w.totals(), { requests: 0, failed: 0, failures: {}, retried: 0 });
    assert.deepEqual(w.series(T0, T0 + 2000), { from: T0, requests: [0, 0, 0], failed: [0, 0, 0], retried: [0, 0, 0], p50: [null, null, null], p99: [null, null, null] });
    assert.equal((w as unknown as { counters: unknown }).counters, null);
  });

  it('series: one entry a second, at most the window, the latest kept', () => {
    const w = new TrafficWindow(5);
    for (let s = 0; s < 8; s++) for (let i = 0; i <= s; i++) w.record(T0 + s * 1000 + i, 'ok', 1, false);
    const all = w.series(T0, T0 + 7999);
    assert.equal(all.from, T0 + 3000);
    assert.deepEqual(all.requests, [4, 5, 6, 7, 8]);
    const part = w.series(T0 + 5000, T0 + 6000);
    assert.deepEqual(part.requests, [6, 7]);
  });

  it('running totals between two readings count exactly what happened in between', () => {
    const w = new TrafficWindow();
    w.record(T0, 'ok', 1, false);
    w.record(T0, 'timeout', 5000, false);
    const before = w.totals();
    w.record(T0 + 300, 'ok', 1, true);
    w.record(T0 + 400, 'unavailable', 0.1, false);
    w.record(T0 + 500, 'ok', 1, false);
    assert.deepEqual(countBetween(before, w.totals()), { requests: 3, failed: 1, failures: { unavailable: 1 }, retried: 1 });
  });

  it('latency buckets grow by √2 from 0.25 ms, the last one open', () => {
    assert.equal(bucketOf(0), 0);
    assert.equal(bucketOf(0.25), 0);
    assert.equal(bucketOf(0.26), 1);
    assert.equal(bucketOf(0.5), 2);
    assert.equal(bucketOf(1), 4);
    assert.equal(bucketOf(1e9), 31);
    assert.equal(bucketBound(31), Infinity);
    for (const ms of [0.3, 0.7, 1.3, 9, 77, 1234, 8000]) {
      const k = bucketOf(ms);
      assert.ok(ms <= bucketBound(k) && ms > bucketBound(k - 1), `${ms} ms in bucket ${k}`);
    }
  });

  it('percentiles from the histogram stay within a bucket (±41 %) of the exact ones, never above the largest', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.05, max: 20_000, noNaN: true }), { minLength: 1, maxLength: 300 }), (samples) => {
        const w = new TrafficWindow();
        for (const ms of samples) w.record(T0 + 100, 'ok', ms, false);
        const sorted = [...samples].sort((a, b) => a - b);
        const [p50, p99] = w.latency(T0, T0, [50, 99]);
        for (const [p, got] of [[50, p50], [99, p99]] as const) {
          const exact = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
          assert.ok(got !== null && got !== undefined);
          assert.ok(got <= sorted.at(-1)! + 1e-9, `p${p} ${got} above the largest ${sorted.at(-1)}`);
          // Same bucket as the exact value, or (interpolating) its neighbour below; figures are rounded to 1 µs.
          const k = bucketOf(exact);
          const low = k <= 1 ? 0 : bucketBound(k - 2);
          assert.ok(got >= low - 0.001 && got <= bucketBound(k) + 0.001, `p${p}: got ${got}, exact ${exact}`);
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('percentiles of several seconds merge their histograms', () => {
    const w = new TrafficWindow();
    for (let i = 0; i < 99; i++) w.record(T0, 'ok', 1, false);
    w.record(T0 + 1000, 'ok', 100, false);
    const [p50, p99, p100] = w.latency(T0, T0 + 1000, [50, 99, 100]);
    assert.ok(p50! <= 1 && p50! > 0.7, `p50 ${p50}`);
    assert.ok(p99! <= 1, `p99 ${p99}`);
    assert.equal(p100, 100);
  });

  it('keeps nothing per request: after 100,000 requests its arrays are the size they started at', () => {
    // How fast recording is, is measured by bench/traffic-meter.ts, not tested here.
    const w = new TrafficWindow();
    const kinds: Outcome[] = ['ok', 'ok', 'ok', 'reset', 'app-5xx'];
    for (let i = 0; i < 100_000; i++) w.record(T0 + i * 7, kinds[i % 5]!, (i % 97) / 3, i % 11 === 0);
    const counters = (w as unknown as { counters: Uint32Array }).counters;
    assert.equal(counters.length, 600 * 8);
    assert.equal(w.totals().requests, 100_000);
  });
});

describe('traffic summary in words', () => {
  it('says how many were served, failed and retried', () => {
    assert.equal(trafficSummary({ requests: 1245, failed: 0, failures: {}, retried: 3 }), '1,245 requests served during the rollout, 0 failed (3 retried)');
    assert.equal(trafficSummary({ requests: 1, failed: 0, failures: {}, retried: 0 }), '1 request served during the rollout, 0 failed');
    assert.equal(trafficSummary({ requests: 0, failed: 0, failures: {}, retried: 0 }), '0 requests served during the rollout, 0 failed');
  });

  it('names the kinds of failure', () => {
    assert.equal(
      trafficSummary({ requests: 20, failed: 3, failures: { reset: 1, 'app-5xx': 2 }, retried: 4 }),
      '20 requests served during the rollout, 3 failed: 1 reset, 2 5xx from the app; 4 retried',
    );
    assert.equal(trafficSummary({ requests: 5, failed: 5, failures: { unavailable: 5 }, retried: 0 }), '5 requests served during the rollout, 5 failed: 5 no replica ready');
  });

  it('counts connections for a TCP app', () => {
    assert.equal(trafficSummary({ requests: 12, failed: 0, failures: {}, retried: 0 }, 'connections'), '12 connections accepted during the rollout, 0 failed');
  });
});
