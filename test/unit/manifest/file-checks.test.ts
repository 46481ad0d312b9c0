// A manifest against this machine's files (src/shared/manifest/file-checks.ts), as `validate` and the
// editor's diagnostics check it: a program or an env file that is not there is warned about.
import * as assert from 'node:assert/strict';
import { fileChecks, type FileLookup } from '../../../src/shared/manifest/file-checks';
import { parseManifest } from '../../../src/shared/manifest';

const files = (present: Record<string, 'file' | 'dir' | 'file-noexec'>): FileLookup => ({
  kind: (p) => (present[p] === 'file-noexec' ? 'file' : present[p] ?? null),
  executable: (p) => present[p] === 'file',
  searchPath: () => ['/usr/bin', '/bin'],
});

const check = (text: string, present: Record<string, 'file' | 'dir' | 'file-noexec'>) => fileChecks(parseManifest(text, '/m/app.skr8tr').apps, '/m/app.skr8tr', files(present)).map((d) => `${d.line}:${d.column} ${d.message}`);

describe('file checks', () => {
  it('a program that is missing, a folder, or not executable; one found on PATH is fine', () => {
    assert.deepEqual(check('app a\n  exec ./srv\n', {}), ['2:8 program /m/srv does not exist; `up` would start replicas that fail at once']);
    assert.deepEqual(check('app a\n  exec ./srv\n', { '/m/srv': 'dir' }), ['2:8 program /m/srv is a folder; `up` would start replicas that fail at once']);
    assert.deepEqual(check('app a\n  exec ./srv\n', { '/m/srv': 'file-noexec' }), ['2:8 program /m/srv is not executable; `up` would start replicas that fail at once']);
    assert.deepEqual(check('app a\n  exec node\n', { '/bin/node': 'file' }), []);
    assert.deepEqual(check('app a\n  exec nodez\n', { '/bin/node': 'file' }), ['2:8 program nodez is not found on PATH; `up` would start replicas that fail at once']);
  });

  it('a program a build makes is not looked for', () => {
    assert.deepEqual(check('app a\n  exec ./dist/srv\n  build\n    run make\n    out ./dist\n', {}), []);
  });

  it('each env file that cannot be read, on its own line', () => {
    assert.deepEqual(check('app a\n  exec node\n  env-file .env\n  env-file .env.local\n', { '/bin/node': 'file', '/m/.env': 'file', '/m/.env.local': 'dir' }), [
      '4:12 env-file /m/.env.local is a folder; `up` refuses the app until it can be read',
    ]);
  });
});
