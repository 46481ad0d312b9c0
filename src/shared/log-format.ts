// Replica log lines as people read them, in a terminal (`skr8tr logs`) and in the editor's Logs view
// (a pseudoterminal): the replica's id in its app's colour, `│` (`|` without colours) before a line of
// standard output and a red `!` before one of standard error. Pure; colours are ANSI escapes, left out on request.
// A replica's own text never reaches the terminal raw: its control characters and escape sequences
// are shown escaped (`\x1b[2K`, `\r`), as journalctl does, so a line cannot erase the prefix, pass
// for another replica's, or set the window's title. `--json` escapes them as JSON does.
import type { LogLine } from './protocol/api';

/** Colours that read on dark and light backgrounds (ANSI 8-colour foregrounds, no black or white). */
const PALETTE = [36, 35, 33, 32, 34, 96, 95, 93, 92, 94];

export function colourOf(app: string): number {
  let h = 0;
  for (const ch of app) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

export interface FormatOptions {
  colour: boolean;
  /** The width the replica ids are padded to (the longest seen so far, say). */
  width?: number;
}

const paint = (code: number, text: string, on: boolean) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

export function formatLine(l: LogLine, o: FormatOptions): string {
  const id = l.replica.padEnd(o.width ?? 0);
  const mark = l.stream === 'err' ? paint(31, '!', o.colour) : o.colour ? paint(90, '│', true) : '|';
  return `${paint(colourOf(l.app), id, o.colour)} ${mark} ${escapeControls(l.text)}`;
}

const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * Control characters (C0 but the tab, DEL, C1), and the invisible ones that reorder or break what
 * follows (bidirectional overrides, line and paragraph separators), written as escapes a terminal
 * shows: `\x1b`, `\r`, `\u202e`.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\r') return '\\r';
    if (c === '\n') return '\\n';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}


/** A line of the view's own (a new generation, a rollout's end), dimmed. */
export function noteLine(text: string, colour: boolean): string {
  return paint(90, `── ${text} ──`, colour);
}

/** `30s`, `5m`, `2h`, `1d` before `now`, or an ISO date and time: the time in ms since the epoch; null when it is neither. */
export function parseSince(text: string, now: number): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (m) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
    return now - Number(m[1]) * unit;
  }
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

/**
 * A text filter: a substring, or `/regex/flags` (a regular expression; `g` and `y` are ignored).
 * Throws for a regular expression that does not compile.
 */
export function textMatcher(filter: string): (text: string) => boolean {
  const m = /^\/(.*)\/([a-z]*)$/.exec(filter);
  if (!m) return (s) => s.includes(filter);
  const re = new RegExp(m[1]!, m[2]!.replace(/[gy]/g, ''));
  return (s) => re.test(s);
}
