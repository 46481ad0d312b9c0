// Programs from Debian's packages that a benchmark measures against or loads with (nginx, wrk):
// installed at bench time when missing and the benchmark runs as root with apt-get (they are not
// dependencies of the project, nor needed by its tests), else a clear error naming the packages.
import { spawnSync } from 'node:child_process';

const onPath = (program: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program], { stdio: 'ignore' }).status === 0;

/** Makes sure each program is on PATH, installing its package (`program: package`) when it is not. */
export function ensureDebian(programs: Record<string, string>): void {
  const missing = Object.entries(programs).filter(([program]) => !onPath(program));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    throw new Error(`this benchmark needs ${missing.map(([p]) => p).join(', ')}: apt-get install ${packages.join(' ')} (as root)`);
  }
  console.log(`installing ${packages.join(', ')} from Debian (for this benchmark only)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-q'], ['install', '-y', '-q', '--no-install-recommends', ...packages]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
  }
  const still = missing.filter(([program]) => !onPath(program));
  if (still.length > 0) throw new Error(`still not on PATH after apt-get: ${still.map(([p]) => p).join(', ')}`);
}
