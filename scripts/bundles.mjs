// The bundles in dist/ and the esbuild options of each: the extension (the only one that imports
// `vscode`), the Conductor, the agent, the CLI (which requires the daemons' bundles to run them),
// two the extension requires only when it needs them — export (an Export command) and
// yaml-syntax (the first YAML manifest it reads) — and the timeline panel's page script. Used by
// scripts/build.mjs and by the unit test that checks what each bundle holds (test/unit/bundles.test.ts).
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/**
 * One namespace object a bundle for each module the bundle requires from outside (`vscode`, node's
 * `node:fs` and the like). For every `import * as vscode from 'vscode'`, esbuild otherwise copies
 * the whole module onto a new object, property by property with a getter each, in every importing
 * file: the vscode API's 200-odd properties twelve times over were about half of the extension's
 * load time. Here each such import goes through a small module, `export * from 'vscode'`, copied once.
 */
const outside = new RegExp(`^(vscode|node:.*|${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`);
const oneNamespace = {
  name: 'one-namespace',
  setup(build) {
    build.onResolve({ filter: outside }, (args) => {
      if (args.namespace === 'one-namespace' || args.kind !== 'import-statement') return { path: args.path, external: true };
      return { path: args.path, namespace: 'one-namespace', sideEffects: false };
    });
    build.onLoad({ filter: /.*/, namespace: 'one-namespace' }, (args) => ({ contents: `export * from ${JSON.stringify(args.path)};`, loader: 'js' }));
  },
};

/**
 * In the extension and the CLI, shared/manifest/yaml-syntax.ts (the YAML reader and the `yaml`
 * package, half the extension's size) is replaced by shared/manifest/yaml-syntax-lazy.ts, which
 * requires dist/yaml-syntax.js the first time a YAML manifest is read.
 */
const lazyYamlSyntax = {
  name: 'lazy-yaml-syntax',
  setup(build) {
    build.onResolve({ filter: /\/yaml-syntax$/ }, (args) =>
      args.importer.endsWith(path.join('src', 'shared', 'manifest', 'index.ts')) ? { path: path.join(root, 'src/shared/manifest/yaml-syntax-lazy.ts') } : undefined,
    );
  },
};

/**
 * Imports of these source files (entry points of other bundles) become requires of those bundles,
 * beside this one in dist/, instead of copies: `{ 'src/conductor/main.ts': './conductor.js' }`.
 */
function siblingBundles(map) {
  return {
    name: 'sibling-bundles',
    setup(build) {
      build.onResolve({ filter: /^\./ }, (args) => {
        const source = path.relative(root, path.resolve(args.resolveDir, args.path)).split(path.sep).join('/');
        const bundle = map[source] ?? map[`${source}.ts`];
        return bundle ? { path: bundle, external: true } : undefined;
      });
    },
  };
}

const common = {
  absWorkingDir: root,
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
  plugins: [oneNamespace],
};

/** Each bundle: its name (dist/NAME.js, dist/meta/NAME.json) and its esbuild options. */
export const BUNDLES = [
  {
    name: 'extension',
    options: { ...common, entryPoints: { extension: 'src/extension/main.ts' }, external: [...common.external, './export.js', './import.js', './yaml-syntax.js'], plugins: [...common.plugins, lazyYamlSyntax] },
  },
  { name: 'conductor', options: { ...common, entryPoints: { conductor: 'src/conductor/main.ts' } } },
  { name: 'agent', options: { ...common, entryPoints: { agent: 'src/agent/main.ts' } } },
  // `skr8tr conductor`, `skr8tr agent` (and `serve-static`) run the daemons' own bundles; `skr8tr
  // export` requires dist/export.js, and a YAML manifest dist/yaml-syntax.js: every other command
  // loads neither (nor the `yaml` package).
  {
    name: 'cli',
    options: {
      ...common,
      entryPoints: { cli: 'src/cli/main.ts' },
      banner: { js: '#!/usr/bin/env node' },
      external: [...common.external, './yaml-syntax.js'],
      plugins: [...common.plugins, lazyYamlSyntax, siblingBundles({ 'src/conductor/main.ts': './conductor.js', 'src/agent/main.ts': './agent.js', 'src/export': './export.js', 'src/import': './import.js' })],
    },
  },
  // Required by the extension only when an Export command runs, and by `skr8tr export`.
  { name: 'export', options: { ...common, entryPoints: { export: 'src/export/index.ts' } } },
  // Required by the extension only when New Manifest… runs, and by `skr8tr init`.
  { name: 'import', options: { ...common, entryPoints: { import: 'src/import/index.ts' } } },
  // Required by the extension and the CLI the first time they read a YAML manifest (the daemons bundle it).
  { name: 'yaml-syntax', options: { ...common, entryPoints: { 'yaml-syntax': 'src/shared/manifest/yaml-syntax.ts' } } },
  // The timeline panel's page, for the webview's browser (not Node): loaded only when a timeline panel opens.
  {
    name: 'webview-timeline',
    options: { ...common, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: false, external: [], plugins: [], entryPoints: { 'webview/timeline': 'src/webview/timeline-view.ts' } },
  },
];
