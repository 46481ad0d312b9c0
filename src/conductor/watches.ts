// The watched workloads: one SourceWatch each, started and stopped with the workload's `watching`
// flag (journaled, so a restarted Conductor resumes watching), reconfigured when its spec changes.
// A change rolls the app out again — at most one rollout in flight and one pending: changes during
// a build or rollout are coalesced into one follow-up when it ends. It follows the state through
// the Conductor's own event log (as an observer, not a client). When the Conductor starts, each
// watched app's files are compared with when its last generation was made from them: what was saved
// while the Conductor was away rolls out then (source-watch.ts changedSince).
//
//   idle ──change──▶ rolling out ──ends──▶ idle
//                       │  ▲
//                 change│  └──ends, pending: roll out again
//                       ▼
//                    pending
import * as path from 'node:path';
import type { Logger } from '../shared/logger';
import type { ApiEvent } from '../shared/protocol/api';
import { isFinal } from '../shared/protocol/api';
import type { EventLog } from './event-log';
import { currentGeneration, type WorkloadRecord } from './model';
import { SourceWatch, type WatchConfig } from './source-watch';

export interface WatchDeps {
  workloads: ReadonlyMap<string, WorkloadRecord>;
  events: EventLog;
  log: Logger;
  /** Folders never watched (the Conductor's home). */
  never: string[];
  /** Rolls the app out again from its manifest on disk; `files` says why, `count` is how many files are watched (when known), `away`: they changed while the Conductor was away. */
  rollout: (app: string, files: string[], count: number | null, away: boolean) => Promise<void>;
}

export class Watches {
  private readonly watches = new Map<string, { key: string; watch: SourceWatch }>();
  private readonly pending = new Map<string, Set<string>>();
  /** Apps whose rollout is being submitted (a change meanwhile waits, as during a rollout). */
  private readonly submitting = new Set<string>();
  private readonly stopObserving: () => void;
  private scheduled = false;
  private closed = false;
  /** The first sync after the Conductor started: its watches look for changes made while it was away. */
  private resuming = true;

  constructor(private readonly d: WatchDeps) {
    this.stopObserving = d.events.observe((e) => this.saw(e));
    this.schedule();
  }

  /** Resolves once every watch in place has read its tree (for tests and `dev`: changes after this are seen). */
  async ready(app: string): Promise<void> {
    await this.watches.get(app)?.watch.ready();
  }

  private saw(e: ApiEvent): void {
    if (e.type === 'workload' || e.type === 'workload-removed') this.schedule();
    if (e.type === 'rollout' && isFinal(e.rollout.state) && this.pending.has(e.rollout.app)) {
      const files = [...this.pending.get(e.rollout.app)!];
      this.pending.delete(e.rollout.app);
      setImmediate(() => this.changed(e.rollout.app, files));
    }
  }

  /** Brings the watches in line with the workloads, on the next tick (never inside a commit). */
  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sync();
    });
  }

  private sync(): void {
    if (this.closed) return;
    for (const [app, { key, watch }] of this.watches) {
      const w = this.d.workloads.get(app);
      const config = w ? this.configOf(w) : null;
      if (config && JSON.stringify(config) === key) continue;
      this.watches.delete(app);
      void watch.close();
      if (!config) {
        this.pending.delete(app);
        this.d.log.info(`${app}: no longer watching its files`);
      }
    }
    for (const w of this.d.workloads.values()) {
      if (this.watches.has(w.name)) continue;
      const config = this.configOf(w);
      if (!config) continue;
      const watch = new SourceWatch(config, this.d.log, (files) => this.changed(w.name, files));
      this.watches.set(w.name, { key: JSON.stringify(config), watch });
      this.d.log.info(`${w.name}: watching ${config.paths.join(' ')} under ${config.root}`);
      if (this.resuming) void this.changedWhileAway(w.name, watch);
    }
    this.resuming = false;
  }

  /** Files saved while the Conductor was away (newer than the app's last generation, or fewer than it was made from) roll out now. */
  private async changedWhileAway(app: string, watch: SourceWatch): Promise<void> {
    await watch.ready();
    const w = this.d.workloads.get(app);
    if (!w || this.closed || this.watches.get(app)?.watch !== watch) return;
    const since = Math.max(...w.generations.map((g) => g.createdAt));
    const latest = w.generations.find((g) => g.generation === w.latestGeneration);
    const { files } = await watch.changedSince(since, latest?.sourceFiles ?? null);
    if (this.closed) return;
    if (files.length === 0) {
      this.d.log.info(`${app}: no watched file changed while the Conductor was away`);
      return;
    }
    this.d.log.info(`${app}: ${files.length} watched file${files.length === 1 ? '' : 's'} changed while the Conductor was away: rolling out`);
    this.changed(app, files, true);
  }

  /** What to watch for a workload, or null when it is not watched. */
  private configOf(w: WorkloadRecord): WatchConfig | null {
    if (!w.watching || w.removing) return null;
    const g = currentGeneration(w);
    const spec = g.spec;
    const root = path.dirname(g.manifestPath);
    return {
      root,
      paths: spec.watch?.paths ?? ['**/*'],
      ignore: spec.watch?.ignore ?? [],
      debounceMs: spec.watch?.debounceMs ?? 100,
      always: [g.manifestPath, ...spec.envFiles],
      never: [...this.d.never, ...(spec.build?.out ? [spec.build.out] : [])],
    };
  }

  private changed(app: string, files: string[], away = false): void {
    const w = this.d.workloads.get(app);
    if (!w?.watching || this.closed) return;
    const busy = (w.rollout !== null && !isFinal(w.rollout.state)) || this.submitting.has(app);
    if (busy) {
      // One follow-up when the rollout in flight ends, whatever more changes meanwhile.
      const set = this.pending.get(app) ?? new Set<string>();
      for (const f of files) set.add(f);
      this.pending.set(app, set);
      return;
    }
    void this.countAndRoll(app, files, away);
  }

  /** Rolls out, with how many files the new generation is made from (so a later start can tell one was removed). */
  private async countAndRoll(app: string, files: string[], away: boolean): Promise<void> {
    this.submitting.add(app);
    try {
      const watch = this.watches.get(app)?.watch;
      const count = watch ? (await watch.changedSince(Infinity, null)).count : null;
      if (!this.closed) await this.d.rollout(app, files, count, away);
    } finally {
      this.submitting.delete(app);
    }
    // Changes that came meanwhile: now, unless a rollout runs (its end takes them).
    const w = this.d.workloads.get(app);
    const waiting = this.pending.get(app);
    if (waiting && !(w?.rollout && !isFinal(w.rollout.state))) {
      this.pending.delete(app);
      this.changed(app, [...waiting]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopObserving();
    await Promise.all([...this.watches.values()].map((w) => w.watch.close()));
    this.watches.clear();
  }
}
