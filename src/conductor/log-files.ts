// Replica logs on disk: one NDJSON file a replica under `<home>/logs/replicas/<app>/`, rotated once
// at FILE_CAP (the older half kept as `<replica>.1.ndjson`), the whole folder kept under a total
// budget (the oldest files of replicas no longer writing go first). Each replica's writes are one
// chain, so lines land in order and `append` resolves once they are on disk (the Conductor then
// acknowledges them to the agent). A replica's files go when its generation is forgotten.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../shared/logger';

export interface StoredLine {
  seq: number;
  at: number;
  stream: 'out' | 'err';
  text: string;
}

const FILE_CAP = 4 * 1024 * 1024;
const READ_CHUNK = 64 * 1024;

/** `web-3-a1b2c3` → app `web`, generation 3 (app names may hold `-`). */
export function replicaParts(id: string): { app: string; generation: number } | null {
  const m = /^(.+)-(\d+)-[0-9a-f]+$/.exec(id);
  return m ? { app: m[1]!, generation: Number(m[2]) } : null;
}

export class LogFiles {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly sizes = new Map<string, number>();
  private total = 0;
  private scanned = false;

  constructor(
    private readonly root: string,
    private readonly budgetBytes: number,
    private readonly log: Logger,
  ) {}

  private fileOf(app: string, replica: string, rotated = false): string {
    return path.join(this.root, app, `${replica}${rotated ? '.1' : ''}.ndjson`);
  }

  /** Appends a replica's lines, in order after any write in progress; resolves once they are written. */
  append(app: string, replica: string, lines: readonly StoredLine[]): Promise<void> {
    const run = async () => {
      this.scan();
      const file = this.fileOf(app, replica);
      const text = lines.map((l) => JSON.stringify({ s: l.seq, t: l.at, o: l.stream, x: l.text })).join('\n') + '\n';
      await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      if ((this.sizes.get(file) ?? 0) + text.length > FILE_CAP) await this.rotate(app, replica);
      await fs.promises.appendFile(file, text, { mode: 0o600 });
      this.grow(file, Buffer.byteLength(text));
      if (this.total > this.budgetBytes) await this.prune();
    };
    const next = (this.chains.get(replica) ?? Promise.resolve()).then(run, run);
    this.chains.set(replica, next);
    // Forgotten once done, failed or not (the caller hears of a failure from `next`; a `finally`
    // here would be a second promise rejecting with no one to hear it, and end the Conductor).
    const forget = () => {
      if (this.chains.get(replica) === next) this.chains.delete(replica);
    };
    next.then(forget, forget);
    return next;
  }

  /** The highest sequence number written for a replica (0: none), read from the end of its file. */
  async lastSeq(app: string, replica: string): Promise<number> {
    for (const file of [this.fileOf(app, replica), this.fileOf(app, replica, true)]) {
      const lines = await this.tailLines(file, 1);
      if (lines.length > 0) return lines.at(-1)!.seq;
    }
    return 0;
  }

  /** A replica's last `n` lines at or after `since` (both files), oldest first. */
  async read(app: string, replica: string, n: number, since: number): Promise<StoredLine[]> {
    const current = await this.tailLines(this.fileOf(app, replica), n, since);
    if (current.length >= n) return current.slice(-n);
    const older = await this.tailLines(this.fileOf(app, replica, true), n - current.length, since);
    return [...older, ...current];
  }

  /** The replicas with files, by app (all apps when `app` is null). */
  replicas(app: string | null): { app: string; replica: string }[] {
    const out: { app: string; replica: string }[] = [];
    const apps = app === null ? this.dirs(this.root) : [app];
    for (const a of apps) {
      for (const f of this.dirs(path.join(this.root, a), true)) {
        const m = /^(.+?)(?:\.1)?\.ndjson$/.exec(f);
        if (m) out.push({ app: a, replica: m[1]! });
      }
    }
    return [...new Map(out.map((o) => [o.replica, o])).values()];
  }

  /** Removes the files of an app's replicas whose generation is not in `keep` (and that are not being written). */
  async retain(app: string, keep: ReadonlySet<number>): Promise<void> {
    for (const { replica } of this.replicas(app)) {
      const parts = replicaParts(replica);
      if (!parts || keep.has(parts.generation) || this.chains.has(replica)) continue;
      for (const file of [this.fileOf(app, replica), this.fileOf(app, replica, true)]) await this.remove(file);
    }
  }

  private async rotate(app: string, replica: string): Promise<void> {
    const file = this.fileOf(app, replica);
    const older = this.fileOf(app, replica, true);
    await this.remove(older);
    await fs.promises.rename(file, older).catch(() => {});
    this.sizes.set(older, this.sizes.get(file) ?? 0);
    this.sizes.delete(file);
  }

  /** Over the budget: the oldest files of replicas not being written go first. */
  private async prune(): Promise<void> {
    const files = [...this.sizes.keys()]
      .map((f) => ({ f, mtime: this.mtime(f) }))
      .sort((a, b) => a.mtime - b.mtime);
    for (const { f } of files) {
      if (this.total <= this.budgetBytes * 0.9) break;
      const replica = path.basename(f).replace(/(\.1)?\.ndjson$/, '');
      if (this.chains.has(replica) && !f.endsWith('.1.ndjson')) continue;
      this.log.info(`logs over their budget (${this.budgetBytes} bytes): removed ${f}`);
      await this.remove(f);
    }
  }

  private async remove(file: string): Promise<void> {
    await fs.promises.rm(file, { force: true });
    this.total -= this.sizes.get(file) ?? 0;
    this.sizes.delete(file);
  }

  private grow(file: string, bytes: number): void {
    this.sizes.set(file, (this.sizes.get(file) ?? 0) + bytes);
    this.total += bytes;
  }

  /** Sizes of the files an earlier run left, once. */
  private scan(): void {
    if (this.scanned) return;
    this.scanned = true;
    for (const app of this.dirs(this.root)) {
      for (const f of this.dirs(path.join(this.root, app), true)) {
        const file = path.join(this.root, app, f);
        try {
          this.grow(file, fs.statSync(file).size);
        } catch {
          // gone meanwhile
        }
      }
    }
  }

  private dirs(dir: string, files = false): string[] {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => (files ? e.isFile() : e.isDirectory())).map((e) => e.name);
    } catch {
      return [];
    }
  }

  private mtime(file: string): number {
    try {
      return fs.statSync(file).mtimeMs;
    } catch {
      return 0;
    }
  }

  /** The last `n` lines of a file at or after `since`, reading backwards a chunk at a time. */
  private async tailLines(file: string, n: number, since = 0): Promise<StoredLine[]> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'r');
    } catch {
      return [];
    }
    try {
      let pos = (await handle.stat()).size;
      let rest = '';
      const out: StoredLine[] = [];
      while (pos > 0 && out.length < n) {
        const size = Math.min(READ_CHUNK, pos);
        pos -= size;
        const buf = Buffer.alloc(size);
        await handle.read(buf, 0, size, pos);
        const text = buf.toString('utf8') + rest;
        const parts = text.split('\n');
        // The first piece may be the end of a line that began in the chunk before: read it with that one.
        rest = pos > 0 ? parts.shift()! : '';
        let older = false;
        for (let i = parts.length - 1; i >= 0 && out.length < n; i--) {
          const line = parse(parts[i]!);
          if (!line) continue;
          if (line.at < since) {
            older = true;
            break;
          }
          out.push(line);
        }
        if (older) break;
      }
      return out.reverse();
    } finally {
      await handle.close();
    }
  }
}

function parse(text: string): StoredLine | null {
  if (text === '') return null;
  try {
    const v = JSON.parse(text) as { s: number; t: number; o: 'out' | 'err'; x: string };
    return typeof v.s === 'number' ? { seq: v.s, at: v.t, stream: v.o, text: v.x } : null;
  } catch {
    return null; // a line torn by a crash mid-write
  }
}
