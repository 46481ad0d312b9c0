// Builds the bundles in dist/ (scripts/bundles.mjs says which and how), each with its esbuild
// metafile in dist/meta/NAME.json: what went into it, by input file (`npm run size` reads them;
// they never ship). `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLES } from './bundles.mjs';

const meta = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/meta');

if (process.argv.includes('--watch')) {
  for (const { options } of BUNDLES) await (await esbuild.context(options)).watch();
} else {
  mkdirSync(meta, { recursive: true });
  await Promise.all(
    BUNDLES.map(async ({ name, options }) => {
      const { metafile } = await esbuild.build({ ...options, metafile: true });
      writeFileSync(path.join(meta, `${name}.json`), JSON.stringify(metafile));
    }),
  );
}
