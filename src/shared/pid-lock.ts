// One daemon a role (a Conductor a home, an agent a node id): a lock file holding the owner's pid,
// created exclusively. A lock left by a process that is gone is taken over.
import * as fs from 'node:fs';
import { isAlive } from './platform/process';

export interface PidLock {
  release(): void;
}

export class AlreadyRunning extends Error {
  constructor(
    readonly pid: number,
    what: string,
  ) {
    super(`${what} is already running (pid ${pid})`);
  }
}

export function acquirePidLock(file: string, what: string): PidLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
          } catch {
            // gone already
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readOr(file, '0').trim());
      if (owner > 0 && owner !== process.pid && isAlive(owner)) throw new AlreadyRunning(owner, what);
      try {
        fs.unlinkSync(file);
      } catch {
        // someone else took it over; try again
      }
    }
  }
  throw new Error(`cannot take the lock ${file}`);
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}
