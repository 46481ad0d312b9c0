// Builds the bundles in dist/: the extension (the only one that imports `vscode`), the Conductor,
// the agent, the CLI, export (which the extension loads only when an Export command runs), and the
// timeline panel's page script (dist/webview/timeline.js, run by the webview, not by Node).
// `--watch` rebuilds on change.
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
  // dist/export.js is required at run time, beside the extension, only when an Export command runs.
  { ...common, entryPoints: { extension: 'src/extension/main.ts' }, external: [...common.external, './export.js'] },
  { ...common, entryPoints: { conductor: 'src/conductor/main.ts', agent: 'src/agent/main.ts' } },
  { ...common, entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
  // Export, loaded by the extension only when an Export command runs (the CLI bundles it itself).
  { ...common, entryPoints: { export: 'src/export/index.ts' } },
  // The timeline panel's page, for the webview's browser: loaded only when a timeline panel opens.
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: false, external: [], entryPoints: { 'webview/timeline': 'src/webview/timeline-view.ts' } },
];

if (process.argv.includes('--watch')) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
