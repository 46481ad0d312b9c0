// Fault injection for the recovery tests: with SKR8TR_CRASH_AT=<point>[:<n>] the Conductor kills
// itself with SIGKILL the n-th time (default: the first) it reaches <point> — a real kill -9 at an
// exact phase of a rollout. Read once at start; without the variable this does nothing.
export type CrashPoint = 'before-launch' | 'after-launch' | 'after-stop' | 'after-ready';

const spec = /^([a-z-]+)(?::(\d+))?$/.exec(process.env.SKR8TR_CRASH_AT ?? '');
const target = spec ? { point: spec[1], count: Number(spec[2] ?? 1) } : null;
let reached = 0;

export function crashPoint(point: CrashPoint): void {
  if (!target || target.point !== point) return;
  if (++reached === target.count) process.kill(process.pid, 'SIGKILL');
}
