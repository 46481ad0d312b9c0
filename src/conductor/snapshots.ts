// A generation's build output, immutable like an image: after a successful build, the manifest's
// `out` folder is captured into `<home>/builds/<app>/<generation>/`, and that generation's replicas
// run and serve from the capture (launch-spec.ts relocates paths under `out`). The next build may
// empty and rewrite `out` at will: no running generation sees it, and a failed build changes nothing
// that serves. A capture is removed once no generation record keeps it and no replica of it runs.
//
// Copy, not hard links: a hard-linked capture shares its files with `out`, and builders that
// rewrite a file in place (tsc, cp, many `go build` setups) would change the running generation's
// files too. The copy asks for a copy-on-write clone where the file system has one (btrfs, xfs),
// so it is as cheap as links there. Costs measured by `npm run bench:snapshot`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../shared/logger';

export class Snapshots {
  /** What exists on disk, by app: generation numbers. */
  private readonly known = new Map<string, Set<number>>();

  constructor(
    private readonly root: string,
    private readonly log: Logger,
  ) {
    // Captures left by an earlier run; temporary ones (a capture cut short) are removed.
    let apps: string[] = [];
    try {
      apps = fs.readdirSync(root);
    } catch {
      return;
    }
    for (const app of apps) {
      const dir = path.join(root, app);
      let entries: string[] = [];
      try {
        entries = fs.readdirSync(dir);
      } catch {
        continue;
      }
      const gens = new Set<number>();
      for (const e of entries) {
        if (/^\d+$/.test(e)) gens.add(Number(e));
        else fs.rmSync(path.join(dir, e), { recursive: true, force: true });
      }
      this.known.set(app, gens);
    }
  }

  /** Apps with captures on disk. */
  apps(): string[] {
    return [...this.known.keys()];
  }

  dirOf(app: string, generation: number): string {
    return path.join(this.root, app, String(generation));
  }

  /** Copies `out` into the generation's capture; resolves to its path. Throws with a reason the user can act on. */
  async capture(app: string, generation: number, out: string): Promise<string> {
    const stat = await fs.promises.stat(out).catch(() => null);
    if (!stat) throw new Error(`its \`out\` ${out} does not exist after the build`);
    if (!stat.isDirectory()) throw new Error(`its \`out\` ${out} is not a folder`);
    const dest = this.dirOf(app, generation);
    const tmp = `${dest}.tmp-${process.pid}`;
    await fs.promises.mkdir(path.dirname(dest), { recursive: true, mode: 0o700 });
    await fs.promises.rm(tmp, { recursive: true, force: true });
    try {
      await fs.promises.cp(out, tmp, { recursive: true, mode: fs.constants.COPYFILE_FICLONE, preserveTimestamps: true, verbatimSymlinks: true });
      await fs.promises.rm(dest, { recursive: true, force: true });
      await fs.promises.rename(tmp, dest);
    } catch (err) {
      await fs.promises.rm(tmp, { recursive: true, force: true }).catch(() => {});
      throw new Error(`cannot capture its \`out\` ${out}: ${(err as Error).message}`);
    }
    let gens = this.known.get(app);
    if (!gens) this.known.set(app, (gens = new Set()));
    gens.add(generation);
    return dest;
  }

  /** Removes the app's captures of generations not in `keep`. Cheap when nothing is to go (no disk access). */
  retain(app: string, keep: ReadonlySet<number>): void {
    const gens = this.known.get(app);
    if (!gens) return;
    for (const g of [...gens]) {
      if (keep.has(g)) continue;
      gens.delete(g);
      const dir = this.dirOf(app, g);
      fs.promises.rm(dir, { recursive: true, force: true }).then(
        () => this.log.debug(`removed the build capture ${dir}`),
        (err: Error) => this.log.warn(`cannot remove the build capture ${dir}: ${err.message}`),
      );
    }
    if (gens.size === 0) this.known.delete(app);
  }
}

/** A path under `from` moved to the same place under `to`; other paths unchanged. */
export function relocate(p: string, from: string, to: string): string {
  if (p === from) return to;
  const prefix = from.endsWith(path.sep) ? from : from + path.sep;
  return p.startsWith(prefix) ? path.join(to, p.slice(prefix.length)) : p;
}
