// One app's backend pool (src/conductor/backend-pool.ts): picking (fewest in flight, round robin
// among equals), a leaving backend taking no new work, draining to gone when its in-flight work ends
// or its cap passes, settle counting once, and a backend that is gone. No sockets; the drain cap
// runs on a fake clock, so nothing here sleeps.
import * as assert from 'node:assert/strict';
import { BackendPool, type Backend, type DrainTimer } from '../../../src/conductor/backend-pool';

/** A clock that moves only when the test says so; the pool's drain caps run on it. */
class FakeClock implements DrainTimer {
  now = 0;
  private readonly timers = new Set<{ at: number; fn: () => void }>();

  after(ms: number, fn: () => void): () => void {
    const t = { at: this.now + ms, fn };
    this.timers.add(t);
    return () => void this.timers.delete(t);
  }

  get pending(): number {
    return this.timers.size;
  }

  tick(ms: number): void {
    this.now += ms;
    for (const t of [...this.timers].sort((a, b) => a.at - b.at)) if (t.at <= this.now && this.timers.delete(t)) t.fn();
  }
}

/** Whether a promise has resolved, read after pending callbacks ran. */
function tracked(p: Promise<void>): { done: boolean } {
  const t = { done: false };
  void p.then(() => (t.done = true));
  return t;
}

async function microtasks(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}

function world(ids: string[]) {
  const clock = new FakeClock();
  const seen: string[] = [];
  const pool = new BackendPool(
    {
      joined: (b) => seen.push(`joined ${b.id}`),
      leaving: (b) => seen.push(`leaving ${b.id}`),
      gone: (b) => seen.push(`gone ${b.id}`),
      overran: (b, capMs) => seen.push(`overran ${b.id} ${b.inFlight} ${capMs}`),
    },
    clock,
  );
  ids.forEach((id, i) => pool.add({ id, host: '127.0.0.1', port: 4000 + i }));
  const picks = (n: number, skip: ReadonlySet<string> = new Set()) => Array.from({ length: n }, () => pool.pick(skip)?.id ?? null);
  return { clock, seen, pool, picks };
}

function must(b: Backend | undefined | null): Backend {
  assert.ok(b, 'no backend');
  return b;
}

describe('backend pool', () => {
  describe('picking', () => {
    it('takes turns among backends with as many in flight', () => {
      const { picks } = world(['a', 'b', 'c']);
      assert.deepEqual(picks(7), ['a', 'b', 'c', 'a', 'b', 'c', 'a']);
    });

    it('picks the backend with the fewest in flight', () => {
      const { pool } = world(['a', 'b', 'c']);
      pool.begin(must(pool.get('a')));
      pool.begin(must(pool.get('a')));
      pool.begin(must(pool.get('c')));
      assert.equal(pool.pick()?.id, 'b');
      pool.begin(must(pool.get('b')));
      pool.begin(must(pool.get('b')));
      assert.equal(pool.pick()?.id, 'c');
    });

    it('spreads work begun on what it picks', () => {
      const { pool } = world(['a', 'b']);
      const counts = new Map<string, number>();
      for (let i = 0; i < 6; i++) {
        const b = must(pool.pick());
        pool.begin(b);
        counts.set(b.id, (counts.get(b.id) ?? 0) + 1);
      }
      assert.deepEqual(Object.fromEntries(counts), { a: 3, b: 3 });
    });

    it('skips the backends already tried', () => {
      const { picks } = world(['a', 'b', 'c']);
      assert.deepEqual(picks(4, new Set(['a', 'c'])), ['b', 'b', 'b', 'b']);
    });

    it('has none to give when the pool is empty, all were tried, or none is active', () => {
      assert.equal(new BackendPool().pick(), null);
      const { pool, picks } = world(['a', 'b']);
      assert.deepEqual(picks(1, new Set(['a', 'b'])), [null]);
      pool.begin(must(pool.get('a')));
      void pool.leave('a', 1_000);
      void pool.leave('b', 1_000);
      assert.deepEqual(picks(2), [null, null]);
      assert.equal(pool.activeCount(), 0);
    });
  });

  describe('leaving', () => {
    it('gives a leaving backend no new work while its requests finish', () => {
      const { pool, picks, seen } = world(['a', 'b']);
      pool.begin(must(pool.get('a')));
      void pool.leave('a', 30_000);
      assert.equal(pool.get('a')?.state, 'leaving');
      assert.equal(pool.activeCount(), 1);
      assert.deepEqual(picks(4), ['b', 'b', 'b', 'b']);
      assert.deepEqual(seen, ['joined a', 'joined b', 'leaving a']);
    });

    it('is gone at once when nothing is in flight', async () => {
      const { pool, clock, seen } = world(['a']);
      const left = tracked(pool.leave('a', 30_000));
      await microtasks();
      assert.equal(left.done, true);
      assert.equal(pool.get('a'), undefined);
      assert.equal(clock.pending, 0);
      assert.deepEqual(seen, ['joined a', 'leaving a', 'gone a']);
    });

    it('resolves when its in-flight requests reach 0, before the cap', async () => {
      const { pool, clock, seen } = world(['a', 'b']);
      const a = must(pool.get('a'));
      const first = pool.begin(a);
      const second = pool.begin(a);
      const left = tracked(pool.leave('a', 30_000));
      first();
      await microtasks();
      assert.equal(left.done, false);
      assert.equal(a.state, 'leaving');
      assert.equal(a.inFlight, 1);
      second();
      await microtasks();
      assert.equal(left.done, true);
      assert.equal(a.state, 'gone');
      assert.equal(clock.pending, 0, 'the cap is cancelled');
      assert.deepEqual(seen, ['joined a', 'joined b', 'leaving a', 'gone a']);
    });

    it('resolves when the drain cap passes with requests still in flight', async () => {
      const { pool, clock, seen } = world(['a', 'b']);
      const a = must(pool.get('a'));
      pool.begin(a);
      const left = tracked(pool.leave('a', 5_000));
      clock.tick(4_999);
      await microtasks();
      assert.equal(left.done, false);
      clock.tick(1);
      await microtasks();
      assert.equal(left.done, true);
      assert.equal(a.state, 'gone');
      assert.equal(pool.get('a'), undefined);
      assert.deepEqual(seen, ['joined a', 'joined b', 'leaving a', 'overran a 1 5000', 'gone a']);
    });

    it('resolves every leave of the same backend when it goes', async () => {
      const { pool, clock } = world(['a']);
      const settle = pool.begin(must(pool.get('a')));
      const first = tracked(pool.leave('a', 10_000));
      const second = tracked(pool.leave('a', 20_000));
      settle();
      await microtasks();
      assert.deepEqual([first.done, second.done], [true, true]);
      assert.equal(clock.pending, 0);
    });

    it('takes a leaving backend back into rotation when it joins again', () => {
      const { pool, picks } = world(['a', 'b']);
      pool.begin(must(pool.get('a')));
      void pool.leave('a', 30_000);
      pool.add({ id: 'a', host: '127.0.0.1', port: 4000 });
      assert.equal(pool.get('a')?.state, 'active');
      assert.deepEqual(picks(2, new Set(['b'])), ['a', 'a']);
    });

    it('lets a closing listener drop every backend, resolving the leaves', async () => {
      const { pool, seen } = world(['a', 'b']);
      pool.begin(must(pool.get('a')));
      const left = tracked(pool.leave('a', 30_000));
      pool.clear();
      await microtasks();
      assert.equal(left.done, true);
      assert.equal(pool.activeCount(), 0);
      assert.equal(pool.pick(), null);
      assert.deepEqual(seen.slice(-2), ['gone a', 'gone b']);
    });
  });

  describe('settle', () => {
    it('counts once however often it is called', () => {
      const { pool } = world(['a']);
      const a = must(pool.get('a'));
      const settle = pool.begin(a);
      pool.begin(a);
      settle();
      settle();
      settle();
      assert.equal(a.inFlight, 1);
    });

    it('does not end a drain early when called twice', async () => {
      const { pool } = world(['a']);
      const a = must(pool.get('a'));
      const settle = pool.begin(a);
      pool.begin(a);
      const left = tracked(pool.leave('a', 30_000));
      settle();
      settle();
      await microtasks();
      assert.equal(left.done, false);
      assert.equal(a.state, 'leaving');
    });
  });

  describe('a removed backend', () => {
    it('is not picked, counts no work, and leaves at once', async () => {
      const { pool, picks } = world(['a', 'b']);
      const a = must(pool.get('a'));
      await pool.leave('a', 1_000);
      assert.equal(a.state, 'gone');
      assert.deepEqual(picks(3), ['b', 'b', 'b']);
      pool.begin(a)();
      assert.equal(a.inFlight, 0);
      const again = tracked(pool.leave('a', 1_000));
      await microtasks();
      assert.equal(again.done, true);
      const unknown = tracked(pool.leave('nobody', 1_000));
      await microtasks();
      assert.equal(unknown.done, true);
    });

    it('leaves its late settles and caps out of a new backend with the same id', async () => {
      const { pool, clock, seen } = world(['a']);
      const old = must(pool.get('a'));
      const lateSettle = pool.begin(old);
      void pool.leave('a', 1_000);
      clock.tick(1_000);
      assert.equal(old.state, 'gone');
      pool.add({ id: 'a', host: '127.0.0.1', port: 4100 });
      const fresh = must(pool.get('a'));
      assert.notEqual(fresh, old);
      assert.deepEqual([fresh.state, fresh.inFlight, fresh.port], ['active', 0, 4100]);
      pool.begin(fresh);
      lateSettle();
      clock.tick(10_000);
      assert.equal(fresh.inFlight, 1);
      assert.equal(pool.get('a'), fresh);
      assert.deepEqual(seen, ['joined a', 'leaving a', 'overran a 1 1000', 'gone a', 'joined a']);
    });
  });
});
