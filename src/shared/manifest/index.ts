// Parsing a manifest file of either syntax into apps and diagnostics.
import * as path from 'node:path';
import { buildApps } from './build-app';
import { DiagnosticSink, type Diagnostic } from './diagnostics';
import type { ParsedApp } from './model';
import { readSkr8trEntries } from './skr8tr-syntax';
import { readSource, tooLargeMessage } from './source';
import { readYamlEntries } from './yaml-syntax';

export type Syntax = 'skr8tr' | 'yaml';

export interface ParseResult {
  apps: ParsedApp[];
  /** Errors and warnings. */
  diagnostics: Diagnostic[];
  /** Hints (severity `info`): not problems, advice the editor and `validate` show. */
  hints: Diagnostic[];
}

/** `*.skr8tr.yaml` and `*.skr8tr.yml` (and any `.yaml`/`.yml`) are YAML; everything else is the line syntax. */
export function syntaxOf(file: string): Syntax {
  return /\.ya?ml$/i.test(file) ? 'yaml' : 'skr8tr';
}

export function isManifestPath(file: string): boolean {
  return /\.skr8tr(\.ya?ml)?$/i.test(file);
}

export interface ParseOptions {
  /** Which syntax; by default from the file name. */
  syntax?: Syntax;
  /** Folder that relative paths resolve against; by default the file's folder. */
  dir?: string;
}

/** Parses a manifest. Never throws on bad input: every problem is a diagnostic. */
export function parseManifest(input: string | Uint8Array, file: string, options: ParseOptions = {}): ParseResult {
  const sink = new DiagnosticSink(file);
  const source = readSource(input, sink);
  if (source === null) return { apps: [], diagnostics: sink.sorted(), hints: [] };
  const syntax = options.syntax ?? syntaxOf(file);
  const entries = syntax === 'yaml' ? readYamlEntries(source.text, sink) : readSkr8trEntries(source.lines, sink);
  const apps = buildApps(entries, { dir: options.dir ?? path.dirname(path.resolve(file)), sink });
  if (apps.length === 0 && !sink.items.some((d) => d.severity === 'error')) {
    sink.error({ line: 1, column: 1 }, 'no app here: a manifest starts an app with `app NAME`');
  }
  return { apps, diagnostics: sink.sorted(), hints: sink.hints };
}

/** The result for a file too large to read: its size is enough to refuse it. */
export function tooLargeResult(size: number, file: string): ParseResult {
  const sink = new DiagnosticSink(file);
  sink.error({ line: 1, column: 1 }, tooLargeMessage(size));
  return { apps: [], diagnostics: sink.sorted(), hints: [] };
}

export { formatDiagnostic, hasErrors, type Diagnostic } from './diagnostics';
export type * from './model';
export { DEFAULTS, LIMITS } from './model';
