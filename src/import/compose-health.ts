// A compose (or process-compose) health check as a manifest `health`: curl/wget of a local URL →
// `check GET /path`; pg_isready and redis-cli ping → `check exec` with `${PORT}`; `nc -z` → `check
// tcp`; anything else (a script inside the container) → `check tcp` when there is a port, with a
// warning. Interval, timeout and retries are copied only when written; a start period over the
// rollout deadline (120 s) becomes the deadline. Pure.
import { splitWords } from '../shared/manifest/tokenize';
import type { DraftApp, DraftHealth, Notes, Where } from './model';

/** A compose duration (`1m30s`, `10s`, `500ms`) as a manifest duration, or null. */
export function duration(value: unknown): string | null {
  if (typeof value === 'number') return `${value}s`;
  if (typeof value !== 'string') return null;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value.trim()) return null;
  let ms = 0;
  for (const [, n, unit] of parts) ms += Number(n) * ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, ns: 0.000001 } as Record<string, number>)[unit!]!;
  ms = Math.round(ms);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const msOf = (d: string | null) => (d === null ? 0 : d.endsWith('ms') ? Number(d.slice(0, -2)) : Number(d.slice(0, -1)) * 1000);

/** The check a test command maps to, or null (with why) when it does not. */
export function checkOf(argv: readonly string[], port: number | null): { check: string[] } | { why: string } {
  const [program = '', ...rest] = argv;
  const base = program.split('/').pop()!;
  if (base === 'curl' || base === 'wget') {
    const url = rest.find((a) => /^https?:\/\//.test(a));
    if (!url) return { why: `${base} with no URL` };
    const u = new URL(url);
    if (!/^(localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)$/.test(u.hostname)) return { why: `${base} of ${u.host}, which is not this app` };
    return { check: ['GET', u.pathname + u.search, '200'] };
  }
  if (base === 'pg_isready') return { check: ['exec', 'pg_isready', '-h', '127.0.0.1', '-p', '${PORT}'] };
  if (base === 'redis-cli' && rest.includes('ping')) return { check: ['exec', 'redis-cli', '-p', '${PORT}', 'ping'] };
  if ((base === 'nc' || base === 'netcat') && rest.includes('-z')) return port !== null ? { check: ['tcp'] } : { why: 'nc -z, and the app has no port' };
  return { why: `\`${argv.join(' ')}\` runs inside the container` };
}

export interface HealthInput {
  /** The test as program and arguments (a CMD-SHELL string is split on words). */
  argv: string[] | null;
  interval: unknown;
  timeout: unknown;
  retries: unknown;
  startPeriod: unknown;
}

export function mapHealth(app: DraftApp, h: HealthInput, line: number | Where, notes: Notes): void {
  if (!h.argv || h.argv.length === 0) return;
  const mapped = checkOf(h.argv, app.port);
  let check: string[];
  if ('check' in mapped) {
    check = mapped.check;
  } else if (app.port !== null) {
    check = ['tcp'];
    notes.dropped(line, app.name, `healthcheck ${mapped.why} → check tcp`);
  } else {
    notes.dropped(line, app.name, `healthcheck ${mapped.why}, and the app has no port: no health check (settle applies)`);
    return;
  }
  const health: DraftHealth = { check, interval: duration(h.interval), timeout: duration(h.timeout), retries: null };
  if (typeof h.retries === 'number' && h.retries >= 1 && h.retries <= 100) health.retries = h.retries;
  app.health = health;
  const start = duration(h.startPeriod);
  if (start !== null && msOf(start) > 120_000) {
    app.deadline = start;
    notes.info(line, app.name, `start_period ${start} → rollout deadline`);
  }
}

/** A compose `healthcheck.test` as argv: `[CMD, ...]`, `[CMD-SHELL, s]`, a string (CMD-SHELL), or null for NONE. */
export function testArgv(test: unknown): string[] | null {
  if (typeof test === 'string') return splitWords(test);
  if (!Array.isArray(test) || test.length === 0) return null;
  const [kind, ...rest] = test.map(String);
  if (kind === 'NONE') return null;
  if (kind === 'CMD-SHELL') return splitWords(rest.join(' '));
  if (kind === 'CMD') return rest;
  return test.map(String);
}
