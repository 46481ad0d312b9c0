// `skr8tr rollout FILE [--wait]` and `skr8tr rollback APP [--to GEN] [--wait]`: start a rolling
// update; with --wait, print one line per step as it happens and exit non-zero if it fails.
import type { ApiEvent, RolloutView } from '../../shared/protocol/api';
import type { ConductorClient } from '../../shared/client';
import { parseCommandArgs } from '../args';
import { call, connect } from '../conductor-client';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../usage';
import { printSubmit, readForSubmit } from './workloads';

const FINAL = new Set(['succeeded', 'failed', 'rolled-back', 'aborted']);

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
  let ids: Set<string> | null = null;
  const outcomes = new Map<string, RolloutView>();
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let subscribed!: () => void;
  const ready = new Promise<void>((r) => (subscribed = r));

  const handle = (e: ApiEvent) => {
    if (e.type === 'step' && ids!.has(e.step.rollout)) {
      const mark = e.step.level === 'error' ? '✗' : e.step.level === 'warn' ? '!' : '·';
      ctx.out(`${formatElapsed(e.step.elapsedMs)} ${mark} ${e.step.app}: ${e.step.message}`);
    }
    if (e.type === 'rollout' && ids!.has(e.rollout.id) && FINAL.has(e.rollout.state)) {
      outcomes.set(e.rollout.id, e.rollout);
      if (outcomes.size === ids!.size) resolveDone();
    }
  };
  const stream = client.events(
    (e) => {
      if (e.type === 'snapshot' || e.type === 'resumed') subscribed();
      if (ids === null) early.push(e);
      else handle(e);
    },
    null,
    controller.signal,
  );
  stream.catch(() => {});
  await Promise.race([ready, stream.then(() => { throw new CliError('the Conductor closed the event stream'); })]);
  const started = await start();
  ids = new Set(started);
  for (const e of early.splice(0)) handle(e);
  if (ids.size === 0) {
    controller.abort();
    return 0;
  }
  // A rollout may have ended before we looked (a no-op rollout): ask for each one's state too.
  for (const id of ids) {
    const r = await call(ctx, () => client.call('getRollout', { id }));
    if (FINAL.has(r.state)) handle({ type: 'rollout', rollout: r, seq: 0, epoch: '', at: Date.now() });
  }
  await Promise.race([done, stream.then(() => { throw new CliError('lost the Conductor while waiting for the rollout'); })]);
  controller.abort();
  let failed = 0;
  for (const r of outcomes.values()) {
    if (r.state === 'succeeded') continue;
    failed++;
    ctx.err(`${r.app}: rollout ${r.id} ${r.state}${r.reason ? `: ${r.reason}` : ''}`);
  }
  return failed === 0 ? 0 : 1;
}

function formatElapsed(ms: number): string {
  return `+${(ms / 1000).toFixed(3)}s`.padStart(9);
}
