// Log lines as people read them (src/shared/log-format.ts) and the text filter both the Conductor
// and the Logs view use.
import * as assert from 'node:assert/strict';
import { colourOf, escapeControls, formatLine, noteLine, parseSince, textMatcher } from '../../../src/shared/log-format';
import type { LogLine } from '../../../src/shared/protocol/api';

const l = (over: Partial<LogLine> = {}): LogLine => ({ replica: 'web-2-a1b2c3', app: 'web', generation: 2, seq: 1, at: 0, stream: 'out', text: 'hello', ...over });

describe('log format', () => {
  it('a plain line: the replica, a bar, the text; standard error marked with !', () => {
    assert.equal(formatLine(l(), { colour: false }), 'web-2-a1b2c3 | hello');
    assert.equal(formatLine(l({ stream: 'err' }), { colour: false, width: 14 }), 'web-2-a1b2c3   ! hello');
  });

  it('with colours: the replica in its app\'s colour (the same for every replica of it), stderr in red', () => {
    const a = formatLine(l(), { colour: true });
    assert.ok(a.startsWith(`\x1b[${colourOf('web')}mweb-2-a1b2c3\x1b[0m`), JSON.stringify(a));
    assert.equal(colourOf('web'), colourOf('web'));
    assert.match(formatLine(l({ stream: 'err' }), { colour: true }), /\x1b\[31m!\x1b\[0m hello$/);
    assert.equal(noteLine('x', false), '── x ──');
  });

  it("a replica's control characters and escape sequences are shown escaped, so it cannot forge the prefix or the title", () => {
    const spoof = '\x1b[2K\x1b[0Gloggy-9-fake01 spoofed via ESC[2K';
    assert.equal(formatLine(l({ text: spoof }), { colour: false }), 'web-2-a1b2c3 | \\x1b[2K\\x1b[0Gloggy-9-fake01 spoofed via ESC[2K');
    assert.equal(formatLine(l({ text: '\rfake00 via CR' }), { colour: true }).split('\x1b').length, 5, 'only the colours are escapes');
    assert.equal(escapeControls('\x1b]0;evil title\x07'), '\\x1b]0;evil title\\x07');
    assert.equal(escapeControls('a\tb\x00c\x7f\x9b\u202eevil\u2028'), 'a\tb\\x00c\\x7f\\x9b\\u202eevil\\u2028');
    assert.equal(escapeControls('plain ünïcode ✓'), 'plain ünïcode ✓');
  });

  it('since: a duration before now or a date', () => {
    assert.equal(parseSince('5m', 1_000_000), 700_000);
    assert.equal(parseSince('2h', 10_000_000), 2_800_000);
    assert.equal(parseSince('2026-11-29T10:00:00Z', 0), Date.parse('2026-11-29T10:00:00Z'));
    assert.equal(parseSince('soon', 0), null);
  });

  it('text filters: a substring, or a /regular expression/ (which must compile)', () => {
    assert.equal(textMatcher('err')('an error'), true);
    assert.equal(textMatcher('/^an? e/i')('An Error'), true);
    assert.equal(textMatcher('/^b/')('an error'), false);
    assert.throws(() => textMatcher('/(/'));
  });
});
