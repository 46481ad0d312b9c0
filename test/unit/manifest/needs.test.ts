// `needs` (src/shared/manifest/needs.ts): read per app in both syntaxes, checked across the apps of
// a file (cycles, names defined elsewhere, `completed` on a service), and the graph helpers the
// Conductor shares.
import * as assert from 'node:assert/strict';
import { parseManifest, type Diagnostic } from '../../../src/shared/manifest';
import { findCycles, startOrder } from '../../../src/shared/manifest/needs';

const parse = (text: string, file = '/m/ws.skr8tr') => parseManifest(text, file);
const show = (ds: Diagnostic[]) => ds.map((d) => `${d.line}:${d.column} ${d.severity}: ${d.message}`);

describe('needs', () => {
  it('reads names and conditions; ready is the default', () => {
    const r = parse('app api\n  exec ./api\n  needs db cache:started migrate:completed\napp db\n  exec ./db\napp cache\n  exec ./c\napp migrate\n  type job\n  exec ./m\n');
    assert.deepEqual(show(r.diagnostics), []);
    assert.deepEqual(r.apps[0]!.spec.needs, [
      { app: 'db', condition: 'ready' },
      { app: 'cache', condition: 'started' },
      { app: 'migrate', condition: 'completed' },
    ]);
    assert.deepEqual(r.apps[0]!.positions.get('needs.cache'), { line: 3, column: 12 });
  });

  it('the YAML form is a list', () => {
    const r = parse('app: api\nexec: ./api\nneeds: [db, "cache:started"]\n---\napp: db\nexec: ./db\n---\napp: cache\nexec: ./c\n', '/m/ws.skr8tr.yaml');
    assert.deepEqual(show(r.diagnostics), []);
    assert.deepEqual(r.apps[0]!.spec.needs, [{ app: 'db', condition: 'ready' }, { app: 'cache', condition: 'started' }]);
  });

  it('bad words: a wrong condition (with a guess), a bad name, the app itself, a name twice', () => {
    const r = parse('app api\n  exec ./api\n  needs db:redy bad/name api db db\napp db\n  exec ./db\n');
    assert.deepEqual(show(r.diagnostics), [
      '3:9 error: `db:redy`: the condition is `ready`, `started` or `completed`; did you mean `db:ready`?',
      '3:17 error: "bad/name" is not an app name (letters, digits, `-`, `_`, `.`), optionally with `:ready`, `:started` or `:completed`',
      '3:26 error: app `api` cannot need itself',
      '3:33 warning: `db` is needed twice; the first is kept',
    ]);
  });

  it('a name this file does not define is a warning (another manifest may hold it)', () => {
    const r = parse('app api\n  exec ./api\n  needs redis\n');
    assert.deepEqual(show(r.diagnostics), ['3:9 warning: `redis` is not an app of this file; it must be an app the Conductor runs (from another manifest) when `api` goes up']);
  });

  it('`completed` is only for a job', () => {
    const r = parse('app api\n  exec ./api\n  needs db:completed\napp db\n  exec ./db\n');
    assert.deepEqual(show(r.diagnostics), ['3:9 error: `db:completed`: `db` is a service, and only a `type job` completes; use `db` (ready) or `db:started`']);
  });

  it('a cycle is an error at each `needs` of it, naming the whole cycle', () => {
    const r = parse('app a\n  exec ./a\n  needs b\napp b\n  exec ./b\n  needs c\napp c\n  exec ./c\n  needs a\napp d\n  exec ./d\n  needs a\n');
    const cycle = 'a cycle of needs: a → b → c → a; no app of it could start first';
    assert.deepEqual(show(r.diagnostics), [`3:9 error: ${cycle}`, `6:9 error: ${cycle}`, `9:9 error: ${cycle}`]);
  });

  describe('graph helpers', () => {
    it('find each cycle once, from its smallest name; leaves outside the graph are fine', () => {
      const g = new Map([['x', ['y', 'outside']], ['y', ['x']], ['z', ['z2']], ['z2', ['z']], ['w', ['x']]]);
      assert.deepEqual(findCycles(g), [['x', 'y'], ['z', 'z2']]);
      assert.deepEqual(findCycles(new Map([['a', ['b']], ['b', []]])), []);
    });

    it('a start order puts every app after what it needs; none with a cycle', () => {
      const order = startOrder(new Map([['web', ['api']], ['api', ['db', 'migrate']], ['migrate', ['db']], ['db', []], ['cache', []]]))!;
      for (const [app, before] of [['web', 'api'], ['api', 'db'], ['api', 'migrate'], ['migrate', 'db']] as const) {
        assert.ok(order.indexOf(before) < order.indexOf(app), `${before} before ${app} in ${order.join(' ')}`);
      }
      assert.equal(order.length, 5);
      assert.equal(startOrder(new Map([['a', ['b']], ['b', ['a']]])), null);
    });
  });
});
