import * as assert from 'node:assert/strict';
import { parseManifest } from '../../../src/shared/manifest';

describe('smoke', () => {
  it('parses', () => {
    const r = parseManifest('app a\n  exec /bin/true\n', '/x/a.skr8tr');
    assert.equal(r.apps[0]!.spec.name, 'a');
  });
});
