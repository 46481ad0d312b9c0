// A copy of each replica's unacknowledged lines in the agent's state folder, so that lines the agent
// had read from a replica's pipe but the Conductor had not yet kept are not lost when the agent
// crashes: the next run sends them again, with their numbers (the Conductor keeps each once). One
// append a batch of lines; emptied whenever the Conductor has acknowledged everything (the agent is
// its only writer, so that is safe); not synced to disk (it need only outlive the agent).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OutboxLine } from './log-outbox';

/** Where the outbox keeps its copies (log-outbox.ts); the agent's is a folder of files. */
export interface Spool {
  append(id: string, lines: readonly OutboxLine[]): void;
  /** Everything of this replica is acknowledged. */
  clear(id: string): void;
  remove(id: string): void;
}

export class FileSpool implements Spool {
  /** Replicas whose file holds something (so an empty one is not truncated again and again). */
  private readonly holding = new Set<string>();

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(id: string): string {
    return path.join(this.dir, `${encodeURIComponent(id)}.spool`);
  }

  append(id: string, lines: readonly OutboxLine[]): void {
    if (lines.length === 0) return;
    try {
      fs.appendFileSync(this.file(id), lines.map((l) => JSON.stringify(l)).join('\n') + '\n', { mode: 0o600 });
      this.holding.add(id);
    } catch {
      // A copy is a safety net for a crash; failing to write one must not lose the line itself.
    }
  }

  clear(id: string): void {
    if (!this.holding.delete(id)) return;
    try {
      fs.truncateSync(this.file(id), 0);
    } catch {
      // gone already
    }
  }

  remove(id: string): void {
    this.holding.delete(id);
    fs.rmSync(this.file(id), { force: true });
  }

  /** Removes the copies of replicas not in `keep` (an earlier run's, of replicas not adopted). */
  prune(keep: ReadonlySet<string>): void {
    for (const name of fs.readdirSync(this.dir)) {
      if (name.endsWith('.spool') && !keep.has(decodeURIComponent(name.slice(0, -'.spool'.length)))) fs.rmSync(path.join(this.dir, name), { force: true });
    }
  }

  /** What an earlier run of the agent left of this replica's lines (oldest first). */
  read(id: string): OutboxLine[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file(id), 'utf8');
    } catch {
      return [];
    }
    const out: OutboxLine[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const l = JSON.parse(line) as OutboxLine;
        if (Number.isSafeInteger(l.seq) && l.seq > 0 && typeof l.text === 'string' && (l.stream === 'out' || l.stream === 'err') && typeof l.at === 'number') out.push(l);
      } catch {
        // a line cut by the crash
      }
    }
    if (out.length > 0) this.holding.add(id);
    return out;
  }
}
