// What the home folder says about its Conductor, read in one place (every path of the connection
// decides from it, see conductor-link.ts): running (a client), crashed (conductor.json left behind by
// a pid that is gone, zombies included), absent (none, or stopped cleanly), or unusable. Finding one
// (and refusing another version) is shared with the terminal: shared/daemon-launch.ts.
import { ConductorClient } from '../shared/client';
import { findConductor, Incompatible } from '../shared/daemon-launch';
import { readConductorInfo } from '../shared/home';
import { isAlive } from '../shared/platform/process';
import { VERSION } from '../shared/version';
import type { Presence } from './conductor-link';

export { findConductor, Incompatible };

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
