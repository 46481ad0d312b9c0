// What the home folder says about its Conductor, read in one place (every path of the connection
// decides from it, see conductor-link.ts): running (a client), crashed (conductor.json left behind by
// a pid that is gone, zombies included), absent (none, or stopped cleanly), or unusable.
import { ConductorClient, NotRunning } from '../shared/client';
import { readConductorInfo, type ConductorInfo } from '../shared/home';
import { isAlive } from '../shared/platform/process';
import { VERSION } from '../shared/version';
import type { Presence } from './conductor-link';

export class Incompatible extends Error {
  constructor(readonly info: ConductorInfo) {
    super(`a Conductor of version ${info.version} is running for ${info.home}; this extension is ${VERSION}`);
  }
}

export function conductorPresence(home: string): Presence<ConductorClient> {
  const info = readConductorInfo(home);
  if (!info) return { kind: 'absent' };
  if (!isAlive(info.pid)) return { kind: 'crashed', pid: info.pid };
  if (info.version !== VERSION) return { kind: 'unusable', why: new Incompatible(info).message };
  try {
    return { kind: 'running', client: ConductorClient.fromHome(home) };
  } catch (err) {
    return isAlive(info.pid) ? { kind: 'unusable', why: (err as Error).message } : { kind: 'crashed', pid: info.pid };
  }
}

/** A client for the running Conductor, or null when none runs. Throws Incompatible for another version. */
export function findConductor(home: string): ConductorClient | null {
  const info = readConductorInfo(home);
  if (!info || !isAlive(info.pid)) return null;
  if (info.version !== VERSION) throw new Incompatible(info);
  try {
    return ConductorClient.fromHome(home);
  } catch (err) {
    if (err instanceof NotRunning) return null;
    throw err;
  }
}
