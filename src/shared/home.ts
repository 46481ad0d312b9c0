// The home folder (`SKR8TR_HOME`, default ~/.skr8tr): how daemons and clients find each other.
//   conductor.json   the running Conductor: pid, API socket, TCP listener, agent address, version
//   token            the API token (0600)      join-token   the agents' join token (0600)
//   state/           the Conductor's journal   agent-<node>/  an agent's replica records
//   logs/            daemon logs
//   builds/<app>/<generation>/  a generation's build output, captured after its build (immutable)
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface ConductorInfo {
  pid: number;
  socket: string;
  listen: string | null;
  agents: string;
  version: string;
  startedAt: number;
  home: string;
}

export function resolveHome(explicit?: string | null, env: NodeJS.ProcessEnv = process.env): string {
  const home = explicit || env.SKR8TR_HOME || path.join(os.homedir(), '.skr8tr');
  return path.resolve(home);
}

export function ensureHome(home: string): void {
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  fs.chmodSync(home, 0o700);
  for (const sub of ['state', 'logs']) fs.mkdirSync(path.join(home, sub), { recursive: true, mode: 0o700 });
}

export const paths = {
  info: (home: string) => path.join(home, 'conductor.json'),
  token: (home: string) => path.join(home, 'token'),
  joinToken: (home: string) => path.join(home, 'join-token'),
  state: (home: string) => path.join(home, 'state'),
  logs: (home: string) => path.join(home, 'logs'),
  builds: (home: string) => path.join(home, 'builds'),
  agentState: (home: string, node: string) => path.join(home, `agent-${node}`),
};

/**
 * The API socket's path. Unix socket paths are limited to about 104 bytes; a home with a long path
 * gets its socket in the temporary folder instead, under a name derived from the home.
 */
export function socketPath(home: string): string {
  const inHome = path.join(home, 'api.sock');
  if (Buffer.byteLength(inHome) <= 100) return inHome;
  const hash = crypto.createHash('sha256').update(home).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `skr8tr-${hash}.sock`);
}

/** Reads a token file, creating it (0600, 32 random bytes) when missing. */
export function ensureToken(file: string): string {
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) {
      fs.chmodSync(file, 0o600);
      return existing;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = crypto.randomBytes(32).toString('hex');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, token + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
  return token;
}

export function readToken(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

export function readConductorInfo(home: string): ConductorInfo | null {
  try {
    return JSON.parse(fs.readFileSync(paths.info(home), 'utf8')) as ConductorInfo;
  } catch {
    return null;
  }
}

/** Writes a file atomically: a temporary file in the same folder, fsync (unless not `durable`: it need only outlive this process, not the machine), then rename. */
export function writeFileAtomic(file: string, data: string, mode = 0o600, durable = true): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, data);
    if (durable) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
