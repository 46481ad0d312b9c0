// What a failure reason says about a replica that failed while starting (src/conductor/failure-hints.ts):
// the last lines of its standard error, and the hint when the program bound the manifest's port
// itself, which the ingress holds.
import * as assert from 'node:assert/strict';
import { startFailureHint, stderrTail, type OutputLine } from '../../../src/conductor/failure-hints';
import { parseManifest, type AppSpec } from '../../../src/shared/manifest';

function spec(...body: string[]): AppSpec {
  return parseManifest(['app web', '  exec python3', '  port 8080', ...body].join('\n') + '\n', '/m/a.skr8tr').apps[0]!.spec;
}

describe('start failure hints', () => {
  const said: Record<string, string> = {
    node: 'Error: listen EADDRINUSE: address already in use :::8080',
    python: 'OSError: [Errno 98] Address already in use',
    go: 'listen tcp :8080: bind: address already in use',
    java: 'Exception in thread "main" java.net.BindException: Address already in use',
    ruby: "`initialize': Address already in use - bind(2) for \"0.0.0.0\" port 8080 (Errno::EADDRINUSE)",
  };
  for (const [language, line] of Object.entries(said)) {
    it(`recognises ${language}'s wording and says what to do`, () => {
      assert.equal(startFailureHint(spec(), ['Traceback (most recent call last):', line]), 'it tried to listen on 8080, which the ingress holds: make it listen on $PORT (given to each replica), or add "ingress off"');
    });
  }

  it('says nothing for other failures, or when the app binds its port itself on purpose', () => {
    assert.equal(startFailureHint(spec(), ['ModuleNotFoundError: No module named flask']), null);
    assert.equal(startFailureHint(spec('  ingress off'), [said.python!]), null);
  });
});

describe('the stderr tail a start failure quotes', () => {
  const err = (...texts: string[]): OutputLine[] => texts.map((text) => ({ stream: 'err', text }));

  it("Node's SyntaxError: where, the line and the error; no caret, stack frame or version trailer", () => {
    const out: OutputLine[] = [
      { stream: 'out', text: 'starting web v2' },
      ...err('/srv/web/server.js:3', 'const x = ;', '          ^', '', "SyntaxError: Unexpected token ';'", '    at wrapSafe (node:internal/modules/cjs/loader:1469:18)', '    at Module._compile (node:internal/modules/cjs/loader:1491:20)', '', 'Node.js v20.19.0'),
    ];
    assert.equal(stderrTail(out), "/srv/web/server.js:3 ⏎ const x = ; ⏎ SyntaxError: Unexpected token ';'");
  });

  it("Python's traceback: its last lines", () => {
    const out = err('Traceback (most recent call last):', '  File "/srv/app.py", line 1, in <module>', '    import flask', "ModuleNotFoundError: No module named 'flask'");
    assert.equal(stderrTail(out), 'Traceback (most recent call last): ⏎ File "/srv/app.py", line 1, in <module> ⏎ import flask ⏎ ModuleNotFoundError: No module named \'flask\'');
  });

  it('only standard error, without colour escapes or control characters; null when it wrote none', () => {
    assert.equal(stderrTail([{ stream: 'out', text: 'all good' }]), null);
    assert.equal(stderrTail(err('', '   ')), null);
    assert.equal(stderrTail(err('\x1b[31merror:\x1b[0m bad\x07 config')), 'error: bad config');
  });

  it('bounded: each line, and all of them (the last ones kept, where the error is)', () => {
    const long = 'x'.repeat(1000);
    const one = stderrTail(err(long))!;
    assert.equal(one.length, 200);
    assert.ok(one.endsWith('…'));
    const many = stderrTail(err('first', 'a'.repeat(190), 'b'.repeat(190), 'Error: the end'), { lines: 4, lineChars: 200, chars: 220 })!;
    assert.equal(many, `${'b'.repeat(190)} ⏎ Error: the end`);
    assert.ok(stderrTail(err(...Array.from({ length: 100 }, (_, i) => `line ${i}`)))!.startsWith('line 96 ⏎'));
    assert.equal(stderrTail(err(long), { lines: 4, lineChars: 2000, chars: 50 })!.length, 50);
  });
});
