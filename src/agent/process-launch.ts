// What a launch needs before a replica's process starts: the checks that make it impossible (said as
// the launch's failure), the program and its arguments, and whether its port is free on this host.
import * as fs from 'node:fs';
import * as net from 'node:net';
import { describeOwner, portOwner } from '../shared/platform/port-owner';
import type { LaunchSpec } from '../shared/protocol/agent';

/** What makes a launch impossible, checked before spawning (null: nothing). */
export function preflight(s: LaunchSpec): string | null {
  if (s.type === 'vm' || s.type === 'wasm') return `this agent cannot run ${s.type} workloads`;
  if (s.exec === null && !s.serveStatic) return 'the app has no program to run';
  if (s.exec === null && s.port === null) return '`serve static` needs a port';
  try {
    if (!fs.statSync(s.cwd).isDirectory()) return `working directory ${s.cwd} is not a folder`;
  } catch {
    return `working directory ${s.cwd} does not exist`;
  }
  for (const v of s.volumes) {
    try {
      fs.mkdirSync(v, { recursive: true });
    } catch (err) {
      return `cannot create volume folder ${v}: ${(err as Error).message}`;
    }
  }
  return null;
}

/** The program and argv: the app's own, or the built-in static server (of `entryScript`) for `serve static`. */
export function commandOf(s: LaunchSpec, entryScript: string): [string, string[]] {
  if (s.exec !== null) return [s.exec, s.args];
  const args = [entryScript, 'serve-static', s.serveStatic!, '--port', String(s.port)];
  if (s.serveProxy) args.push('--proxy', s.serveProxy);
  return [process.execPath, args];
}

/** Why the spec's port cannot be used on this host (null: it is free, or it has none). */
export async function portProblem(s: LaunchSpec): Promise<string | null> {
  if (s.port === null || (await portFree(s.port))) return null;
  const owner = await portOwner(s.port).catch(() => null);
  return `port ${s.port} is in use on this host${owner ? ` by ${describeOwner(owner)}` : ''}`;
}

/** Whether nothing listens on `port` on any address of this host. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
