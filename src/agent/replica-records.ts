// The agent's record of each replica it runs (pid, process group, start time), one file each in
// its state folder, so that after its own crash it can account for what it left: a process that is
// still the one it started is stopped (politely, then firmly); nothing is left unaccounted for.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../shared/home';
import type { Logger } from '../shared/logger';
import { groupAlive, processStartToken, signalGroup } from '../shared/platform/process';
import type { ReplicaRecord } from './replica-process';

export class ReplicaRecords {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(id: string): string {
    return path.join(this.dir, `${encodeURIComponent(id)}.json`);
  }

  save(id: string, record: ReplicaRecord | null): void {
    try {
      if (record === null) fs.rmSync(this.file(id), { force: true });
      // Not synced to disk: a record need only outlive the agent, not the machine (its replicas do not).
      else writeFileAtomic(this.file(id), JSON.stringify(record), 0o600, false);
    } catch {
      // A record is a safety net; failing to write one must not fail the replica.
    }
  }

  list(): ReplicaRecord[] {
    const out: ReplicaRecord[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(fs.readFileSync(path.join(this.dir, name), 'utf8')) as ReplicaRecord);
      } catch {
        fs.rmSync(path.join(this.dir, name), { force: true });
      }
    }
    return out;
  }

  /** Stops every replica a previous run of this agent left behind; resolves when they are gone. */
  async stopLeftovers(log: Logger): Promise<number> {
    const left = this.list();
    await Promise.all(
      left.map(async (r) => {
        const same = r.startToken !== null && processStartToken(r.pid) === r.startToken;
        if (same || groupAlive(r.pid)) {
          log.info(`stopping ${r.id} (pid ${r.pid}), left running by an earlier run of this agent`);
          signalGroup(r.pid, 'SIGTERM');
          const deadline = Date.now() + Math.min(r.drainMs, 10_000);
          while (groupAlive(r.pid) && Date.now() < deadline) await sleep(25);
          if (groupAlive(r.pid)) signalGroup(r.pid, 'SIGKILL');
          const hard = Date.now() + 2_000;
          while (groupAlive(r.pid) && Date.now() < hard) await sleep(25);
        }
        this.save(r.id, null);
      }),
    );
    return left.length;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
