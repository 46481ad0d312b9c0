// What an agent is told to run for one replica: the app's spec resolved for that replica, with
// `${PORT}`, `${REPLICA}` and `${GENERATION}` expanded in args and env values, and PORT set to the
// replica's own port. Pure.
import type { AppSpec } from '../shared/manifest/model';
import type { LaunchSpec } from '../shared/protocol/agent';

export interface ReplicaIdentity {
  id: string;
  generation: number;
  port: number | null;
}

export function launchSpec(spec: AppSpec, secrets: Readonly<Record<string, string>>, replica: ReplicaIdentity): LaunchSpec {
  const vars: Record<string, string> = {
    PORT: replica.port === null ? '' : String(replica.port),
    REPLICA: replica.id,
    GENERATION: String(replica.generation),
    APP: spec.name,
  };
  const expand = (text: string) => text.replace(/\$\{(PORT|REPLICA|GENERATION|APP)\}/g, (_, name: string) => vars[name]!);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.env)) env[k] = expand(v);
  for (const [k, v] of Object.entries(secrets)) env[k] = expand(v);
  for (const v of spec.volumes) if (v.env && v.path) env[v.env] = v.path;
  if (replica.port !== null) env.PORT = String(replica.port);
  env.SKR8TR_APP = spec.name;
  env.SKR8TR_REPLICA = replica.id;
  env.SKR8TR_GENERATION = String(replica.generation);
  return {
    app: spec.name,
    generation: replica.generation,
    type: spec.type,
    exec: spec.exec,
    args: spec.args.map(expand),
    cwd: spec.cwd,
    env,
    secretKeys: Object.keys(secrets),
    restart: spec.restart,
    drainMs: spec.drainMs,
    volumes: spec.volumes.flatMap((v) => (v.path ? [v.path] : [])),
    serveStatic: spec.exec === null ? (spec.serve?.static ?? null) : null,
    serveProxy: spec.exec === null ? (spec.serve?.proxy ?? null) : null,
    port: replica.port,
  };
}
