// `skr8tr watch APP... [--off]` and `skr8tr dev FILE|DIR...`: the inner loop from a terminal. `dev`
// brings the manifests' apps up with watching on, then prints every step of every rollout of those
// apps (a saved file rolls its app out again) and what keeps an app from running, until Ctrl-C
// (SIGINT or SIGTERM), which does one of two things, said when it starts (`onStop`):
//   it started the daemons itself  → takes its apps down and shuts the daemons down: nothing is
//                                    left behind (as `docker compose up` does)
//   it found them running          → stops watching what it turned on (an app watched before it
//                                    started stays watched); the apps keep running
import type { ApiEvent } from '../../shared/protocol/api';
import { parseCommandArgs } from '../args';
import { call, connect, connectOrStart, homeOption } from '../conductor-client';
import type { CommandContext } from '../context';
import { CliError } from '../usage';
import { stepLine } from './rollout';
import { subscribe } from '../events';
import { manifestFiles } from '../manifest-file';
import { stopDaemons } from './shutdown';
import { printSubmit, readAllForSubmit, submitAll } from './workloads';

export const watchUsage = 'skr8tr watch APP... [--off] [--home DIR]';
export async function watch(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...homeOption, off: { type: 'boolean' } }, watchUsage, { min: 1, max: 1000 });
  const client = await connect(ctx, values.home);
  for (const app of positionals) {
    const w = await call(ctx, () => client.call('watch', { name: app }, { on: !values.off }));
    ctx.out(`${w.name}: ${w.watching ? 'watching its files; a change rolls it out again' : 'no longer watching its files'}`);
  }
  return 0;
}

export const devUsage = 'skr8tr dev FILE|DIR... [--home DIR]';

/** What Ctrl-C of `dev` does. */
export type DevStop =
  | { kind: 'teardown'; apps: string[] }
  /** Stop watching `unwatch`; `kept`: watched before dev started, and left so. */
  | { kind: 'unwatch'; unwatch: string[]; kept: string[] };

/** Decides what Ctrl-C does: from whether dev started the daemons, its apps, and which of them were watched before it submitted. */
export function onStop(startedDaemons: boolean, apps: readonly string[], watchedBefore: ReadonlySet<string>): DevStop {
  if (startedDaemons) return { kind: 'teardown', apps: [...apps] };
  return { kind: 'unwatch', unwatch: apps.filter((a) => !watchedBefore.has(a)), kept: apps.filter((a) => watchedBefore.has(a)) };
}

function describe(stop: DevStop, home: string): string {
  if (stop.kind === 'teardown') return `Ctrl-C takes ${stop.apps.join(', ')} down and shuts down the Conductor and agent this dev started for ${home}.`;
  const kept = stop.kept.length > 0 ? `; ${stop.kept.join(', ')} ${stop.kept.length === 1 ? 'was' : 'were'} watched before and stay${stop.kept.length === 1 ? 's' : ''} so` : '';
  return `Ctrl-C stops watching${stop.unwatch.length > 0 ? ` ${stop.unwatch.join(', ')}` : ' nothing'}${kept}; the apps keep running (the Conductor was running already).`;
}

export async function dev(argv: string[], ctx: CommandContext, signals: NodeJS.EventEmitter = process): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, homeOption, devUsage, { min: 1, max: 1000 });
  const manifests = readAllForSubmit(manifestFiles(positionals), ctx);
  const { client, home, started } = await connectOrStart(ctx, values.home);
  const stopped = new Promise<string>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) signals.once(sig, () => resolve(sig));
  });
  const controller = new AbortController();
  const apps = new Set<string>();
  const problems = new Map<string, string | null>();
  let watchedBefore: Set<string> | null = null;
  const show = (e: ApiEvent) => {
    if (e.type === 'snapshot') watchedBefore ??= new Set(e.workloads.filter((w) => w.watching).map((w) => w.name));
    if (e.type === 'step' && apps.has(e.step.app)) ctx.out(stepLine(e.step));
    if (e.type === 'workload' && apps.has(e.workload.name) && problems.get(e.workload.name) !== e.workload.problem) {
      problems.set(e.workload.name, e.workload.problem);
      if (e.workload.problem) ctx.out(`          ! ${e.workload.name}: ${e.workload.problem}`);
    }
  };
  const { ended } = await subscribe(client, show, controller.signal);
  const result = await submitAll(client, ctx, manifests, true);
  for (const a of result.apps) apps.add(a.name);
  printSubmit(result, ctx);
  const stop = onStop(started, [...apps], watchedBefore ?? new Set());
  ctx.out(`watching ${[...apps].join(', ')}: a saved file rolls its app out again. ${describe(stop, home)}`);
  const why = await Promise.race([stopped, ended.then(() => 'lost')]);
  controller.abort();
  if (why === 'lost') throw new CliError('lost the Conductor');
  if (stop.kind === 'teardown') {
    ctx.out(`taking down ${stop.apps.join(', ')}, then the daemons of ${home}…`);
    await client.call('downMany', {}, { apps: stop.apps, force: true }).catch(() => {});
    const r = await stopDaemons(home, false, ctx.err);
    ctx.out(`stopped ${stop.apps.join(', ')}, the Conductor${r.conductor !== null ? ` (pid ${r.conductor})` : ''} and ${r.agents.length} agent${r.agents.length === 1 ? '' : 's'}`);
    return 0;
  }
  for (const app of stop.unwatch) await client.call('watch', { name: app }, { on: false }).catch(() => {});
  ctx.out(stop.unwatch.length > 0 ? `stopped watching ${stop.unwatch.join(', ')}` : 'stopped');
  return 0;
}
