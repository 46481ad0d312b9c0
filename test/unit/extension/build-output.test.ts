// Places in a build's output (src/extension/build-output.ts), as real tools print them.
import * as assert from 'node:assert/strict';
import { buildProblems } from '../../../src/extension/build-output';

describe('build output', () => {
  it('tsc', () => {
    assert.deepEqual(buildProblems(["src/app.ts(3,5): error TS1005: ';' expected.", 'Found 1 error in src/app.ts:3']), [
      { file: 'src/app.ts', line: 3, column: 5, severity: 'error', message: "';' expected." },
    ]);
  });

  it('gcc and go', () => {
    assert.deepEqual(buildProblems(["main.c:3:5: error: expected ';' before 'return'", 'main.c:7:1: warning: unused variable', './main.go:10:2: undefined: foo']), [
      { file: 'main.c', line: 3, column: 5, severity: 'error', message: "expected ';' before 'return'" },
      { file: 'main.c', line: 7, column: 1, severity: 'warning', message: 'unused variable' },
      { file: './main.go', line: 10, column: 2, severity: 'error', message: 'undefined: foo' },
    ]);
  });

  it('esbuild: the message, then the place on a line of its own', () => {
    const out = ['\x1b[31m✘ [ERROR]\x1b[0m Expected identifier but found "="', '', '    src/app.js:1:13:', '      1 │ export const = ;', '        ╵              ^', '', '1 error'];
    assert.deepEqual(buildProblems(out), [{ file: 'src/app.js', line: 1, column: 13, severity: 'error', message: 'Expected identifier but found "="' }]);
  });

  it('Python: the place, then the error', () => {
    const out = ['Traceback (most recent call last):', '  File "app.py", line 3', '    x = (', '        ^', "SyntaxError: '(' was never closed"];
    assert.deepEqual(buildProblems(out), [{ file: 'app.py', line: 3, column: 1, severity: 'error', message: "SyntaxError: '(' was never closed" }]);
  });

  it('ordinary lines name nothing', () => {
    assert.deepEqual(buildProblems(['> build', 'vite v5.0.0 building for production...', 'see https://example.com:443/x for help', '✓ 34 modules transformed.']), []);
  });
});
