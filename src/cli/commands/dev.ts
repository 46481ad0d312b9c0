// `skr8tr watch APP... [--off]` and `skr8tr dev FILE|DIR...`: the inner loop from a terminal. `dev`
// brings the manifests' apps up with watching on, then prints every step of every rollout of those
// apps (a saved file rolls its app out again) and what keeps an app from running, until Ctrl-C,
// which stops watching (the apps keep running).
import type { ConductorClient } from '../../shared/client';
import type { ApiEvent } from '../../shared/protocol/api';
import { parseCommandArgs } from '../args';
import { call, connect, homeOption } from '../conductor-client';
import type { CommandContext } from '../context';
import { CliError } from '../usage';
import { stepLine } from './rollout';
import { printSubmit, submitAll } from './workloads';

export const watchUsage = 'skr8tr watch APP... [--off] [--home DIR]';
export async function watch(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...homeOption, off: { type: 'boolean' } }, watchUsage, { min: 1, max: 1000 });
  const client = connect(ctx, values.home);
  for (const app of positionals) {
    const w = await call(ctx, () => client.call('watch', { name: app }, { on: !values.off }));
    ctx.out(`${w.name}: ${w.watching ? 'watching its files; a change rolls it out again' : 'no longer watching its files'}`);
  }
  return 0;
}

export const devUsage = 'skr8tr dev FILE|DIR... [--home DIR]';
export async function dev(argv: string[], ctx: CommandContext, signals: NodeJS.EventEmitter = process): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, homeOption, devUsage, { min: 1, max: 1000 });
  const client = connect(ctx, values.home);
  const controller = new AbortController();
  const apps = new Set<string>();
  const problems = new Map<string, string | null>();
  let subscribed!: () => void;
  const ready = new Promise<void>((r) => (subscribed = r));
  const show = (e: ApiEvent) => {
    if (e.type === 'snapshot' || e.type === 'resumed') subscribed();
    if (e.type === 'step' && apps.has(e.step.app)) ctx.out(stepLine(e.step));
    if (e.type === 'workload' && apps.has(e.workload.name) && problems.get(e.workload.name) !== e.workload.problem) {
      problems.set(e.workload.name, e.workload.problem);
      if (e.workload.problem) ctx.out(`          ! ${e.workload.name}: ${e.workload.problem}`);
    }
  };
  const stream = client.events(show, null, controller.signal);
  stream.catch(() => {});
  await Promise.race([ready, stream.then(() => Promise.reject(new CliError('the Conductor closed the event stream')))]);
  const result = await submitAll(client, ctx, positionals, true);
  for (const a of result.apps) apps.add(a.name);
  printSubmit(result, ctx);
  ctx.out(`watching ${[...apps].join(', ')}: a saved file rolls its app out again. Ctrl-C stops watching; the apps keep running.`);
  const stopped = new Promise<string>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) signals.once(sig, () => resolve(sig));
  });
  const why = await Promise.race([stopped, stream.then(() => 'lost')]);
  controller.abort();
  if (why === 'lost') throw new CliError('lost the Conductor');
  await stopWatching(client, apps);
  ctx.out(`stopped watching ${[...apps].join(', ')}`);
  return 0;
}

async function stopWatching(client: ConductorClient, apps: Iterable<string>): Promise<void> {
  for (const app of apps) await client.call('watch', { name: app }, { on: false }).catch(() => {});
}
