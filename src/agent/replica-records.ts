// The agent's adoption records (adoption-record.ts), one file each in its state folder, written when
// a replica starts and removed when it ends, so the next run of the agent (after a crash) finds what
// it left: a replica whose process is still the one recorded is adopted; one that ended meanwhile is
// told as ended; a record this agent cannot adopt (an older agent's) has its process stopped, politely
// then firmly. Nothing is left unaccounted for.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../shared/home';
import type { Logger } from '../shared/logger';
import { groupAlive, processStartToken, signalGroup } from '../shared/platform/process';
import { legacyProcess, readAdoptionRecord, type AdoptionRecord } from './adoption-record';
import { removeOutput } from './replica-output';

export class ReplicaRecords {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(id: string): string {
    return path.join(this.dir, `${encodeURIComponent(id)}.json`);
  }

  save(id: string, record: AdoptionRecord | null): void {
    try {
      if (record === null) fs.rmSync(this.file(id), { force: true });
      // Not synced to disk: a record need only outlive the agent, not the machine (its replicas do not).
      else writeFileAtomic(this.file(id), JSON.stringify(record), 0o600, false);
    } catch {
      // A record is a safety net; failing to write one must not fail the replica.
    }
  }

  /**
   * What an earlier run left: the records of replicas to adopt (still the process recorded, with
   * named output pipes); every other recorded process is stopped (resolves when they are gone).
   */
  async takeOver(log: Logger): Promise<AdoptionRecord[]> {
    const adopt: AdoptionRecord[] = [];
    const stops: Promise<void>[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      if (!name.endsWith('.json')) continue;
      let value: unknown;
      try {
        value = JSON.parse(fs.readFileSync(path.join(this.dir, name), 'utf8'));
      } catch {
        fs.rmSync(path.join(this.dir, name), { force: true });
        continue;
      }
      const record = readAdoptionRecord(value);
      const running = record !== null && record.startToken !== null && processStartToken(record.pid) === record.startToken;
      // Still running with pipes a new reader can open; or ended while no agent ran (told as ended,
      // with the last lines that wait in its pipes).
      if (record && (running ? record.output !== null : record.startToken !== null)) adopt.push(record);
      else stops.push(this.stopLeftover(value, log));
    }
    await Promise.all(stops);
    return adopt;
  }

  private async stopLeftover(value: unknown, log: Logger): Promise<void> {
    const r = legacyProcess(value);
    if (!r) return;
    const same = r.startToken !== null && processStartToken(r.pid) === r.startToken;
    if (same || groupAlive(r.pid)) {
      log.info(`stopping ${r.id} (pid ${r.pid}), left running by an earlier run of this agent that cannot be adopted`);
      signalGroup(r.pid, 'SIGTERM');
      const deadline = Date.now() + Math.min(r.drainMs, 10_000);
      while (groupAlive(r.pid) && Date.now() < deadline) await sleep(25);
      if (groupAlive(r.pid)) signalGroup(r.pid, 'SIGKILL');
      const hard = Date.now() + 2_000;
      while (groupAlive(r.pid) && Date.now() < hard) await sleep(25);
    }
    const record = readAdoptionRecord(value);
    removeOutput(record?.output ?? null);
    this.save(r.id, null);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
