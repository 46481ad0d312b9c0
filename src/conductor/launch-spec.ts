// What an agent is told to run for one replica: the app's spec resolved for that replica, with
// `${PORT}`, `${REPLICA}` and `${GENERATION}` expanded in args and env values, and PORT set to the
// replica's own port. A generation with a captured build output runs from the capture: the program,
// the working folder, the static folder and every argument that names a path under `out` are moved
// there (snapshots.ts). Pure.
import * as path from 'node:path';
import type { AppSpec } from '../shared/manifest/model';
import type { LaunchSpec } from '../shared/protocol/agent';
import { relocate } from './snapshots';

export interface ReplicaIdentity {
  id: string;
  generation: number;
  port: number | null;
}

/** A generation's captured build output: `out` as the manifest names it, and the capture's folder. */
export interface Capture {
  out: string;
  dir: string;
}

export function launchSpec(spec: AppSpec, secrets: Readonly<Record<string, string>>, replica: ReplicaIdentity, capture: Capture | null = null): LaunchSpec {
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
  const moved = (p: string) => (capture ? relocate(p, capture.out, capture.dir) : p);
  // An argument is a path under `out` when it resolves there from the working folder (`dist/server.js`).
  const movedArg = (a: string) => {
    if (!capture || a.startsWith('-')) return a;
    const abs = path.resolve(spec.cwd, a);
    const to = moved(abs);
    return to === abs ? a : to;
  };
  return {
    app: spec.name,
    generation: replica.generation,
    type: spec.type,
    exec: spec.exec === null ? null : moved(spec.exec),
    args: spec.args.map(expand).map(movedArg),
    cwd: moved(spec.cwd),
    env,
    secretKeys: Object.keys(secrets),
    restart: spec.restart,
    drainMs: spec.drainMs,
    volumes: spec.volumes.flatMap((v) => (v.path ? [v.path] : [])),
    serveStatic: spec.exec === null && spec.serve?.static ? moved(spec.serve.static) : null,
    serveProxy: spec.exec === null ? (spec.serve?.proxy ?? null) : null,
    port: replica.port,
  };
}
