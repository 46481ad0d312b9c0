// How the editor shows a manifest's hints (src/extension/manifest-hints.ts): the `port` advice is a
// Hint until a replica of that app actually failed to bind the ingress's port, then a Warning.
import * as assert from 'node:assert/strict';
import { hintLevel } from '../../../src/extension/manifest-hints';
import { EXAMPLE_MANIFEST } from '../../../src/extension/example-manifest';
import { parseManifest } from '../../../src/shared/manifest';
import { ingressPortTakenHint, triedIngressPort } from '../../../src/shared/start-failures';

const TEXT = ['app web', '  exec node', '  args server.js', '  port 8080', '', 'app api', '  exec node', '  args api.js', '  port 9090', ''].join('\n');

describe('manifest hints', () => {
  const parsed = parseManifest(TEXT, '/w/a.skr8tr');
  const advice = parsed.hints;

  it('the $PORT advice on each `port` line is a hint, for every app that did not fail to bind it', () => {
    assert.equal(advice.length, 2);
    assert.deepEqual(advice.map((h) => hintLevel(h, parsed.apps, new Set())), ['hint', 'hint']);
  });

  it("a warning on the app whose replica failed because it bound the ingress's port, only there", () => {
    assert.deepEqual(advice.map((h) => [h.line, hintLevel(h, parsed.apps, new Set(['api']))]), [[4, 'hint'], [9, 'warning']]);
  });

  it('other hints stay information', () => {
    assert.equal(hintLevel({ ...advice[0]!, message: 'something else to know' }, parsed.apps, new Set(['web'])), 'information');
  });

  it("the Conductor's words for that failure are what the editor recognises", () => {
    assert.equal(triedIngressPort(`exited with code 1 while starting; stderr: EADDRINUSE; ${ingressPortTakenHint(8080)}`), true);
    assert.equal(triedIngressPort('exited with code 1 while starting'), false);
    assert.equal(triedIngressPort(null), false);
  });

  it('the example manifest a folder with none is offered is a valid manifest', () => {
    const r = parseManifest(EXAMPLE_MANIFEST, '/w/app.skr8tr');
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(r.apps.map((a) => a.spec.name), ['web']);
  });
});
