// Named pipes (FIFOs) for replicas' output, made ahead in batches. Node cannot make one itself, so
// `mkfifo` (coreutils, on every Linux and macOS) makes several at a time, each spawn taking its turn
// at the agent's spawn gate: one spawn a batch rather than one a replica. A FIFO is taken by renaming
// it to the name its replica's output will have.
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SpawnGate } from './spawn-gate';

const BATCH = 32;
const SPARE = 'spare-';

export class FifoPool {
  private readonly spare: string[] = [];
  private making: Promise<void> | null = null;
  /** Why FIFOs cannot be made here (then replicas write to plain pipes, and cannot be adopted). */
  unavailable: string | null = null;

  constructor(
    private readonly dir: string,
    private readonly gate: SpawnGate,
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Spares of an earlier run are as good as new.
    for (const name of fs.readdirSync(dir)) if (name.startsWith(SPARE)) this.spare.push(path.join(dir, name));
  }

  /** Renames a spare FIFO to each of `names` (in the pool's folder); null when none can be made. */
  async take(names: readonly string[]): Promise<string[] | null> {
    while (this.spare.length < names.length) {
      if (this.unavailable !== null) return null;
      await (this.making ??= this.make().finally(() => (this.making = null)));
    }
    return names.map((name) => {
      const target = path.join(this.dir, name);
      fs.renameSync(this.spare.pop()!, target);
      return target;
    });
  }

  private async make(): Promise<void> {
    const files = Array.from({ length: BATCH }, () => path.join(this.dir, `${SPARE}${crypto.randomBytes(6).toString('hex')}`));
    await this.gate.turn();
    const error = await new Promise<Error | null>((resolve) => execFile('mkfifo', ['-m', '600', ...files], (err) => resolve(err)));
    const made = files.filter((f) => isFifo(f));
    this.spare.push(...made);
    if (made.length === 0) this.unavailable = `cannot make named pipes with mkfifo: ${error?.message ?? 'none made'}`;
  }
}

export function isFifo(file: string): boolean {
  try {
    return fs.lstatSync(file).isFIFO();
  } catch {
    return false;
  }
}
