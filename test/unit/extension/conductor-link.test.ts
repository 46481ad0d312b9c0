// The link's one decision "is there still a Conductor?" (src/extension/conductor-link.ts), driven
// with a fake presence, a fake stream and a fake timer: no processes, no sleeps.
import * as assert from 'node:assert/strict';
import { ConductorLink, FIRST_RETRY_MS, MAX_RETRY_MS, nextStep, type LinkState, type Presence, type Timer } from '../../../src/extension/conductor-link';

/** Timers that run only when the test says so. */
class FakeTimer implements Timer {
  now = 0;
  private queue: { at: number; fn: () => void; live: boolean }[] = [];
  set(fn: () => void, ms: number): () => void {
    const t = { at: this.now + ms, fn, live: true };
    this.queue.push(t);
    return () => void (t.live = false);
  }
  get pending(): number[] {
    return this.queue.filter((t) => t.live).map((t) => t.at - this.now);
  }
  /** Runs every timer due within `ms`. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = this.queue.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.now = due.at;
      due.fn();
    }
    this.now = end;
  }
}

/** A stream the test opens and ends by hand. */
interface Stream {
  client: string;
  up: () => void;
  end: (err?: Error) => void;
  signal: AbortSignal;
}

/** Lets promise callbacks run (no timers involved). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function world(answers: Presence<string>[]) {
  const timer = new FakeTimer();
  const streams: Stream[] = [];
  const states: LinkState[] = [];
  const lost: (number | null)[] = [];
  const log: string[] = [];
  const asked: Presence<string>[] = [];
  let last: Presence<string> = { kind: 'absent' };
  const link = new ConductorLink<string>({
    presence: () => {
      last = answers.length > 0 ? answers.shift()! : last;
      asked.push(last);
      return last;
    },
    open: (client, signal, up) =>
      new Promise<void>((resolve, reject) => {
        streams.push({ client, up, signal, end: (err) => (err ? reject(err) : resolve()) });
      }),
    state: (s) => states.push(s),
    lost: (pid) => lost.push(pid),
    log: (l) => log.push(l),
    timer,
  });
  return { link, timer, streams, states, lost, log, asked, answer: (...p: Presence<string>[]) => answers.push(...p) };
}

const running = (client = 'c1'): Presence<string> => ({ kind: 'running', client });
const crashed = (pid = 4242): Presence<string> => ({ kind: 'crashed', pid });
const absent: Presence<string> = { kind: 'absent' };

/** Connects and brings the stream up. */
async function connected(w: ReturnType<typeof world>): Promise<void> {
  const ok = w.link.connect();
  w.streams.at(-1)!.up();
  assert.equal(await ok, true);
  assert.equal(w.link.state, 'connected');
}

describe('conductor link', () => {
  describe('the decision', () => {
    it('opens what runs, retries a stream that ended while its pid still runs', () => {
      assert.equal(nextStep(running(), 'connect', false), 'open');
      assert.equal(nextStep(running(), 'ended', true), 'retry');
      assert.equal(nextStep(running(), 'ended', false), 'retry');
    });
    it('calls a crash gone only when this link was attached to it', () => {
      assert.equal(nextStep(crashed(), 'ended', true), 'gone');
      assert.equal(nextStep(crashed(), 'connect', true), 'gone');
      assert.equal(nextStep(crashed(), 'connect', false), 'idle');
    });
    it('leaves a clean stop and another version alone', () => {
      assert.equal(nextStep(absent, 'ended', true), 'idle');
      assert.equal(nextStep({ kind: 'unusable', why: 'v9' }, 'connect', true), 'idle');
    });
  });

  it('a Conductor that still looks alive when the stream drops, then is gone: the crash is reported (the lost restart)', async () => {
    const w = world([running()]);
    await connected(w);
    // SIGKILL: the socket closes before the process is a zombie, so the first look still sees it.
    w.answer(running(), crashed(4242));
    w.streams[0]!.end(new Error('aborted'));
    await settle();
    assert.equal(w.link.state, 'connecting');
    assert.deepEqual(w.timer.pending, [FIRST_RETRY_MS]);
    assert.deepEqual(w.lost, []);
    w.timer.advance(FIRST_RETRY_MS);
    await settle();
    assert.deepEqual(w.lost, [4242], 'the retry that finds no Conductor reports the crash');
    assert.equal(w.link.state, 'disconnected');
    assert.deepEqual(w.timer.pending, [], 'and stops trying');
  });

  it('a Conductor that looks alive for several looks (a slow reaper) is still reported once it is gone', async () => {
    const w = world([running()]);
    await connected(w);
    // Each retry looks twice (before opening, after the stream ended): running until the third retry.
    w.answer(running(), running(), running(), running(), running(), crashed(7));
    w.streams[0]!.end();
    await settle();
    // Each retry opens the stream again; it fails at once (connection refused) while the pid lingers.
    for (const delay of [FIRST_RETRY_MS, FIRST_RETRY_MS * 2]) {
      assert.deepEqual(w.timer.pending, [delay]);
      w.timer.advance(delay);
      await settle();
      w.streams.at(-1)!.end(new Error('connect ECONNREFUSED'));
      await settle();
    }
    assert.deepEqual(w.timer.pending, [FIRST_RETRY_MS * 4]);
    w.timer.advance(FIRST_RETRY_MS * 4);
    await settle();
    assert.deepEqual(w.lost, [7]);
    assert.equal(w.lost.length, 1);
  });

  it('gone at once: the crash is reported straight from the lost stream', async () => {
    const w = world([running()]);
    await connected(w);
    w.answer(crashed(99));
    w.streams[0]!.end();
    await settle();
    assert.deepEqual(w.lost, [99]);
    assert.equal(w.link.state, 'disconnected');
    assert.equal(w.link.client, null);
    assert.deepEqual(w.timer.pending, []);
  });

  it('alive again (another window restarted it): the link reconnects to the new one, no crash reported', async () => {
    const w = world([running('old')]);
    await connected(w);
    w.answer(running('old'), running('new'));
    w.streams[0]!.end();
    await settle();
    w.timer.advance(FIRST_RETRY_MS);
    await settle();
    assert.equal(w.streams.at(-1)!.client, 'new');
    w.streams.at(-1)!.up();
    await settle();
    assert.equal(w.link.state, 'connected');
    assert.equal(w.link.client, 'new');
    assert.deepEqual(w.lost, []);
  });

  it('a clean stop (conductor.json removed) is a loss without a crash', async () => {
    const w = world([running()]);
    await connected(w);
    w.answer(absent);
    w.streams[0]!.end();
    await settle();
    assert.deepEqual(w.lost, [null]);
    assert.equal(w.link.state, 'disconnected');
  });

  it('a stale crash found at start-up is not reported (this window never saw it run)', async () => {
    const w = world([crashed(5)]);
    assert.equal(await w.link.connect(), false);
    assert.deepEqual(w.lost, []);
    assert.equal(w.link.state, 'disconnected');
  });

  it('a connect that fails while the pid runs retries; one that then finds the crash is not a loss of ours', async () => {
    const w = world([running(), running(), crashed(5)]);
    const ok = w.link.connect();
    w.streams[0]!.end(new Error('ECONNREFUSED'));
    assert.equal(await ok, false);
    await settle();
    assert.equal(w.link.state, 'connecting');
    w.timer.advance(FIRST_RETRY_MS);
    await settle();
    assert.deepEqual(w.lost, []);
    assert.equal(w.link.state, 'disconnected');
  });

  it('disconnect on purpose: an ending stream afterwards is neither retried nor reported', async () => {
    const w = world([running()]);
    await connected(w);
    w.link.disconnect();
    assert.equal(w.streams[0]!.signal.aborted, true);
    w.answer(crashed(1));
    w.streams[0]!.end();
    await settle();
    assert.deepEqual(w.lost, []);
    assert.deepEqual(w.timer.pending, []);
    assert.equal(w.link.state, 'disconnected');
  });

  it('backs off up to its cap while the pid runs but nothing answers, and resets after success', async () => {
    const w = world([running()]);
    await connected(w);
    w.streams[0]!.end();
    await settle();
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const [d] = w.timer.pending;
      delays.push(d!);
      w.timer.advance(d!);
      await settle();
      w.streams.at(-1)!.end(new Error('refused'));
      await settle();
    }
    assert.deepEqual(delays.slice(0, 4), [100, 200, 400, 800]);
    assert.equal(Math.max(...delays), MAX_RETRY_MS);
    w.timer.advance(w.timer.pending[0]!);
    await settle();
    w.streams.at(-1)!.up();
    await settle();
    w.streams.at(-1)!.end();
    await settle();
    assert.deepEqual(w.timer.pending, [FIRST_RETRY_MS]);
  });

  it('a second connect while one is in flight shares it', async () => {
    const w = world([running()]);
    const a = w.link.connect();
    const b = w.link.connect();
    assert.equal(w.streams.length, 1);
    w.streams[0]!.up();
    assert.deepEqual(await Promise.all([a, b]), [true, true]);
  });

  it('a client given by the caller (just started) is opened without asking the presence', async () => {
    const w = world([]);
    const ok = w.link.connect('started');
    w.streams[0]!.up();
    assert.equal(await ok, true);
    assert.equal(w.asked.length, 0);
    assert.equal(w.link.client, 'started');
  });

  it('a presence check that throws is logged and treated as unusable', async () => {
    const w = world([]);
    const link = new ConductorLink<string>({
      presence: () => {
        throw new Error('a Conductor of version 9 is running');
      },
      open: () => new Promise(() => {}),
      state: () => {},
      lost: (p) => w.lost.push(p),
      log: (l) => w.log.push(l),
      timer: w.timer,
    });
    assert.equal(await link.connect(), false);
    assert.match(w.log.join('\n'), /version 9/);
    assert.deepEqual(w.lost, []);
  });
});
