// The ingress's traffic meter: one TrafficWindow (shared/traffic-window.ts) per app, fed by one call
// at the end of each request (ingress-http.ts) or connection (ingress-tcp.ts), read by the API
// (`GET /v1/workloads/:name/traffic`) and by rollout timelines (rollout-timelines.ts). Always on:
// a record is a few array increments, no allocation, no I/O.
import { TrafficWindow, type Outcome, type TrafficCount } from '../shared/traffic-window';

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
