// The views' element ids (src/extension/tree-ids.ts): the strings they are (stable, so VS Code keeps
// selection and expansion), and the round trip build → parse for every kind, names with `:` and `.`
// included; anything else parses to null.
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { parseTreeId, treeId, type TreeId } from '../../../src/extension/tree-ids';

const SEED = 42;
const REMOTE = 'build-01.example.com:7443';

const EXAMPLES: [TreeId, string][] = [
  [{ kind: 'workload', app: 'web' }, 'w:web'],
  [{ kind: 'generation', app: 'web', generation: 12 }, 'g:web|12'],
  [{ kind: 'replica', replica: 'web-2-a' }, 'r:web-2-a'],
  [{ kind: 'node', node: REMOTE }, `n:${REMOTE}`],
  [{ kind: 'ports', node: 'local' }, 'np:local'],
  [{ kind: 'port', node: REMOTE, port: 8080 }, `p:${REMOTE}|8080`],
  [{ kind: 'node-replica', node: REMOTE, replica: 'web-2-a' }, `nr:${REMOTE}|web-2-a`],
  [{ kind: 'rollout', rollout: 'ro-7' }, 'ro:ro-7'],
];

describe('tree ids', () => {
  it('each kind has its stable form', () => {
    for (const [id, text] of EXAMPLES) assert.equal(treeId(id), text, id.kind);
  });

  it('each form parses back to its element', () => {
    for (const [id, text] of EXAMPLES) assert.deepEqual(parseTreeId(text), id, text);
  });

  it('round trip for any names (without `|`) and whole numbers', () => {
    const name = fc.string({ minLength: 1, unit: 'grapheme' }).filter((s) => !s.includes('|'));
    const whole = fc.nat();
    const anyId: fc.Arbitrary<TreeId> = fc.oneof(
      fc.record({ kind: fc.constant('workload' as const), app: name }),
      fc.record({ kind: fc.constant('generation' as const), app: name, generation: whole }),
      fc.record({ kind: fc.constant('replica' as const), replica: name }),
      fc.record({ kind: fc.constant('node' as const), node: name }),
      fc.record({ kind: fc.constant('ports' as const), node: name }),
      fc.record({ kind: fc.constant('port' as const), node: name, port: whole }),
      fc.record({ kind: fc.constant('node-replica' as const), node: name, replica: name }),
      fc.record({ kind: fc.constant('rollout' as const), rollout: name }),
    );
    fc.assert(
      fc.property(anyId, (id) => assert.deepEqual(parseTreeId(treeId(id)), { ...id })),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('what is not an element id is null', () => {
    for (const text of ['', 'web', 'x:what', 'W:web', 'g:web', 'p:local', 'nr:local', ':web']) assert.equal(parseTreeId(text), null, text);
    for (const value of [undefined, null, 42, { kind: 'workload', app: 'web' }]) assert.equal(parseTreeId(value), null, String(value));
  });
});
