// Compiles the extension-host suite (test/host/suite) to out/host-tests/, for a test runner inside
// an extension host to load.
import * as esbuild from 'esbuild';

await esbuild.build({
  entryPoints: { index: 'test/host/suite/index.ts', 'extension.host': 'test/host/suite/extension.host.ts' },
  outdir: 'out/host-tests',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode', 'mocha'],
  sourcemap: 'inline',
  logLevel: 'warning',
});
