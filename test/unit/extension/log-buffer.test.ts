// What the Logs view holds and shows (src/extension/log-buffer.ts): each line once, filters, redraws.
import * as assert from 'node:assert/strict';
import { describeFilter, LogBuffer } from '../../../src/extension/log-buffer';
import type { LogLine } from '../../../src/shared/protocol/api';

const l = (replica: string, seq: number, text: string, at = seq): LogLine => {
  const [app, gen] = replica.split('-');
  return { replica, app: app!, generation: Number(gen), seq, at, stream: 'out', text };
};

describe('log buffer', () => {
  it('shows each line once, even when a resumed stream sends it again', () => {
    const b = new LogBuffer({}, false);
    assert.equal(b.add([l('web-1-aa', 1, 'a'), l('web-1-aa', 2, 'b')]), 'web-1-aa | a\r\nweb-1-aa | b\r\n');
    assert.equal(b.add([l('web-1-aa', 2, 'b'), l('web-1-aa', 3, 'c')]), 'web-1-aa | c\r\n');
    assert.equal(b.lastAt, 3);
  });

  it('filters by app, generation, replica and text; a new filter redraws what it kept', () => {
    const b = new LogBuffer({ app: 'api' }, false);
    assert.equal(b.add([l('web-1-aa', 1, 'w'), l('api-2-bb', 1, 'error: x'), l('api-3-cc', 1, 'fine')]), 'api-2-bb | error: x\r\napi-3-cc | fine\r\n');
    assert.equal(b.setFilter({ text: '/^err/' }), '\x1b[2J\x1b[3J\x1b[Hapi-2-bb | error: x\r\n');
    assert.equal(b.setFilter({ app: 'api', generation: 3 }), '\x1b[2J\x1b[3J\x1b[Hapi-3-cc | fine\r\n');
    assert.equal(b.setFilter({ text: '/(/' }), '\x1b[2J\x1b[3J\x1b[H', 'a regular expression that does not compile shows nothing');
  });

  it('knows whether anything it kept passes the filter (a silent replica: the view says it waits for output)', () => {
    const b = new LogBuffer({ replica: 'web-2-bb' }, false);
    b.add([l('web-1-aa', 1, 'a')]);
    assert.equal(b.showsAny(), false);
    b.add([l('web-2-bb', 1, 'listening')]);
    assert.equal(b.showsAny(), true);
  });

  it('says what it shows', () => {
    assert.equal(describeFilter({}), 'all apps');
    assert.equal(describeFilter({ app: 'web', generation: 2, text: '/error/' }), 'web · gen 2 · /error/');
    assert.equal(describeFilter({ replica: 'web-2-aa', text: 'timeout' }), 'web-2-aa · "timeout"');
  });
});
