// Turning a manifest file's bytes into text lines, enforcing the size limits on the way.
// Accepts a UTF-8 byte-order mark and CRLF (or lone CR) line ends; refuses what is not text.
import { DiagnosticSink } from './diagnostics';
import { LIMITS } from './model';

export interface SourceText {
  /** The text without a byte-order mark, line ends as written. */
  text: string;
  /** Lines without their line ends. */
  lines: string[];
}

/** Decodes and splits a manifest; returns null (with an error) when it is not usable text. */
export function readSource(input: string | Uint8Array, sink: DiagnosticSink): SourceText | null {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > LIMITS.fileBytes) {
    sink.error({ line: 1, column: 1 }, tooLargeMessage(size));
    return null;
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      const at = firstInvalidUtf8(input);
      sink.error(at, 'file is not valid UTF-8 text');
      return null;
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const nul = line.indexOf('\0');
    if (nul >= 0) {
      sink.error({ line: i + 1, column: nul + 1 }, 'file contains a NUL byte; a manifest is a text file');
      return null;
    }
    const bytes = Buffer.byteLength(line, 'utf8');
    if (bytes > LIMITS.lineBytes) {
      sink.error({ line: i + 1, column: 1 }, `line is ${bytes} bytes; a line may be at most 8 KiB (${LIMITS.lineBytes} bytes)`);
      lines[i] = '';
    }
  }
  return { text, lines };
}

function firstInvalidUtf8(bytes: Uint8Array): { line: number; column: number } {
  // The first replacement character of a lenient decode is where the invalid bytes start.
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const text = decoder.decode(bytes);
  const bad = text.indexOf('\ufffd');
  const before = text.slice(0, Math.max(0, bad));
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

export function tooLargeMessage(size: number): string {
  return `file is ${size} bytes; a manifest may be at most 1 MiB (${LIMITS.fileBytes} bytes)`;
}
