// The journal under damage: a torn last record or garbage appended is cut and reported, every
// complete record kept; a full disk or a read-only home gets a clear error, and no acknowledged
// change is lost. The disk tests mount a small tmpfs, which needs root: they run in CI (root) and
// are skipped with a loud message elsewhere.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { Cluster, DIST, fixtureApp, waitFor } from './harness';
import { requireOrSkip } from './requires';

function names(c: Cluster): Promise<string[]> {
  return c.client().request<{ name: string }[]>('GET', '/v1/workloads').then((ws) => ws.map((w) => w.name).sort());
}

function conductorLog(c: Cluster): string {
  return fs.readFileSync(path.join(c.home, 'logs', 'conductor.log'), 'utf8');
}

describe('durability of the journal', function () {
  this.timeout(120_000);
  let c: Cluster;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  for (const [what, damage, expected] of [
    ['a torn last record', (f: string) => fs.appendFileSync(f, '0badc0de {"s":99,"r":{"op":"put","workload":{"na'), /journal: cut a torn last record \(\d+ bytes without a line end\); kept \d+ complete records?/],
    ['garbage appended', (f: string) => fs.appendFileSync(f, Buffer.from([0x00, 0xff, 0x0a, 0x41, 0x42, 0x0a])), /journal: cut a corrupt record at byte \d+ and the 6 bytes from there; kept \d+ complete records?/],
  ] as const) {
    it(`starts after ${what}, says what it cut, and keeps every complete record`, async () => {
      c = new Cluster('journal');
      let conductor = await c.startConductor();
      for (const app of ['a', 'b']) assert.equal((await c.cli(['up', c.manifest(`${app}.skr8tr`, fixtureApp(app, { replicas: 0 }))])).code, 0);
      assert.equal((await c.cli(['scale', 'b', '0'])).code, 0);
      await c.stop(conductor);
      damage(path.join(c.home, 'state', 'journal.ndjson'));

      conductor = await c.startConductor();
      assert.match(conductor.output.join('\n') + conductorLog(c), expected);
      assert.deepEqual(await names(c), ['a', 'b']);
      // And the journal works again: a new change survives another restart.
      assert.equal((await c.cli(['up', c.manifest('c.skr8tr', fixtureApp('c', { replicas: 0 }))])).code, 0);
      await c.stop(conductor);
      await c.startConductor();
      assert.deepEqual(await names(c), ['a', 'b', 'c']);
    });
  }
});

describe('a full disk or a read-only home', function () {
  this.timeout(120_000);
  let c: Cluster;
  let mounted = false;

  before(function () {
    requireOrSkip(this, 'the full-disk tests', process.getuid?.() === 0 ? null : 'not root (they mount a tmpfs); CI runs them as root');
  });

  beforeEach(() => {
    c = new Cluster('disk');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', c.home]);
    mounted = true;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    // Make the home writable and roomy again so the daemons can stop cleanly.
    try {
      execFileSync('mount', ['-o', 'remount,rw', c.home]);
    } catch {
      // not read-only
    }
    fs.rmSync(path.join(c.home, 'filler'), { force: true });
    const home = c.home;
    try {
      await c.cleanup();
    } finally {
      if (mounted) {
        fs.mkdirSync(home, { recursive: true });
        execFileSync('umount', ['-l', home]);
        fs.rmSync(home, { recursive: true, force: true });
        mounted = false;
      }
    }
  });

  /** A manifest padded past a page, so journaling it needs fresh pages (a small record could fit in a page's slack). */
  const padded = (name: string, replicas: number) => `${`# ${'x'.repeat(1000)}\n`.repeat(8)}${fixtureApp(name, { replicas })}`;

  function fill(home: string): void {
    const fd = fs.openSync(path.join(home, 'filler'), 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    // The last bytes: down to the page.
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(512, 1));
    } catch {
      // full
    } finally {
      fs.closeSync(fd);
    }
  }

  it('refuses a change it cannot save with a clear error, keeps running, and loses nothing acknowledged', async () => {
    let conductor = await c.startConductor();
    await c.startAgent('n1');
    const a = c.manifest('a.skr8tr', padded('a', 1));
    assert.equal((await c.cli(['up', a])).code, 0);
    await c.settled('a', 1, 1);

    const b = c.manifest('b.skr8tr', padded('b', 1));
    fill(c.home);
    const refused = await c.cli(['up', b]);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /cannot save the change \(ENOSPC/);
    assert.match(refused.stderr, /nothing was changed/);
    assert.deepEqual(await names(c), ['a'], 'the refused change is not applied');
    const scale = await c.cli(['scale', 'a', '2']);
    assert.equal(scale.code, 1);
    assert.match(scale.stderr, /ENOSPC/);
    assert.equal((await c.workload('a')).desired, 1, 'not applied in memory either');
    // The daemon is alive and serving.
    assert.equal((await c.cli(['status'])).code, 0);

    // Room again: the same change is accepted, and survives a restart.
    fs.rmSync(path.join(c.home, 'filler'));
    assert.equal((await c.cli(['scale', 'a', '2'])).code, 0);
    await c.settled('a', 1, 2);
    await c.stop(conductor);
    conductor = await c.startConductor();
    assert.equal((await c.workload('a')).desired, 2);
  });

  it('a full disk under a chatty replica: the failed log writes are said once, not one line each, and their end is said', async () => {
    await c.startConductor();
    await c.startAgent('n1');
    const file = c.manifest('chatty.skr8tr', ['app chatty', `  exec ${process.execPath}`, '  args -e "let n = 0; setInterval(() => console.log(\'line \' + ++n), 5)"', '  settle 100ms', ''].join('\n'));
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('chatty', 1, 1);
    fill(c.home);
    const lineCount = async () => (await c.client().call('logs', { app: 'chatty', tail: 10_000 })).lines.length;
    const atFull = await lineCount();
    // Hundreds of lines (dozens of batches, each a failed write) while the disk is full.
    await waitFor('lines while the disk is full', async () => (await lineCount()) > atFull + 400, 30_000, 100);
    const warnings = () => c.dump().split('\n').filter((l) => l.includes('cannot write replica logs'));
    assert.equal(warnings().length, 1, warnings().join('\n'));
    fs.rmSync(path.join(c.home, 'filler'));
    await waitFor('the end of the failures to be said', () => /replica logs are written to disk again, after \d+ failures/.test(c.dump()), 30_000, 100);
  });

  it('a read-only home: the Conductor refuses to start with a clear error, and the state from before is intact', async () => {
    let conductor = await c.startConductor();
    const a = c.manifest('a.skr8tr', fixtureApp('a', { replicas: 0 }));
    assert.equal((await c.cli(['up', a])).code, 0);
    await c.stop(conductor);
    execFileSync('mount', ['-o', 'remount,ro', c.home]);
    const refused = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(DIST, 'conductor.js'), '--home', c.home, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (code) => resolve({ code, out }));
    });
    assert.equal(refused.code, 1);
    assert.match(refused.out, /cannot start the Conductor: .*(read-only file system|EROFS)/i);
    assert.doesNotMatch(refused.out, /at .*\.js:\d+/, 'no stack trace');
    execFileSync('mount', ['-o', 'remount,rw', c.home]);
    conductor = await c.startConductor();
    assert.deepEqual(await names(c), ['a']);
  });
});
