// Health probes, run by the Conductor against each replica's own port. One small owned worker a
// replica (as kamal-proxy's health check is): readiness at a fast cadence from the moment the
// replica is launched, so cutover follows readiness within tens of milliseconds; then liveness at
// the check's `interval`, where `retries` failures in a row make the replica unhealthy.
//
//   readiness ──first success──▶ liveness ──`retries` failures in a row──▶ unhealthy (closed)
//   (no health check: ready once it has stayed up for `settle`)
//
// A `check exec` runs its program here, on the Conductor's host, with `${PORT}` as the replica's
// port: it is only placed on nodes of this host (scheduler.ts), where the replica's port is this
// host's too. Never through a shell; a run longer than the timeout is killed with its process group.
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import type { HealthSpec } from '../shared/manifest/model';
import { childEnd, startFailure } from '../shared/platform/child-end';
import { signalGroup } from '../shared/platform/process';

export type ProbeResult = { ok: true } | { ok: false; detail: string };

export interface ProbeTarget {
  address: string;
  /** The replica's port; null only for a `check exec` of an app with no port. */
  port: number | null;
  health: HealthSpec;
  /** The app's working folder: where a `check exec` program runs. */
  cwd: string;
}

export function describeTarget(t: ProbeTarget): string {
  const host = t.address.includes(':') ? `[${t.address}]` : t.address;
  if (t.health.kind === 'exec') return `exec ${execArgv(t).join(' ')}`;
  return t.health.kind === 'http' ? `GET http://${host}:${t.port}${t.health.path}` : `tcp ${host}:${t.port}`;
}

export function probeOnce(t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  if (t.health.kind === 'exec') return probeExec(t, timeoutMs);
  return t.health.kind === 'tcp' ? probeTcp(t, timeoutMs) : probeHttp(t, timeoutMs);
}

/** Whether an address is this host's loopback, where a `check exec` reaches the replica. */
export function isLoopback(address: string): boolean {
  return address === '::1' || address === 'localhost' || /^127\./.test(address);
}

/** The `check exec` program and its arguments, `${PORT}` expanded to the replica's port. */
function execArgv(t: ProbeTarget): string[] {
  return (t.health.command ?? []).map((a) => a.replace(/\$\{PORT\}/g, t.port === null ? '' : String(t.port)));
}

async function probeExec(t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  if (!isLoopback(t.address)) {
    return { ok: false, detail: `a \`check exec\` runs on the Conductor's host, and this replica runs on ${t.address}` };
  }
  const [program, ...args] = execArgv(t);
  const child = spawn(program!, args, {
    cwd: t.cwd,
    env: { ...process.env, PORT: t.port === null ? '' : String(t.port) },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    shell: false,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 512) stderr += chunk.toString('utf8');
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  }, timeoutMs);
  const end = await childEnd(child);
  clearTimeout(timer);
  if (!end.started) return { ok: false, detail: startFailure(end.error, program!) };
  if (timedOut) return { ok: false, detail: `no exit within ${timeoutMs} ms` };
  if (end.code === 0) return { ok: true };
  const said = stderr.trim().split('\n')[0]?.slice(0, 200);
  return { ok: false, detail: `${end.code !== null ? `exited ${end.code}` : `ended by ${end.signal}`}${said ? `: ${said}` : ''}` };
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
      { host: t.address, port: t.port!, path: t.health.path ?? '/', method: 'GET', agent: false, headers: { 'user-agent': 'skr8tr-probe' } },
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
    const socket = net.connect({ host: t.address, port: t.port! });
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

/** Readiness cadence: fast at first, easing off for slow starters; a program is started at most four times a second. */
const READY_FIRST_MS = 5;
const READY_MAX_MS = 25;
const EXEC_READY_FIRST_MS = 50;
const EXEC_READY_MAX_MS = 250;

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
      this.schedule(0, target.health.kind === 'exec' ? EXEC_READY_FIRST_MS : READY_FIRST_MS);
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
    const exec = t.health.kind === 'exec';
    // A program gets its whole timeout even while starting: it has to start before it can answer.
    const timeout = this.phase === 'readiness' && !exec ? Math.min(t.health.timeoutMs, 1000) : t.health.timeoutMs;
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
      this.schedule(delay, Math.min(exec ? EXEC_READY_MAX_MS : READY_MAX_MS, Math.ceil(delay * 1.5)));
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
