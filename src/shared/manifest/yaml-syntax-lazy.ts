// The YAML manifest reader as the extension and the CLI get it: its own bundle, dist/yaml-syntax.js
// (the reader and the `yaml` package, as large as the rest of the extension), required the first
// time a YAML manifest is read, so that activating the extension, a CLI command, and every
// workspace of line-syntax manifests never load it. Their builds put this module in place of
// ./yaml-syntax.ts (scripts/bundles.mjs); everywhere else, tests included, the reader itself is imported.
import type * as YamlSyntax from './yaml-syntax';

let loaded: typeof YamlSyntax | null = null;

export const readYamlEntries: typeof YamlSyntax.readYamlEntries = (text, sink) => {
  loaded ??= require('./yaml-syntax.js') as typeof YamlSyntax;
  return loaded.readYamlEntries(text, sink);
};
