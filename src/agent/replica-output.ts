// A replica's standard output and error on their way to the agent, as lines (line-splitter.ts).
// Each stream is a named pipe (fifo-pool.ts) in the agent's state folder rather than a pipe of the
// agent's own: the replica holds its end open for reading and writing, so the pipe never lacks a
// reader and a write never fails with EPIPE (nor kills the replica with SIGPIPE) when the agent is
// gone; a later agent opens the same pipes by name, reads what waited there (up to the pipe's buffer;
// a replica that writes more meanwhile waits, as it would for a slow reader) and goes on. Nothing is
// written to disk. Where named pipes cannot be made, the child's own pipes are read instead (and the
// replica cannot be adopted).
//
//   open ──the replica (and what it forked) closed its ends──▶ ended ──close──▶ closed
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Readable } from 'node:stream';
import { MAX_LINE_CHARS } from '../shared/protocol/agent';
import { LineSplitter, type SplitLine } from './line-splitter';

export interface OutputPaths {
  out: string;
  err: string;
}

export type OutputStream = 'out' | 'err';

/** The ends a child writes to: opened for reading and writing (see the header). The caller closes them once the child has them. */
export function childEnds(paths: OutputPaths): [number, number] {
  const out = fs.openSync(paths.out, fs.constants.O_RDWR);
  try {
    return [out, fs.openSync(paths.err, fs.constants.O_RDWR)];
  } catch (err) {
    fs.closeSync(out);
    throw err;
  }
}

/** Removes the pipes in `dir` of replicas not in `keep` (an earlier run's, whose replica ended or was stopped). */
export function pruneOutputs(dir: string, keep: ReadonlySet<string>): void {
  for (const name of fs.readdirSync(dir)) {
    const m = /^(.+)\.(out|err)$/.exec(name);
    if (m && !keep.has(decodeURIComponent(m[1]!))) fs.rmSync(`${dir}/${name}`, { force: true });
  }
}

export function removeOutput(paths: OutputPaths | null): void {
  if (!paths) return;
  for (const f of [paths.out, paths.err]) fs.rmSync(f, { force: true });
}

/** One run's reading of both streams. */
export class OutputReader {
  private readonly streams: Readable[] = [];
  private left = 2;
  private resolveEnded!: () => void;
  /** Both streams ended: every line the replica (and what it forked) wrote has been told. */
  readonly ended = new Promise<void>((resolve) => (this.resolveEnded = resolve));

  private constructor(private readonly onLine: (stream: OutputStream, line: SplitLine) => void) {}

  /** Reads the named pipes at `paths` (opened without waiting for a writer). */
  static ofPipes(paths: OutputPaths, onLine: (stream: OutputStream, line: SplitLine) => void): OutputReader {
    const reader = new OutputReader(onLine);
    for (const [which, file] of [['out', paths.out], ['err', paths.err]] as const) {
      const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      reader.read(which, new net.Socket({ fd, readable: true, writable: false }));
    }
    return reader;
  }

  /** Reads a child's own output streams. */
  static ofStreams(out: Readable | null, err: Readable | null, onLine: (stream: OutputStream, line: SplitLine) => void): OutputReader {
    const reader = new OutputReader(onLine);
    reader.read('out', out);
    reader.read('err', err);
    return reader;
  }

  private read(which: OutputStream, stream: Readable | null): void {
    if (!stream) {
      this.oneEnded();
      return;
    }
    this.streams.push(stream);
    const splitter = new LineSplitter(MAX_LINE_CHARS);
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      for (const l of splitter.end()) this.onLine(which, l);
      this.oneEnded();
    };
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const l of splitter.push(chunk)) this.onLine(which, l);
    });
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  private oneEnded(): void {
    if (--this.left === 0) this.resolveEnded();
  }

  /** Stops reading (what the replica writes later waits in the pipe for the next reader). */
  close(): void {
    for (const s of this.streams) s.destroy();
  }
}
