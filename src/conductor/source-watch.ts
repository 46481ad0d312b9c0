// Watching one app's files: native file events (chokidar, over fs.watch) under the manifest's
// folder, filtered by the app's `watch` globs and ignores, and quiet for `debounce` before it tells.
// Never polls. `.git`, `node_modules`, the build's `out` and the Conductor's home are never watched;
// the manifest itself and the app's env files always are.
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
  /** Folders never watched, besides `.git` and `node_modules`: absolute. */
  never: string[];
}

const ALWAYS_IGNORED = ['**/.git/**', '**/node_modules/**'];

export class SourceWatch {
  private readonly watcher: FSWatcher;
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
    const never = config.never.map((d) => path.resolve(d));
    const ignored = (file: string, stats?: { isFile(): boolean }) => {
      const abs = path.resolve(file);
      if (always.has(abs)) return false;
      if (never.some((d) => abs === d || abs.startsWith(d + path.sep))) return true;
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
