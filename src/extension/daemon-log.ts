// The "Skr8tr: Conductor" output channel: the daemons' own logs (SKR8TR_HOME/logs/*.log), tailed
// as they grow (file-system events, no polling), plus what the extension itself does with them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const INITIAL_BYTES = 64 * 1024;

export class DaemonLog implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('Skr8tr: Conductor');
  private readonly offsets = new Map<string, number>();
  private watcher: fs.FSWatcher | null = null;
  private dir: string | null = null;

  /** Starts tailing the logs folder of a home (again, if the home changed). */
  watch(logsDir: string): void {
    if (this.dir === logsDir) return;
    this.watcher?.close();
    this.dir = logsDir;
    this.offsets.clear();
    try {
      fs.mkdirSync(logsDir, { recursive: true, mode: 0o700 });
      for (const f of fs.readdirSync(logsDir)) if (f.endsWith('.log')) this.read(f, true);
      this.watcher = fs.watch(logsDir, (_e, file) => {
        if (file && file.endsWith('.log')) this.read(file, false);
      });
      this.watcher.on('error', () => {});
    } catch (err) {
      this.note(`cannot read the daemon logs in ${logsDir}: ${(err as Error).message}`);
    }
  }

  private read(file: string, initial: boolean): void {
    const full = path.join(this.dir!, file);
    let size: number;
    try {
      size = fs.statSync(full).size;
    } catch {
      return;
    }
    let from = this.offsets.get(file) ?? (initial ? Math.max(0, size - INITIAL_BYTES) : 0);
    if (size < from) from = 0; // rotated or truncated
    if (size === from) return;
    const fd = fs.openSync(full, 'r');
    try {
      const buf = Buffer.alloc(size - from);
      fs.readSync(fd, buf, 0, buf.length, from);
      const text = buf.toString('utf8');
      const complete = text.lastIndexOf('\n') + 1;
      this.offsets.set(file, from + Buffer.byteLength(text.slice(0, complete)));
      const name = file.replace(/\.log$/, '');
      for (const line of text.slice(0, complete).split('\n')) if (line) this.channel.appendLine(`[${name}] ${line}`);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** A line from the extension itself. */
  note(line: string): void {
    this.channel.appendLine(`[extension] ${new Date().toISOString()} ${line}`);
  }

  dispose(): void {
    this.watcher?.close();
    this.channel.dispose();
  }
}
