// Newline-delimited JSON framing with a size limit: bytes in, one parsed value per line out.
// A line longer than the limit or one that is not JSON is a framing error: the owner closes the
// connection with the reason, and nothing else is affected.

export class FrameError extends Error {}

export class LineDecoder {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Feeds bytes; returns complete lines. Throws FrameError when a line exceeds the limit. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const part = chunk.subarray(start, nl);
      if (this.bufferedBytes + part.length > this.maxLineBytes) throw this.tooLong(this.bufferedBytes + part.length);
      const line = this.bufferedBytes > 0 ? Buffer.concat([...this.buffered, part]).toString('utf8') : part.toString('utf8');
      this.buffered = [];
      this.bufferedBytes = 0;
      lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.bufferedBytes += rest.length;
      if (this.bufferedBytes > this.maxLineBytes) throw this.tooLong(this.bufferedBytes);
      this.buffered.push(Buffer.from(rest));
    }
    return lines;
  }

  private tooLong(bytes: number): FrameError {
    return new FrameError(`frame of more than ${this.maxLineBytes} bytes (at least ${bytes})`);
  }
}

/** Parses one line as JSON, or throws a FrameError saying why not. */
export function parseJsonLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new FrameError(`not JSON: ${(err as Error).message}`);
  }
}

export function encodeLine(value: unknown): string {
  return JSON.stringify(value) + '\n';
}
