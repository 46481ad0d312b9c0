// `skr8tr export --to kubernetes|nomad FILE... [-o DIR] [--image IMG] [--json]`: the apps of
// manifests as Kubernetes objects or Nomad jobs. The export goes to stdout (or one file per
// document under -o DIR); what does not carry over and what to create first go to stderr. Every
// manifest is exported before anything is written, so a refusal writes nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine, ExportResult } from '../../export';
import { formatDiagnostic, hasErrors } from '../../shared/manifest';
import { parseCommandArgs } from '../args';
import type { CommandContext } from '../context';
import { loadManifest, manifestFiles } from '../manifest-file';
import { CliError, UsageError } from '../usage';

export const usage = 'skr8tr export --to kubernetes|nomad FILE|DIR... [-o DIR] [--image IMG] [--json]';

export async function exportManifests(argv: string[], ctx: CommandContext): Promise<number> {
  const options = { to: { type: 'string' }, output: { type: 'string', short: 'o' }, image: { type: 'string' }, json: { type: 'boolean' } } as const;
  const { values, positionals } = parseCommandArgs(argv, options, usage, { min: 1, max: Infinity });
  // The export code (and the `yaml` package it writes with) is its own bundle, loaded only here.
  const { ENGINES, exportApps, ExportRefused } = await import('../../export');
  const engine = values.to as Engine | undefined;
  if (engine === undefined) throw new UsageError('--to is required: kubernetes or nomad', usage);
  if (!ENGINES.includes(engine)) throw new UsageError(`--to must be kubernetes or nomad, not "${engine}"`, usage);
  if (values.json && engine !== 'nomad') throw new UsageError('--json is for --to nomad (the API\'s JSON); Kubernetes objects are YAML', usage);
  if (values.image === '') throw new UsageError('--image needs an image name', usage);

  const results: { file: string; result: ExportResult }[] = [];
  for (const file of manifestFiles(positionals)) {
    const { result: parsed } = loadManifest(file);
    if (hasErrors(parsed.diagnostics)) {
      for (const d of parsed.diagnostics) ctx.err(formatDiagnostic(d));
      throw new CliError(`${file} has errors; nothing was exported`);
    }
    try {
      results.push({ file, result: exportApps(parsed.apps.map((a) => a.spec), engine, { manifestPath: file, image: values.image ?? null, json: values.json === true }) });
    } catch (err) {
      if (err instanceof ExportRefused) throw new CliError(`${path.basename(file)}: ${err.message}`);
      throw err;
    }
  }

  const documents = results.flatMap((r) => r.result.documents);
  if (values.output !== undefined) {
    const names = new Set<string>();
    for (const d of documents) {
      if (names.has(d.name)) throw new CliError(`two manifests export to ${d.name}; export them one at a time`);
      names.add(d.name);
    }
    fs.mkdirSync(values.output, { recursive: true });
    for (const d of documents) {
      const to = path.join(values.output, d.name);
      fs.writeFileSync(to, d.text);
      ctx.err(`wrote ${to}`);
    }
  } else if (engine === 'kubernetes') {
    ctx.out(documents.map((d) => d.text.trimEnd()).join('\n---\n'));
  } else {
    if (documents.length > 1) ctx.err(`${documents.length} Nomad jobs (${documents.map((d) => d.name).join(', ')}): a job file holds one; -o DIR writes one file each`);
    ctx.out(documents.map((d) => d.text.trimEnd()).join('\n\n'));
  }

  const notes = results.flatMap((r) => r.result.notes);
  if (notes.length > 0) {
    ctx.err('does not carry over:');
    for (const n of notes) ctx.err(`  ${n}`);
  }
  const toCreate = results.flatMap((r) => r.result.toCreate);
  if (toCreate.length > 0) {
    ctx.err('create first (secret values are never exported):');
    for (const c of toCreate) ctx.err(`  ${c}`);
  }
  return 0;
}
