// `--wait` of `up`, `rollout` and `rollback`: subscribe to the event stream, start, then follow the
// apps with the one waiter (shared/ready-waiter.ts), printing each step of their rollouts, until
// its verdict: 0 once every app is ready, 1 as soon as one
// failed or when `--timeout` passed. The stream says what changes; a timer wakes the waiter only for
// a deadline of its own.
import type { ConductorClient } from '../shared/client';
import { formatMs } from '../shared/format';
import { DEFAULTS, type AppSpec } from '../shared/manifest/model';
import { parseDuration } from '../shared/manifest/values';
import type { ApiEvent, SubmitResult } from '../shared/protocol/api';
import { ReadyWaiter, type WaitTarget, type WaitVerdict } from '../shared/ready-waiter';
import type { FollowUpdate } from '../shared/rollout-follower';
import { call } from './conductor-client';
import type { CommandContext } from './context';
import { subscribe } from './events';
import { CliError, UsageError } from './usage';
import { stepLine } from './commands/rollout';

type Final = Exclude<WaitVerdict, { kind: 'waiting' }>;

/** How long `--wait` waits at most when `--timeout` is not given: longer than an app's own default `deadline` (120 s) of a few replicas one after another. */
export const DEFAULT_WAIT_TIMEOUT_MS = 10 * 60_000;

export const waitOptions = { wait: { type: 'boolean' }, timeout: { type: 'string' } } as const;

/** The bound of a `--wait` (`--timeout D`, default 10 min); null without `--wait`. */
export function waitBound(values: { wait?: boolean; timeout?: string }, usage: string): number | null {
  if (values.timeout !== undefined && !values.wait) throw new UsageError('--timeout goes with --wait', usage);
  if (!values.wait) return null;
  if (values.timeout === undefined) return DEFAULT_WAIT_TIMEOUT_MS;
  const d = parseDuration(values.timeout);
  if (!d.ok || d.value <= 0) throw new UsageError(`--timeout must be a duration like 90s or 5m, not "${values.timeout}"`, usage);
  return d.value;
}

/** What to wait for after a submission: each of its apps, with its rollout, kind and deadline (from its spec). */
export function targetsOf(result: SubmitResult, specs: ReadonlyMap<string, AppSpec>): WaitTarget[] {
  return result.apps.map((a) => targetOf(a.name, a.rollout, specs.get(a.name)));
}

export function targetOf(app: string, rollout: string | null, spec: AppSpec | undefined): WaitTarget {
  return { app, rollout, job: spec?.type === 'job', deadlineMs: spec?.rollout.deadlineMs ?? DEFAULTS.rollout.deadlineMs };
}

/** Subscribes, runs `start` (which submits and says what to wait for), then waits; the exit code. */
export async function startAndWait(client: ConductorClient, ctx: CommandContext, start: () => Promise<WaitTarget[]>, timeoutMs: number): Promise<number> {
  const controller = new AbortController();
  const early: [ApiEvent, number][] = [];
  let waiter: ReadyWaiter | null = null;
  let kick = () => {};
  const show = (updates: FollowUpdate[]) => {
    for (const u of updates) {
      if (u.kind === 'step') ctx.out(stepLine(u.step));
      else if (u.kind === 'unknown') void ask(u.id);
    }
  };
  /** A rollout the stream's snapshot did not show (it may have ended before the stream looked). */
  const ask = async (id: string) => {
    const r = await call(ctx, () => client.call('getRollout', { id })).catch(() => null);
    if (r && waiter) show(waiter.seen(r));
    kick();
  };
  const { ended } = await subscribe(
    client,
    (e) => {
      if (!waiter) return void early.push([e, Date.now()]);
      show(waiter.event(e, Date.now()));
      kick();
    },
    controller.signal,
  );
  try {
    waiter = new ReadyWaiter(await start(), Date.now(), timeoutMs);
    for (const [e, at] of early.splice(0)) show(waiter.event(e, at));
    const verdict = await new Promise<Final>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      kick = () => {
        if (timer) clearTimeout(timer);
        timer = null;
        const v = waiter!.verdict(Date.now());
        if (v.kind !== 'waiting') return resolve(v);
        if (v.wakeAt !== null) timer = setTimeout(kick, Math.max(0, v.wakeAt - Date.now()));
      };
      ended.then(() => {
        if (timer) clearTimeout(timer);
        reject(new CliError('lost the Conductor while waiting'));
      }, reject);
      kick();
    });
    kick = () => {};
    return report(verdict, ctx, timeoutMs);
  } finally {
    controller.abort();
  }
}

function report(v: Final, ctx: CommandContext, timeoutMs: number): number {
  switch (v.kind) {
    case 'ready':
      for (const a of v.apps) if (a.state === 'ready' && !a.announced) ctx.out(`${a.app}: ready (${a.detail})`);
      return 0;
    case 'failed':
      for (const a of v.failed) ctx.err(`${a.app}: ${a.reason}`);
      return 1;
    case 'timed-out':
      ctx.err(`timed out after ${formatMs(timeoutMs)} (--timeout); not ready:`);
      for (const a of v.waiting) ctx.err(`  ${a.app}: waiting for ${a.for}`);
      return 1;
  }
}
