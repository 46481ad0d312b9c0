// The hint for a replica that failed while starting (src/conductor/failure-hints.ts): the program
// bound the manifest's port itself, which the ingress holds.
import * as assert from 'node:assert/strict';
import { startFailureHint } from '../../../src/conductor/failure-hints';
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
