// Health probes, run by the Conductor against each replica's own port. One small owned worker a
// replica (as kamal-proxy's health check is): readiness at a fast cadence from the moment the
// replica is launched, so cutover follows readiness within tens of milliseconds; then liveness at
// the check's `interval`, where `retries` failures in a row make the replica unhealthy.
//
//   readiness ──first success──▶ liveness ──`retries` failures in a row──▶ unhealthy (closed)
//   (no health check: ready once it has stayed up for `settle`)
import * as http from 'node:http';
import * as net from 'node:net';
import type { HealthSpec } from '../shared/manifest/model';

export type ProbeResult = { ok: true } | { ok: false; detail: string };

export interface ProbeTarget {
  address: string;
  port: number;
  health: HealthSpec;
}

export function describeTarget(t: ProbeTarget): string {
  const host = t.address.includes(':') ? `[${t.address}]` : t.address;
  return t.health.kind === 'http' ? `GET http://${host}:${t.port}${t.health.path}` : `tcp ${host}:${t.port}`;
}

export function probeOnce(t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  return t.health.kind === 'tcp' ? probeTcp(t, timeoutMs) : probeHttp(t, timeoutMs);
}

function errorDetail(err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNREFUSED') return 'connection refused';
  if (err.code === 'ECONNRESET') return 'connection reset';
  return err.code ?? err.message;
}

function probeHttp(t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const req = http.request(
      { host: t.address, port: t.port, path: t.health.path ?? '/', method: 'GET', agent: false, headers: { 'user-agent': 'skr8tr-probe' } },
      (res) => {
        res.resume();
        const expected = t.health.status ?? 200;
        done(res.statusCode === expected ? { ok: true } : { ok: false, detail: `answered ${res.statusCode} (expected ${expected})` });
      },
    );
    const timer = setTimeout(() => done({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
    req.on('error', (err) => done({ ok: false, detail: errorDetail(err) }));
    req.end();
  });
}

function probeTcp(t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: t.address, port: t.port });
    const timer = setTimeout(() => finish({ ok: false, detail: `no connection within ${timeoutMs} ms` }), timeoutMs);
    function finish(r: ProbeResult) {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    }
    socket.once('connect', () => finish({ ok: true }));
    socket.once('error', (err) => finish({ ok: false, detail: errorDetail(err) }));
  });
}

/** Readiness cadence: fast at first, easing off for slow starters. */
const READY_FIRST_MS = 5;
const READY_MAX_MS = 25;

export interface ProberEvents {
  ready(): void;
  unhealthy(detail: string): void;
}

export class ReplicaProber {
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private phase: 'readiness' | 'liveness' = 'readiness';
  private failures = 0;
  /** The last probe's outcome, for messages ("not ready after 120 s: … answered 503"). */
  last: string | null = null;

  constructor(
    private readonly target: ProbeTarget | null,
    settleMs: number,
    private readonly events: ProberEvents,
  ) {
    if (target === null) {
      this.last = `waiting ${settleMs} ms to settle (no health check)`;
      this.timer = setTimeout(() => {
        if (!this.closed) {
          this.phase = 'liveness';
          this.events.ready();
        }
      }, settleMs);
    } else {
      this.schedule(0, READY_FIRST_MS);
    }
  }

  get describe(): string {
    return this.target ? describeTarget(this.target) : 'settle';
  }

  private schedule(delay: number, nextDelay: number): void {
    this.timer = setTimeout(() => void this.run(nextDelay), delay);
  }

  private async run(delay: number): Promise<void> {
    const t = this.target!;
    const timeout = this.phase === 'readiness' ? Math.min(t.health.timeoutMs, 1000) : t.health.timeoutMs;
    const result = await probeOnce(t, timeout);
    if (this.closed) return;
    this.last = result.ok ? 'ok' : result.detail;
    if (this.phase === 'readiness') {
      if (result.ok) {
        this.phase = 'liveness';
        this.events.ready();
        if (!this.closed) this.schedule(t.health.intervalMs, t.health.intervalMs);
        return;
      }
      this.schedule(delay, Math.min(READY_MAX_MS, Math.ceil(delay * 1.5)));
      return;
    }
    if (result.ok) {
      this.failures = 0;
    } else if (++this.failures >= t.health.retries) {
      this.close();
      this.events.unhealthy(`${describeTarget(t)}: ${result.detail} (${this.failures} times in a row)`);
      return;
    }
    this.schedule(t.health.intervalMs, t.health.intervalMs);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
