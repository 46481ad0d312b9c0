// Types of scripts/bundles.mjs, for the TypeScript that reads it (test/unit/bundles.test.ts).
import type { BuildOptions } from 'esbuild';

export const BUNDLES: { name: string; options: BuildOptions }[];
