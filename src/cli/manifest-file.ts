// Reading a manifest file from disk for the CLI: refuses what is not a regular file, and never
// reads a file larger than the manifest limit.
import * as fs from 'node:fs';
import { LIMITS, parseManifest, tooLargeResult, type ParseResult } from '../shared/manifest';
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
