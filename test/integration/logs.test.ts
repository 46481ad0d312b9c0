// Logs you can live in: two apps writing numbered lines; `skr8tr logs` interleaves every app's lines
// in time order, each with its replica's prefix; a kill -9 of the Conductor while they write loses
// nothing and shows nothing twice (the agent keeps unacknowledged lines and sends them again; the
// Conductor keeps each line once, on disk); filters by app, text, generation and time.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LogLine } from '../../src/shared/protocol/api';
import { Cluster, waitFor } from './harness';

const LINES = 300;
const WRITER = `
let n = 0;
const app = process.env.WRITER_NAME;
const timer = setInterval(() => {
  n++;
  (n % 10 === 0 ? process.stderr : process.stdout).write(app + ' line ' + n + '\\n');
  if (n >= ${LINES}) clearInterval(timer);
}, 15);
setInterval(() => {}, 1000);
process.on('SIGTERM', () => process.exit(0));
`;

const writer = (name: string) => [`app ${name}`, `  exec ${process.execPath}`, '  args writer.js', '  settle 100ms', '  drain 1s', '  env', `    WRITER_NAME ${name}`, ''].join('\n');

describe('logs', function () {
  this.timeout(120_000);
  let c: Cluster;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  it('interleaves every app in time order with prefixes; a kill -9 of the Conductor loses no line and shows none twice', async () => {
    c = new Cluster('logs');
    let conductor = await c.startConductor();
    await c.startAgent('n1');
    const file = c.manifest('writers.skr8tr', writer('alpha') + writer('beta'));
    fs.writeFileSync(path.join(path.dirname(file), 'writer.js'), WRITER);
    assert.equal((await c.cli(['up', file])).code, 0);
    await waitFor('both to write', async () => {
      const { lines } = await c.client().call('logs', { tail: 1000 });
      return lines.some((l) => l.app === 'alpha') && lines.some((l) => l.app === 'beta') && lines.length > 40;
    }, 20_000, 50);

    // kill -9 while they write; a new Conductor a moment later.
    await c.kill9(conductor);
    await new Promise((r) => setTimeout(r, 800)); // the writers go on meanwhile: that is what is tested
    conductor = await c.startConductor();
    const all = await waitFor(`both to have written ${LINES} lines`, async () => {
      const { lines } = await c.client().call('logs', { tail: 10_000 });
      const last = (app: string) => lines.filter((l) => l.app === app).length;
      return last('alpha') >= LINES && last('beta') >= LINES ? lines : null;
    }, 60_000, 100);
    for (const app of ['alpha', 'beta']) {
      const numbers = (stream?: 'out' | 'err') => all.filter((l) => l.app === app && (stream === undefined || l.stream === stream)).map((l) => Number(/ line (\d+)$/.exec(l.text)![1]));
      const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! < x);
      // Standard output and standard error are two pipes: each keeps its order, but which of two
      // lines written to different pipes within a moment is read first is the kernel's to say.
      assert.deepEqual([...numbers()].sort((a, b) => a - b), Array.from({ length: LINES }, (_, i) => i + 1), `${app}: every line once`);
      assert.ok(ascending(numbers('out')), `${app}: standard output in order`);
      assert.ok(ascending(numbers('err')), `${app}: standard error in order`);
    }
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.at <= all[i]!.at, 'interleaved in time order');
    assert.ok(all.filter((l) => l.stream === 'err').every((l) => / line \d*0$/.test(l.text)), 'standard error is marked');

    // The terminal's view: every app, prefixed, stderr marked; --json is one object a line.
    const text = await c.cli(['logs', '--tail', '20', '--no-color']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^alpha-1-[0-9a-f]+ \| alpha line \d+$/m);
    assert.match(text.stdout + text.stderr, /^beta-1-[0-9a-f]+ {2}? ?[|!] beta line \d+$/m);
    assert.match(text.stderr, /^(alpha|beta)-1-[0-9a-f]+ +! (alpha|beta) line \d*0$/m);
    const json = await c.cli(['logs', '--json', '--tail', '5']);
    const parsed = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as LogLine);
    assert.equal(parsed.length, 5);
    for (const l of parsed) assert.deepEqual(Object.keys(l).sort(), ['app', 'at', 'generation', 'replica', 'seq', 'stream', 'text']);

    // Filters: an app, a text, a regular expression, a generation, a time.
    const alphaOnly = await c.cli(['logs', 'alpha', '--tail', '1000', '--json']);
    assert.ok(alphaOnly.stdout.trim().split('\n').every((l) => (JSON.parse(l) as LogLine).app === 'alpha'));
    const grep = await c.cli(['logs', '--grep', 'line 7', '--tail', '1000', '--json']);
    const greppedLines = grep.stdout.trim().split('\n').map((l) => (JSON.parse(l) as LogLine).text);
    assert.ok(greppedLines.length >= 2 && greppedLines.every((t) => t.includes('line 7')), greppedLines.join(' / '));
    const re = await c.cli(['logs', '--grep', '/line 1[0-9]$/', '--tail', '1000', '--json']);
    assert.equal(re.stdout.trim().split('\n').length, 20, 'lines 10–19 of both apps');
    assert.equal((await c.cli(['logs', '--generation', '2', '--json'])).stdout.trim(), '');
    const future = await c.cli(['logs', '--since', new Date(Date.now() + 60_000).toISOString(), '--json']);
    assert.equal(future.stdout.trim(), '');
    const bad = await c.cli(['logs', '--grep', '/(/']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /`grep` is not a valid regular expression/);

    // On disk under the home, a file a replica.
    assert.equal(fs.readdirSync(path.join(c.home, 'logs', 'replicas', 'alpha')).length, 1);
  });
});
