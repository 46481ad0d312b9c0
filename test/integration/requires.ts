// What a test needs from outside the project — a program from Debian's packages, root — checked
// before it starts, so a missing one is said at once with its name and where it comes from, never
// found by a time-out. `npm test` installs the programs first (scripts/setup.sh); a test run on its
// own without them fails under CI (CI set) and, elsewhere, is skipped with a loud message.
import { spawnSync } from 'node:child_process';

/** Programs the tests run, and the Debian package each comes from (scripts/setup.sh installs them). */
export const PROGRAMS = {
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  python3: 'python3',
  podman: 'podman',
  runc: 'runc',
  ip: 'iproute2',
} as const;

export type Program = keyof typeof PROGRAMS;

/** Whether a program is on PATH (found the way a spawn finds it). */
export function onPath(program: string): boolean {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program], { stdio: 'ignore' });
  return found.status === 0;
}

/** Why the programs cannot be used here (naming each and its package), or null when all are there. */
export function missingPrograms(programs: readonly Program[]): string | null {
  const missing = programs.filter((p) => !onPath(p));
  if (missing.length === 0) return null;
  const packages = [...new Set(missing.map((p) => PROGRAMS[p]))];
  return `${missing.join(', ')} not found on PATH (Debian: apt-get install ${packages.join(' ')}; \`npm test\` installs them through scripts/setup.sh)`;
}

/**
 * In a mocha `before`: stops the suite when `why` is not null — a failure under CI, else a skip
 * with a banner naming what is missing.
 */
export function requireOrSkip(ctx: Mocha.Context, what: string, why: string | null): void {
  if (why === null) return;
  const message = `${what.toUpperCase()} CANNOT RUN: ${why}.`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n    !!! ${message} Skipped here.\n`);
  ctx.skip();
}

/** `requireOrSkip` for programs on PATH. */
export function requirePrograms(ctx: Mocha.Context, what: string, programs: readonly Program[]): void {
  requireOrSkip(ctx, what, missingPrograms(programs));
}
