// The model as JSON, exactly as `skr8tr validate --json` prints it (MANIFEST.md): the spec's fields
// in a fixed order, secret values never included.
import type { Diagnostic } from './diagnostics';
import type { AppSpec, ParsedApp } from './model';

const FIELDS: readonly (keyof AppSpec)[] = [
  'name', 'type', 'exec', 'args', 'cwd', 'port', 'ingress', 'replicas', 'ramBytes', 'cpu', 'gpu',
  'restart', 'drainMs', 'settleMs', 'requestTimeoutMs', 'attempts', 'env', 'secretKeys', 'health', 'rollout', 'scale', 'build',
  'serve', 'volumes', 'vm', 'needs', 'watch', 'envFiles', 'image',
];

export function specToJson(spec: AppSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) out[f] = spec[f];
  return out;
}

export function manifestToJson(apps: readonly ParsedApp[], diagnostics: readonly Diagnostic[]): { apps: unknown[]; diagnostics: Diagnostic[] } {
  return { apps: apps.map((a) => specToJson(a.spec)), diagnostics: [...diagnostics] };
}
