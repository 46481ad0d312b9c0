// `skr8tr rollout FILE [--wait]` and `skr8tr rollback APP [--to GEN] [--wait]`: start a rolling
// update; with --wait, print one line per step as it happens and exit non-zero if it fails, or if
// the app is not ready by `--timeout` (or has waited for what it needs longer than its deadline).
import type { StepView } from '../../shared/protocol/api';
import { parseCommandArgs } from '../args';
import { call, connect, homeOption } from '../conductor-client';
import type { CommandContext } from '../context';
import { UsageError } from '../usage';
import { startAndWait, targetOf, targetsOf, waitBound, waitOptions } from '../wait';
import { printSubmit, readAllForSubmit } from './workloads';

export const rolloutUsage = 'skr8tr rollout FILE [--wait [--timeout D]] [--home DIR]';
export async function rollout(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...homeOption, ...waitOptions }, rolloutUsage, { min: 1, max: 1 });
  const timeoutMs = waitBound(values, rolloutUsage);
  const { bodies, specs } = readAllForSubmit([positionals[0]!], ctx);
  const client = await connect(ctx, values.home);
  const submit = async () => {
    const result = await call(ctx, () => client.call('rollout', {}, bodies[0]!));
    printSubmit(result, ctx);
    return result;
  };
  if (timeoutMs === null) {
    await submit();
    return 0;
  }
  return startAndWait(client, ctx, async () => targetsOf(await submit(), specs), timeoutMs);
}

export const rollbackUsage = 'skr8tr rollback APP [--to GEN] [--wait [--timeout D]] [--home DIR]';
export async function rollback(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...homeOption, to: { type: 'string' }, ...waitOptions }, rollbackUsage, { min: 1, max: 1 });
  const timeoutMs = waitBound(values, rollbackUsage);
  let to: number | undefined;
  if (values.to !== undefined) {
    to = Number(values.to);
    if (!Number.isInteger(to) || to < 1) throw new UsageError(`--to must be a generation number, not "${values.to}"`, rollbackUsage);
  }
  const app = positionals[0]!;
  const client = await connect(ctx, values.home);
  const start = async () => {
    const r = await call(ctx, () => client.call('rollback', { name: app }, { to }));
    ctx.out(`${r.app}: rolling back generation ${r.fromGeneration} → ${r.toGeneration} (rollout ${r.id})`);
    return r.id;
  };
  if (timeoutMs === null) {
    await start();
    return 0;
  }
  return startAndWait(
    client,
    ctx,
    async () => {
      const id = await start();
      const w = await call(ctx, () => client.call('workload', { name: app }));
      return [targetOf(app, id, w.generations.find((g) => g.generation === w.generation)?.spec ?? w.spec)];
    },
    timeoutMs,
  );
}

/** A rollout's step as one line: time since the rollout started, a mark of its level, the app. */
export function stepLine(step: StepView): string {
  const mark = step.level === 'error' ? '✗' : step.level === 'warn' ? '!' : '·';
  return `${`+${(step.elapsedMs / 1000).toFixed(3)}s`.padStart(9)} ${mark} ${step.app}: ${step.message}`;
}
