// Replica logs on disk (src/conductor/log-files.ts): appended in order, read from the end, the last
// number found again after a restart, rotated, kept under a budget, and removed with their generation.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogFiles, replicaParts, type StoredLine } from '../../../src/conductor/log-files';
import { SinkLogger } from '../../../src/shared/logger';

const quiet = new SinkLogger(() => {}, 'error');
const lines = (from: number, n: number, text = 'x'): StoredLine[] => Array.from({ length: n }, (_, i) => ({ seq: from + i, at: 1000 + from + i, stream: 'out', text: `${text} ${from + i}` }));

describe('log files', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-logfiles-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a write that fails rejects only the append it answers: nothing is left rejecting unheard (a full disk ended the Conductor)', async () => {
    const unheard: unknown[] = [];
    const listener = (reason: unknown) => unheard.push(reason);
    process.on('unhandledRejection', listener);
    try {
      // The logs' root is a file, so no folder can be made under it.
      const root = path.join(dir, 'not-a-folder');
      fs.writeFileSync(root, '');
      const f = new LogFiles(root, 1e9, quiet);
      await assert.rejects(f.append('web', 'web-1-aa', lines(1, 3)), /ENOTDIR|EEXIST/);
      // Unhandled rejections are reported once the microtasks have run: after a turn of the loop.
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(unheard, []);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('names: app and generation from a replica id', () => {
    assert.deepEqual(replicaParts('my-web-app-12-a1b2c3'), { app: 'my-web-app', generation: 12 });
    assert.equal(replicaParts('nonsense'), null);
  });

  it('appends in order and reads the last lines, at or after a time; the last number is found again', async () => {
    const f = new LogFiles(dir, 1e9, quiet);
    await Promise.all([f.append('web', 'web-1-aa', lines(1, 3)), f.append('web', 'web-1-aa', lines(4, 3))]);
    assert.deepEqual((await f.read('web', 'web-1-aa', 2, 0)).map((l) => l.seq), [5, 6]);
    assert.deepEqual((await f.read('web', 'web-1-aa', 100, 1004)).map((l) => l.seq), [4, 5, 6]);
    assert.equal(await new LogFiles(dir, 1e9, quiet).lastSeq('web', 'web-1-aa'), 6);
    assert.equal(await f.lastSeq('web', 'web-9-zz'), 0);
    assert.deepEqual(f.replicas(null), [{ app: 'web', replica: 'web-1-aa' }]);
  });

  it('reads across chunk boundaries and skips a line torn by a crash', async () => {
    const f = new LogFiles(dir, 1e9, quiet);
    await f.append('web', 'web-1-aa', lines(1, 3000, 'y'.repeat(50)));
    fs.appendFileSync(path.join(dir, 'web', 'web-1-aa.ndjson'), '{"s":3001,"t":');
    const all = await f.read('web', 'web-1-aa', 10_000, 0);
    assert.deepEqual(all.map((l) => l.seq), Array.from({ length: 3000 }, (_, i) => i + 1));
  });

  it('rotates a file at its cap, keeping the older half, and reads both', async () => {
    const f = new LogFiles(dir, 1e9, quiet);
    const big = 'z'.repeat(1000);
    for (let i = 0; i < 10; i++) await f.append('web', 'web-1-aa', lines(1 + i * 1000, 1000, big));
    assert.ok(fs.existsSync(path.join(dir, 'web', 'web-1-aa.1.ndjson')));
    const all = await f.read('web', 'web-1-aa', 100_000, 0);
    assert.equal(all.at(-1)!.seq, 10_000);
    assert.ok(all.length >= 4000 && all.length < 9000, `${all.length} lines kept (at most two files of 4 MiB)`);
    assert.ok(all.every((l, i) => i === 0 || l.seq === all[i - 1]!.seq + 1), 'the newest lines, without a gap');
  });

  it('stays under its budget: the oldest files of replicas not writing go', async () => {
    const f = new LogFiles(dir, 200_000, quiet);
    const text = 'w'.repeat(1000);
    await f.append('web', 'web-1-old', lines(1, 100, text));
    await new Promise((r) => setTimeout(r, 20)); // an older modification time: part of the arrangement, not a wait for a result
    await f.append('web', 'web-2-new', lines(1, 150, text));
    assert.equal(fs.existsSync(path.join(dir, 'web', 'web-1-old.ndjson')), false);
    assert.equal(fs.existsSync(path.join(dir, 'web', 'web-2-new.ndjson')), true);
  });

  it('removes the files of generations no longer kept', async () => {
    const f = new LogFiles(dir, 1e9, quiet);
    await f.append('web', 'web-1-aa', lines(1, 1));
    await f.append('web', 'web-2-bb', lines(1, 1));
    await f.retain('web', new Set([2]));
    assert.deepEqual(f.replicas('web'), [{ app: 'web', replica: 'web-2-bb' }]);
  });
});
