// A replica's output on its way to the Conductor: each line gets the next sequence number of its
// replica, waits here until the Conductor acknowledges it (it has written it to disk), and is sent
// again after a reconnection — so a Conductor that crashes or is away loses nothing, and the
// sequence numbers let it keep each line once. Bounded: a replica writing faster than
// LINES_PER_SECOND, or more unacknowledged lines than fit, has lines dropped, counted, and said in
// a line of their own; so does a line split because it was too long for a frame (line-splitter.ts),
// and lines the Conductor refused (they are dropped, never sent again as they were). A batch stays
// well under the frame limit whatever its lines hold.
//
// Lines outlive the agent: unacknowledged ones are copied to a spool (line-spool.ts) as they come, and
// numbers are handed out in blocks, the block a replica is in saved with its adoption record
// (`onBlock`), so an agent that adopts the replica after a crash sends its predecessor's lines again
// (`restore`) and goes on above anything the predecessor may have sent.
//
//   written ──send (batched, ≤ 15 ms)──▶ sent ──ack──▶ gone
//      ▲                                  │ reconnection
//      └──────────────────────────────────┘ (sent again)

import { MAX_LINE_CHARS } from '../shared/protocol/agent';
import type { Spool } from './line-spool';

export interface OutboxLine {
  seq: number;
  at: number;
  stream: 'out' | 'err';
  text: string;
}

/** How the outbox sends a batch of one replica's lines. */
export type SendLogs = (id: string, lines: OutboxLine[], dropped: number) => void;

export const LINES_PER_SECOND = 2_000;
export const MAX_UNACKED_LINES = 20_000;
const BATCH_LINES = 500;
/** A batch's text, counted at its worst (every character escaped as \uXXXX in JSON): a quarter of the 4 MiB frame. */
const BATCH_BYTES = 1024 * 1024;
/** Sequence numbers are saved a block at a time (see the header). */
export const SEQ_BLOCK = 10_000;

/** The most a line can cost in a frame: every character escaped, and its fields. */
function worstBytes(text: string): number {
  return text.length * 6 + 80;
}

interface Queue {
  id: string;
  lastSeq: number;
  /** The highest number copied to the spool. */
  spooled: number;
  unacked: OutboxLine[];
  /** The highest sequence number sent on the current connection. */
  sentUpTo: number;
  droppedSinceSaid: number;
  second: number;
  count: number;
  /** The replica is gone: forget the queue once everything is acknowledged. */
  ended: boolean;
}

export class LogOutbox {
  private readonly queues = new Map<string, Queue>();
  private connected = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly toSpool = new Set<Queue>();
  private spooling = false;

  constructor(
    private readonly send: SendLogs,
    private readonly now: () => number = Date.now,
    private readonly flushMs = 15,
    /** A replica's numbers reached `seq`, a multiple of SEQ_BLOCK: save that the next block is in use. */
    private readonly onBlock: (id: string, seq: number) => void = () => {},
    /** Where unacknowledged lines are copied; null: nowhere. */
    private readonly spool: Spool | null = null,
  ) {}

  /** Lines an earlier run of the agent had not seen acknowledged: waiting again, with their numbers. */
  restore(id: string, lines: readonly OutboxLine[]): void {
    const q = this.queue(id);
    for (const l of lines.slice(-MAX_UNACKED_LINES)) {
      if (l.seq <= q.lastSeq) continue;
      q.unacked.push(l);
      q.lastSeq = l.seq;
    }
    q.spooled = q.lastSeq;
    this.schedule();
  }

  /** Numbers this replica's next line from `first` (an adopted replica: above its predecessor's block). */
  begin(id: string, first: number): void {
    const q = this.queue(id);
    q.lastSeq = Math.max(q.lastSeq, first - 1);
    q.spooled = q.lastSeq;
  }

  /** The last number given to a line of this replica (0: none). */
  lastSeqOf(id: string): number {
    return this.queues.get(id)?.lastSeq ?? 0;
  }

  /**
   * A line a replica wrote; the rate counts by the second the line was read in (its `at`), as a reader
   * of the logs sees it. `pieces`: it ends a line that was split into that many (said after it).
   */
  add(id: string, line: { at: number; stream: 'out' | 'err'; text: string }, pieces = 0): void {
    const q = this.queue(id);
    const second = Math.floor(line.at / 1000);
    if (q.second !== second) {
      q.second = second;
      q.count = 0;
    }
    if (++q.count > LINES_PER_SECOND) {
      q.droppedSinceSaid++;
      return;
    }
    if (q.droppedSinceSaid > 0) this.sayDropped(q, line.at);
    this.push(q, line);
    if (pieces > 1) {
      this.push(q, { at: line.at, stream: line.stream, text: `[skr8tr: the line above was longer than ${MAX_LINE_CHARS} characters: it was split into ${pieces} lines]` });
    }
    this.schedule();
  }

  /**
   * The Conductor refused a batch of this replica's lines (and closed the connection): what was sent
   * of them goes, said in a line of its own, so the same frame is never sent again.
   */
  refused(id: string, reason: string): void {
    const q = this.queues.get(id);
    if (!q) return;
    let n = 0;
    while (n < q.unacked.length && q.unacked[n]!.seq <= q.sentUpTo) n++;
    if (n === 0) return;
    q.unacked.splice(0, n);
    // Nor from the spool: an agent that adopts the replica must not send them again either.
    this.spool?.clear(id);
    this.spool?.append(id, q.unacked.filter((l) => l.seq <= q.spooled));
    this.push(q, { at: this.now(), stream: 'err', text: `[skr8tr: ${n} line${n === 1 ? '' : 's'} not kept: the Conductor refused them (${reason.slice(0, 300)})]` });
    this.schedule();
  }

  /** The Conductor wrote everything up to `seq` of this replica. */
  acknowledged(id: string, seq: number): void {
    const q = this.queues.get(id);
    if (!q) return;
    let n = 0;
    while (n < q.unacked.length && q.unacked[n]!.seq <= seq) n++;
    if (n > 0) q.unacked.splice(0, n);
    if (q.unacked.length === 0) this.spool?.clear(id);
    if (q.ended && q.unacked.length === 0) this.forget(id);
  }

  /** The replica is gone for good: its queue goes once its last lines are acknowledged. */
  ended(id: string): void {
    const q = this.queues.get(id);
    if (!q) return;
    if (q.droppedSinceSaid > 0) this.sayDropped(q, this.now());
    q.ended = true;
    if (q.unacked.length === 0) this.forget(id);
    else this.schedule();
  }

  private forget(id: string): void {
    this.queues.delete(id);
    this.spool?.remove(id);
  }

  /** A new connection is up: everything unacknowledged is sent again. */
  connectedNow(): void {
    this.connected = true;
    for (const q of this.queues.values()) q.sentUpTo = 0;
    this.flush();
  }

  disconnected(): void {
    this.connected = false;
  }

  /** Sends what is waiting now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.connected) return;
    for (const [id, q] of this.queues) {
      const waiting = q.unacked.filter((l) => l.seq > q.sentUpTo);
      let batch: OutboxLine[] = [];
      let bytes = 0;
      for (const l of waiting) {
        const cost = worstBytes(l.text);
        if (batch.length > 0 && (batch.length >= BATCH_LINES || bytes + cost > BATCH_BYTES)) {
          this.send(id, batch, 0);
          batch = [];
          bytes = 0;
        }
        batch.push(l);
        bytes += cost;
      }
      if (batch.length > 0) this.send(id, batch, 0);
      if (waiting.length > 0) q.sentUpTo = waiting.at(-1)!.seq;
    }
  }

  /** Unacknowledged lines, all replicas (for tests and the agent's own bounds). */
  get pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.unacked.length;
    return n;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private queue(id: string): Queue {
    let q = this.queues.get(id);
    if (!q) this.queues.set(id, (q = { id, lastSeq: 0, spooled: 0, unacked: [], sentUpTo: 0, droppedSinceSaid: 0, second: 0, count: 0, ended: false }));
    return q;
  }

  private push(q: Queue, line: { at: number; stream: 'out' | 'err'; text: string }): void {
    q.unacked.push({ seq: ++q.lastSeq, ...line });
    this.spoolSoon(q);
    if (q.lastSeq % SEQ_BLOCK === 0) this.onBlock(q.id, q.lastSeq);
    if (q.unacked.length > MAX_UNACKED_LINES) {
      // The Conductor is away or slow: the oldest go, and the next line says how many.
      q.unacked.shift();
      q.droppedSinceSaid++;
    }
  }

  /** Copies what came since the last copy, once the lines of this chunk of output are all in (a microtask later). */
  private spoolSoon(q: Queue): void {
    if (!this.spool) return;
    this.toSpool.add(q);
    if (this.spooling) return;
    this.spooling = true;
    queueMicrotask(() => {
      this.spooling = false;
      for (const s of this.toSpool) {
        const fresh = s.unacked.filter((l) => l.seq > s.spooled);
        this.spool!.append(s.id, fresh);
        s.spooled = s.lastSeq;
      }
      this.toSpool.clear();
    });
  }

  private sayDropped(q: Queue, at: number): void {
    const n = q.droppedSinceSaid;
    q.droppedSinceSaid = 0;
    this.push(q, { at, stream: 'err', text: `[skr8tr: ${n} line${n === 1 ? '' : 's'} not kept: more than ${LINES_PER_SECOND} a second, or more than ${MAX_UNACKED_LINES} waiting for the Conductor]` });
  }

  private schedule(): void {
    if (!this.connected) return;
    let waiting = 0;
    for (const q of this.queues.values()) waiting += q.lastSeq - q.sentUpTo;
    if (waiting >= BATCH_LINES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }
}
