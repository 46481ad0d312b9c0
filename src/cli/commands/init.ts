// `skr8tr init [DIR] [--from KIND] [--strict] [--json] [-o FILE] [--force] [--images MODE] [--profile NAME|'*']... [--run-js]`:
// a manifest from what the folder already has (src/import); compose services of the profiles named join. Writes it (never over another without
// --force; with one there it prints the difference), or prints it with `-o -`; `--json` prints the
// text and the notes. Every note goes to stderr with the source's file:line; `--strict` fails on
// any loss without writing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageMode, SourceKind } from '../../import';
import { parseCommandArgs } from '../args';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../usage';

export const usage = "skr8tr init [DIR] [--from compose|procfile|process-compose|pm2|npm|python] [--strict] [--json] [-o FILE|-] [--force] [--images native|image|todo] [--profile NAME|'*']... [--run-js]";

const KINDS: readonly SourceKind[] = ['compose', 'procfile', 'process-compose', 'pm2', 'npm', 'python'];

export async function init(argv: string[], ctx: CommandContext): Promise<number> {
  // dist/import.js (and the YAML parser in it) loads only when init runs.
  const { importProject, ImportError, lineDiff, readProject } = await import('../../import');
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      from: { type: 'string' },
      strict: { type: 'boolean' },
      json: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
      images: { type: 'string' },
      profile: { type: 'string', multiple: true },
      'run-js': { type: 'boolean' },
    },
    usage,
    { min: 0, max: 1 },
  );
  if (values.from !== undefined && !KINDS.includes(values.from as SourceKind)) throw new UsageError(`--from ${values.from}: one of ${KINDS.join(', ')}`, usage);
  if (values.images !== undefined && !['native', 'image', 'todo'].includes(values.images)) throw new UsageError(`--images ${values.images}: one of native, image, todo`, usage);
  const dir = path.resolve(positionals[0] ?? '.');
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CliError(`${dir} is not a folder`, 2);
  // The terminal is the user's own: an ecosystem file runs only when asked (--run-js), in a child process.
  const snapshot = await readProject(dir, { trusted: values['run-js'] === true, env: ctx.env });
  let result;
  try {
    const profiles = values.profile as unknown as string[] | undefined;
    result = importProject(snapshot, { from: values.from as SourceKind | undefined, images: values.images as ImageMode | undefined, profiles });
  } catch (err) {
    if (err instanceof ImportError) throw new CliError(err.message, 1);
    throw err;
  }
  const out = values.output === '-' ? '-' : path.resolve(dir, values.output ?? `${manifestName(dir)}.skr8tr`);
  if (values.json) {
    ctx.out(JSON.stringify({ source: result.source, file: out === '-' ? null : out, manifest: result.text, notes: result.notes, skipped: result.skipped, summary: result.summary }, null, 2));
  }
  for (const n of result.notes) ctx.err(`${n.line > 0 ? `${n.file}:${n.line}` : n.file}: ${n.severity}: ${n.app ? `${n.app}: ` : ''}${n.message}`);
  ctx.err(`${result.source.detail}: ${result.summary}`);
  const losses = result.notes.filter((n) => n.loss).length;
  if (values.strict && losses > 0) {
    ctx.err(`skr8tr init: --strict: ${losses} field${losses === 1 ? '' : 's'} would not carry over; nothing written`);
    return 1;
  }
  if (values.json) return 0;
  if (out === '-') {
    ctx.out(result.text.trimEnd());
    return 0;
  }
  if (fs.existsSync(out) && !values.force) {
    const before = fs.readFileSync(out, 'utf8');
    if (before === result.text) {
      ctx.err(`${path.relative(process.cwd(), out) || out}: unchanged`);
      return 0;
    }
    ctx.out(`--- ${out}\n+++ imported from ${result.source.file}`);
    for (const l of lineDiff(before, result.text)) ctx.out(l);
    ctx.err(`skr8tr init: ${out} exists; the difference is above. --force overwrites it, -o FILE writes elsewhere`);
    return 1;
  }
  fs.writeFileSync(out, result.text);
  ctx.err(`wrote ${out}`);
  return 0;
}

function manifestName(dir: string): string {
  return path.basename(dir).replace(/[^A-Za-z0-9_.-]+/g, '-') || 'app';
}
