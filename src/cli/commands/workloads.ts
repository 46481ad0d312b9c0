// `up`, `down`, `scale`, `abort`, `pause`, `resume`, `stop`: changing what runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic, hasErrors } from '../../shared/manifest';
import { neededFromElsewhere } from '../../shared/manifest/needs';
import type { AppSpec } from '../../shared/manifest/model';
import type { ManifestBody, SubmitResult, WorkloadView } from '../../shared/protocol/api';
import { parseCommandArgs } from '../args';
import type { ConductorClient } from '../../shared/client';
import { call, connect, homeOption } from '../conductor-client';
import type { CommandContext } from '../context';
import { loadManifest, manifestFiles } from '../manifest-file';
import { CliError, UsageError } from '../usage';
import { startAndWait, targetsOf, waitBound, waitOptions } from '../wait';

/** Manifests read for a submission: the request bodies, and the apps' specs by name (what `--wait` waits for). */
export interface ReadManifests {
  bodies: ManifestBody[];
  specs: Map<string, AppSpec>;
}

/**
 * Reads and checks manifests submitted together; prints their diagnostics (but not "defined in
 * another manifest" for an app another of them defines); refuses any with errors.
 */
export function readAllForSubmit(files: readonly string[], ctx: CommandContext): ReadManifests {
  const loaded = files.map((f) => ({ file: f, ...loadManifest(f) }));
  const names = new Set(loaded.flatMap((l) => l.result.apps.map((a) => a.spec.name)));
  for (const { result } of loaded) {
    for (const d of result.diagnostics) if (!names.has(neededFromElsewhere(d.message) ?? '')) ctx.err(formatDiagnostic(d));
  }
  const broken = loaded.filter((l) => hasErrors(l.result.diagnostics) || l.text === null);
  if (broken.length > 0) throw new CliError(`${broken.map((l) => l.file).join(', ')} ${broken.length === 1 ? 'has' : 'have'} errors; nothing was submitted`);
  return {
    bodies: loaded.map((l) => ({ path: path.resolve(l.file), text: l.text! })),
    specs: new Map(loaded.flatMap((l) => l.result.apps.map((a) => [a.spec.name, a.spec] as const))),
  };
}

export function printSubmit(result: SubmitResult, ctx: CommandContext): void {
  for (const a of result.apps) {
    const what = a.action === 'created' ? 'created' : a.action === 'rollout' ? `rolling out generation ${a.generation}` : `unchanged (generation ${a.generation})`;
    ctx.out(`${a.name}: ${what}${a.rollout && a.action !== 'unchanged' ? ` (rollout ${a.rollout})` : ''}`);
  }
}

export const upUsage = 'skr8tr up FILE|DIR... [--watch] [--wait [--timeout D]] [--home DIR]';
/**
 * `up` of one manifest, or of several (files, or every manifest under a folder) checked together;
 * `--watch`: and watch their files; `--wait`: exit once every app is ready (0) or one failed (1).
 */
export async function up(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...homeOption, watch: { type: 'boolean' }, ...waitOptions }, upUsage, { min: 1, max: 1000 });
  const timeoutMs = waitBound(values, upUsage);
  const manifests = readAllForSubmit(manifestFiles(positionals), ctx);
  const client = await connect(ctx, values.home);
  const submit = async () => {
    const result = await submitAll(client, ctx, manifests, values.watch ?? false);
    printSubmit(result, ctx);
    return result;
  };
  if (timeoutMs === null) {
    await submit();
    return 0;
  }
  return startAndWait(client, ctx, async () => targetsOf(await submit(), manifests.specs), timeoutMs);
}

/** `up` of manifests read together, in one submission. */
export async function submitAll(client: ConductorClient, ctx: CommandContext, manifests: ReadManifests, watch: boolean): Promise<SubmitResult> {
  const bodies = manifests.bodies.map((b) => ({ ...b, watch }));
  return call(ctx, () => (bodies.length === 1 ? client.call('up', {}, bodies[0]!) : client.call('workspace', {}, { manifests: bodies, mode: 'up' })));
}

export const downUsage = 'skr8tr down APP|FILE|DIR... [--force] [--home DIR]';
/** Takes apps down (named, or every app of the manifests given), dependents first; `--force`: even apps others need. */
export async function down(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...homeOption, force: { type: 'boolean' } }, downUsage, { min: 1, max: 1000 });
  const apps = positionals.flatMap((p) => (fs.existsSync(p) ? manifestFiles([p]).flatMap((f) => loadManifest(f).result.apps.map((a) => a.spec.name)) : [p]));
  const client = await connect(ctx, values.home);
  const before = await call(ctx, () => client.call('workloads', {}));
  const r = await call(ctx, () => client.call('downMany', {}, { apps, force: values.force ?? false }));
  for (const name of r.removing) ctx.out(`${name}: ${downLine(name, before, r.forced?.includes(name) ?? false)}`);
  return 0;
}

/** What happens to an app taken down, from the workloads as they were: its replicas stop now, or after the live apps that need it (taken down first, or kept by `--force`). */
export function downLine(name: string, workloads: readonly WorkloadView[], forced: boolean): string {
  const live = (w: WorkloadView) => w.replicas.filter((r) => r.state === 'pending' || r.state === 'starting' || r.state === 'ready').length;
  const w = workloads.find((x) => x.name === name);
  const n = w ? live(w) : 0;
  // As the Conductor takes it down (reconciler.ts, takeDown): its replicas stop once no live app needs it,
  // or at once when forced (the apps that need it keep running without it).
  const dependents = workloads.filter((d) => d.name !== name && live(d) > 0 && d.spec.needs.some((x) => x.app === name)).map((d) => d.name);
  const needs = `${dependents.join(', ')}, which need${dependents.length === 1 ? 's' : ''} it`;
  if (n === 0) return 'taken down (it ran no replicas)';
  const replicas = `its ${n === 1 ? 'replica' : `${n} replicas`}`;
  const stop = n === 1 ? 'stops' : 'stop';
  if (dependents.length === 0) return `taken down; ${replicas} ${n === 1 ? 'is' : 'are'} stopping`;
  return forced ? `taken down; ${replicas} ${stop} now, and ${needs}, keep${dependents.length === 1 ? 's' : ''} running without it` : `taken down; ${replicas} ${stop} after ${needs}`;
}

export const scaleUsage = 'skr8tr scale APP N [--home DIR]';
export async function scale(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, homeOption, scaleUsage, { min: 2, max: 2 });
  const n = Number(positionals[1]);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new UsageError(`N must be a whole number from 0 to 1000, not "${positionals[1]}"`, scaleUsage);
  const client = await connect(ctx, values.home);
  const w = await call(ctx, () => client.call('scale', { name: positionals[0]! }, { replicas: n }));
  ctx.out(`${w.name}: ${w.desired} replica${w.desired === 1 ? '' : 's'} desired (${w.ready} ready)`);
  return 0;
}

function rolloutAction(action: 'abort' | 'pause' | 'resume', past: string) {
  const usage = `skr8tr ${action} APP [--home DIR]`;
  return {
    usage,
    run: async (argv: string[], ctx: CommandContext): Promise<number> => {
      const { values, positionals } = parseCommandArgs(argv, homeOption, usage, { min: 1, max: 1 });
      const client = await connect(ctx, values.home);
      const r = await call(ctx, () => client.call(action, { name: positionals[0]! }));
      ctx.out(`${r.app}: rollout ${r.id} ${past} (${r.state})`);
      return 0;
    },
  };
}

export const abort = rolloutAction('abort', 'aborted');
export const pause = rolloutAction('pause', 'paused');
export const resume = rolloutAction('resume', 'resumed');

export const stopUsage = 'skr8tr stop REPLICA [--home DIR]';
export async function stopReplica(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, homeOption, stopUsage, { min: 1, max: 1 });
  const client = await connect(ctx, values.home);
  await call(ctx, () => client.call('stopReplica', { id: positionals[0]! }));
  ctx.out(`${positionals[0]}: stopping; the Conductor starts a replacement`);
  return 0;
}
