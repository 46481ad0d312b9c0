// The Logs view: a terminal (a VS Code pseudoterminal, so colours work) following every app's output,
// or the app, generation or replica chosen, interleaved in time order (log-buffer.ts decides what
// shows). It follows across rollouts (new replicas appear by themselves; a line marks each rollout
// and its outcome), resumes after the Conductor restarts or the window reloads without showing a line
// twice, batches its writes, and makes file:line in the output clickable.
//
//   closed ──open──▶ streaming ──stream ends / Conductor gone──▶ waiting ──connected──▶ streaming
//                        └──────────────── terminal closed ─────────────────────▶ closed
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { noteLine } from '../shared/log-format';
import { isFinal, type LogLine } from '../shared/protocol/api';
import type { Connection } from './connection';
import { describeFilter, LogBuffer, type LogFilter } from './log-buffer';

const FLUSH_MS = 16;
const STATE_KEY = 'skr8tr.logView';
const FILE_LINE = /((?:\.{0,2}\/)?[\w@.-]+(?:\/[\w@.-]+)*\.[A-Za-z0-9]+)[:(](\d+)(?:[:,](\d+))?/g;

interface Saved {
  filter: LogFilter;
  lastAt: number;
}

export class LogView implements vscode.Disposable {
  private terminal: vscode.Terminal | null = null;
  private buffer: LogBuffer | null = null;
  private readonly write = new vscode.EventEmitter<string>();
  private readonly rename = new vscode.EventEmitter<string>();
  private abort: AbortController | null = null;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly rolloutsSeen = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly connection: Connection,
    private readonly memento: vscode.Memento,
  ) {
    this.disposables.push(
      this.write,
      this.rename,
      connection.onDidChangeState((s) => {
        if (s === 'connected' && this.terminal) this.stream();
      }),
      connection.onDidChange((change) => {
        if (change.rollouts || change.all) this.noteRollouts();
      }),
      vscode.window.onDidCloseTerminal((t) => {
        // Closed by the user: gone for good. Closed because the window goes: it reopens after a reload.
        if (t === this.terminal && t.exitStatus?.reason !== vscode.TerminalExitReason.Shutdown) this.closed();
      }),
      vscode.window.registerTerminalLinkProvider({
        provideTerminalLinks: (ctx) => (ctx.terminal === this.terminal ? this.links(ctx.line) : []),
        handleTerminalLink: (link: vscode.TerminalLink & { uri?: vscode.Uri; at?: vscode.Position }) => {
          if (link.uri) void vscode.window.showTextDocument(link.uri, { selection: new vscode.Range(link.at!, link.at!) });
        },
      }),
    );
    // A view open before the window reloaded opens again and goes on from where it was.
    const saved = memento.get<Saved>(STATE_KEY);
    if (saved) this.open(saved.filter, saved.lastAt);
  }

  /** Opens the view (or shows it) with a filter; `filter` undefined keeps the current one. */
  open(filter?: LogFilter, resumeAfter = 0): void {
    if (this.terminal && this.buffer) {
      if (filter) this.setFilter(filter);
      this.terminal.show(true);
      return;
    }
    this.buffer = new LogBuffer(filter ?? {});
    this.buffer.lastAt = resumeAfter;
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.write.event,
      onDidChangeName: this.rename.event,
      open: () => {
        if (resumeAfter > 0) this.write.fire(noteLine('resumed after the window reloaded', true) + '\r\n');
        this.stream();
        this.noteIfSilent();
      },
      close: () => {
        this.abort?.abort();
        this.abort = null;
      },
    };
    this.terminal = vscode.window.createTerminal({ name: this.title(), pty, iconPath: new vscode.ThemeIcon('output') });
    this.terminal.show(true);
    this.save();
  }

  get filter(): LogFilter | null {
    return this.buffer?.filter ?? null;
  }

  setFilter(filter: LogFilter): void {
    if (!this.buffer) return this.open(filter);
    this.flush();
    this.write.fire(this.buffer.setFilter(filter));
    this.rename.fire(this.title());
    this.save();
    this.noteIfSilent();
  }

  /**
   * A view of what has printed nothing yet (a replica still starting, a quiet app) says so, rather
   * than being an empty terminal: asked of the Conductor, which keeps every line.
   */
  private noteIfSilent(): void {
    const client = this.connection.client;
    const buffer = this.buffer;
    if (!client || !buffer) return;
    const f = buffer.filter;
    const query = { tail: 1, ...(f.app ? { app: f.app } : {}), ...(f.replica ? { replica: f.replica } : {}), ...(f.generation !== undefined ? { generation: f.generation } : {}), ...(f.text ? { grep: f.text } : {}) };
    void client.call('logs', query).then(
      (t) => {
        if (t.lines.length > 0 || this.buffer !== buffer || buffer.filter !== f || buffer.showsAny()) return;
        this.pending.push(noteLine(`${describeFilter(f)}: no output yet; waiting for it…`, true) + '\r\n');
        this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
      },
      () => {},
    );
  }

  private title(): string {
    return `Skr8tr Logs — ${describeFilter(this.buffer?.filter ?? {})}`;
  }

  /** (Re)opens the stream of every app's lines, from where the view is (a resumed stream repeats nothing). */
  private stream(): void {
    const client = this.connection.client;
    const buffer = this.buffer;
    if (!client || !buffer) return;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const from = buffer.lastAt > 0 ? { since: buffer.lastAt } : {};
    void client
      .callStream('logs', { tail: 500, follow: true, ...from }, (l: LogLine) => this.take(l), abort.signal)
      .catch(() => {})
      .finally(() => {
        if (this.abort === abort && !abort.signal.aborted) this.abort = null; // the connection will reopen it
      });
  }

  private take(l: LogLine): void {
    const text = this.buffer?.add([l]);
    if (text) this.pending.push(text);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length > 0) this.write.fire(this.pending.join(''));
    this.pending = [];
    this.save();
  }

  /** A line of the view's own when a rollout of an app it shows starts or ends. */
  private noteRollouts(): void {
    if (!this.buffer) return;
    for (const r of this.connection.model.rollouts.values()) {
      const key = isFinal(r.state) ? 'ended' : 'running';
      if (this.rolloutsSeen.get(r.id) === key) continue;
      const first = !this.rolloutsSeen.has(r.id);
      this.rolloutsSeen.set(r.id, key);
      if (!this.buffer.shows(r.app) || (first && key === 'ended')) continue;
      const text =
        key === 'running'
          ? `${r.app}: rollout ${r.id}, generation ${r.fromGeneration} → ${r.toGeneration}`
          : `${r.app}: rollout ${r.id} ${r.state}${r.endedAt ? ` in ${((r.endedAt - r.startedAt) / 1000).toFixed(1)} s` : ''}${r.reason ? ` (${r.reason})` : ''}`;
      this.pending.push(noteLine(text, true) + '\r\n');
      this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    }
  }

  /** file:line in a line, resolved against the folder of the app that wrote it. */
  private links(line: string): (vscode.TerminalLink & { uri: vscode.Uri; at: vscode.Position })[] {
    const replica = /^(?:\x1b\[[0-9;]*m)?(\S+)/.exec(line)?.[1];
    const app = replica ? [...this.connection.model.replicas.values()].find((r) => r.id === replica)?.app : undefined;
    const manifest = app ? this.connection.model.workloads.get(app)?.manifestPath : undefined;
    if (!manifest) return [];
    const out: (vscode.TerminalLink & { uri: vscode.Uri; at: vscode.Position })[] = [];
    for (const m of line.matchAll(FILE_LINE)) {
      const file = path.resolve(path.dirname(manifest), m[1]!);
      if (!fs.existsSync(file)) continue;
      out.push({ startIndex: m.index!, length: m[0].length, tooltip: `Open ${m[1]} at line ${m[2]}`, uri: vscode.Uri.file(file), at: new vscode.Position(Number(m[2]) - 1, Math.max(0, Number(m[3] ?? 1) - 1)) });
    }
    return out;
  }

  private save(): void {
    if (this.buffer) void this.memento.update(STATE_KEY, { filter: this.buffer.filter, lastAt: this.buffer.lastAt } satisfies Saved);
  }

  private closed(): void {
    this.abort?.abort();
    this.abort = null;
    this.terminal = null;
    this.buffer = null;
    void this.memento.update(STATE_KEY, undefined);
  }

  dispose(): void {
    // A window going away: the view is saved (it reopens after a reload); nothing is closed on purpose.
    this.abort?.abort();
    if (this.timer) clearTimeout(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }
}
