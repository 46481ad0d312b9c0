// Diagnostics: what is wrong in a manifest, and where.
import type { Pos } from './model';

/** `info`: a hint, not a problem (kept apart from the diagnostics: ParseResult.hints). */
export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  file: string;
  line: number;
  column: number;
  message: string;
}

/** `file:line:column: severity: message`, the form compilers use and editors link. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Collects diagnostics for one file. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  readonly hints: Diagnostic[] = [];
  constructor(readonly file: string) {}

  error(pos: Pos, message: string): void {
    this.items.push({ severity: 'error', file: this.file, line: pos.line, column: pos.column, message });
  }

  warning(pos: Pos, message: string): void {
    this.items.push({ severity: 'warning', file: this.file, line: pos.line, column: pos.column, message });
  }

  info(pos: Pos, message: string): void {
    this.hints.push({ severity: 'info', file: this.file, line: pos.line, column: pos.column, message });
  }

  sorted(): Diagnostic[] {
    return [...this.items].sort((a, b) => a.line - b.line || a.column - b.column);
  }
}
