// Checks of a manifest against the files of this machine, which the parser (pure) cannot make: an
// `exec` program that is not there (or not executable), an `env-file` that cannot be read. Warnings,
// not errors: the file may come later (a build makes it, another machine runs the agent), but `up`
// would fail on them here. `validate` and the editor's diagnostics add these to the parser's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from './diagnostics';
import type { ParsedApp } from './model';

/** What the checks ask of the file system (the real one by default; tests give another). */
export interface FileLookup {
  /** `file`, `dir`, or null when nothing is there (or it cannot be read). */
  kind(p: string): 'file' | 'dir' | null;
  executable(p: string): boolean;
  /** Where a bare program name is looked for. */
  searchPath(): string[];
}

export const realFiles: FileLookup = {
  kind(p) {
    try {
      const st = fs.statSync(p);
      return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : null;
    } catch {
      return null;
    }
  },
  executable(p) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  searchPath: () => (process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
};

export function fileChecks(apps: readonly ParsedApp[], file: string, files: FileLookup = realFiles): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const a of apps) {
    const warn = (key: string, message: string) => {
      const pos = a.positions.get(key) ?? a.pos;
      out.push({ severity: 'warning', file, line: pos.line, column: pos.column, message });
    };
    const exec = a.spec.exec;
    // A program a build makes is not there before the build runs.
    if (exec !== null && a.spec.build === null) {
      const problem = programProblem(exec, files);
      if (problem) warn('exec', `${problem}; \`up\` would start replicas that fail at once`);
    }
    a.spec.envFiles.forEach((f, i) => {
      const kind = files.kind(f);
      if (kind !== 'file') warn(`env-file.${i}`, `env-file ${f} ${kind === 'dir' ? 'is a folder' : 'does not exist'}; \`up\` refuses the app until it can be read`);
    });
  }
  return out;
}

/** Why `exec` cannot be started here, or null. */
function programProblem(exec: string, files: FileLookup): string | null {
  if (path.isAbsolute(exec)) {
    const kind = files.kind(exec);
    if (kind === null) return `program ${exec} does not exist`;
    if (kind === 'dir') return `program ${exec} is a folder`;
    return files.executable(exec) ? null : `program ${exec} is not executable`;
  }
  const found = files.searchPath().some((dir) => files.kind(path.join(dir, exec)) === 'file' && files.executable(path.join(dir, exec)));
  return found ? null : `program ${exec} is not found on PATH`;
}
