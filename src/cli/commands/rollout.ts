// `skr8tr rollout FILE [--wait]` and `skr8tr rollback APP [--to GEN] [--wait]`: start a rolling
// update; with --wait, print one line per step as it happens and exit non-zero if it fails.
import type { ApiEvent, StepView } from '../../shared/protocol/api';
import type { ConductorClient } from '../../shared/client';
import { RolloutFollower, type FollowUpdate } from '../../shared/rollout-follower';
import { parseCommandArgs } from '../args';
import { call, connect } from '../conductor-client';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../usage';
import { printSubmit, readForSubmit } from './workloads';

export const rolloutUsage = 'skr8tr rollout FILE [--wait] [--home DIR]';
export async function rollout(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { home: { type: 'string' }, wait: { type: 'boolean' } }, rolloutUsage, { min: 1, max: 1 });
  const body = readForSubmit(positionals[0]!, ctx);
  const client = connect(ctx, values.home);
  if (!values.wait) {
    printSubmit(await call(ctx, () => client.call('rollout', {}, body)), ctx);
    return 0;
  }
  return follow(client, ctx, async () => {
    const result = await call(ctx, () => client.call('rollout', {}, body));
    printSubmit(result, ctx);
    return result.apps.flatMap((a) => (a.rollout ? [a.rollout] : []));
  });
}

export const rollbackUsage = 'skr8tr rollback APP [--to GEN] [--wait] [--home DIR]';
export async function rollback(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { home: { type: 'string' }, to: { type: 'string' }, wait: { type: 'boolean' } }, rollbackUsage, { min: 1, max: 1 });
  let to: number | undefined;
  if (values.to !== undefined) {
    to = Number(values.to);
    if (!Number.isInteger(to) || to < 1) throw new UsageError(`--to must be a generation number, not "${values.to}"`, rollbackUsage);
  }
  const client = connect(ctx, values.home);
  const start = async () => {
    const r = await call(ctx, () => client.call('rollback', { name: positionals[0]! }, { to }));
    ctx.out(`${r.app}: rolling back generation ${r.fromGeneration} → ${r.toGeneration} (rollout ${r.id})`);
    return [r.id];
  };
  if (!values.wait) {
    await start();
    return 0;
  }
  return follow(client, ctx, start);
}

/**
 * Subscribes to the event stream first (so no step is missed), starts the rollouts, then prints
 * their steps until every one has ended. Exit code 0 when all succeeded.
 */
async function follow(client: ConductorClient, ctx: CommandContext, start: () => Promise<string[]>): Promise<number> {
  const controller = new AbortController();
  const early: ApiEvent[] = [];
  let follower: RolloutFollower | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let subscribed!: () => void;
  const ready = new Promise<void>((r) => (subscribed = r));
  /** Rollouts the stream's snapshot does not show (a no-op rollout may have ended before it looked): asked for below. */
  const unknown = new Set<string>();

  const show = (updates: FollowUpdate[]) => {
    for (const u of updates) {
      if (u.kind === 'step') ctx.out(stepLine(u.step));
      if (u.kind === 'unknown') unknown.add(u.id);
    }
    if (follower!.done) resolveDone();
  };
  const stream = client.events(
    (e) => {
      if (e.type === 'snapshot' || e.type === 'resumed') subscribed();
      if (follower === null) early.push(e);
      else show(follower.event(e));
    },
    null,
    controller.signal,
  );
  stream.catch(() => {});
  await Promise.race([ready, stream.then(() => { throw new CliError('the Conductor closed the event stream'); })]);
  follower = new RolloutFollower(await start());
  for (const e of early.splice(0)) show(follower.event(e));
  if (follower.done) {
    controller.abort();
    return outcome(follower, ctx);
  }
  for (const id of unknown) {
    if (!follower.pending().includes(id)) continue;
    const r = await call(ctx, () => client.call('getRollout', { id }));
    show(follower.seen(r));
  }
  await Promise.race([done, stream.then(() => { throw new CliError('lost the Conductor while waiting for the rollout'); })]);
  controller.abort();
  return outcome(follower, ctx);
}

function outcome(follower: RolloutFollower, ctx: CommandContext): number {
  const { failed } = follower.outcome();
  for (const r of failed) ctx.err(`${r.app}: rollout ${r.id} ${r.state}${r.reason ? `: ${r.reason}` : ''}`);
  return failed.length === 0 ? 0 : 1;
}

/** A rollout's step as one line: time since the rollout started, a mark of its level, the app. */
export function stepLine(step: StepView): string {
  const mark = step.level === 'error' ? '✗' : step.level === 'warn' ? '!' : '·';
  return `${`+${(step.elapsedMs / 1000).toFixed(3)}s`.padStart(9)} ${mark} ${step.app}: ${step.message}`;
}
