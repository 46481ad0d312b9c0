// The crash-safe journal of desired state (src/conductor/journal.ts): append and replay, torn and
// corrupt tails cut and reported, snapshots, and appends that fail without leaving a partial record.
// Every test works in its own temporary folder.
import * as assert from 'node:assert/strict';
import nodeFs = require('node:fs');
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Journal, apply, upgraded, type JournalRecord, type JournalState } from '../../../src/conductor/journal';
import type { WorkloadRecord } from '../../../src/conductor/model';
import { parseManifest, type AppSpec } from '../../../src/shared/manifest';

const fs = nodeFs;

function spec(name: string, ...body: string[]): AppSpec {
  const r = parseManifest([`app ${name}`, '  exec ./server', ...body].join('\n') + '\n', '/m/a.skr8tr');
  assert.equal(r.apps.length, 1);
  return r.apps[0]!.spec;
}

function workload(name: string, desired = 1, generation = 1, extra: Partial<WorkloadRecord> = {}): WorkloadRecord {
  const generations = Array.from({ length: generation }, (_, i) => ({
    generation: i + 1,
    spec: spec(name, `  replicas ${desired}`, '  env', `    VERSION v${i + 1}`),
    secrets: { TOKEN: `secret-${i + 1}` },
    manifestPath: '/m/a.skr8tr',
    manifestText: `app ${name}\n  exec ./server\n`,
    createdAt: 1000 + i,
    outcome: i + 1 < generation ? 'succeeded' : null,
  }));
  return { name, generation, latestGeneration: generation, desired, generations, rollout: null, history: [], ...extra };
}

/** The state a list of records gives, applied in memory. */
function stateOf(records: readonly JournalRecord[]): JournalState {
  const state: JournalState = { workloads: new Map(), nodes: [] };
  for (const r of records) apply(state, r);
  return state;
}

/** A plain object for deepEqual of states. */
function plain(state: JournalState): { workloads: [string, WorkloadRecord][]; nodes: string[] } {
  return { workloads: [...state.workloads.entries()].sort(([a], [b]) => a.localeCompare(b)), nodes: state.nodes };
}

const SAMPLE: JournalRecord[] = [
  { op: 'put', workload: workload('web', 3) },
  { op: 'nodes', nodes: ['node-a', 'node-b'] },
  { op: 'put', workload: workload('api', 2, 2) },
  { op: 'put', workload: workload('web', 5, 2) },
  { op: 'delete', name: 'api' },
  { op: 'put', workload: workload('worker', 1) },
];

describe('journal', () => {
  let root = '';
  let n = 0;
  const open: Journal[] = [];

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-journal-'));
  });

  after(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  afterEach(() => {
    for (const j of open.splice(0)) {
      try {
        j.close();
      } catch {
        // a test broke it on purpose
      }
    }
  });

  /** A fresh, not yet existing state folder. */
  function freshDir(): string {
    return path.join(root, `state-${++n}`);
  }

  function openAt(dir: string) {
    const r = Journal.open(dir);
    open.push(r.journal);
    return r;
  }

  function shut(journal: Journal): void {
    open.splice(open.indexOf(journal), 1);
    journal.close();
  }

  /** Writes the records in a journal in `dir` and closes it. */
  function writeAll(dir: string, records: readonly JournalRecord[]): void {
    const { journal } = openAt(dir);
    for (const r of records) journal.append(r);
    shut(journal);
  }

  /** A record line as the journal writes it. */
  function line(s: number, r: JournalRecord): string {
    const body = JSON.stringify({ s, r });
    return `${zlib.crc32(body).toString(16).padStart(8, '0')} ${body}\n`;
  }

  const journalFile = (dir: string) => path.join(dir, 'journal.ndjson');
  const snapshotFile = (dir: string) => path.join(dir, 'snapshot.json');
  const lines = (dir: string) => fs.readFileSync(journalFile(dir), 'utf8').split('\n').slice(0, -1);

  describe('append and replay', () => {
    it('opens an empty state in a new folder, creating it private', () => {
      const dir = freshDir();
      const { state, report } = openAt(dir);
      assert.deepEqual(plain(state), { workloads: [], nodes: [] });
      assert.deepEqual(report, { records: 0, cut: null });
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
      assert.ok(fs.existsSync(journalFile(dir)));
    });

    it('replays every appended record after a reopen', () => {
      const dir = freshDir();
      writeAll(dir, SAMPLE);
      const { state, report } = openAt(dir);
      assert.deepEqual(report, { records: SAMPLE.length, cut: null });
      assert.deepEqual(plain(state), plain(stateOf(SAMPLE)));
      assert.deepEqual([...state.workloads.keys()].sort(), ['web', 'worker']);
      assert.equal(state.workloads.get('web')!.desired, 5);
      assert.deepEqual(state.nodes, ['node-a', 'node-b']);
    });

    it('keeps the records whole: specs, secrets, manifest text, rollouts and history', () => {
      const dir = freshDir();
      const w = workload('web', 3, 2, {
        rollout: {
          id: 'r-2',
          app: 'web',
          fromGeneration: 1,
          toGeneration: 2,
          state: 'running',
          reason: null,
          startedAt: 5000,
          endedAt: null,
          countFailuresSince: 5000,
          aborted: false,
          traffic: null,
        },
      });
      writeAll(dir, [{ op: 'put', workload: w }]);
      const { state } = openAt(dir);
      assert.deepEqual(state.workloads.get('web'), w);
    });

    it('appends after a reopen continue the sequence, and replay gets them all', () => {
      const dir = freshDir();
      writeAll(dir, SAMPLE.slice(0, 3));
      writeAll(dir, SAMPLE.slice(3));
      const { state, report } = openAt(dir);
      assert.deepEqual(report, { records: SAMPLE.length, cut: null });
      assert.deepEqual(plain(state), plain(stateOf(SAMPLE)));
      const seqs = lines(dir).map((l) => (JSON.parse(l.slice(9)) as { s: number }).s);
      assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6]);
    });

    it('writes one `<crc32 hex> <json>` line per record, and the file is private', () => {
      const dir = freshDir();
      writeAll(dir, SAMPLE.slice(0, 2));
      const ls = lines(dir);
      assert.equal(ls.length, 2);
      for (const l of ls) assert.match(l, /^[0-9a-f]{8} \{/);
      assert.equal(fs.statSync(journalFile(dir)).mode & 0o777, 0o600);
    });
  });

  describe('damaged journals', () => {
    it('cuts a torn last record (bytes without a line end), reports it and keeps the earlier records', () => {
      const dir = freshDir();
      writeAll(dir, SAMPLE.slice(0, 3));
      const before = fs.statSync(journalFile(dir)).size;
      // A crash in the middle of writing the fourth record: only a prefix of its line reached the disk.
      const fourth = `00000000 ${JSON.stringify({ s: 4, r: SAMPLE[3] })}`;
      fs.appendFileSync(journalFile(dir), fourth.slice(0, 40));
      const { state, report } = openAt(dir);
      assert.equal(report.records, 3);
      assert.ok(report.cut, 'the cut is reported');
      assert.match(report.cut, /torn last record \(40 bytes without a line end\)/);
      assert.deepEqual(plain(state), plain(stateOf(SAMPLE.slice(0, 3))));
      assert.equal(fs.statSync(journalFile(dir)).size, before, 'the torn bytes are cut from the file');
    });

    it('cuts a whole, valid-looking last record that lacks its line end', () => {
      const dir = freshDir();
      writeAll(dir, SAMPLE.slice(0, 2));
      const text = fs.readFileSync(journalFile(dir), 'utf8');
      fs.writeFileSync(journalFile(dir), text.slice(0, -1));
      const { state, report } = openAt(dir);
      assert.equal(report.records, 1);
      assert.match(report.cut ?? '', /torn last record/);
      assert.deepEqual(plain(state), plain(stateOf(SAMPLE.slice(0, 1))));
    });

    it('after a cut, new records land where the good ones end and are replayed', () => {
      const dir = freshDir();
      writeAll(dir, SAMPLE.slice(0, 2));
      fs.appendFileSync(journalFile(dir), 'deadbeef {"s":3,"r":{"op":"nod');
      const first = openAt(dir);
      assert.ok(first.report.cut);
      first.journal.append(SAMPLE[2]!);
      shut(first.journal);
      const { state, report } = openAt(dir);
      assert.deepEqual(report, { records: 3, cut: null });
      assert.deepEqual(plain(state), plain(stateOf(SAMPLE.slice(0, 3))));
    });

    it('cuts garbage appended to the journal', () => {
      const dir = freshDir();
      writeAll(dir, SAMPLE.slice(0, 3));
      const good = fs.statSync(journalFile(dir)).size;
      fs.appendFileSync(journalFile(dir), 'this is not a record\n\x00\x01\x02 more junk\n');
      const { state, report } = openAt(dir);
      assert.equal(report.records, 3);
      assert.match(report.cut ?? '', new RegExp(`corrupt record at byte ${good}`));
      assert.deepEqual(plain(state), plain(stateOf(SAMPLE.slice(0, 3))));
      assert.equal(fs.statSync(journalFile(dir)).size, good);
    });

    it('cuts binary garbage with no line end at all', () => {
      const dir = freshDir();
      writeAll(dir, SAMPLE.slice(0, 1));
      fs.appendFileSync(journalFile(dir), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b]));
      const { report } = openAt(dir);
      assert.equal(report.records, 1);
      assert.ok(report.cut);
    });

    it('cuts an empty line and everything after it', () => {
      const dir = freshDir();
      writeAll(dir, SAMPLE.slice(0, 1));
      const text = fs.readFileSync(journalFile(dir), 'utf8');
      fs.writeFileSync(journalFile(dir), text + '\n' + text.replace('"s":1', '"s":2'));
      const { report } = openAt(dir);
      assert.equal(report.records, 1);
      assert.ok(report.cut);
    });

    it('a record with a bad CRC in the middle cuts from there, keeping the records before it', () => {
      const dir = freshDir();
      writeAll(dir, SAMPLE);
      const ls = lines(dir);
      // Flip one character of the third record's body: same length, valid JSON, wrong CRC.
      const third = ls[2]!;
      assert.ok(third.includes('"api"'));
      ls[2] = third.replace('"api"', '"apj"');
      fs.writeFileSync(journalFile(dir), ls.join('\n') + '\n');
      const offset = Buffer.byteLength(ls[0]! + '\n' + ls[1]! + '\n');
      const { state, report } = openAt(dir);
      assert.equal(report.records, 2);
      assert.match(report.cut ?? '', new RegExp(`corrupt record at byte ${offset} `));
      assert.deepEqual(plain(state), plain(stateOf(SAMPLE.slice(0, 2))));
      assert.equal(fs.statSync(journalFile(dir)).size, offset, 'the valid records after the bad one are cut too');
    });

    it('a record whose CRC field is damaged is cut as well', () => {
      const dir = freshDir();
      writeAll(dir, SAMPLE.slice(0, 3));
      const ls = lines(dir);
      ls[1] = (ls[1]![0] === '0' ? '1' : '0') + ls[1]!.slice(1);
      fs.writeFileSync(journalFile(dir), ls.join('\n') + '\n');
      const { report } = openAt(dir);
      assert.equal(report.records, 1);
      assert.ok(report.cut);
    });

    it('a record with a valid CRC but no operation is corrupt', () => {
      const dir = freshDir();
      writeAll(dir, SAMPLE.slice(0, 1));
      fs.appendFileSync(journalFile(dir), line(2, { nothing: true } as unknown as JournalRecord));
      const { report } = openAt(dir);
      assert.equal(report.records, 1);
      assert.match(report.cut ?? '', /corrupt record/);
    });
  });

  describe('snapshots', () => {
    it('compaction writes snapshot.json and empties the journal; reopening gives the same state', () => {
      const dir = freshDir();
      const { journal, state } = openAt(dir);
      for (const r of SAMPLE) {
        journal.append(r);
        apply(state, r);
      }
      journal.compact(state);
      assert.ok(fs.existsSync(snapshotFile(dir)));
      assert.equal(fs.statSync(journalFile(dir)).size, 0);
      assert.equal(fs.statSync(snapshotFile(dir)).mode & 0o777, 0o600);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['journal.ndjson', 'snapshot.json'], 'no temporary file is left');
      shut(journal);
      const reopened = openAt(dir);
      assert.deepEqual(reopened.report, { records: 0, cut: null });
      assert.deepEqual(plain(reopened.state), plain(stateOf(SAMPLE)));
    });

    it('records appended after a compaction are replayed on top of the snapshot', () => {
      const dir = freshDir();
      const { journal, state } = openAt(dir);
      for (const r of SAMPLE.slice(0, 4)) {
        journal.append(r);
        apply(state, r);
      }
      journal.compact(state);
      for (const r of SAMPLE.slice(4)) journal.append(r);
      shut(journal);
      const reopened = openAt(dir);
      assert.deepEqual(reopened.report, { records: SAMPLE.length - 4, cut: null });
      assert.deepEqual(plain(reopened.state), plain(stateOf(SAMPLE)));
      // The sequence went on from the snapshot's.
      const seqs = lines(dir).map((l) => (JSON.parse(l.slice(9)) as { s: number }).s);
      assert.deepEqual(seqs, [5, 6]);
    });

    it('the sequence survives a reopen after compaction (no record is mistaken for an old one)', () => {
      const dir = freshDir();
      const { journal, state } = openAt(dir);
      for (const r of SAMPLE.slice(0, 3)) {
        journal.append(r);
        apply(state, r);
      }
      journal.compact(state);
      shut(journal);
      writeAll(dir, SAMPLE.slice(3));
      const reopened = openAt(dir);
      assert.deepEqual(reopened.report, { records: 3, cut: null });
      assert.deepEqual(plain(reopened.state), plain(stateOf(SAMPLE)));
    });

    it('skips records at or below the snapshot sequence (a crash between the snapshot rename and the journal truncation)', () => {
      const dir = freshDir();
      const { journal, state } = openAt(dir);
      for (const r of SAMPLE) {
        journal.append(r);
        apply(state, r);
      }
      const oldJournal = fs.readFileSync(journalFile(dir));
      journal.compact(state);
      shut(journal);
      // The crash: the snapshot is in place, but the journal was never emptied.
      fs.writeFileSync(journalFile(dir), oldJournal);
      const reopened = openAt(dir);
      assert.deepEqual(reopened.report, { records: 0, cut: null });
      assert.deepEqual(plain(reopened.state), plain(stateOf(SAMPLE)));
      // New records go after the old ones and are the only ones replayed.
      const extra: JournalRecord = { op: 'delete', name: 'web' };
      reopened.journal.append(extra);
      shut(reopened.journal);
      const again = openAt(dir);
      assert.deepEqual(again.report, { records: 1, cut: null });
      assert.deepEqual(plain(again.state), plain(stateOf([...SAMPLE, extra])));
    });

    it('replaying old records over the snapshot would be wrong: only those above its sequence are applied', () => {
      // The snapshot holds what the Conductor had in memory at sequence 2; the journal still holds
      // records 1 and 2 (which would put back `api`) and record 3 (after the snapshot).
      const dir = freshDir();
      const { journal } = openAt(dir);
      journal.append({ op: 'put', workload: workload('api', 1) });
      journal.append({ op: 'put', workload: workload('web', 1) });
      const memory: JournalState = { workloads: new Map([['web', workload('web', 1)]]), nodes: ['n1'] };
      const oldJournal = fs.readFileSync(journalFile(dir));
      journal.compact(memory);
      fs.writeFileSync(journalFile(dir), oldJournal);
      const third: JournalRecord = { op: 'put', workload: workload('db', 1) };
      fs.appendFileSync(journalFile(dir), line(3, third));
      shut(journal);
      const reopened = openAt(dir);
      assert.deepEqual(reopened.report, { records: 1, cut: null });
      assert.deepEqual([...reopened.state.workloads.keys()].sort(), ['db', 'web']);
      assert.deepEqual(reopened.state.nodes, ['n1']);
    });

    it('refuses a corrupt snapshot instead of starting from a wrong state', () => {
      const dir = freshDir();
      const { journal, state } = openAt(dir);
      for (const r of SAMPLE) {
        journal.append(r);
        apply(state, r);
      }
      journal.compact(state);
      shut(journal);
      const text = fs.readFileSync(snapshotFile(dir), 'utf8');
      fs.writeFileSync(snapshotFile(dir), text.replace('"worker"', '"workex"'));
      assert.throws(() => openAt(dir), /snapshot .* is corrupt/);
    });

    it('compactIfLarge leaves a small journal alone and compacts a large one', () => {
      const dir = freshDir();
      const { journal, state } = openAt(dir);
      for (const r of SAMPLE) {
        journal.append(r);
        apply(state, r);
      }
      journal.compactIfLarge(state);
      assert.ok(!fs.existsSync(snapshotFile(dir)));
      const big = workload('big', 1);
      big.generations[0]!.manifestText = 'x'.repeat(1024 * 1024);
      for (let i = 0; i < 5; i++) {
        const r: JournalRecord = { op: 'put', workload: { ...big, desired: i + 1 } };
        journal.append(r);
        apply(state, r);
      }
      journal.compactIfLarge(state);
      assert.ok(fs.existsSync(snapshotFile(dir)));
      assert.equal(fs.statSync(journalFile(dir)).size, 0);
      shut(journal);
      const reopened = openAt(dir);
      assert.equal(reopened.state.workloads.get('big')!.desired, 5);
      assert.deepEqual(plain(reopened.state), plain(state));
    });
  });

  describe('failed appends', () => {
    it('an append on a closed journal throws, and nothing is written', () => {
      const dir = freshDir();
      const { journal } = openAt(dir);
      for (const r of SAMPLE.slice(0, 2)) journal.append(r);
      const before = fs.readFileSync(journalFile(dir));
      shut(journal);
      assert.throws(() => journal.append(SAMPLE[2]!), /EBADF|bad file descriptor/i);
      assert.deepEqual(fs.readFileSync(journalFile(dir)), before);
      const reopened = openAt(dir);
      assert.deepEqual(reopened.report, { records: 2, cut: null });
    });

    it('a write that fails half way is cut back: no partial record, and the next append is whole', () => {
      const dir = freshDir();
      const { journal } = openAt(dir);
      for (const r of SAMPLE.slice(0, 2)) journal.append(r);
      const before = fs.readFileSync(journalFile(dir));
      const realWrite = nodeFs.writeSync;
      let calls = 0;
      // The disk fills up after 20 bytes of the record.
      nodeFs.writeSync = ((fd: number, buffer: Buffer, offset = 0) => {
        calls++;
        if (offset === 0) return realWrite(fd, buffer, 0, 20);
        const err = new Error('ENOSPC: no space left on device, write') as NodeJS.ErrnoException;
        err.code = 'ENOSPC';
        throw err;
      }) as typeof nodeFs.writeSync;
      try {
        assert.throws(() => journal.append(SAMPLE[2]!), /ENOSPC/);
      } finally {
        nodeFs.writeSync = realWrite;
      }
      assert.ok(calls >= 2, 'the fake write was used');
      assert.deepEqual(fs.readFileSync(journalFile(dir)), before, 'the 20 bytes written are cut');
      // The journal still works, with no gap in its sequence.
      journal.append(SAMPLE[3]!);
      shut(journal);
      const seqs = lines(dir).map((l) => (JSON.parse(l.slice(9)) as { s: number }).s);
      assert.deepEqual(seqs, [1, 2, 3]);
      const reopened = openAt(dir);
      assert.deepEqual(reopened.report, { records: 3, cut: null });
      assert.deepEqual(plain(reopened.state), plain(stateOf([SAMPLE[0]!, SAMPLE[1]!, SAMPLE[3]!])));
    });

    it('when even the cut-back fails, the partial record is cut before the next append, so no acknowledged record is lost', () => {
      const dir = freshDir();
      const { journal } = openAt(dir);
      journal.append(SAMPLE[0]!);
      const realWrite = nodeFs.writeSync;
      const realTruncate = nodeFs.ftruncateSync;
      nodeFs.writeSync = ((fd: number, buffer: Buffer, offset = 0) => {
        if (offset === 0) return realWrite(fd, buffer, 0, 20);
        throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      }) as typeof nodeFs.writeSync;
      nodeFs.ftruncateSync = (() => {
        throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
      }) as typeof nodeFs.ftruncateSync;
      try {
        assert.throws(() => journal.append(SAMPLE[1]!), /EIO/);
      } finally {
        nodeFs.writeSync = realWrite;
        nodeFs.ftruncateSync = realTruncate;
      }
      // The disk recovers: this append is acknowledged, so it must survive a restart.
      journal.append(SAMPLE[2]!);
      shut(journal);
      const reopened = openAt(dir);
      assert.deepEqual(reopened.report, { records: 2, cut: null });
      assert.deepEqual(plain(reopened.state), plain(stateOf([SAMPLE[0]!, SAMPLE[2]!])));
    });

    it('while the partial record cannot be cut, appends keep failing rather than landing behind it', () => {
      const dir = freshDir();
      const { journal } = openAt(dir);
      journal.append(SAMPLE[0]!);
      const realWrite = nodeFs.writeSync;
      const realTruncate = nodeFs.ftruncateSync;
      let failing = true;
      nodeFs.writeSync = ((fd: number, buffer: Buffer, offset = 0) => {
        if (!failing) return realWrite(fd, buffer, offset);
        if (offset === 0) return realWrite(fd, buffer, 0, 20);
        throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      }) as typeof nodeFs.writeSync;
      nodeFs.ftruncateSync = (() => {
        throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
      }) as typeof nodeFs.ftruncateSync;
      try {
        assert.throws(() => journal.append(SAMPLE[1]!), /EIO/);
        // Writing works again, cutting does not yet.
        failing = false;
        assert.throws(() => journal.append(SAMPLE[2]!), /EIO/);
      } finally {
        nodeFs.writeSync = realWrite;
        nodeFs.ftruncateSync = realTruncate;
      }
      shut(journal);
      const reopened = openAt(dir);
      assert.equal(reopened.report.records, 1);
      assert.deepEqual(plain(reopened.state), plain(stateOf([SAMPLE[0]!])));
    });

    it('a flush that fails is reported and the written record is taken back', () => {
      const dir = freshDir();
      const { journal } = openAt(dir);
      journal.append(SAMPLE[0]!);
      const before = fs.readFileSync(journalFile(dir));
      const realSync = nodeFs.fdatasyncSync;
      nodeFs.fdatasyncSync = (() => {
        const err = new Error('EIO: i/o error, fdatasync') as NodeJS.ErrnoException;
        err.code = 'EIO';
        throw err;
      }) as typeof nodeFs.fdatasyncSync;
      try {
        assert.throws(() => journal.append(SAMPLE[1]!), /EIO/);
      } finally {
        nodeFs.fdatasyncSync = realSync;
      }
      assert.deepEqual(fs.readFileSync(journalFile(dir)), before);
      journal.append(SAMPLE[2]!);
      shut(journal);
      const reopened = openAt(dir);
      assert.deepEqual(reopened.report, { records: 2, cut: null });
      assert.deepEqual(plain(reopened.state), plain(stateOf([SAMPLE[0]!, SAMPLE[2]!])));
    });

    it('an append through a read-only descriptor throws and changes nothing', () => {
      const dir = freshDir();
      const { journal } = openAt(dir);
      journal.append(SAMPLE[0]!);
      const before = fs.readFileSync(journalFile(dir));
      // Reopen the journal file read-only under the journal's descriptor number.
      const internals = journal as unknown as { fd: number };
      const writable = internals.fd;
      internals.fd = fs.openSync(journalFile(dir), 'r');
      try {
        assert.throws(() => journal.append(SAMPLE[1]!), /EBADF|bad file descriptor/i);
      } finally {
        fs.closeSync(internals.fd);
        internals.fd = writable;
      }
      assert.deepEqual(fs.readFileSync(journalFile(dir)), before);
      journal.append(SAMPLE[2]!);
      shut(journal);
      const reopened = openAt(dir);
      assert.deepEqual(reopened.report, { records: 2, cut: null });
    });
  });

  it('a record of an earlier version gets the fields added since at their defaults', () => {
    const w = { name: 'old', generation: 1, latestGeneration: 1, desired: 1, rollout: null, history: [], generations: [{ generation: 1, spec: { name: 'old' }, secrets: {}, manifestPath: '/m/a.skr8tr', manifestText: '', createdAt: 0, outcome: null }] };
    const up = upgraded(w as unknown as WorkloadRecord);
    const spec = up.generations[0]!.spec;
    assert.deepEqual([spec.needs, spec.watch, spec.envFiles, spec.image, spec.requestTimeoutMs, spec.attempts], [[], null, [], null, 60_000, 7]);
  });

  it('rollouts of an earlier version, active and in the history, get `traffic: null` (not counted)', () => {
    const ro = (id: string, state: string) => ({ id, app: 'old', fromGeneration: 1, toGeneration: 2, state, reason: null, startedAt: 0, endedAt: null, countFailuresSince: 0, aborted: false });
    const gen = (generation: number) => ({ generation, spec: { name: 'old' }, secrets: {}, manifestPath: '/m/a.skr8tr', manifestText: '', createdAt: 0, outcome: null });
    const w = { name: 'old', generation: 2, latestGeneration: 2, desired: 1, rollout: ro('old-r2', 'running'), history: [ro('old-r1', 'succeeded')], generations: [gen(1), gen(2)] };
    const up = upgraded(w as unknown as WorkloadRecord);
    assert.equal(up.rollout!.traffic, null);
    assert.equal(up.history[0]!.traffic, null);
    // A counted one keeps its count.
    const counted = { ...w, rollout: null, history: [{ ...ro('old-r1', 'succeeded'), traffic: { requests: 3, failed: 0, failures: {}, retried: 1 } }] };
    assert.deepEqual(upgraded(counted as unknown as WorkloadRecord).history[0]!.traffic, { requests: 3, failed: 0, failures: {}, retried: 1 });
  });

  it('a surge of an earlier version (always a number, 1 when not written) is kept as written', () => {
    const rollout = { surge: 1, unavailable: 0, deadlineMs: 120_000, healthyForMs: 0, onFailure: 'rollback' };
    const w = { name: 'old', generation: 1, latestGeneration: 1, desired: 3, rollout: null, history: [], generations: [{ generation: 1, spec: { name: 'old', rollout }, secrets: {}, manifestPath: '/m/a.skr8tr', manifestText: '', createdAt: 0, outcome: null }] };
    const state: JournalState = { workloads: new Map(), nodes: [] };
    apply(state, { op: 'put', workload: w as unknown as WorkloadRecord });
    assert.equal(state.workloads.get('old')!.generations[0]!.spec.rollout.surge, 1);
  });
});
