// A replica's output stream cut into lines, none longer than a `logs` frame carries: a longer line is
// split into pieces of at most `max` characters (never inside a surrogate pair), and the line that was
// split is told, so the outbox can say so (as it says lines dropped by its rate limit). Pure: chunks
// in, lines out; it never holds more than `max` characters of an unfinished line.

export interface SplitLine {
  text: string;
  /** This line is the last piece of a line that was split into `pieces`; 0 for a line that fit. */
  pieces: number;
}

export class LineSplitter {
  private partial = '';
  /** Pieces already given of the line in progress. */
  private given = 0;

  constructor(private readonly max: number) {}

  /** The lines a chunk completes (and the full pieces of an overlong line in progress). */
  push(chunk: string): SplitLine[] {
    const out: SplitLine[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      this.append(chunk.slice(start, nl), out);
      this.finish(out);
      start = nl + 1;
    }
    this.append(chunk.slice(start), out);
    return out;
  }

  /** The stream ended: what is left is a line of its own. */
  end(): SplitLine[] {
    const out: SplitLine[] = [];
    if (this.partial !== '' || this.given > 0) this.finish(out);
    return out;
  }

  private append(text: string, out: SplitLine[]): void {
    this.partial += text;
    while (this.partial.length > this.max) {
      let cut = this.max;
      // Not between the two halves of a surrogate pair.
      const code = this.partial.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--;
      out.push({ text: this.partial.slice(0, cut), pieces: 0 });
      this.partial = this.partial.slice(cut);
      this.given++;
    }
  }

  private finish(out: SplitLine[]): void {
    let text = this.partial;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    out.push({ text, pieces: this.given > 0 ? this.given + 1 : 0 });
    this.partial = '';
    this.given = 0;
  }
}
