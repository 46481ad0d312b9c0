// Splitting one manifest line into words the way a shell does (spaces separate, quotes group),
// without ever running a shell. `#` starts a comment at the start of a line or after white space.
import type { DiagnosticSink } from './diagnostics';
import type { Pos } from './model';

export interface Token {
  text: string;
  pos: Pos;
  /** Column just after the token's last character. */
  endColumn: number;
  /** True when any part of the token was quoted: such a token is never a brace or a comment. */
  quoted: boolean;
}

export interface TokenizedLine {
  line: number;
  /** Indentation width; a tab advances to the next multiple of 4. */
  indent: number;
  tokens: Token[];
  /** The line without its comment, for values taken as the rest of the line. */
  content: string;
}

const TAB_WIDTH = 4;

/** White space between words. A line of the line syntax holds no line ends; a YAML value may
 * (a block scalar), and a shell splits words at them too. */
const isBlank = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

export function tokenizeLine(text: string, line: number, sink: DiagnosticSink | null): TokenizedLine {
  let i = 0;
  let indent = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) {
    indent = text[i] === '\t' ? (Math.floor(indent / TAB_WIDTH) + 1) * TAB_WIDTH : indent + 1;
    i++;
  }
  const tokens: Token[] = [];
  let contentEnd = text.length;
  while (i < text.length) {
    const c = text[i]!;
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      contentEnd = i;
      break;
    }
    const start = i;
    let word = '';
    let quoted = false;
    while (i < text.length && !isBlank(text[i]!)) {
      const ch = text[i]!;
      if (ch === '"' || ch === "'") {
        quoted = true;
        const close = readQuoted(text, i, ch);
        if (close.end < 0) {
          sink?.error({ line, column: i + 1 }, `unterminated ${ch === '"' ? 'double' : 'single'} quote`);
          word += close.value;
          i = text.length;
          break;
        }
        word += close.value;
        i = close.end + 1;
      } else {
        // Copy an unquoted run in one slice rather than a character at a time.
        let end = i + 1;
        while (end < text.length && !isBlank(text[end]!) && text[end] !== '"' && text[end] !== "'") end++;
        word += text.slice(i, end);
        i = end;
      }
    }
    tokens.push({ text: word, pos: { line, column: start + 1 }, endColumn: i + 1, quoted });
  }
  return { line, indent, tokens, content: text.slice(0, contentEnd).trimEnd() };
}

/** Reads a quoted run starting at `open`; in double quotes a backslash escapes `"` and `\`. */
function readQuoted(text: string, open: number, quote: string): { value: string; end: number } {
  let value = '';
  let i = open + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === quote) return { value, end: i };
    if (quote === '"' && ch === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
      value += text[i + 1];
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
  return { value, end: -1 };
}

/** Splits a string like a shell does (for `args` and `build run`), without positions. */
export function splitWords(text: string): string[] {
  return tokenizeLine(text.replace(/^[ \t]+/, ''), 1, null).tokens.map((t) => t.text);
}
