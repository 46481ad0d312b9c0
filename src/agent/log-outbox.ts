// A replica's output on its way to the Conductor: each line gets the next sequence number of its
// replica, waits here until the Conductor acknowledges it (it has written it to disk), and is sent
// again after a reconnection — so a Conductor that crashes or is away loses nothing, and the
// sequence numbers let it keep each line once. Bounded: a replica writing faster than
// LINES_PER_SECOND, or more unacknowledged lines than fit, has lines dropped, counted, and said in
// a line of their own.
//
//   written ──send (batched, ≤ 15 ms)──▶ sent ──ack──▶ gone
//      ▲                                  │ reconnection
//      └──────────────────────────────────┘ (sent again)

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

interface Queue {
  lastSeq: number;
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

  constructor(
    private readonly send: SendLogs,
    private readonly now: () => number = Date.now,
    private readonly flushMs = 15,
  ) {}

  /** A line a replica wrote; the rate counts by the second the line was read in (its `at`), as a reader of the logs sees it. */
  add(id: string, line: { at: number; stream: 'out' | 'err'; text: string }): void {
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
    this.schedule();
  }

  /** The Conductor wrote everything up to `seq` of this replica. */
  acknowledged(id: string, seq: number): void {
    const q = this.queues.get(id);
    if (!q) return;
    let n = 0;
    while (n < q.unacked.length && q.unacked[n]!.seq <= seq) n++;
    if (n > 0) q.unacked.splice(0, n);
    if (q.ended && q.unacked.length === 0) this.queues.delete(id);
  }

  /** The replica is gone for good: its queue goes once its last lines are acknowledged. */
  ended(id: string): void {
    const q = this.queues.get(id);
    if (!q) return;
    if (q.droppedSinceSaid > 0) this.sayDropped(q, this.now());
    q.ended = true;
    if (q.unacked.length === 0) this.queues.delete(id);
    else this.schedule();
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
      for (let i = 0; i < waiting.length; i += BATCH_LINES) this.send(id, waiting.slice(i, i + BATCH_LINES), 0);
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
    if (!q) this.queues.set(id, (q = { lastSeq: 0, unacked: [], sentUpTo: 0, droppedSinceSaid: 0, second: 0, count: 0, ended: false }));
    return q;
  }

  private push(q: Queue, line: { at: number; stream: 'out' | 'err'; text: string }): void {
    q.unacked.push({ seq: ++q.lastSeq, ...line });
    if (q.unacked.length > MAX_UNACKED_LINES) {
      // The Conductor is away or slow: the oldest go, and the next line says how many.
      q.unacked.shift();
      q.droppedSinceSaid++;
    }
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
