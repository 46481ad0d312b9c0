// A replica's output cut into lines no longer than a frame carries (src/agent/line-splitter.ts).
import * as assert from 'node:assert/strict';
import { LineSplitter } from '../../../src/agent/line-splitter';

describe('line splitter', () => {
  it('cuts lines at newlines, across chunks, and drops a CR before the newline', () => {
    const s = new LineSplitter(100);
    assert.deepEqual(s.push('one\ntw'), [{ text: 'one', pieces: 0 }]);
    assert.deepEqual(s.push('o\r\nthree'), [{ text: 'two', pieces: 0 }]);
    assert.deepEqual(s.end(), [{ text: 'three', pieces: 0 }]);
    assert.deepEqual(s.end(), [], 'nothing left');
  });

  it('splits a line longer than the limit, whole in one chunk, and says into how many pieces on the last', () => {
    const s = new LineSplitter(10);
    const long = 'a'.repeat(10) + 'b'.repeat(10) + 'c'.repeat(5);
    assert.deepEqual(s.push(`before\n${long}\nafter\n`), [
      { text: 'before', pieces: 0 },
      { text: 'a'.repeat(10), pieces: 0 },
      { text: 'b'.repeat(10), pieces: 0 },
      { text: 'c'.repeat(5), pieces: 3 },
      { text: 'after', pieces: 0 },
    ]);
  });

  it('a line of exactly the limit is not split; one over it is', () => {
    assert.deepEqual(new LineSplitter(4).push('abcd\n'), [{ text: 'abcd', pieces: 0 }]);
    assert.deepEqual(new LineSplitter(4).push('abcde\n'), [{ text: 'abcd', pieces: 0 }, { text: 'e', pieces: 2 }]);
  });

  it('never holds more than the limit of a line that has not ended, and never cuts a surrogate pair', () => {
    const s = new LineSplitter(5);
    const out = [...s.push('abcd'), ...s.push('😀xyz'), ...s.push('\n')];
    assert.deepEqual(out.map((l) => l.text), ['abcd', '😀xyz']);
    assert.ok(out.every((l) => l.text.length <= 5));
    const big = new LineSplitter(16_384);
    let pieces = 0;
    for (let i = 0; i < 64; i++) pieces += big.push('y'.repeat(16_384)).length;
    assert.equal(pieces, 63, 'a 1 MiB line without its newline yet: all but the last piece given');
    assert.deepEqual(big.push('\n').at(-1)!.pieces, 64);
  });
});
