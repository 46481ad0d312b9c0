// Reading the line-oriented SkrtrMaker syntax (`*.skr8tr`) into entries.
//
// A block is the run of lines indented deeper than its header line (any consistent width, spaces
// or tabs), or the lines between a `{` (at the end of the header, or alone on the next line) and its
// matching `}`. Inside braces indentation does not matter. Unlike the original parser, nothing
// depends on an absolute indentation width, so two-space, four-space, tab and brace files agree.
import type { DiagnosticSink } from './diagnostics';
import type { Entry } from './entries';
import type { Pos } from './model';
import { tokenizeLine, type Token, type TokenizedLine } from './tokenize';

export function readSkr8trEntries(lines: readonly string[], sink: DiagnosticSink): Entry[] {
  const tokenized: TokenizedLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const t = tokenizeLine(lines[i]!, i + 1, sink);
    if (t.tokens.length > 0) tokenized.push(t);
  }
  const reader = new BlockReader(tokenized, sink);
  return reader.readTop();
}

/** How deep blocks may nest. The language needs three levels (app, block, entry); a file nesting
 * far deeper is not a manifest, and reading it must not exhaust the stack. */
const MAX_DEPTH = 32;

const isOpen = (t: TokenizedLine | undefined): boolean =>
  t !== undefined && t.tokens.length === 1 && !t.tokens[0]!.quoted && t.tokens[0]!.text === '{';
const isClose = (t: TokenizedLine | undefined): boolean =>
  t !== undefined && t.tokens.length >= 1 && !t.tokens[0]!.quoted && t.tokens[0]!.text === '}';

class BlockReader {
  private i = 0;
  private depth = 0;
  /** Set when the file nests too deeply: the rest is not read. */
  private abandoned = false;

  constructor(
    private readonly lines: TokenizedLine[],
    private readonly sink: DiagnosticSink,
  ) {}

  readTop(): Entry[] {
    const entries: Entry[] = [];
    while (this.i < this.lines.length) {
      // Not push(...block): a file of 1 MiB holds more lines than a call takes arguments.
      for (const entry of this.readBlock(-1, null)) entries.push(entry);
      if (this.i < this.lines.length) {
        // readBlock(-1, null) only stops at a stray `}`.
        const line = this.lines[this.i]!;
        this.sink.error(line.tokens[0]!.pos, 'unmatched `}`');
        this.i++;
      }
    }
    return entries;
  }

  /**
   * Reads entries until the block ends: for an indented block, at a line indented no deeper than
   * `parentIndent`; for a braced block (`openedAt` set), at its `}`.
   */
  private readBlock(parentIndent: number, openedAt: Pos | null): Entry[] {
    const entries: Entry[] = [];
    let blockIndent = -1;
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      if (isClose(line)) {
        if (openedAt === null) return entries;
        this.i++;
        if (line.tokens.length > 1) this.sink.error(line.tokens[1]!.pos, 'unexpected text after `}`');
        return entries;
      }
      if (openedAt === null) {
        if (line.indent <= parentIndent) return entries;
        if (blockIndent < 0) blockIndent = line.indent;
        else if (line.indent < blockIndent) {
          this.sink.error(
            line.tokens[0]!.pos,
            `indentation (${line.indent}) matches neither this block's (${blockIndent}) nor its parent's; align it with one of them`,
          );
        }
      }
      if (isOpen(line)) {
        this.sink.error(line.tokens[0]!.pos, '`{` must follow a key such as `env` or `health`');
        this.i++;
        continue;
      }
      entries.push(this.readEntry(line));
    }
    if (openedAt !== null && !this.abandoned) {
      this.sink.error(openedAt, 'this `{` is never closed: add a `}`');
    }
    return entries;
  }

  private readEntry(line: TokenizedLine): Entry {
    this.i++;
    const tokens = [...line.tokens];
    let brace: Pos | null = null;
    const last = tokens[tokens.length - 1]!;
    if (!last.quoted && last.text.endsWith('{')) {
      brace = { line: line.line, column: last.endColumn - 1 };
      if (last.text === '{') tokens.pop();
      else tokens[tokens.length - 1] = { ...last, text: last.text.slice(0, -1), endColumn: last.endColumn - 1 };
    }
    for (const t of tokens) {
      // A lone brace mid-line is a misplaced block brace; braces inside a word (`${PORT}`) are text.
      if (!t.quoted && (t.text === '{' || t.text === '}')) {
        this.sink.error(t.pos, 'braces go at the end of a block header or on their own line');
        break;
      }
    }
    const entry = makeEntry(tokens, line);
    if (brace === null && isOpen(this.lines[this.i])) {
      brace = this.lines[this.i]!.tokens[0]!.pos;
      this.i++;
    }
    const next = this.lines[this.i];
    const indented = brace === null && next !== undefined && !isClose(next) && next.indent > line.indent;
    if (brace === null && !indented) return entry;
    if (this.depth >= MAX_DEPTH) {
      this.sink.error(line.tokens[0]!.pos, `blocks nest more than ${MAX_DEPTH} deep; the rest of the file is not read`);
      this.abandoned = true;
      this.i = this.lines.length;
      return entry;
    }
    this.depth++;
    entry.children = this.readBlock(line.indent, brace);
    this.depth--;
    return entry;
  }
}

function makeEntry(tokens: Token[], line: TokenizedLine): Entry {
  const key = tokens[0]!;
  const args = tokens.slice(1);
  const restStart = args[0]?.pos.column ?? key.endColumn;
  const restEnd = args[args.length - 1]?.endColumn ?? key.endColumn;
  let rest = line.content.slice(restStart - 1, restEnd - 1);
  if (args.length === 1 && args[0]!.quoted) rest = args[0]!.text;
  return {
    key: key.text,
    keyPos: key.pos,
    args,
    rest,
    restPos: args[0]?.pos ?? { line: line.line, column: key.endColumn },
    children: null,
  };
}
