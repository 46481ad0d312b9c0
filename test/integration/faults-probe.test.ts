// The faults a skeptical operator found (issue 22, shared/design/PROBE.md), each against the real
// daemons: a busy agent is not a dead node, an agent that crashes and comes back adopts what it left,
// and the apps on a node keep serving through both.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { ApiEvent } from '../../src/shared/protocol/api';
import { paths, readToken } from '../../src/shared/home';
import { isAlive } from '../../src/shared/platform/process';
import { Cluster, fixtureApp, waitFor } from './harness';
import { agentPort } from './raw';
import { Load, freePort } from './load';

describe('faults a skeptical operator found', function () {
  this.timeout(180_000);
  let c: Cluster;

  beforeEach(() => {
    c = new Cluster('probe');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  /** Every change of `app`'s replicas the events told, as `id state`. */
  const changesOf = (events: ApiEvent[], app: string) =>
    events.flatMap((e) => (e.type === 'replica' && e.replica.app === app ? [`${e.replica.id} ${e.replica.state}`] : e.type === 'replica-removed' && e.app === app ? [`${e.id} removed`] : []));

  it('one app scaled to many on the only node: the agent keeps its heartbeat, and another app is neither dropped nor restarted', async () => {
    // The harness's Conductor expires a node after 1.5 s of silence: launching this many node
    // processes back to back held the agent's event loop for several seconds.
    const MANY = 80;
    await c.startConductor();
    await c.startAgent('n1');
    const port = await freePort();
    const keepFile = c.manifest('keep.skr8tr', fixtureApp('keep', { replicas: 2, extra: [`port ${port}`] }));
    const manyFile = c.manifest('many.skr8tr', fixtureApp('many', { replicas: 1}));
    assert.equal((await c.cli(['up', keepFile])).code, 0);
    assert.equal((await c.cli(['up', manyFile])).code, 0);
    const before = await c.settled('keep', 1, 2);
    await c.settled('many', 1, 1);
    const events = await c.recordEvents();

    const load = new Load({ port, keepAliveClients: 2, freshClients: 1, ratePerClient: 20, maxMs: 150_000, maxRequests: 20_000 });
    try {
      assert.equal((await c.cli(['scale', 'many', String(MANY)])).code, 0);
      await waitFor(`${MANY} replicas of many to run`, async () => (await c.live('many')).length === MANY && (await c.workload('many')).replicas.filter((r) => r.state === 'ready').length === MANY, 150_000, 250);
    } finally {
      const result = await load.stop();
      assert.ok(result.requests > 20, `the load ran (${result.requests} requests)`);
      assert.equal(result.failures, 0, `requests to keep failed: ${result.failureSamples.join('; ')}`);
    }
    const after = await c.settled('keep', 1, 2);
    assert.deepEqual(after.running.map((r) => r.pid).sort(), before.running.map((r) => r.pid).sort(), 'keep runs the same processes');
    assert.deepEqual(changesOf(events, 'keep'), [], 'nothing happened to keep');
    const conductor = c.dump();
    assert.doesNotMatch(conductor, /node n1 (lost|expired)/);
    assert.equal((await c.cli(['scale', 'many', '1'])).code, 0);
    await c.settled('many', 1, 1, 60_000);
  });

  it('an agent killed with -9 and started again within the node grace: no request fails, no replica pid changes, no line is lost or shown twice', async () => {
    await c.startConductor();
    let agent = await c.startAgent('n1');
    const port = await freePort();
    const file = c.manifest('keep.skr8tr', fixtureApp('keep', { replicas: 2, env: { FIXTURE_LOG_REQUESTS: '1' }, extra: [`port ${port}`] }));
    assert.equal((await c.cli(['up', file])).code, 0);
    const before = await c.settled('keep', 1, 2);
    const events = await c.recordEvents();

    const load = new Load({ port, keepAliveClients: 2, freshClients: 1, ratePerClient: 25, maxMs: 60_000, maxRequests: 5_000 });
    try {
      await waitFor('requests before the crash', () => load.result.requests > 30);
      await c.kill9(agent);
      // Past the expiry (1.5 s): the node is silent, its replicas keep serving.
      await waitFor('the node to be silent', async () => (await c.client().request<{ id: string; lostInMs: number | null }[]>('GET', '/v1/nodes')).some((n) => n.id === 'n1' && n.lostInMs !== null), 10_000);
      const whileAway = load.result.requests;
      await waitFor('requests while the agent is away', () => load.result.requests > whileAway + 30);
      agent = await c.startAgent('n1');
      const back = load.result.requests;
      await waitFor('requests after it is back', () => load.result.requests > back + 30);
    } finally {
      const result = await load.stop();
      assert.equal(result.failures, 0, `requests failed: ${result.failureSamples.join('; ')}`);
    }
    const after = await c.settled('keep', 1, 2);
    assert.deepEqual(after.running.map((r) => r.pid).sort(), before.running.map((r) => r.pid).sort(), 'the same processes serve');
    assert.deepEqual(changesOf(events, 'keep'), [], 'nothing happened to keep');
    assert.match(agent.output.join('\n'), /adopted pid/);

    // Each replica numbers the requests it served: every number once, none missing, across the crash.
    const { lines } = await c.client().call('logs', { app: 'keep', tail: 10_000 });
    for (const r of after.running) {
      const numbers = lines.filter((l) => l.replica === r.id && l.text.startsWith('request ')).map((l) => Number(l.text.split(' ')[1]));
      assert.ok(numbers.length > 10, `${r.id} served requests`);
      assert.deepEqual(numbers, Array.from({ length: numbers.length }, (_, i) => i + 1), `${r.id}: every request's line once, in order`);
    }
  });

  it('a 40 KB line is split and said, and cuts nobody off: the lines after it and another replica\'s lines arrive', async () => {
    await c.startConductor();
    const agent = await c.startAgent('n1');
    const LONG = 40_000;
    const script = [
      "const big = JSON.stringify({ msg: 'big json log line', blob: 'y'.repeat(Number(process.env.LEN)) });",
      "console.log('before'); console.log(big); console.log('after');",
      'setInterval(() => {}, 1000);',
      "process.on('SIGTERM', () => process.exit(0));",
    ].join('\n');
    const file = c.manifest('ll.skr8tr', ['app ll', `  exec ${process.execPath}`, '  args ll.js', '  settle 200ms', '  env', `    LEN ${LONG}`, ''].join('\n'));
    fs.writeFileSync(path.join(path.dirname(file), 'll.js'), script);
    assert.equal((await c.cli(['up', file])).code, 0);
    await waitFor('the line after the long one', async () => (await c.client().call('logs', { app: 'll', tail: 100 })).lines.some((l) => l.text === 'after'), 20_000, 100);
    const { lines } = await c.client().call('logs', { app: 'll', tail: 100 });
    const texts = lines.map((l) => l.text).filter((t) => !t.startsWith('fixture'));
    const at = texts.indexOf('before');
    const pieces = Math.ceil((LONG + 40) / 16_384);
    assert.equal(texts[at + pieces + 1], `[skr8tr: the line above was longer than 16384 characters: it was split into ${pieces} lines]`);
    assert.equal(texts.slice(at + 1, at + 1 + pieces).join(''), JSON.stringify({ msg: 'big json log line', blob: 'y'.repeat(LONG) }), 'every character kept, in order');
    assert.equal(texts[at + pieces + 2], 'after');

    // The node was never cut off, and another replica's lines still arrive.
    const other = c.manifest('other.skr8tr', fixtureApp('other'));
    assert.equal((await c.cli(['up', other])).code, 0);
    await c.settled('other', 1, 1);
    await waitFor("the other replica's first line", async () => (await c.client().call('logs', { app: 'other', tail: 10 })).lines.some((l) => l.text.startsWith('fixture v1 listening')), 10_000, 100);
    assert.doesNotMatch(agent.output.join('\n'), /refused/);
    assert.doesNotMatch(c.dump(), /agent connection .* closed/);
  });

  it('a logs frame the Conductor refuses names its replica, so the agent can drop those lines rather than send them again', async () => {
    await c.startConductor();
    const token = readToken(paths.joinToken(c.home))!;
    const hello = { t: 'hello', v: 1, token, node: 'raw', address: null, capacity: { cpu: 1, memBytes: 1e9, gpu: false }, version: 'x', replicas: [], followsConductor: false };
    const logs = { t: 'logs', id: 'web-1-abc123', lines: [{ seq: 1, at: Date.now(), stream: 'out', text: 'z'.repeat(16_385) }], dropped: 0 };
    const answer = await agentPort(c.home, `${JSON.stringify(hello)}\n${JSON.stringify(logs)}\n`);
    const refused = answer.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t: string; reason?: string; logs?: string }).find((f) => f.t === 'refused');
    assert.equal(refused?.logs, 'web-1-abc123');
    assert.match(refused!.reason!, /logs of web-1-abc123: lines\.0\.text/);
  });

  it('a replica that never answers: the ingress answers 504 after the app\'s request-timeout, counted as timed out', async () => {
    await c.startConductor();
    await c.startAgent('n1');
    const port = await freePort();
    const file = c.manifest('hang.skr8tr', fixtureApp('hang', { extra: [`port ${port}`, 'request-timeout 1s'] }));
    const up = await c.cli(['up', file]);
    assert.equal(up.code, 0, up.stderr);
    await c.settled('hang', 1, 1);
    const t0 = Date.now();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/hang', agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error('the ingress never answered')));
    });
    const ms = Date.now() - t0;
    assert.equal(answer.status, 504, answer.body);
    assert.match(answer.body, /did not answer within 1\.0 s \(its request-timeout\)/);
    assert.ok(ms >= 900 && ms < 10_000, `answered after ${ms} ms`);
    const traffic = await waitFor('the request counted', async () => {
      const t = await c.client().call('traffic', { name: 'hang' });
      return t.totals.failures.timeout === 1 ? t : null;
    });
    assert.equal(traffic.totals.failed, 1);
  });

  it('a job that keeps failing is tried `attempts` times, then marked failed; the app that needs it completed fails its rollout, naming it', async () => {
    await c.startConductor();
    await c.startAgent('n1');
    const file = c.manifest(
      'job.skr8tr',
      ['app migrate', '  type job', '  exec /bin/sh', '  args -c "echo migrating; exit 3"', '  attempts 2', '', fixtureApp('web', { extra: ['needs migrate:completed'] })].join('\n'),
    );
    const events = await c.recordEvents();
    assert.equal((await c.cli(['up', file])).code, 0);
    const web = await waitFor("web's rollout to fail", async () => {
      const w = await c.workload('web');
      return w.history.find((h) => h.state === 'failed') ?? null;
    }, 30_000, 100);
    assert.match(web.reason!, /^cannot start: migrate failed: 2 of 2 attempts failed \(last: exited with code 3\)/);
    const migrate = await c.workload('migrate');
    assert.match(migrate.problem!, /failed: 2 of 2 attempts failed/);
    const runs = new Set(events.flatMap((e) => (e.type === 'replica' && e.replica.app === 'migrate' && e.replica.state === 'starting' ? [e.replica.id] : [])));
    assert.equal(runs.size, 2, `migrate ran twice: ${[...runs].join(', ')}`);
    assert.equal((await c.workload('migrate')).replicas.filter((r) => ['pending', 'starting', 'ready'].includes(r.state)).length, 0, 'and is not started again');
    assert.equal((await c.live('web')).length, 0, 'web never started');
  });

  it("a replica's control characters reach `skr8tr logs` escaped: no line can erase its prefix, pass for another replica's, or set the title", async () => {
    await c.startConductor();
    await c.startAgent('n1');
    const script = [
      "process.stdout.write('\\x1b[2K\\x1b[0Gloggy-9-fake01 spoofed via ESC\\n');",
      "process.stdout.write('\\rloggy-9-fake00 spoofed via CR\\n');",
      "process.stderr.write('\\x1b]0;evil title\\x07 and a bell\\n');",
      "console.log('done');",
      'setInterval(() => {}, 1000);',
      "process.on('SIGTERM', () => process.exit(0));",
    ].join('\n');
    const file = c.manifest('loggy.skr8tr', ['app loggy', `  exec ${process.execPath}`, '  args loggy.js', '  settle 100ms', ''].join('\n'));
    fs.writeFileSync(path.join(path.dirname(file), 'loggy.js'), script);
    assert.equal((await c.cli(['up', file])).code, 0);
    await waitFor('its lines', async () => (await c.client().call('logs', { app: 'loggy', tail: 10 })).lines.some((l) => l.text === 'done'), 20_000, 100);
    const out = await c.cli(['logs', 'loggy', '--no-color']);
    assert.equal(out.code, 0, out.stderr);
    const all = out.stdout + out.stderr;
    assert.doesNotMatch(all, /[\x00-\x08\x0b-\x1f\x7f]/, 'no control character of the replica is written raw');
    assert.match(out.stdout, /^loggy-1-[0-9a-f]+ \| \\x1b\[2K\\x1b\[0Gloggy-9-fake01 spoofed via ESC$/m);
    assert.match(out.stdout, /^loggy-1-[0-9a-f]+ \| \\rloggy-9-fake00 spoofed via CR$/m);
    assert.match(out.stderr, /^loggy-1-[0-9a-f]+ ! \\x1b\]0;evil title\\x07 and a bell$/m);
    // --json escapes them as JSON does, and keeps the text as written.
    const json = await c.cli(['logs', 'loggy', '--json']);
    assert.ok(json.stdout.split('\n').filter(Boolean).some((l) => (JSON.parse(l) as { text: string }).text === '\x1b[2K\x1b[0Gloggy-9-fake01 spoofed via ESC'));
  });

  it('a save while the Conductor was down rolls out when it starts again (and a start with nothing saved rolls nothing out)', async () => {
    let conductor = await c.startConductor();
    await c.startAgent('n1');
    const port = await freePort();
    const server = "const v = require('./version.js'); require('http').createServer((q, s) => s.end(v)).listen(Number(process.env.PORT), '127.0.0.1'); process.on('SIGTERM', () => process.exit(0));";
    const file = c.manifest('w.skr8tr', ['app w', `  exec ${process.execPath}`, '  args server.js', `  port ${port}`, '  health GET /health 200', '  drain 1s', '  watch *.js', ''].join('\n'));
    const dir = path.dirname(file);
    fs.writeFileSync(path.join(dir, 'server.js'), server);
    fs.writeFileSync(path.join(dir, 'version.js'), "module.exports = 'v1';\n");
    assert.equal((await c.cli(['up', file, '--watch'])).code, 0);
    await c.settled('w', 1, 1);
    const body = () =>
      new Promise<string>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve(b));
        }).on('error', reject);
      });
    assert.equal(await body(), 'v1');

    // Killed; a save while it is down; started again: the save rolls out.
    await c.kill9(conductor);
    fs.writeFileSync(path.join(dir, 'version.js'), "module.exports = 'v2 saved while away';\n");
    conductor = await c.startConductor();
    await waitFor('the save to serve', async () => (await body()) === 'v2 saved while away', 30_000, 100);
    const w = await c.settled('w', 2, 1, 30_000);
    assert.equal(w.history.at(-1)!.trigger, 'watch');
    assert.ok(conductor.output.some((l) => l.includes('watch: version.js changed while the Conductor was away')), 'its step says why');

    // A restart with nothing saved meanwhile rolls nothing out.
    await c.stop(conductor);
    conductor = await c.startConductor();
    await waitFor('the restarted Conductor to compare the files', () => conductor.output.some((l) => l.includes('w: no watched file changed while the Conductor was away')));
    assert.equal((await c.workload('w')).generation, 2);
  });

  it('down --force of an app another needs stops it now; the one that needs it keeps running and says what it lost', async () => {
    await c.startConductor();
    await c.startAgent('n1');
    const file = c.manifest('xy.skr8tr', [fixtureApp('cy'), fixtureApp('cx', { extra: ['needs cy'] })].join('\n'));
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('cy', 1, 1);
    const cx = await c.settled('cx', 1, 1);
    const cyPid = (await c.workload('cy')).replicas.find((r) => r.state === 'ready')!.pid!;

    const refused = await c.cli(['down', 'cy']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /cy is needed by cx/);
    const down = await c.cli(['down', 'cy', '--force']);
    assert.equal(down.code, 0, down.stderr);
    await waitFor('cy to stop and be gone', async () => !isAlive(cyPid) && !(await c.client().call('workloads', {})).some((w) => w.name === 'cy'), 20_000, 100);
    assert.match(down.stdout, /cy: taken down; its replica stops now, and cx, which needs it, keeps running without it/);
    const after = await c.settled('cx', 1, 1);
    assert.deepEqual(after.running.map((r) => r.pid), cx.running.map((r) => r.pid), 'cx keeps running');
    assert.match(after.problem ?? '', /^lost cy \(taken down with --force; `up` its manifest to bring it back\)/);
    // A new replica of cx waits for cy, and says why.
    assert.equal((await c.cli(['scale', 'cx', '2'])).code, 0);
    const waiting = await waitFor('cx to want 2 and wait for cy', async () => {
      const w = await c.workload('cx');
      return w.desired === 2 && /^lost cy/.test(w.problem ?? '') ? w : null;
    });
    assert.equal(waiting.replicas.filter((r) => ['pending', 'starting', 'ready'].includes(r.state)).length, 1, 'no new replica without cy');
    // cy brought back (`up` also sets cx to its manifest's count again): a new replica of cx starts.
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('cy', 1, 1);
    assert.equal((await c.cli(['scale', 'cx', '2'])).code, 0);
    await c.settled('cx', 1, 2, 30_000);
    assert.equal((await c.workload('cx')).problem, null);
  });

  it('a watched env file or manifest that disappears is said once: as the workload\'s problem (list, dev, the tree) and in the daemon log', async () => {
    const conductor = await c.startConductor();
    await c.startAgent('n1');
    const file = c.manifest('gone.skr8tr', ['app gone', `  exec ${process.execPath}`, '  args server.js', '  settle 100ms', '  watch *.js', '  env-file .env', ''].join('\n'));
    const dir = path.dirname(file);
    fs.writeFileSync(path.join(dir, 'server.js'), "setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));\n");
    fs.writeFileSync(path.join(dir, '.env'), 'A=1\n');
    assert.equal((await c.cli(['up', file, '--watch'])).code, 0);
    await c.settled('gone', 1, 1);
    const said = (re: RegExp) => conductor.output.filter((l) => re.test(l)).length;

    fs.rmSync(path.join(dir, '.env'));
    await waitFor('the missing env file to be the problem', async () => /env-file .*\.env cannot be read \(no such file\)/.test((await c.workload('gone')).problem ?? ''));
    // Two more saves meet the same trouble (spaced so each is a change of its own; nothing below waits on them).
    for (const v of [1, 2]) {
      fs.writeFileSync(path.join(dir, 'server.js'), `// ${v}\nsetInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));\n`);
      await new Promise((r) => setTimeout(r, 300));
    }
    fs.writeFileSync(path.join(dir, '.env'), 'A=2\n');
    await waitFor('the env file back: rolled out, the problem gone', async () => {
      const w = await c.workload('gone');
      return w.generation > 1 && !w.rollout && w.problem === null;
    }, 30_000, 100);
    assert.equal(said(/warn .*gone: watch: a change was not rolled out: .*env-file .*cannot be read/), 1, 'said once in the log');
    const problem = (await c.cli(['list'])).stdout;
    assert.doesNotMatch(problem, /cannot be read/, 'and no longer once it is back');

    // The manifest moved away, then a save: said once, as the manifest being gone.
    fs.renameSync(file, `${file}.moved`);
    await waitFor('the missing manifest to be the problem', async () => /its manifest .*gone\.skr8tr is gone/.test((await c.workload('gone')).problem ?? ''));
    fs.writeFileSync(path.join(dir, 'server.js'), "// 3\nsetInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));\n");
    await new Promise((r) => setTimeout(r, 300));
    fs.renameSync(`${file}.moved`, file);
    await waitFor('the manifest back: rolled out again', async () => (await c.workload('gone')).problem === null, 30_000, 100);
    assert.equal(said(/warn .*gone: watch: its manifest .* is gone/), 1, 'said once in the log');
  });

  it('logs: --tail 0 prints nothing, a --since before 1970 is a clear error, and the help says what --tail defaults to and allows', async () => {
    await c.startConductor();
    await c.startAgent('n1');
    const file = c.manifest('talk.skr8tr', fixtureApp('talk'));
    assert.equal((await c.cli(['up', file])).code, 0);
    await c.settled('talk', 1, 1);
    await waitFor('its first lines', async () => (await c.client().call('logs', { app: 'talk', tail: 10 })).lines.length >= 2);
    const none = await c.cli(['logs', 'talk', '--tail', '0']);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout + none.stderr, '');
    assert.deepEqual((await c.client().call('logs', { app: 'talk', tail: 0 })).lines, []);
    const far = await c.cli(['logs', 'talk', '--since', '99999999h']);
    assert.equal(far.code, 2);
    assert.match(far.stderr, /--since 99999999h reaches back before 1970/);
    assert.doesNotMatch(far.stderr, /-\d{6,}/, 'no internal number');
    const big = await c.cli(['logs', 'talk', '--tail', '100000']);
    assert.equal(big.code, 2);
    assert.match(big.stderr, /--tail is how many of the last lines to show: 0 to 10000 \(default 100\)/);
    assert.match((await c.cli(['help'])).stdout, /--tail N: the last N lines \(default 100, 0 to 10000\)/);
  });
});
