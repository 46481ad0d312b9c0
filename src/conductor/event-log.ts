// The event stream's memory: every state change gets the next sequence number and is kept in a
// bounded ring, so a client that reconnects with its last number gets exactly what it missed (or,
// if that has left the ring or the Conductor restarted, a fresh snapshot).
import * as crypto from 'node:crypto';
import type { ApiEvent, EventBody } from '../shared/protocol/api';
import { Ring } from '../shared/ring';

export type Subscriber = (event: ApiEvent) => void;

export class EventLog {
  readonly epoch = crypto.randomBytes(6).toString('hex');
  private seq = 0;
  private readonly ring: Ring<ApiEvent>;
  private readonly subscribers = new Set<Subscriber>();
  /** Consumers inside the Conductor (not clients: they do not hold its lease). */
  private readonly observers = new Set<Subscriber>();

  constructor(
    capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.ring = new Ring(capacity);
  }

  get lastSeq(): number {
    return this.seq;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  emit(body: EventBody): ApiEvent {
    const event = { ...body, seq: ++this.seq, epoch: this.epoch, at: this.now() } as ApiEvent;
    this.ring.push(event);
    for (const s of this.subscribers) s(event);
    for (const o of this.observers) o(event);
    return event;
  }

  /** Events after `seq` of this epoch, or null when they are no longer all here. */
  since(seq: number, epoch: string): ApiEvent[] | null {
    if (epoch !== this.epoch || seq > this.seq) return null;
    if (seq === this.seq) return [];
    // The ring holds the last `size` events, numbered up to `this.seq`.
    if (seq < this.seq - this.ring.size) return null;
    return this.ring.tail(this.seq - seq);
  }

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  /** Like subscribe, for a part of the Conductor itself: it is not a client and holds no lease. */
  observe(o: Subscriber): () => void {
    this.observers.add(o);
    return () => this.observers.delete(o);
  }
}
