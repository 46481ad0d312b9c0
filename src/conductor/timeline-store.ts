// Where the timelines of ended rollouts are kept, so a rollout's picture stays available from the
// history after the Conductor restarts: one JSON file per rollout in SKR8TR_HOME/state/timelines,
// written (temporary file, then rename) when the rollout ends, removed once the rollout has left
// every workload's history. A few KB each; at most HISTORY_LIMIT.rollouts per workload.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../shared/logger';
import type { RolloutTimelineView } from '../shared/protocol/api';

/** Rollout ids are `<app>-r<hex>`; anything else never names a file. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

export class TimelineStore {
  /** Saves in flight, in order (a load waits for them). */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  /** Writes a finished timeline, then removes those of rollouts not in `keep`. Never throws: a timeline that cannot be written is logged and lost. */
  save(t: RolloutTimelineView, keep: ReadonlySet<string>): Promise<void> {
    const id = t.rollout.id;
    this.writing = this.writing.then(async () => {
      if (!SAFE_ID.test(id)) return;
      try {
        await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
        const file = path.join(this.dir, `${id}.json`);
        const tmp = `${file}.tmp`;
        await fs.promises.writeFile(tmp, JSON.stringify(t), { mode: 0o600 });
        await fs.promises.rename(tmp, file);
      } catch (err) {
        this.log.warn(`cannot keep the timeline of rollout ${id}: ${(err as Error).message}`);
      }
      await this.pruneNow(keep);
    });
    return this.writing;
  }

  /** The saved timeline of a rollout, or null. */
  async load(id: string): Promise<RolloutTimelineView | null> {
    if (!SAFE_ID.test(id)) return null;
    await this.writing;
    try {
      return JSON.parse(await fs.promises.readFile(path.join(this.dir, `${id}.json`), 'utf8')) as RolloutTimelineView;
    } catch {
      return null;
    }
  }

  /** Resolves when every save and prune asked for so far has finished (a Conductor stopping waits for it). */
  idle(): Promise<void> {
    return this.writing;
  }

  /** Removes the timelines of rollouts not in `keep` (they left the history, or their workload is gone). */
  prune(keep: ReadonlySet<string>): Promise<void> {
    this.writing = this.writing.then(() => this.pruneNow(keep));
    return this.writing;
  }

  private async pruneNow(keep: ReadonlySet<string>): Promise<void> {
    let files: string[];
    try {
      files = await fs.promises.readdir(this.dir);
    } catch {
      return;
    }
    for (const f of files) {
      const id = f.endsWith('.json') ? f.slice(0, -5) : f.endsWith('.json.tmp') ? null : undefined;
      if (id === undefined || (id !== null && keep.has(id))) continue;
      await fs.promises.rm(path.join(this.dir, f), { force: true }).catch(() => {});
    }
  }
}
