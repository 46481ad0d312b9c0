// `watch` and `env-file` in the manifest (keys.ts, blocks.ts, build-app.ts): both syntaxes, the one-line
// and block forms of `watch`, YAML's `envFile`, and the checks.
import * as assert from 'node:assert/strict';
import { parseManifest, type Diagnostic } from '../../../src/shared/manifest';

const show = (ds: Diagnostic[]) => ds.map((d) => `${d.line}:${d.column} ${d.severity}: ${d.message}`);

describe('watch and env-file', () => {
  it('watch on one line: globs, the default debounce', () => {
    const r = parseManifest('app web\n  exec ./web\n  watch src/**/*.py templates/**\n', '/m/a.skr8tr');
    assert.deepEqual(show(r.diagnostics), []);
    assert.deepEqual(r.apps[0]!.spec.watch, { paths: ['src/**/*.py', 'templates/**'], ignore: [], debounceMs: 100 });
  });

  it('watch as a block: paths, ignore, debounce', () => {
    const r = parseManifest('app web\n  exec ./web\n  watch\n    paths src/**\n    ignore **/*.test.js\n    debounce 250ms\n', '/m/a.skr8tr');
    assert.deepEqual(show(r.diagnostics), []);
    assert.deepEqual(r.apps[0]!.spec.watch, { paths: ['src/**'], ignore: ['**/*.test.js'], debounceMs: 250 });
  });

  it('the YAML form: a list or a map for watch, envFile (or env-file), repeatable', () => {
    const list = parseManifest('app: web\nexec: ./web\nwatch: [src/**/*.js]\nenvFile: [.env, .env.local]\n', '/m/a.skr8tr.yaml');
    assert.deepEqual(show(list.diagnostics), []);
    assert.deepEqual(list.apps[0]!.spec.watch?.paths, ['src/**/*.js']);
    assert.deepEqual(list.apps[0]!.spec.envFiles, ['/m/.env', '/m/.env.local']);
    const map = parseManifest('app: web\nexec: ./web\nwatch:\n  paths: [src/**]\n  debounce: 50ms\nenv-file: .env\n', '/m/a.skr8tr.yaml');
    assert.deepEqual(show(map.diagnostics), []);
    assert.deepEqual(map.apps[0]!.spec.watch, { paths: ['src/**'], ignore: [], debounceMs: 50 });
    assert.deepEqual(map.apps[0]!.spec.envFiles, ['/m/.env']);
  });

  it('env-file is repeatable and resolves against the manifest folder', () => {
    const r = parseManifest('app web\n  exec ./web\n  env-file .env\n  env-file config/dev.env\n', '/m/a.skr8tr');
    assert.deepEqual(r.apps[0]!.spec.envFiles, ['/m/.env', '/m/config/dev.env']);
  });

  it('watch globs stay inside the manifest folder; a block needs paths', () => {
    const out = parseManifest('app web\n  exec ./web\n  watch ../other/** /etc/**\n', '/m/a.skr8tr');
    assert.deepEqual(show(out.diagnostics), [
      "3:9 error: `../other/**`: watch globs are relative to the manifest's folder and stay inside it",
      "3:9 error: `/etc/**`: watch globs are relative to the manifest's folder and stay inside it",
    ]);
    const empty = parseManifest('app web\n  exec ./web\n  watch\n    debounce 1s\n', '/m/a.skr8tr');
    assert.deepEqual(show(empty.diagnostics), ['3:3 error: `watch` needs `paths`: globs of the files to watch, like `paths src/**/*.py`']);
  });
});
