// Builds the four bundles in dist/: the extension (the only one that imports `vscode`),
// the Conductor, the agent and the CLI. `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  minify: true,
  keepNames: true,
  outdir: 'dist',
  external: ['vscode'],
  logLevel: 'warning',
  legalComments: 'none',
  define: { SKR8TR_VERSION: JSON.stringify(version) },
};

const builds = [
  { ...common, entryPoints: { extension: 'src/extension/main.ts' } },
  { ...common, entryPoints: { conductor: 'src/conductor/main.ts', agent: 'src/agent/main.ts' } },
  { ...common, entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
];

if (process.argv.includes('--watch')) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
