// How the daemons' own Node runs: the flags and allocator setting the extension starts the
// Conductor and agents with (the tests and benchmarks start them the same way), and the
// environment the programs they start get, without either.
//
// `--max-semi-space-size=1`: a young generation of 1 MiB semi-spaces instead of V8's 16 MiB. A
// daemon allocates in short bursts (a rollout's events, a list of workloads) and keeps little; with
// the default, a burst grew the young generation to ~32 MiB of resident memory that stayed.
// `MALLOC_TRIM_THRESHOLD_`: glibc gives freed memory at the top of its heap back past 128 KiB
// (its default threshold rises as high as 64 MiB once a large block was freed), so what start-up
// and bursts freed leaves the resident set. Other C libraries ignore it.
// Measured with 1,000 replicas (bench/api-scale.ts): the Conductor at rest 112 MiB resident with
// neither, 81 with the flag, 71 with both; no CPU cost stood out of the noise over 100 rollouts.

export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

const ALLOCATOR_ENV: Readonly<Record<string, string>> = { MALLOC_TRIM_THRESHOLD_: '131072' };

/** Names the variables set for the daemon alone, so that its children do not inherit them. */
const DAEMON_ONLY = 'SKR8TR_DAEMON_ONLY';

/** What to add to a daemon's environment: the allocator setting, unless the user set it already. */
export function daemonEnv(parent: NodeJS.ProcessEnv): Record<string, string> {
  const added: Record<string, string> = {};
  for (const [k, v] of Object.entries(ALLOCATOR_ENV)) if (parent[k] === undefined) added[k] = v;
  const names = Object.keys(added);
  return names.length > 0 ? { ...added, [DAEMON_ONLY]: names.join(',') } : {};
}

/** The environment for a program a daemon starts (a replica, a build step): the daemon's own, without Skr8tr's variables or what was set for the daemon alone. */
export function childEnv(parent: NodeJS.ProcessEnv): Record<string, string> {
  const own = new Set((parent[DAEMON_ONLY] ?? '').split(',').filter(Boolean));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) if (v !== undefined && !k.startsWith('SKR8TR_') && !own.has(k)) env[k] = v;
  return env;
}
