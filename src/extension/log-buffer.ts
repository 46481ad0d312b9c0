// What the Logs view holds and shows, apart from VS Code: the recent lines of every app (each kept
// once: a stream resumed after a reconnection sends some again), the filter (app, generation,
// replica, text or /regex/), and the text to write for new lines or for a redraw. Pure; log-view.ts
// puts it in a pseudoterminal.
import { formatLine, textMatcher } from '../shared/log-format';
import type { LogLine } from '../shared/protocol/api';

export interface LogFilter {
  app?: string;
  generation?: number;
  replica?: string;
  /** Substring, or `/regex/flags`. */
  text?: string;
}

const KEEP = 5_000;

/** A short title for a filter: `web · gen 2 · /error/`. */
export function describeFilter(f: LogFilter): string {
  const parts = [f.replica ?? f.app, f.generation !== undefined ? `gen ${f.generation}` : undefined, f.text ? (f.text.startsWith('/') ? f.text : `"${f.text}"`) : undefined].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : 'all apps';
}

export function filterMatcher(f: LogFilter): (l: LogLine) => boolean {
  let text: ((s: string) => boolean) | null = null;
  if (f.text) {
    try {
      text = textMatcher(f.text);
    } catch {
      text = () => false; // a regular expression that does not compile matches nothing
    }
  }
  return (l) => (!f.app || l.app === f.app) && (f.generation === undefined || l.generation === f.generation) && (!f.replica || l.replica === f.replica) && (!text || text(l.text));
}

export class LogBuffer {
  private lines: LogLine[] = [];
  private readonly seen = new Set<string>();
  private match: (l: LogLine) => boolean;
  private width = 0;
  /** The time of the newest line: where a resumed stream starts. */
  lastAt = 0;

  constructor(
    private filterValue: LogFilter = {},
    private readonly colour = true,
  ) {
    this.match = filterMatcher(filterValue);
  }

  get filter(): LogFilter {
    return this.filterValue;
  }

  /** Takes lines from the stream; returns the text to write for those that are new and pass the filter. */
  add(incoming: readonly LogLine[]): string {
    const shown: string[] = [];
    for (const l of incoming) {
      const key = `${l.replica}\0${l.seq}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.lines.push(l);
      this.lastAt = Math.max(this.lastAt, l.at);
      if (this.match(l)) shown.push(this.format(l));
    }
    if (this.lines.length > KEEP * 1.2) {
      for (const old of this.lines.splice(0, this.lines.length - KEEP)) this.seen.delete(`${old.replica}\0${old.seq}`);
    }
    return shown.join('');
  }

  /** A new filter: the text of a full redraw (clear, then every kept line that passes). */
  setFilter(f: LogFilter): string {
    this.filterValue = f;
    this.match = filterMatcher(f);
    const sorted = [...this.lines].sort((a, b) => a.at - b.at || a.replica.localeCompare(b.replica) || a.seq - b.seq);
    return '\x1b[2J\x1b[3J\x1b[H' + sorted.filter(this.match).map((l) => this.format(l)).join('');
  }

  /** Whether any kept line passes the filter. */
  showsAny(): boolean {
    return this.lines.some(this.match);
  }

  /** Whether a line about an app belongs in the view (for the view's own notes). */
  shows(app: string): boolean {
    return (!this.filterValue.app || this.filterValue.app === app) && !this.filterValue.replica;
  }

  private format(l: LogLine): string {
    this.width = Math.max(this.width, l.replica.length);
    // A terminal needs \r\n; a line's own \r would move the cursor.
    return formatLine({ ...l, text: l.text.replace(/\r/g, '') }, { colour: this.colour, width: this.width }) + '\r\n';
  }
}
