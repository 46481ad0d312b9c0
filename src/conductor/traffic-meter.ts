// The ingress's traffic meter: one TrafficWindow (shared/traffic-window.ts) per app, fed by one call
// at the end of each request (ingress-http.ts) or connection (ingress-tcp.ts), read by the API
// (`GET /v1/workloads/:name/traffic`) and by rollout timelines (rollout-timelines.ts). Always on:
// a record is a few array increments, no allocation, no I/O.
import type { TrafficView } from '../shared/protocol/api';
import { TrafficWindow, WINDOW_SECONDS, type Outcome, type TrafficCount, type TrafficSecond } from '../shared/traffic-window';

/** What the ingress calls when a request ends: how, after how long, whether a retry saved it. */
export type TrafficRecorder = (outcome: Outcome, latencyMs: number | null, retried: boolean) => void;

export class TrafficMeter {
  private readonly windows = new Map<string, TrafficWindow>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The recorder of one app's listener (bound once, when the listener is made). */
  recorder(app: string): TrafficRecorder {
    const w = this.windowOf(app);
    const now = this.now;
    return (outcome, latencyMs, retried) => w.record(now(), outcome, latencyMs, retried);
  }

  /** The app's window, or null when no request of it was ever counted. */
  window(app: string): TrafficWindow | null {
    return this.windows.get(app) ?? null;
  }

  /** Everything the app's ingress counted since this Conductor started (zero when nothing yet). */
  totals(app: string): TrafficCount {
    return this.windowOf(app).totals();
  }

  /** What the API shows of an app's traffic: the seconds from `since` (the whole window by default) and the totals. */
  view(app: string, unit: TrafficView['unit'], since: number | null): TrafficView {
    const now = this.now();
    const w = this.windowOf(app);
    return { app, unit, series: w.series(since ?? now - WINDOW_SECONDS * 1000, now), totals: w.totals() };
  }

  /** Sends each second of the app's traffic once it is complete, until the returned function stops it. */
  follow(app: string, send: (s: TrafficSecond) => void): () => void {
    let next = Math.floor(this.now() / 1000) * 1000;
    let timer: NodeJS.Timeout | null = null;
    const tick = () => {
      const now = this.now();
      for (; next + 1000 <= now; next += 1000) send(this.windowOf(app).second(next));
      timer = setTimeout(tick, next + 1000 - now + 20).unref();
    };
    timer = setTimeout(tick, next + 1000 - this.now() + 20).unref();
    return () => {
      if (timer) clearTimeout(timer);
    };
  }

  /** The app is gone: its figures go too. */
  forget(app: string): void {
    this.windows.delete(app);
  }

  private windowOf(app: string): TrafficWindow {
    let w = this.windows.get(app);
    if (!w) this.windows.set(app, (w = new TrafficWindow()));
    return w;
  }
}
