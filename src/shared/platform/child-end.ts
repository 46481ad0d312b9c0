// How a child process ended, as one promise: its exit code or signal once it has exited and its
// output pipes have closed (so every line it wrote has been read), or why it never started.
import type { ChildProcess } from 'node:child_process';

export type ChildEnd =
  | { started: true; code: number | null; signal: NodeJS.Signals | null }
  | { started: false; error: NodeJS.ErrnoException };

export function childEnd(child: ChildProcess): Promise<ChildEnd> {
  return new Promise((resolve) => {
    let spawnError: NodeJS.ErrnoException | null = null;
    // An error before the process started means it never will ('close' follows); one after (a
    // failed kill) changes nothing about how it ends.
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) spawnError ??= err;
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      resolve(spawnError ? { started: false, error: spawnError } : { started: true, code, signal });
    });
  });
}

/** A program that could not be started, said plainly: `program not found: X` for the usual case. */
export function startFailure(err: NodeJS.ErrnoException, program: string): string {
  return err.code === 'ENOENT' ? `program not found: ${program}` : err.message;
}
