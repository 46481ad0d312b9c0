// `up`, `down`, `scale`, `abort`, `pause`, `resume`, `stop`: changing what runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic, hasErrors } from '../../shared/manifest';
import { neededFromElsewhere } from '../../shared/manifest/needs';
import type { ManifestBody, SubmitResult } from '../../shared/protocol/api';
import { parseCommandArgs } from '../args';
import type { ConductorClient } from '../../shared/client';
import { call, connect, homeOption } from '../conductor-client';
import type { CommandContext } from '../context';
import { loadManifest, manifestFiles } from '../manifest-file';
import { CliError, UsageError } from '../usage';

/** Reads and checks a manifest; prints its diagnostics; refuses one with errors (nothing is submitted). */
export function readForSubmit(file: string, ctx: CommandContext): { path: string; text: string } {
  return readAllForSubmit([file], ctx)[0]!;
}

/**
 * Reads and checks manifests submitted together; prints their diagnostics (but not "defined in
 * another manifest" for an app another of them defines); refuses any with errors.
 */
export function readAllForSubmit(files: readonly string[], ctx: CommandContext): ManifestBody[] {
  const loaded = files.map((f) => ({ file: f, ...loadManifest(f) }));
  const names = new Set(loaded.flatMap((l) => l.result.apps.map((a) => a.spec.name)));
  for (const { result } of loaded) {
    for (const d of result.diagnostics) if (!names.has(neededFromElsewhere(d.message) ?? '')) ctx.err(formatDiagnostic(d));
  }
  const broken = loaded.filter((l) => hasErrors(l.result.diagnostics) || l.text === null);
  if (broken.length > 0) throw new CliError(`${broken.map((l) => l.file).join(', ')} ${broken.length === 1 ? 'has' : 'have'} errors; nothing was submitted`);
  return loaded.map((l) => ({ path: path.resolve(l.file), text: l.text! }));
}

export function printSubmit(result: SubmitResult, ctx: CommandContext): void {
  for (const a of result.apps) {
    const what = a.action === 'created' ? 'created' : a.action === 'rollout' ? `rolling out generation ${a.generation}` : `unchanged (generation ${a.generation})`;
    ctx.out(`${a.name}: ${what}${a.rollout && a.action !== 'unchanged' ? ` (rollout ${a.rollout})` : ''}`);
  }
}

export const upUsage = 'skr8tr up FILE|DIR... [--watch] [--home DIR]';
/** `up` of one manifest, or of several (files, or every manifest under a folder) checked together; `--watch`: and watch their files. */
export async function up(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...homeOption, watch: { type: 'boolean' } }, upUsage, { min: 1, max: 1000 });
  const client = connect(ctx, values.home);
  printSubmit(await submitAll(client, ctx, positionals, values.watch ?? false), ctx);
  return 0;
}

/** `up` of the manifests named (files or folders), in one submission. */
export async function submitAll(client: ConductorClient, ctx: CommandContext, args: readonly string[], watch: boolean): Promise<SubmitResult> {
  const bodies = readAllForSubmit(manifestFiles(args), ctx).map((b) => ({ ...b, watch }));
  return call(ctx, () => (bodies.length === 1 ? client.call('up', {}, bodies[0]!) : client.call('workspace', {}, { manifests: bodies, mode: 'up' })));
}

export const downUsage = 'skr8tr down APP|FILE|DIR... [--force] [--home DIR]';
/** Takes apps down (named, or every app of the manifests given), dependents first; `--force`: even apps others need. */
export async function down(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...homeOption, force: { type: 'boolean' } }, downUsage, { min: 1, max: 1000 });
  const apps = positionals.flatMap((p) => (fs.existsSync(p) ? manifestFiles([p]).flatMap((f) => loadManifest(f).result.apps.map((a) => a.spec.name)) : [p]));
  const client = connect(ctx, values.home);
  const r = await call(ctx, () => client.call('downMany', {}, { apps, force: values.force ?? false }));
  for (const name of r.removing) {
    ctx.out(r.forced?.includes(name) ? `${name}: taken down; its replicas stop now, and the apps that need it keep running without it` : `${name}: taken down; its replicas stop after the apps that need it`);
  }
  return 0;
}

export const scaleUsage = 'skr8tr scale APP N [--home DIR]';
export async function scale(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, homeOption, scaleUsage, { min: 2, max: 2 });
  const n = Number(positionals[1]);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new UsageError(`N must be a whole number from 0 to 1000, not "${positionals[1]}"`, scaleUsage);
  const client = connect(ctx, values.home);
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
      const client = connect(ctx, values.home);
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
  const client = connect(ctx, values.home);
  await call(ctx, () => client.call('stopReplica', { id: positionals[0]! }));
  ctx.out(`${positionals[0]}: stopping; the Conductor starts a replacement`);
  return 0;
}
