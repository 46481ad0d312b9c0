// Replica logs as the Conductor keeps them: every line an agent sends, numbered by its replica, kept
// once (a line sent again after a reconnection is recognised by its number), written to disk
// (log-files.ts) and acknowledged to the agent only then, the recent ones also in memory (a ring a
// replica) for followers and hints. Queries merge disk and memory in time order, filtered by app,
// generation, replica, time and text. Nothing here reads a file a client names.
import type { Logger } from '../shared/logger';
import { textMatcher } from '../shared/log-format';
import type { LogLine } from '../shared/protocol/api';
import { Ring } from '../shared/ring';
import { LogFiles, replicaParts, type StoredLine } from './log-files';
import { RepeatedFailure } from './repeated-failure';

const LINES_PER_REPLICA = 2000;

export interface LogQuery {
  app?: string | null;
  generation?: number | null;
  replica?: string | null;
  /** Substring, or `/regex/flags`. */
  grep?: string | null;
  /** Lines at or after this time (ms since the epoch). */
  since?: number | null;
  tail: number;
}

/** Whether a line matches a query (all but `tail`); throws for a `grep` that is not a valid regular expression. */
export function matcher(q: LogQuery): (l: LogLine) => boolean {
  const text = q.grep ? textMatcher(q.grep) : null;
  return (l) =>
    (!q.app || l.app === q.app) &&
    (q.generation == null || l.generation === q.generation) &&
    (!q.replica || l.replica === q.replica) &&
    (q.since == null || l.at >= q.since) &&
    (text === null || text(l.text));
}

const order = (a: LogLine, b: LogLine) => a.at - b.at || a.replica.localeCompare(b.replica) || a.seq - b.seq;

export class LogStore {
  private readonly rings = new Map<string, Ring<LogLine>>();
  /** The highest sequence number kept, a replica (from disk after a restart). */
  private readonly kept = new Map<string, Promise<number>>();
  private readonly followers = new Set<{ match: (l: LogLine) => boolean; send: (l: LogLine) => void }>();
  /** The generations last kept, an app (retain acts on a change). */
  private readonly retained = new Map<string, string>();
  /** A full disk fails every write: said once, then counted. */
  private readonly writeTrouble = new RepeatedFailure({ failing: 'cannot write replica logs; they are kept in memory only', recovered: 'replica logs are written to disk again' });

  constructor(
    private readonly files: LogFiles,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Lines from an agent: new ones (by sequence number) are told to followers, kept in memory and
   * written; resolves with the number up to which the replica's lines are written (to acknowledge).
   */
  async append(replica: string, lines: readonly StoredLine[]): Promise<number> {
    const parts = replicaParts(replica);
    if (!parts) return 0;
    const before = this.kept.get(replica) ?? this.files.lastSeq(parts.app, replica);
    let resolveAfter!: (n: number) => void;
    this.kept.set(replica, new Promise<number>((r) => (resolveAfter = r)));
    const last = await before;
    // Forgotten while this waited: its lines are still written and acknowledged, but no ring comes back.
    const forgotten = !this.kept.has(replica);
    const fresh = lines.filter((l) => l.seq > last).sort((a, b) => a.seq - b.seq);
    const upTo = fresh.at(-1)?.seq ?? last;
    resolveAfter(Math.max(upTo, last));
    if (fresh.length === 0) return last;
    let ring = this.rings.get(replica);
    if (!ring && !forgotten) this.rings.set(replica, (ring = new Ring(LINES_PER_REPLICA)));
    for (const l of fresh) {
      const line: LogLine = { replica, app: parts.app, generation: parts.generation, ...l };
      ring?.push(line);
      for (const f of this.followers) if (f.match(line)) f.send(line);
    }
    try {
      await this.files.append(parts.app, replica, fresh);
      const back = this.writeTrouble.succeeded(this.now());
      if (back) this.log.info(back);
    } catch (err) {
      const line = this.writeTrouble.failed(this.now(), `${replica}: ${(err as Error).message}`);
      if (line) this.log.warn(line);
    }
    return upTo;
  }

  /** Resolves once the lines received so far for a replica are in memory (a report that follows them, such as its exit, can quote them). */
  async settled(replica: string): Promise<void> {
    await this.kept.get(replica);
  }

  /** The recent lines of one replica, in memory (for hints about a replica that just failed). */
  recent(replica: string, n: number): LogLine[] {
    return this.rings.get(replica)?.tail(n) ?? [];
  }

  /** The last `q.tail` lines matching the query, from disk and memory, in time order. */
  async query(q: LogQuery, replicas: ReadonlySet<string> | null = null): Promise<LogLine[]> {
    // The last none (`slice(-0)` would be every one).
    if (q.tail <= 0) return [];
    const match = matcher(q);
    const found = new Map<string, LogLine>();
    const take = (l: LogLine) => {
      if (match(l) && (!replicas || replicas.has(l.replica))) found.set(`${l.replica}\0${l.seq}`, l);
    };
    for (const { app, replica } of this.files.replicas(q.app ?? null)) {
      const parts = replicaParts(replica);
      if (!parts || (q.replica && replica !== q.replica) || (q.generation != null && parts.generation !== q.generation)) continue;
      // A text filter may keep few of the last lines: read more then.
      const lines = await this.files.read(app, replica, q.grep ? Math.max(q.tail * 20, 10_000) : q.tail, q.since ?? 0);
      for (const l of lines) take({ replica, app, generation: parts.generation, ...l });
    }
    for (const ring of this.rings.values()) for (const l of ring.tail(LINES_PER_REPLICA)) take(l);
    return [...found.values()].sort(order).slice(-q.tail);
  }

  /** Tells `send` every new line matching the query; returns the unsubscribe. */
  follow(q: LogQuery, send: (l: LogLine) => void, replicas: (() => ReadonlySet<string>) | null = null): () => void {
    const match = matcher(q);
    const f = { match: (l: LogLine) => match(l) && (!replicas || replicas().has(l.replica)), send };
    this.followers.add(f);
    return () => this.followers.delete(f);
  }

  /** Replicas whose recent lines are in memory (each a ring of at most LINES_PER_REPLICA). */
  get replicasInMemory(): number {
    return this.rings.size;
  }

  /** A replica forgotten by the state: its memory goes (its files stay with its generation). */
  forget(replica: string): void {
    this.rings.delete(replica);
    this.kept.delete(replica);
  }

  /** An app's files of generations not in `keep` go (looked at only when `keep` changes). */
  retain(app: string, keep: ReadonlySet<number>): void {
    const key = [...keep].sort((a, b) => a - b).join(',');
    if (this.retained.get(app) === key) return;
    this.retained.set(app, key);
    void this.files.retain(app, keep).catch((err: Error) => this.log.warn(`cannot remove old logs of ${app}: ${err.message}`));
  }
}
