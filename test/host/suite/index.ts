// The extension-host test suite's entry: `run()` is what a test runner calls inside a real
// extension host — @vscode/test-electron's `extensionTestsPath` (test/host/run-electron.ts, where
// VS Code can be downloaded), or the shim extension that runs it inside code-server here
// (test/host/shim, driven by test/e2e/host.e2e.ts). Mocha is loaded from the project's own
// node_modules (SKR8TR_ROOT), so the suite is the same wherever it runs.
import * as path from 'node:path';

export interface HostResults {
  passed: number;
  failed: number;
  failures: { title: string; error: string }[];
  tests: string[];
}

export function run(): Promise<HostResults> {
  const root = process.env.SKR8TR_ROOT ?? path.resolve(__dirname, '../..');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require(path.join(root, 'node_modules', 'mocha')) as typeof import('mocha');
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  mocha.addFile(path.join(__dirname, 'extension.host.js'));
  return new Promise((resolve, reject) => {
    const results: HostResults = { passed: 0, failed: 0, failures: [], tests: [] };
    const runner = mocha.run((failures) => {
      if (failures > 0) {
        const err = new Error(`${failures} extension-host test${failures === 1 ? '' : 's'} failed`) as Error & { results?: HostResults };
        err.results = results;
        reject(err);
      } else {
        resolve(results);
      }
    });
    runner.on('pass', (t) => {
      results.passed++;
      results.tests.push(t.fullTitle());
    });
    runner.on('fail', (t, err: Error) => {
      results.failed++;
      results.failures.push({ title: t.fullTitle(), error: err.stack ?? err.message });
    });
  });
}
