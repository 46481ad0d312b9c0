// The crash-safe journal of desired state, in SKR8TR_HOME/state:
//   journal.ndjson   one record a line: `<crc32, 8 hex> <json>`, appended and fsynced before the
//                    API acknowledges the change it holds
//   snapshot.json    every workload at one sequence number, written to a temporary file and renamed
// Replay reads the snapshot, then the journal records after it. A torn or corrupt record ends the
// journal: it and everything after it is cut (and reported), every complete record before it kept.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { writeFileAtomic } from '../shared/home';
import { DEFAULTS } from '../shared/manifest/model';
import type { WorkloadRecord } from './model';

export type JournalRecord =
  | { op: 'put'; workload: WorkloadRecord }
  | { op: 'delete'; name: string }
  | { op: 'nodes'; nodes: string[] };

interface Stored {
  s: number;
  r: JournalRecord;
}

export interface JournalState {
  workloads: Map<string, WorkloadRecord>;
  /** Nodes that were connected: after a restart the Conductor waits a little for them to return. */
  nodes: string[];
}

export interface ReplayReport {
  records: number;
  /** What was cut, if anything, in words. */
  cut: string | null;
}

const COMPACT_BYTES = 4 * 1024 * 1024;

function crc(text: string): string {
  return zlib.crc32(text).toString(16).padStart(8, '0');
}

export class Journal {
  private fd: number;
  private seq: number;
  private bytes: number;
  /** A failed append left bytes past `bytes` that could not be cut yet. */
  private torn = false;

  private constructor(
    private readonly dir: string,
    fd: number,
    seq: number,
    bytes: number,
  ) {
    this.fd = fd;
    this.seq = seq;
    this.bytes = bytes;
  }

  static open(dir: string): { journal: Journal; state: JournalState; report: ReplayReport } {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const state: JournalState = { workloads: new Map(), nodes: [] };
    let seq = 0;
    const cutNotes: string[] = [];

    const snapshotFile = path.join(dir, 'snapshot.json');
    if (fs.existsSync(snapshotFile)) {
      const text = fs.readFileSync(snapshotFile, 'utf8');
      const space = text.indexOf(' ');
      const body = text.slice(space + 1).replace(/\n$/, '');
      if (space !== 8 || crc(body) !== text.slice(0, 8)) {
        // A snapshot is only ever renamed into place whole; a bad one is damage, not a torn write.
        throw new Error(`the snapshot ${snapshotFile} is corrupt; move it away to start from the journal alone`);
      }
      const snap = JSON.parse(body) as { seq: number; workloads: WorkloadRecord[]; nodes: string[] };
      seq = snap.seq;
      for (const w of snap.workloads) state.workloads.set(w.name, upgraded(w));
      state.nodes = snap.nodes;
    }

    const journalFile = path.join(dir, 'journal.ndjson');
    let records = 0;
    let good = 0;
    if (fs.existsSync(journalFile)) {
      const buf = fs.readFileSync(journalFile);
      let offset = 0;
      while (offset < buf.length) {
        const nl = buf.indexOf(0x0a, offset);
        if (nl < 0) {
          cutNotes.push(`a torn last record (${buf.length - offset} bytes without a line end)`);
          break;
        }
        const line = buf.subarray(offset, nl).toString('utf8');
        const stored = decode(line);
        if (!stored) {
          cutNotes.push(`a corrupt record at byte ${offset} and the ${buf.length - offset} bytes from there`);
          break;
        }
        offset = nl + 1;
        good = offset;
        if (stored.s <= seq) continue;
        seq = stored.s;
        apply(state, stored.r);
        records++;
      }
      if (good < buf.length) fs.truncateSync(journalFile, good);
    }
    const fd = fs.openSync(journalFile, 'a', 0o600);
    const journal = new Journal(dir, fd, seq, good);
    return { journal, state, report: { records, cut: cutNotes.length > 0 ? cutNotes.join('; ') : null } };
  }

  /** Appends a record and flushes it to disk; throws (and changes nothing) when it cannot. */
  append(record: JournalRecord): void {
    this.appendAll([record]);
  }

  /** Appends records in one write and one flush: all of them, or (it throws) none. */
  appendAll(records: readonly JournalRecord[]): void {
    const lines = records.map((r, i) => {
      const body = JSON.stringify({ s: this.seq + 1 + i, r } satisfies Stored);
      return `${crc(body)} ${body}\n`;
    });
    const data = Buffer.from(lines.join(''));
    let written = 0;
    try {
      // A record written behind a partial one would be cut with it on replay: cut that first.
      if (this.torn) fs.ftruncateSync(this.fd, this.bytes);
      this.torn = false;
      while (written < data.length) written += fs.writeSync(this.fd, data, written);
      fs.fdatasyncSync(this.fd);
    } catch (err) {
      // Leave no partial record behind: cut back to where this one began.
      try {
        fs.ftruncateSync(this.fd, this.bytes);
      } catch {
        // Replay cuts a torn tail, and the next append cuts it before writing.
        this.torn = true;
      }
      throw err;
    }
    this.seq += records.length;
    this.bytes += data.length;
  }

  /** Writes a snapshot of the whole state and empties the journal, once it has grown large. */
  compactIfLarge(state: JournalState): void {
    if (this.bytes < COMPACT_BYTES) return;
    this.compact(state);
  }

  compact(state: JournalState): void {
    const body = JSON.stringify({ seq: this.seq, workloads: [...state.workloads.values()], nodes: state.nodes });
    writeFileAtomic(path.join(this.dir, 'snapshot.json'), `${crc(body)} ${body}\n`);
    // Records at or below the snapshot's sequence are skipped on replay, so a crash here is safe.
    fs.ftruncateSync(this.fd, 0);
    fs.fsyncSync(this.fd);
    this.bytes = 0;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function decode(line: string): Stored | null {
  if (line.length < 10 || line[8] !== ' ') return null;
  const body = line.slice(9);
  if (crc(body) !== line.slice(0, 8)) return null;
  try {
    const v = JSON.parse(body) as Stored;
    return typeof v.s === 'number' && v.r && typeof v.r.op === 'string' ? v : null;
  } catch {
    return null;
  }
}

/**
 * A record written by an earlier version, with the fields added since then at their defaults, so
 * the rest of the Conductor never meets a missing one (a spec without `needs`, say).
 *
 * `rollout.surge` may be null since surge became optional (not written: as many as fit). Earlier
 * records always hold a number, 1 when it was not written; it is kept as if written, so a
 * generation rolls out (or back) as it did when it was accepted. Submitting the manifest again
 * gives the new default.
 */
export function upgraded(w: WorkloadRecord): WorkloadRecord {
  for (const g of w.generations) {
    g.spec.needs ??= [];
    g.spec.watch ??= null;
    g.spec.envFiles ??= [];
    g.spec.image ??= null;
    g.spec.requestTimeoutMs ??= DEFAULTS.requestTimeoutMs;
    g.spec.attempts ??= DEFAULTS.attempts;
  }
  for (const ro of w.rollout ? [w.rollout, ...w.history] : w.history) ro.traffic ??= null;
  return w;
}

export function apply(state: JournalState, r: JournalRecord): void {
  switch (r.op) {
    case 'put':
      state.workloads.set(r.workload.name, upgraded(r.workload));
      break;
    case 'delete':
      state.workloads.delete(r.name);
      break;
    case 'nodes':
      state.nodes = r.nodes;
      break;
  }
}
