// The event stream's memory (src/conductor/event-log.ts): every state change gets the next sequence
// number; a client that reconnects with its last number gets exactly what it missed, or null (and so
// a fresh snapshot) when that is not possible: another epoch, a number from the future, or events
// that have left the ring.
import * as assert from 'node:assert/strict';
import { EventLog } from '../../../src/conductor/event-log';
import type { ApiEvent, EventBody } from '../../../src/shared/protocol/api';

const body = (i: number): EventBody => ({ type: 'daemon-log', level: 'info', message: `event ${i}` });

/** Emits `count` events and returns them. */
function fill(log: EventLog, count: number, from = 1): ApiEvent[] {
  return Array.from({ length: count }, (_, i) => log.emit(body(from + i)));
}

describe('event log', () => {
  describe('sequence numbers', () => {
    it('start at 1 and go up by one with every event', () => {
      const log = new EventLog();
      assert.equal(log.lastSeq, 0);
      const events = fill(log, 5);
      assert.deepEqual(
        events.map((e) => e.seq),
        [1, 2, 3, 4, 5],
      );
      assert.equal(log.lastSeq, 5);
    });

    it('stay monotonic after the ring wraps', () => {
      const log = new EventLog(3);
      const events = fill(log, 10);
      assert.deepEqual(
        events.map((e) => e.seq),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.equal(log.lastSeq, 10);
    });

    it('stamp every event with the epoch and the injected time, and keep its body', () => {
      let now = 5000;
      const log = new EventLog(100, () => now);
      const a = log.emit({ type: 'node-removed', id: 'n1' });
      now = 7000;
      const b = log.emit(body(2));
      assert.deepEqual(a, { type: 'node-removed', id: 'n1', seq: 1, epoch: log.epoch, at: 5000 });
      assert.deepEqual(b, { ...body(2), seq: 2, epoch: log.epoch, at: 7000 });
    });

    it('a new log (a restarted Conductor) has another epoch', () => {
      const epochs = new Set(Array.from({ length: 20 }, () => new EventLog().epoch));
      assert.equal(epochs.size, 20);
      for (const e of epochs) assert.match(e, /^[0-9a-f]{12}$/);
    });
  });

  describe('subscribers', () => {
    it('get every event, in order, as it is emitted; unsubscribing stops them', () => {
      const log = new EventLog();
      const seen: number[] = [];
      const other: number[] = [];
      const off = log.subscribe((e) => seen.push(e.seq));
      log.subscribe((e) => other.push(e.seq));
      assert.equal(log.subscriberCount, 2);
      fill(log, 3);
      off();
      assert.equal(log.subscriberCount, 1);
      fill(log, 2, 4);
      assert.deepEqual(seen, [1, 2, 3]);
      assert.deepEqual(other, [1, 2, 3, 4, 5]);
    });

    it('see the same event object that since() returns later', () => {
      const log = new EventLog();
      let got: ApiEvent | undefined;
      log.subscribe((e) => (got = e));
      const emitted = log.emit(body(1));
      assert.equal(got, emitted);
      assert.deepEqual(log.since(0, log.epoch), [emitted]);
    });
  });

  describe('since', () => {
    it('returns exactly the events after the given number', () => {
      const log = new EventLog();
      const events = fill(log, 10);
      for (let seq = 0; seq <= 10; seq++) {
        assert.deepEqual(log.since(seq, log.epoch), events.slice(seq), `since ${seq}`);
      }
    });

    it('returns nothing (not null) for a client that is up to date, including on a new log', () => {
      const log = new EventLog();
      assert.deepEqual(log.since(0, log.epoch), []);
      fill(log, 4);
      assert.deepEqual(log.since(4, log.epoch), []);
    });

    it('a reconnecting client that replays what it missed ends up with every event once, in order', () => {
      const log = new EventLog(50);
      const received: number[] = [];
      let last = 0;
      // Connect, miss some, reconnect, several times.
      for (let round = 0; round < 5; round++) {
        const off = log.subscribe((e) => {
          received.push(e.seq);
          last = e.seq;
        });
        fill(log, 3);
        off();
        fill(log, 4); // missed while away
        const missed = log.since(last, log.epoch);
        assert.ok(missed, `round ${round}`);
        for (const e of missed) {
          received.push(e.seq);
          last = e.seq;
        }
      }
      assert.deepEqual(
        received,
        Array.from({ length: 35 }, (_, i) => i + 1),
      );
    });

    it('is null for another epoch', () => {
      const log = new EventLog();
      fill(log, 3);
      const other = new EventLog();
      assert.equal(log.since(1, other.epoch), null);
      assert.equal(log.since(3, other.epoch), null, 'even when the number matches');
      assert.equal(log.since(0, ''), null);
    });

    it('is null for a number ahead of the log (a client of an older Conductor, or a forged number)', () => {
      const log = new EventLog();
      assert.equal(log.since(1, log.epoch), null);
      fill(log, 3);
      assert.equal(log.since(4, log.epoch), null);
      assert.equal(log.since(1_000_000, log.epoch), null);
    });

    it('is null once the ring has dropped any of the missed events', () => {
      const log = new EventLog(5);
      const events = fill(log, 12); // the ring holds 8 … 12
      assert.deepEqual(log.since(7, log.epoch), events.slice(7), 'the oldest kept event is enough');
      assert.deepEqual(log.since(10, log.epoch), events.slice(10));
      assert.deepEqual(log.since(12, log.epoch), []);
      assert.equal(log.since(6, log.epoch), null, 'event 7 was dropped');
      assert.equal(log.since(0, log.epoch), null);
    });

    it('is null for a negative number', () => {
      const log = new EventLog();
      fill(log, 2);
      assert.equal(log.since(-1, log.epoch), null);
    });

    it('matches a model for every ring size, log length and number', () => {
      for (let capacity = 1; capacity <= 6; capacity++) {
        for (let count = 0; count <= 14; count++) {
          const log = new EventLog(capacity);
          const events = fill(log, count);
          for (let seq = -1; seq <= count + 2; seq++) {
            const expected = seq < 0 || seq > count ? null : seq === count ? [] : seq >= count - capacity ? events.slice(seq) : null;
            assert.deepEqual(log.since(seq, log.epoch), expected, `capacity ${capacity}, ${count} events, since ${seq}`);
          }
        }
      }
    });

    it('returns a copy: changing it does not change the log', () => {
      const log = new EventLog();
      fill(log, 3);
      const got = log.since(0, log.epoch)!;
      got.length = 0;
      assert.equal(log.since(0, log.epoch)!.length, 3);
    });
  });
});
