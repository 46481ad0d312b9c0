// A replica's output on its way to the Conductor (src/agent/log-outbox.ts): numbered, kept until
// acknowledged, sent again after a reconnection, bounded and rate-limited with the drop said.
import * as assert from 'node:assert/strict';
import { LINES_PER_SECOND, LogOutbox, MAX_UNACKED_LINES, SEQ_BLOCK, type OutboxLine } from '../../../src/agent/log-outbox';
import type { Spool } from '../../../src/agent/line-spool';
import { AgentFrame, MAX_FRAME_BYTES, MAX_LINE_CHARS } from '../../../src/shared/protocol/agent';
import { encodeLine } from '../../../src/shared/protocol/ndjson';

function outbox(now = () => 1_000_000) {
  const sent: { id: string; lines: OutboxLine[] }[] = [];
  const box = new LogOutbox((id, lines) => sent.push({ id, lines }), now, 60_000);
  return { box, sent, seqs: () => sent.flatMap((s) => s.lines.map((l) => `${s.id}:${l.seq}`)) };
}
const line = (text: string, at = 1_000_000) => ({ at, stream: 'out' as const, text });

describe('log outbox', () => {
  it('numbers each replica\'s lines from 1 and sends them once connected', () => {
    const { box, sent, seqs } = outbox();
    box.add('a', line('one'));
    box.add('b', line('uno'));
    box.add('a', line('two'));
    assert.deepEqual(sent, [], 'nothing before a connection');
    box.connectedNow();
    assert.deepEqual(seqs(), ['a:1', 'a:2', 'b:1']);
    box.flush();
    assert.equal(sent.length, 2, 'sent lines are not sent again on the same connection');
    box.close();
  });

  it('keeps lines until acknowledged, and sends the unacknowledged ones again after a reconnection', () => {
    const { box, seqs } = outbox();
    box.connectedNow();
    for (let i = 0; i < 5; i++) box.add('a', line(`l${i}`));
    box.flush();
    box.acknowledged('a', 3);
    assert.equal(box.pending, 2);
    box.disconnected();
    box.add('a', line('while away'));
    box.connectedNow();
    assert.deepEqual(seqs(), ['a:1', 'a:2', 'a:3', 'a:4', 'a:5', 'a:4', 'a:5', 'a:6']);
    box.close();
  });

  it('a replica that ended goes once its last lines are acknowledged', () => {
    const { box } = outbox();
    box.connectedNow();
    box.add('a', line('last words'));
    box.ended('a');
    box.flush();
    assert.equal(box.pending, 1);
    box.acknowledged('a', 1);
    assert.equal(box.pending, 0);
    box.close();
  });

  it('more than the rate a second: the rest is dropped, and a line says how many', () => {
    let t = 1_000_000;
    const { box, sent } = outbox(() => t);
    box.connectedNow();
    for (let i = 0; i < LINES_PER_SECOND + 25; i++) box.add('a', line(`x${i}`, t + 999));
    t += 1000;
    box.add('a', line('next second', t));
    box.flush();
    const texts = sent.flatMap((s) => s.lines.map((l) => l.text));
    assert.equal(texts.length, LINES_PER_SECOND + 2);
    assert.match(texts.at(-2)!, /^\[skr8tr: 25 lines not kept: more than 2000 a second/);
    assert.equal(texts.at(-1), 'next second');
    box.close();
  });

  it('the rate is counted by the second a line was written in, so a second never keeps more than the rate and the note', () => {
    const { box, sent } = outbox(() => 1_000_999); // the outbox sees every line in one second ...
    box.connectedNow();
    for (let i = 0; i < LINES_PER_SECOND; i++) box.add('a', { ...line(`a${i}`), at: 1_000_500 });
    for (let i = 0; i < 10; i++) box.add('a', { ...line(`b${i}`), at: 1_001_000 }); // ... these were written in the next
    box.flush();
    const perSecond = new Map<number, number>();
    for (const l of sent.flatMap((s) => s.lines)) perSecond.set(Math.floor(l.at / 1000), (perSecond.get(Math.floor(l.at / 1000)) ?? 0) + 1);
    assert.deepEqual([...perSecond.entries()], [[1000, LINES_PER_SECOND], [1001, 10]]);
    box.close();
  });

  it('unacknowledged lines are bounded: the oldest go while the Conductor is away', () => {
    let t = 0;
    const { box } = outbox(() => t);
    for (let i = 0; i < MAX_UNACKED_LINES + 100; i++) {
      if (i % 1000 === 0) t += 1000; // within the rate
      box.add('a', line(`x${i}`, t));
    }
    assert.ok(box.pending <= MAX_UNACKED_LINES + 1, `${box.pending} lines waiting`);
    box.close();
  });

  it('a line that was split is said after its last piece, and counts as lines like any other', () => {
    const { box, sent } = outbox();
    box.connectedNow();
    box.add('a', line('x'.repeat(10)));
    box.add('a', line('y'.repeat(3)), 2);
    box.flush();
    const texts = sent.flatMap((s) => s.lines.map((l) => l.text));
    assert.equal(texts.length, 3);
    assert.match(texts[2]!, /^\[skr8tr: the line above was longer than 16384 characters: it was split into 2 lines\]$/);
    box.close();
  });

  it('a batch stays under the frame limit whatever its lines hold (every character escaped)', () => {
    const { box, sent } = outbox();
    box.connectedNow();
    for (let i = 0; i < 300; i++) box.add('a', line('\u0001'.repeat(MAX_LINE_CHARS)));
    box.flush();
    assert.ok(sent.length > 1, 'more than one batch');
    for (const s of sent) {
      const frame = { t: 'logs' as const, id: s.id, lines: s.lines, dropped: 0 };
      assert.ok(Buffer.byteLength(encodeLine(frame)) < MAX_FRAME_BYTES, 'under the frame limit');
      assert.ok(AgentFrame.safeParse(frame).success, 'a valid frame');
    }
    assert.equal(sent.flatMap((s) => s.lines).length, 300);
    box.close();
  });

  it('lines the Conductor refused are dropped and said, never sent again as they were', () => {
    const { box, sent, seqs } = outbox();
    box.connectedNow();
    box.add('a', line('fine'));
    box.flush();
    box.acknowledged('a', 1);
    box.add('a', line('refused one'));
    box.add('a', line('refused two'));
    box.flush();
    box.refused('a', 'invalid frame: logs of a: lines.0.text: Too big');
    box.disconnected();
    box.connectedNow();
    assert.deepEqual(seqs(), ['a:1', 'a:2', 'a:3', 'a:4']);
    assert.match(sent.at(-1)!.lines[0]!.text, /^\[skr8tr: 2 lines not kept: the Conductor refused them \(invalid frame/);
    box.close();
  });

  it('numbers outlive the agent: each block is saved as it starts, and an adopting run restores the unacknowledged lines and goes on above the block', async () => {
    const blocks: number[] = [];
    const copied: OutboxLine[] = [];
    let cleared = 0;
    const spool: Spool = { append: (_id, lines) => copied.push(...lines), clear: () => cleared++, remove: () => {} };
    let t = 0;
    const first = new LogOutbox(() => {}, () => t, 60_000, (_id, seq) => blocks.push(seq), spool);
    first.connectedNow();
    for (let i = 0; i < SEQ_BLOCK + 5; i++) {
      if (i % 1000 === 0) t += 1000;
      first.add('a', line(`l${i}`, t));
    }
    await Promise.resolve(); // the copy is made once the chunk's lines are in
    assert.deepEqual(blocks, [SEQ_BLOCK]);
    assert.equal(copied.length, SEQ_BLOCK + 5);
    first.acknowledged('a', SEQ_BLOCK);
    assert.equal(cleared, 0, 'not cleared while some wait');
    first.close();

    // The agent crashes; the next run restores what was not acknowledged, numbered as it was.
    const sent: OutboxLine[] = [];
    const next = new LogOutbox((_id, lines) => sent.push(...lines), () => t, 60_000);
    next.restore('a', copied);
    next.begin('a', 2 * SEQ_BLOCK + 1);
    next.add('a', line('after the crash', t));
    next.connectedNow();
    assert.deepEqual(sent.map((l) => l.seq), [...Array.from({ length: SEQ_BLOCK + 5 }, (_, i) => i + 1), 2 * SEQ_BLOCK + 1]);
    next.acknowledged('a', 2 * SEQ_BLOCK + 1);
    assert.equal(next.pending, 0);
    next.close();
  });

  it('the spool is emptied once everything is acknowledged', async () => {
    let cleared = 0;
    const spool: Spool = { append: () => {}, clear: () => cleared++, remove: () => {} };
    const box = new LogOutbox(() => {}, () => 1_000_000, 60_000, () => {}, spool);
    box.connectedNow();
    box.add('a', line('one'));
    box.add('a', line('two'));
    await Promise.resolve();
    box.flush();
    box.acknowledged('a', 1);
    assert.equal(cleared, 0);
    box.acknowledged('a', 2);
    assert.equal(cleared, 1);
    box.close();
  });
});
