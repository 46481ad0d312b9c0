// Watching one app's files: native file events (chokidar, over fs.watch) under the manifest's
// folder, filtered by the app's `watch` globs and ignores, and quiet for `debounce` before it tells.
// Never polls. `.git`, `node_modules`, the build's `out` and the Conductor's own folders are never
// watched, nor anything but regular files (an agent's named pipes change with every line a replica
// prints); the manifest itself and the app's env files always are. It can also say which of its files changed
// since a time (a Conductor that restarts: what was saved while it was away).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import picomatch from 'picomatch';
import type { Logger } from '../shared/logger';

export interface WatchConfig {
  /** The manifest's folder: globs are relative to it. */
  root: string;
  paths: string[];
  ignore: string[];
  debounceMs: number;
  /** Files watched whatever the globs say (the manifest, env files): absolute. */
  always: string[];
  /** Folders never watched, besides `.git` and `node_modules`: absolute, or absolute globs (`/home/agent-*`), so that folders made later are covered too. */
  never: string[];
}

const ALWAYS_IGNORED = ['**/.git/**', '**/node_modules/**'];

export class SourceWatch {
  private readonly watcher: FSWatcher;
  /** Whether a file (relative to the root) is one the globs ask for. */
  private readonly wanted: (rel: string) => boolean;
  private readonly alwaysFiles: ReadonlySet<string>;
  private timer: NodeJS.Timeout | null = null;
  private changed = new Set<string>();
  private closed = false;

  constructor(
    readonly config: WatchConfig,
    private readonly log: Logger,
    /** The files that changed (relative to the root), once they have been quiet for the debounce. */
    private readonly onChange: (files: string[]) => void,
  ) {
    const wanted = picomatch(config.paths, { dot: true });
    const unwanted = picomatch([...ALWAYS_IGNORED, ...config.ignore], { dot: true });
    const always = new Set(config.always.map((f) => path.resolve(f)));
    this.wanted = (rel) => wanted(rel) && !unwanted(rel);
    this.alwaysFiles = always;
    const never = picomatch(config.never.flatMap((d) => [path.resolve(d), `${path.resolve(d)}/**`]), { dot: true });
    const ignored = (file: string, stats?: { isFile(): boolean; isDirectory(): boolean }) => {
      const abs = path.resolve(file);
      if (always.has(abs)) return false;
      if (never(abs)) return true;
      // A named pipe, a socket, a device: written as programs run, never a source.
      if (stats && !stats.isFile() && !stats.isDirectory()) return true;
      const rel = path.relative(config.root, abs);
      if (rel === '') return false;
      if (rel.startsWith('..')) return !always.has(abs);
      if (unwanted(rel) || unwanted(`${rel}/`)) return true;
      // Folders are walked (a glob may match below them); files must match a glob.
      return stats?.isFile() === true && !wanted(rel);
    };
    this.watcher = watch([config.root, ...always], { ignored, ignoreInitial: true, persistent: true, awaitWriteFinish: false });
    for (const event of ['add', 'change', 'unlink'] as const) {
      this.watcher.on(event, (file: string) => this.saw(file));
    }
    this.watcher.on('error', (err) => this.log.warn(`watching ${config.root}: ${(err as Error).message}`));
  }

  /** Resolves once the watcher has read the tree (changes after this are seen). */
  ready(): Promise<void> {
    return new Promise((resolve) => this.watcher.once('ready', () => resolve()));
  }

  /**
   * The watched files changed (written, created, moved into place) after `since`, relative to the
   * root, and whether the count of watched files differs from `count` (when known): a file removed.
   * Read once the watcher is ready.
   */
  async changedSince(since: number, count: number | null): Promise<{ files: string[]; count: number }> {
    const files = new Set<string>(this.alwaysFiles);
    for (const [dir, names] of Object.entries(this.watcher.getWatched())) {
      for (const name of names) {
        const abs = path.resolve(dir, name);
        const rel = path.relative(this.config.root, abs);
        if (!rel.startsWith('..') && this.wanted(rel)) files.add(abs);
      }
    }
    const changed: string[] = [];
    let present = 0;
    const all = [...files];
    for (let i = 0; i < all.length; i += 64) {
      const stats = await Promise.all(all.slice(i, i + 64).map((f) => fs.promises.stat(f).catch(() => null)));
      stats.forEach((st, j) => {
        if (!st?.isFile()) return;
        present++;
        if (Math.max(st.mtimeMs, st.ctimeMs) > since) changed.push(path.relative(this.config.root, all[i + j]!) || path.basename(all[i + j]!));
      });
    }
    if (count !== null && present < count) changed.push(`${count - present} watched file${count - present === 1 ? '' : 's'} removed`);
    return { files: changed.sort(), count: present };
  }

  private saw(file: string): void {
    if (this.closed) return;
    this.changed.add(path.relative(this.config.root, path.resolve(file)) || path.basename(file));
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const files = [...this.changed].sort();
      this.changed = new Set();
      this.onChange(files);
    }, this.config.debounceMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.watcher.close();
  }
}
