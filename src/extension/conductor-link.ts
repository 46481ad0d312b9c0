// The link to the Conductor and the one decision "is there still a Conductor to talk to?", taken the
// same way from every path that can ask it: a connect, a stream that ended, a retry, the home
// watcher. No vscode and no clock here: the stream, the presence check and the timer are given, so
// unit tests drive it step by step.
//
//   disconnected ──connect──▶ connecting ──up──▶ connected
//        ▲                      │   ▲                │ stream ended
//        │                      │   └──── retry ◀────┤ presence: running (the pid still looks alive)
//        └── absent / crashed ◀─┴────────────────────┘ presence: absent → disconnected
//                                                      presence: crashed → disconnected, gone(pid)
//
// A SIGKILLed process closes its sockets before it becomes a zombie, and a slow PID 1 may leave it a
// zombie for seconds: the first look after a lost stream can still see the pid alive. That is a
// "retry", and the retry asks again, so the crash is always reached, however late.

/** What the home folder says about the Conductor. */
export type Presence<C> =
  | { kind: 'running'; client: C }
  /** conductor.json left behind by a process that is gone: it did not stop cleanly. */
  | { kind: 'crashed'; pid: number }
  /** No Conductor and none crashed (never started, or stopped cleanly). */
  | { kind: 'absent' }
  /** One runs that is not ours to use (another version); nothing to connect to or restart. */
  | { kind: 'unusable'; why: string };

export type LinkState = 'disconnected' | 'connecting' | 'connected';

/** What follows a look at the presence. */
export type Next = 'open' | 'retry' | 'idle' | 'gone';

/**
 * The decision. `after`: a connect (nothing was open) or a stream that ended. `attached`: this link
 * had a live connection to a Conductor that nobody here chose to leave; only then is a crash ours to
 * report (a stale conductor.json found at start-up is not a crash we saw).
 */
export function nextStep(p: Presence<unknown>, after: 'connect' | 'ended', attached: boolean): Next {
  switch (p.kind) {
    case 'running':
      return after === 'connect' ? 'open' : 'retry';
    case 'crashed':
      return attached ? 'gone' : 'idle';
    case 'absent':
    case 'unusable':
      return 'idle';
  }
}

export interface Timer {
  /** Runs `fn` after `ms`; returns a cancel function. */
  set(fn: () => void, ms: number): () => void;
}

export const realTimer: Timer = {
  set(fn, ms) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export interface LinkDeps<C> {
  presence(): Presence<C>;
  /** Opens the event stream; calls `up` once it is live; settles when it ends. */
  open(client: C, signal: AbortSignal, up: () => void): Promise<void>;
  /** The state changed. */
  state(s: LinkState): void;
  /**
   * The Conductor this link was attached to is no more: `crashedPid` when it did not stop cleanly
   * (the caller's supervisor may restart it), null when it stopped cleanly.
   */
  lost(crashedPid: number | null): void;
  log(line: string): void;
  timer: Timer;
}

export const FIRST_RETRY_MS = 100;
export const MAX_RETRY_MS = 5_000;

export class ConductorLink<C> {
  private _state: LinkState = 'disconnected';
  private _client: C | null = null;
  private attached = false;
  private abort: AbortController | null = null;
  private cancelRetry: (() => void) | null = null;
  private pending: Promise<boolean> | null = null;
  private backoffMs = FIRST_RETRY_MS;
  private disposed = false;

  constructor(private readonly deps: LinkDeps<C>) {}

  get state(): LinkState {
    return this._state;
  }

  /** The client of the connected Conductor (null unless connected). */
  get client(): C | null {
    return this._state === 'connected' ? this._client : null;
  }

  /**
   * Connects to the running Conductor, if there is one (or to `client`, just started); resolves
   * true once the stream is live, false when there is nothing to connect to or it failed.
   */
  connect(client?: C): Promise<boolean> {
    if (this.disposed) return Promise.resolve(false);
    if (!client) {
      if (this._state === 'connected') return Promise.resolve(true);
      if (this.pending) return this.pending;
    }
    return this.attempt('connect', client ? { kind: 'running', client } : undefined);
  }

  /** Leaves the Conductor on purpose (this window's hold on its lease goes with it). */
  disconnect(): void {
    this.stopTrying();
    this.attached = false;
    this._client = null;
    this.setState('disconnected');
  }

  dispose(): void {
    this.disposed = true;
    this.disconnect();
  }

  private stopTrying(): void {
    this.abort?.abort();
    this.abort = null;
    this.cancelRetry?.();
    this.cancelRetry = null;
    this.pending = null;
  }

  private look(): Presence<C> {
    try {
      return this.deps.presence();
    } catch (err) {
      return { kind: 'unusable', why: (err as Error).message };
    }
  }

  private attempt(after: 'connect' | 'ended', given?: Presence<C>): Promise<boolean> {
    this.stopTrying();
    const p = given ?? this.look();
    const next = nextStep(p, after, this.attached);
    if (p.kind === 'unusable') this.deps.log(p.why);
    switch (next) {
      case 'open':
        return this.open((p as { kind: 'running'; client: C }).client);
      case 'retry':
        this.retryLater();
        return Promise.resolve(false);
      case 'idle':
      case 'gone':
        this.end(next === 'gone' ? (p as { kind: 'crashed'; pid: number }).pid : null);
        return Promise.resolve(false);
    }
  }

  private open(client: C): Promise<boolean> {
    this._client = client;
    this.setState('connecting');
    const abort = new AbortController();
    this.abort = abort;
    const result = new Promise<boolean>((resolve) => {
      let settled = false;
      const settle = (ok: boolean) => {
        if (settled) return;
        settled = true;
        if (this.pending === result) this.pending = null;
        resolve(ok);
      };
      const up = () => {
        if (abort.signal.aborted) return;
        this.backoffMs = FIRST_RETRY_MS;
        this.attached = true;
        this.setState('connected');
        settle(true);
      };
      this.deps
        .open(client, abort.signal, up)
        .catch((err: Error) => this.deps.log(`event stream: ${err.message}`))
        .finally(() => {
          settle(false);
          if (abort.signal.aborted || this.disposed) return;
          this.abort = null;
          void this.attempt('ended');
        });
    });
    this.pending = result;
    return result;
  }

  private retryLater(): void {
    this.setState('connecting');
    const delay = this.backoffMs;
    this.backoffMs = Math.min(MAX_RETRY_MS, this.backoffMs * 2);
    this.cancelRetry = this.deps.timer.set(() => {
      this.cancelRetry = null;
      void this.attempt('connect');
    }, delay);
  }

  private end(crashedPid: number | null): void {
    const wasAttached = this.attached;
    this.attached = false;
    this._client = null;
    this.backoffMs = FIRST_RETRY_MS;
    this.setState('disconnected');
    if (crashedPid !== null) this.deps.log(`the Conductor (pid ${crashedPid}) is gone`);
    if (wasAttached) this.deps.lost(crashedPid);
  }

  private setState(s: LinkState): void {
    if (s === this._state) return;
    this._state = s;
    this.deps.state(s);
  }
}
