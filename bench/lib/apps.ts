// Apps the benchmarks run by the hundred: `/bin/sleep`, ready as soon as it runs (no health check,
// `settle 0s`), a new VERSION making a new generation.
export function sleeperApp(name: string, replicas: number, version: string, opts: { extra?: string[]; env?: Record<string, string> } = {}): string {
  return [
    `app ${name}`,
    '  exec /bin/sleep',
    '  args 3600',
    `  replicas ${replicas}`,
    '  settle 0s',
    '  drain 1s',
    ...(opts.extra ?? []),
    '  env',
    `    VERSION ${version}`,
    ...Object.entries(opts.env ?? {}).map(([k, v]) => `    ${k} ${v}`),
  ].join('\n') + '\n';
}
