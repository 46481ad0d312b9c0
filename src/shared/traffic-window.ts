// An app's recent traffic through the ingress, per second, for a bounded window: a ring of 600
// one-second buckets (the last 10 minutes), each holding counters (requests, failures by kind,
// retries that saved a request) and a small fixed latency histogram, so percentiles come from
// counts and no sample is kept. Running totals since the window was made let a rollout count its
// requests exactly (totals at its end minus totals at its start). Pure: the time is passed in.
// Recording is O(1) and allocates nothing once the arrays exist (they are made on the first request).
//
// Latency buckets grow by √2 from 0.25 ms: bucket 0 holds ≤ 0.25 ms, bucket k (0.25·2^((k-1)/2),
// 0.25·2^(k/2)] ms, the last one everything above 8.2 s. A percentile is read by interpolating
// inside its bucket, capped by the largest latency of the seconds asked about.

/** Why a request failed: the replica refused the connection, reset it, did not answer in time, no replica was ready, or the app answered 5xx. */
export type FailureKind = 'refused' | 'reset' | 'timeout' | 'unavailable' | 'app-5xx';
export const FAILURE_KINDS: readonly FailureKind[] = ['refused', 'reset', 'timeout', 'unavailable', 'app-5xx'];

/** How one request (or, for a `tcp` app, one connection) through the ingress ended; `cancelled`: its client went away first (not a failure). */
export type Outcome = 'ok' | 'cancelled' | FailureKind;

/** What a rollout (or any span) saw: how many requests, how many failed and why, how many a retry saved. */
export interface TrafficCount {
  requests: number;
  failed: number;
  /** Failures by kind; a kind without any is left out. */
  failures: Partial<Record<FailureKind, number>>;
  /** Requests that failed on one replica and were answered by another. */
  retried: number;
}

/** One entry a second from `from`: what the timeline's traffic strip draws. */
export interface TrafficSeries {
  /** Start of the first second, ms since the epoch. */
  from: number;
  requests: number[];
  failed: number[];
  retried: number[];
  /** Latency percentiles of each second in ms; null for a second without a latency. */
  p50: (number | null)[];
  p99: (number | null)[];
}

/** One second of traffic (what a followed traffic stream sends each second). */
export interface TrafficSecond {
  /** Start of the second, ms since the epoch. */
  at: number;
  requests: number;
  failed: number;
  retried: number;
  p50: number | null;
  p99: number | null;
}

export const WINDOW_SECONDS = 600;
const LATENCY_BUCKETS = 32;
const FIRST_BOUND_MS = 0.25;

// Counter slots of a bucket.
const REQUESTS = 0;
const RETRIED = 1;
const FAILED = 2;
/** Where each outcome is counted besides REQUESTS (ok and cancelled: nowhere else). */
const SLOT: Record<Outcome, number> = { ok: -1, cancelled: -1, refused: 3, reset: 4, timeout: 5, unavailable: 6, 'app-5xx': 7 };
const COUNTERS = 8;

/** Upper bound of latency bucket k in ms (Infinity for the last). */
export function bucketBound(k: number): number {
  return k >= LATENCY_BUCKETS - 1 ? Infinity : FIRST_BOUND_MS * 2 ** (k / 2);
}

/** The latency bucket of `ms`. */
export function bucketOf(ms: number): number {
  if (!(ms > FIRST_BOUND_MS)) return 0;
  return Math.min(LATENCY_BUCKETS - 1, Math.ceil(2 * Math.log2(ms / FIRST_BOUND_MS)));
}

export function emptyCount(): TrafficCount {
  return { requests: 0, failed: 0, failures: {}, retried: 0 };
}

/** `later` minus `earlier`: what happened between two readings of the totals. */
export function countBetween(earlier: TrafficCount, later: TrafficCount): TrafficCount {
  const failures: Partial<Record<FailureKind, number>> = {};
  for (const k of FAILURE_KINDS) {
    const n = (later.failures[k] ?? 0) - (earlier.failures[k] ?? 0);
    if (n > 0) failures[k] = n;
  }
  return { requests: later.requests - earlier.requests, failed: later.failed - earlier.failed, failures, retried: later.retried - earlier.retried };
}

export class TrafficWindow {
  /** Which second each bucket holds (a bucket whose second is not the one asked for is empty). */
  private seconds: Float64Array | null = null;
  private counters: Uint32Array | null = null;
  private histogram: Uint32Array | null = null;
  private maxMs: Float64Array | null = null;
  private readonly total = { requests: 0, failed: 0, retried: 0, failures: [0, 0, 0, 0, 0, 0, 0, 0] };

  constructor(readonly size = WINDOW_SECONDS) {}

  /**
   * Counts one request that ended at `nowMs`; `latencyMs` null when it has none to count (a cancelled
   * one). `retried`: it failed on one replica first; counted as a retry that saved it only when it ended ok.
   */
  record(nowMs: number, outcome: Outcome, latencyMs: number | null, retried: boolean): void {
    if (this.seconds === null) this.allocate();
    const second = Math.floor(nowMs / 1000);
    const b = second % this.size;
    if (this.seconds![b] !== second) this.clear(b, second);
    const c = this.counters!;
    const base = b * COUNTERS;
    c[base + REQUESTS]!++;
    this.total.requests++;
    const slot = SLOT[outcome];
    if (slot >= 0) {
      c[base + slot]!++;
      c[base + FAILED]!++;
      this.total.failures[slot]!++;
      this.total.failed++;
    }
    if (retried && outcome === 'ok') {
      c[base + RETRIED]!++;
      this.total.retried++;
    }
    if (latencyMs !== null) {
      this.histogram![b * LATENCY_BUCKETS + bucketOf(latencyMs)]!++;
      if (latencyMs > this.maxMs![b]!) this.maxMs![b] = latencyMs;
    }
  }

  /** Everything counted since the window was made. */
  totals(): TrafficCount {
    const failures: Partial<Record<FailureKind, number>> = {};
    for (const k of FAILURE_KINDS) {
      const n = this.total.failures[SLOT[k]]!;
      if (n > 0) failures[k] = n;
    }
    return { requests: this.total.requests, failed: this.total.failed, failures, retried: this.total.retried };
  }

  /** One second's traffic (empty when it is older than the window or none came). */
  second(startMs: number): TrafficSecond {
    const second = Math.floor(startMs / 1000);
    const b = this.bucket(second);
    if (b === null) return { at: second * 1000, requests: 0, failed: 0, retried: 0, p50: null, p99: null };
    const c = this.counters!;
    const [p50, p99] = this.percentiles([b], [50, 99]);
    return { at: second * 1000, requests: c[b * COUNTERS + REQUESTS]!, failed: c[b * COUNTERS + FAILED]!, retried: c[b * COUNTERS + RETRIED]!, p50: p50!, p99: p99! };
  }

  /** The seconds from `fromMs` to `toMs` (both included), at most the window's size, the latest ones kept. */
  series(fromMs: number, toMs: number): TrafficSeries {
    const last = Math.floor(toMs / 1000);
    const first = Math.max(Math.floor(fromMs / 1000), last - this.size + 1);
    const out: TrafficSeries = { from: first * 1000, requests: [], failed: [], retried: [], p50: [], p99: [] };
    for (let s = first; s <= last; s++) {
      const x = this.second(s * 1000);
      out.requests.push(x.requests);
      out.failed.push(x.failed);
      out.retried.push(x.retried);
      out.p50.push(x.p50);
      out.p99.push(x.p99);
    }
    return out;
  }

  /** Latency percentiles over the seconds from `fromMs` to `toMs` together (null when none had a latency). */
  latency(fromMs: number, toMs: number, ps: readonly number[]): (number | null)[] {
    const buckets: number[] = [];
    const last = Math.floor(toMs / 1000);
    for (let s = Math.max(Math.floor(fromMs / 1000), last - this.size + 1); s <= last; s++) {
      const b = this.bucket(s);
      if (b !== null) buckets.push(b);
    }
    return this.percentiles(buckets, ps);
  }

  private bucket(second: number): number | null {
    if (this.seconds === null) return null;
    const b = second % this.size;
    return this.seconds[b] === second ? b : null;
  }

  private percentiles(buckets: readonly number[], ps: readonly number[]): (number | null)[] {
    const h = this.histogram;
    if (h === null) return ps.map(() => null);
    const merged = new Array<number>(LATENCY_BUCKETS).fill(0);
    let count = 0;
    let max = 0;
    for (const b of buckets) {
      for (let k = 0; k < LATENCY_BUCKETS; k++) merged[k]! += h[b * LATENCY_BUCKETS + k]!;
      max = Math.max(max, this.maxMs![b]!);
    }
    for (const n of merged) count += n;
    if (count === 0) return ps.map(() => null);
    return ps.map((p) => {
      const rank = Math.max(1, Math.ceil((p / 100) * count));
      let seen = 0;
      for (let k = 0; k < LATENCY_BUCKETS; k++) {
        const n = merged[k]!;
        if (seen + n >= rank) {
          const lower = k === 0 ? 0 : bucketBound(k - 1);
          const upper = Math.min(bucketBound(k), max);
          const at = lower + (Math.max(upper, lower) - lower) * ((rank - seen) / n);
          return Math.min(Math.round(at * 1000) / 1000, max);
        }
        seen += n;
      }
      return max;
    });
  }

  private allocate(): void {
    this.seconds = new Float64Array(this.size).fill(-1);
    this.counters = new Uint32Array(this.size * COUNTERS);
    this.histogram = new Uint32Array(this.size * LATENCY_BUCKETS);
    this.maxMs = new Float64Array(this.size);
  }

  private clear(b: number, second: number): void {
    this.seconds![b] = second;
    this.counters!.fill(0, b * COUNTERS, (b + 1) * COUNTERS);
    this.histogram!.fill(0, b * LATENCY_BUCKETS, (b + 1) * LATENCY_BUCKETS);
    this.maxMs![b] = 0;
  }
}

const KIND_WORDS: Record<FailureKind, string> = {
  refused: 'refused',
  reset: 'reset',
  timeout: 'timed out',
  unavailable: 'no replica ready',
  'app-5xx': '5xx from the app',
};

/** `1,245` */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * What a rollout's traffic was, in words: `1,245 requests served during the rollout, 0 failed (3 retried)`,
 * or with failures `…, 2 failed: 1 reset, 1 5xx from the app; 3 retried`. `unit`: connections for a `tcp` app.
 */
export function trafficSummary(c: TrafficCount, unit: 'requests' | 'connections' = 'requests'): string {
  const noun = c.requests === 1 ? unit.slice(0, -1) : unit;
  const head = `${formatCount(c.requests)} ${noun} ${unit === 'requests' ? 'served' : 'accepted'} during the rollout, ${formatCount(c.failed)} failed`;
  if (c.failed === 0) return c.retried > 0 ? `${head} (${formatCount(c.retried)} retried)` : head;
  const kinds = FAILURE_KINDS.filter((k) => (c.failures[k] ?? 0) > 0).map((k) => `${formatCount(c.failures[k]!)} ${KIND_WORDS[k]}`);
  return `${head}: ${kinds.join(', ')}${c.retried > 0 ? `; ${formatCount(c.retried)} retried` : ''}`;
}
