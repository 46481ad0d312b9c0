// The files a `watch` block names for a dev watcher that was taken off (nodemon, `--reload`...):
// the sources of its language under the app's folder. Pure.

const GLOBS: Record<'node' | 'python' | 'ruby', string[]> = {
  node: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.json'],
  python: ['**/*.py'],
  ruby: ['**/*.rb'],
};

export function watchGlobs(kind: keyof typeof GLOBS, cwd: string | null): string[] {
  const prefix = cwd && cwd !== '.' ? `${cwd}/` : '';
  return GLOBS[kind].map((g) => prefix + g);
}
