// The backend pool of one app's ingress, as kamal-proxy keeps its targets apart from its router:
// which replicas take new requests, how many requests (or connections) each has in flight, and when
// a leaving one is done. No sockets and no clock: the forwarders (ingress-http.ts, ingress-tcp.ts)
// ask it for a backend and settle what they began; the drain cap runs on a timer that is given, so
// unit tests drive it step by step.
//
// Backend lifecycle:
//
//   active ──leave──▶ leaving ──in flight reach 0 / drain cap passed──▶ gone
//     ▲                  │
//     └──────join────────┘   (a join does not cancel the cap that the leave set)
//
// Only an active backend is picked: the one with the fewest in flight, round robin among equals.
// Every begin() returns its own settle(), which counts once however often it is called.

export interface BackendRef {
  id: string;
  host: string;
  port: number;
}

export type BackendState = 'active' | 'leaving' | 'gone';

/** A backend as the pool shows it; only the pool changes its state and count. */
export interface Backend extends BackendRef {
  readonly state: BackendState;
  readonly inFlight: number;
}

/** Where the drain cap's wait comes from (real timers in the Conductor, a fake one in tests). */
export interface DrainTimer {
  /** Calls `fn` once `ms` have passed; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** Timers that never keep the Conductor's process alive on their own. */
export const unrefTimer: DrainTimer = {
  after(ms, fn) {
    const handle = setTimeout(fn, ms).unref();
    return () => clearTimeout(handle);
  },
};

/** What the pool tells its owner about a backend's lifecycle. */
export interface PoolEvents {
  /** `b` is new in the pool. */
  joined?(b: Backend): void;
  /** `b` takes no new work from now on (its idle connections can close). */
  leaving?(b: Backend): void;
  /** `b` is out of the pool for good (whatever was kept for it can go). */
  gone?(b: Backend): void;
  /** The drain cap of `b` passed with work still in flight; it goes anyway. */
  overran?(b: Backend, capMs: number): void;
}

interface Member extends BackendRef {
  state: BackendState;
  inFlight: number;
  /** The leaves waiting for it to be gone. */
  waiters: Array<() => void>;
  /** Cancels the drain caps still running. */
  caps: Array<() => void>;
}

export class BackendPool {
  private readonly members = new Map<string, Member>();
  private next = 0;

  constructor(
    private readonly events: PoolEvents = {},
    private readonly timer: DrainTimer = unrefTimer,
  ) {}

  get(id: string): Backend | undefined {
    return this.members.get(id);
  }

  /** Joins a backend; one that is leaving becomes active again (it keeps its host and port). */
  add(ref: BackendRef): void {
    const existing = this.members.get(ref.id);
    if (existing) {
      existing.state = 'active';
      return;
    }
    const m: Member = { id: ref.id, host: ref.host, port: ref.port, state: 'active', inFlight: 0, waiters: [], caps: [] };
    this.members.set(ref.id, m);
    this.events.joined?.(m);
  }

  /** The active backend with the fewest in flight (round robin among equals), not in `skip`. */
  pick(skip: ReadonlySet<string> = new Set()): Backend | null {
    const active = [...this.members.values()].filter((m) => m.state === 'active' && !skip.has(m.id));
    if (active.length === 0) return null;
    let best: Member | null = null;
    for (let i = 0; i < active.length; i++) {
      const m = active[(this.next + i) % active.length]!;
      if (!best || m.inFlight < best.inFlight) best = m;
    }
    this.next = (this.next + 1) % active.length;
    return best;
  }

  /** Counts one request or connection on `b`; the returned settle() ends it (once). */
  begin(b: Backend): () => void {
    const m = this.members.get(b.id);
    if (m !== b) return () => {};
    m.inFlight++;
    let settled = false;
    return () => {
      if (settled) return;
      settled = true;
      m.inFlight--;
      if (m.inFlight === 0 && m.state === 'leaving') this.drop(m);
    };
  }

  /** Takes a backend out of rotation; resolves once it is gone: nothing in flight, or `capMs` passed. */
  leave(id: string, capMs: number): Promise<void> {
    const m = this.members.get(id);
    if (!m) return Promise.resolve();
    m.state = 'leaving';
    this.events.leaving?.(m);
    return new Promise<void>((resolve) => {
      m.waiters.push(resolve);
      if (m.inFlight === 0) this.drop(m);
      else m.caps.push(this.timer.after(capMs, () => this.capPassed(m, capMs)));
    });
  }

  activeCount(): number {
    return [...this.members.values()].filter((m) => m.state === 'active').length;
  }

  /** Every backend goes at once (the listener is closing); pending leaves resolve. */
  clear(): void {
    for (const m of [...this.members.values()]) this.drop(m);
  }

  private capPassed(m: Member, capMs: number): void {
    if (this.members.get(m.id) !== m) return;
    this.events.overran?.(m, capMs);
    this.drop(m);
  }

  private drop(m: Member): void {
    if (this.members.get(m.id) !== m) return;
    this.members.delete(m.id);
    m.state = 'gone';
    for (const cancel of m.caps.splice(0)) cancel();
    this.events.gone?.(m);
    for (const resolve of m.waiters.splice(0)) resolve();
  }
}
