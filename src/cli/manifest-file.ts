// Reading a manifest file from disk for the CLI: refuses what is not a regular file, and never
// reads a file larger than the manifest limit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isManifestPath, LIMITS, parseManifest, tooLargeResult, type ParseResult } from '../shared/manifest';
import { CliError } from './usage';

export interface LoadedManifest {
  /** The text as read, for submitting to the Conductor (null when the file could not be parsed at all). */
  text: string | null;
  result: ParseResult;
}

export function loadManifest(file: string): LoadedManifest {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${describeFsError(err)}`, 2);
  }
  if (!stat.isFile()) throw new CliError(`cannot read ${file}: not a regular file`, 2);
  if (stat.size > LIMITS.fileBytes) return { text: null, result: tooLargeResult(stat.size, file) };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${describeFsError(err)}`, 2);
  }
  const result = parseManifest(bytes, file);
  return { text: result.apps.length > 0 ? bytes.toString('utf8') : null, result };
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder';
  return (err as Error).message;
}

/** Folders never searched for manifests. */
const SKIPPED = new Set(['node_modules', '.git', 'dist', 'build', 'out', 'target', 'vendor']);

/**
 * The manifests a command names: files as given, and for a folder every `*.skr8tr`,
 * `*.skr8tr.yaml` and `*.skr8tr.yml` under it (not in dot folders, node_modules or build output), in
 * a stable order.
 */
export function manifestFiles(args: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      throw new CliError(`cannot read ${dir}: ${describeFsError(err)}`, 2);
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory() && !e.name.startsWith('.') && !SKIPPED.has(e.name)) walk(path.join(dir, e.name));
      else if (e.isFile() && isManifestPath(e.name)) out.push(path.join(dir, e.name));
    }
  };
  for (const a of args) {
    let stat: fs.Stats | null = null;
    try {
      stat = fs.statSync(a);
    } catch {
      // reported by loadManifest
    }
    if (stat?.isDirectory()) {
      const before = out.length;
      walk(a);
      if (out.length === before) throw new CliError(`no manifest (*.skr8tr, *.skr8tr.yaml) under ${a}`, 2);
    } else out.push(a);
  }
  return [...new Set(out.map((f) => path.resolve(f)))];
}
