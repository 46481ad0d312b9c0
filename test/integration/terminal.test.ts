// The terminal on its own, with the built CLI and real daemons: a command that needs a Conductor
// starts one and a local agent (detached, the editor's kind: each finds the other's), concurrent
// commands end with one; `up --wait` exits 0 once the apps are ready and 1 naming an app that is not,
// within its deadline; `rollout --wait` ends at the deadline of an app whose need crash-loops;
// `shutdown` leaves no process of the home (`--keep-workloads` leaves the replicas, and the next
// Conductor adopts them); Ctrl-C of `dev` shuts down what it started, or only stops the watching it
// turned on; the CLI ends quietly when its reader goes. Every test ends with no process of its home
// left: CLI-started daemons are found by their environment (home-processes.ts), killed if need be.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConductorClient } from '../../src/shared/client';
import { liveAgents, startDaemons } from '../../src/shared/daemon-launch';
import { isAlive } from '../../src/shared/platform/process';
import { conductorPresence, findConductor } from '../../src/extension/presence';
import { DIST, ROOT, exec, fixtureApp, waitFor, type Exec } from './harness';
import { commandOf, homeProcesses, sweepHome } from './home-processes';
import { freePort } from './load';
import { rawRequest } from './raw';

const CLI = path.join(DIST, 'cli.js');
const STARTED = /^started a Conductor \(pid (\d+)\)( and agent local \(pid (\d+)\))? for (.+); `skr8tr shutdown` stops (them|it)$/m;

/** A fresh home with no daemon, the CLI run against it, and a sweep of whatever of it is left at the end. */
class Terminal {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-term-'));
  readonly home = path.join(this.root, 'home');
  private readonly running: ChildProcess[] = [];

  cli(args: string[], timeoutMs = 60_000): Promise<Exec> {
    return exec(process.execPath, [CLI, ...args], { ...process.env, SKR8TR_HOME: this.home }, timeoutMs);
  }

  /** A shell pipeline with the CLI in it (`$CLI` names it); stderr ends with the CLI's exit code (`cli=N`). */
  pipeline(script: string): Promise<Exec> {
    return exec('bash', ['-c', `${script}; echo "cli=\${PIPESTATUS[0]}" >&2`], { ...process.env, SKR8TR_HOME: this.home, CLI: `${process.execPath} ${CLI}` }, 60_000);
  }

  /** A long-running CLI command (`dev`), its output collected. */
  spawn(args: string[]): { child: ChildProcess; out: string[]; exited: Promise<number | null> } {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, SKR8TR_HOME: this.home }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.running.push(child);
    const out: string[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => out.push(c.toString()));
    return { child, out, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
  }

  file(name: string, text: string): string {
    const file = path.join(this.root, name);
    fs.writeFileSync(file, text);
    return file;
  }

  /** A manifest of the HTTP fixture on a port, its replicas marked with this home (home-processes.ts). */
  async app(name: string, opts: { env?: Record<string, string>; extra?: string[]; replicas?: number } = {}): Promise<{ file: string; port: number }> {
    const port = await freePort();
    const text = fixtureApp(name, { replicas: opts.replicas ?? 1, env: { TEST_HOME: this.home, ...opts.env }, extra: [`port ${port}`, ...(opts.extra ?? [])] });
    return { file: this.file(`${name}.skr8tr`, text), port };
  }

  client(): ConductorClient {
    return ConductorClient.fromHome(this.home);
  }

  /** The daemons' logs of the home (their last lines), for a test that failed. */
  dump(): string {
    const logs = path.join(this.home, 'logs');
    const names = fs.existsSync(logs) ? fs.readdirSync(logs).filter((f) => f.endsWith('.log')) : [];
    return names.map((f) => `--- ${f}\n${fs.readFileSync(path.join(logs, f), 'utf8').split('\n').slice(-60).join('\n')}`).join('\n');
  }

  /** Kills whatever of the home is left; a test that passed must have left nothing (one that failed says why itself). */
  async cleanup(passed: boolean): Promise<void> {
    for (const c of this.running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    const left = await sweepHome(this.home);
    fs.rmSync(this.root, { recursive: true, force: true });
    if (passed) assert.equal(left, '', `processes of the home outlived the test (killed now): ${left}`);
  }
}

const get = (port: number) => rawRequest({ host: '127.0.0.1', port, path: '/', agent: false });

/** Shuts the home down and proves nothing of it is left, at once: `shutdown` returns only when its daemons are gone. */
async function shutdownLeavesNothing(t: Terminal): Promise<void> {
  const r = await t.cli(['shutdown']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^stopped the workloads, then the Conductor \(pid \d+\)/);
  assert.deepEqual(homeProcesses(t.home).map(commandOf), [], 'no process of the home is left');
}

describe('the terminal on its own: skr8tr starts the daemons it needs and shuts them down', function () {
  this.timeout(120_000);
  let t: Terminal;
  beforeEach(() => (t = new Terminal()));
  afterEach(function () {
    const passed = this.currentTest?.state === 'passed';
    if (!passed) console.log(t.dump());
    return t.cleanup(passed);
  });

  it('with no daemons running, `up examples/hello --wait` starts them, exits 0 with the app serving; `shutdown` leaves nothing', async () => {
    const port = await freePort();
    fs.copyFileSync(path.join(ROOT, 'examples/hello/server.js'), path.join(t.root, 'server.js'));
    const example = fs.readFileSync(path.join(ROOT, 'examples/hello/hello.skr8tr'), 'utf8');
    const file = t.file('hello.skr8tr', example.replace(/^  port 8080$/m, `  port ${port}`).replace('    VERSION v1', `    VERSION v1\n    TEST_HOME ${t.home}`));
    assert.equal((await t.cli(['status'])).code, 3, 'status starts nothing and says none runs');
    assert.deepEqual(homeProcesses(t.home), []);

    const up = await t.cli(['up', file, '--wait']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const started = STARTED.exec(up.stderr);
    assert.ok(started, `one line says what started: ${up.stderr}`);
    assert.equal(up.stderr.trim().split('\n').length, 1, 'one line on stderr');
    assert.equal(started[4], t.home);
    assert.match(up.stdout, /hello: done: 3 replicas of generation 1 ready in /);
    const answer = await get(port);
    assert.equal(answer.status, 200);
    assert.match(answer.body, /^hello from v1/);

    // The editor's reading of the home finds the terminal's Conductor: the same kind.
    const presence = conductorPresence(t.home);
    assert.equal(presence.kind, 'running');
    assert.equal((await findConductor(t.home)!.call('status', {})).pid, Number(started[1]));
    const pids = homeProcesses(t.home);
    assert.ok(pids.includes(Number(started[1])) && pids.includes(Number(started[3])), 'the Conductor and the agent carry the home');
    assert.equal(pids.length, 5, `the Conductor, the agent and 3 replicas: ${pids.map(commandOf).join('; ')}`);

    const again = await t.cli(['list']);
    assert.equal(again.code, 0);
    assert.doesNotMatch(again.stderr, /started/, 'a running Conductor is used, not started again');
    const down = await t.cli(['down', 'hello']);
    assert.equal(down.stdout, 'hello: taken down; its 3 replicas are stopping\n', 'an app nobody needs: what is true');

    await shutdownLeavesNothing(t);
    const twice = await t.cli(['shutdown']);
    assert.equal(twice.code, 0);
    assert.match(twice.stdout, /^nothing runs for /);
  });

  it('concurrent commands on a fresh home end with one Conductor and one agent', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => t.cli(['list'])));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    assert.equal(runs.filter((r) => STARTED.test(r.stderr)).length, 1, 'one of them started the daemons; the others used them');
    const commands = homeProcesses(t.home).map(commandOf);
    assert.equal(commands.filter((c) => c.includes('conductor.js')).length, 1, commands.join('; '));
    assert.equal(commands.filter((c) => c.includes('agent.js')).length, 1, commands.join('; '));
    await shutdownLeavesNothing(t);
  });

  it('a command whose Conductor lost the race to another start waits for the winner and uses it', async () => {
    // The winner, held between taking the home's lock and answering: a shell that holds the lock by
    // its pid, then (when the test opens the gate) becomes the Conductor with that same pid.
    const gate = path.join(t.root, 'gate');
    fs.mkdirSync(t.home, { recursive: true });
    const env = { ...process.env, SKR8TR_HOME: t.home, GATE: gate, NODE: process.execPath, CONDUCTOR: path.join(DIST, 'conductor.js') };
    const winner = spawn('sh', ['-c', 'while [ ! -e "$GATE" ]; do sleep 0.05; done; exec "$NODE" "$CONDUCTOR" --home "$SKR8TR_HOME" --quiet'], { env, stdio: 'ignore', detached: true });
    fs.writeFileSync(path.join(t.home, 'conductor.lock'), `${winner.pid}\n`);
    let settled = false;
    const list = t.cli(['list']).finally(() => (settled = true));
    await waitFor('the command\'s own Conductor to lose the lock', () => fs.readFileSync(path.join(t.home, 'logs', 'conductor.log'), 'utf8').includes(`already running (pid ${winner.pid})`));
    assert.equal(settled, false, 'the command waits for the winner');
    fs.writeFileSync(gate, '');
    await waitFor('the winner to answer', () => ConductorClient.infoOf(t.home)?.pid === winner.pid);
    spawn(process.execPath, [path.join(DIST, 'agent.js'), '--home', t.home, '--node', 'local', '--follow-conductor', '--quiet'], { env, stdio: 'ignore', detached: true }).unref();
    const r = await list;
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /started/, 'it started nothing of its own');
    assert.match((await t.cli(['status'])).stdout, new RegExp(`\\(pid ${winner.pid}\\)`));
    assert.equal(homeProcesses(t.home).map(commandOf).filter((c) => c.includes('conductor.js')).length, 1);
    await shutdownLeavesNothing(t);
  });

  it('daemons started the editor\'s way (with a lease) are used by the CLI, and a Conductor of another version is a clear error', async () => {
    const d = await startDaemons({ home: t.home, bundles: DIST, logLevel: 'info', leaseMs: 60_000, ingressAddress: '127.0.0.1', localAgents: 1 });
    assert.ok(d.won && d.nodeJoined);
    const status = await t.cli(['status']);
    assert.equal(status.code, 0);
    assert.match(status.stdout, new RegExp(`\\(pid ${d.pid}\\)`));
    const list = await t.cli(['nodes']);
    assert.doesNotMatch(list.stderr, /started/);
    assert.match(list.stdout, /^local {2}/m);
    await shutdownLeavesNothing(t);

    // conductor.json naming a live process of another version
    const other = spawn('sleep', ['60'], { stdio: 'ignore', env: { ...process.env, TEST_HOME: t.home } });
    fs.writeFileSync(path.join(t.home, 'conductor.json'), JSON.stringify({ pid: other.pid, socket: path.join(t.home, 'api.sock'), listen: null, agents: '127.0.0.1:1', version: '0.0.0-other', startedAt: 0, home: t.home }));
    const r = await t.cli(['list']);
    other.kill('SIGKILL');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /a Conductor of version 0\.0\.0-other \(pid \d+\) is running for .*; this is \d+\.\d+\.\d+; `skr8tr shutdown` stops it/);
  });

  it('`up --wait` of an app that never gets ready exits 1 naming it within its deadline', async () => {
    assert.equal((await t.cli(['nodes'])).code, 0);
    const { file } = await t.app('stuck', { env: { FIXTURE_MODE: 'never-ready' }, extra: ['rollout', '  deadline 2s'] });
    const r = await t.cli(['up', file, '--wait']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /^stuck: rollout stuck-r[0-9a-f]+ failed: .*/m);
    assert.ok(r.ms < 2_000 + 10_000, `ended within its deadline (2 s) and a margin: ${r.ms} ms`);
    await shutdownLeavesNothing(t);
  });

  it('`rollout --wait` of an app whose need crash-loops ends at the app\'s deadline with exit 1, naming the need', async () => {
    assert.equal((await t.cli(['nodes'])).code, 0);
    const db = await t.app('db', { env: { FIXTURE_MODE: 'crash' } });
    assert.equal((await t.cli(['up', db.file])).code, 0);
    const api = await t.app('api', { extra: ['needs db', 'rollout', '  deadline 3s'] });
    const r = await t.cli(['rollout', api.file, '--wait'], 40_000);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /^api: waited 3\.0 s \(its deadline\) for what it needs: waiting for db \(.*\); its rollout api-r[0-9a-f]+ goes on in the Conductor/m);
    assert.ok(r.ms < 3_000 + 10_000, `ended at its deadline (3 s) and a margin: ${r.ms} ms`);
    await shutdownLeavesNothing(t);
  });

  it('`shutdown --keep-workloads` leaves the replicas under their agent; the next Conductor adopts them (same pids)', async () => {
    const { file, port } = await t.app('kept', { replicas: 2 });
    const up = await t.cli(['up', file, '--wait']);
    assert.equal(up.code, 0, up.stderr);
    const conductor = Number(STARTED.exec(up.stderr)![1]);
    const before = (await t.client().call('workload', { name: 'kept' })).replicas.filter((r) => r.state === 'ready').map((r) => r.pid!).sort();
    assert.equal(before.length, 2);

    const keep = await t.cli(['shutdown', '--keep-workloads']);
    assert.equal(keep.code, 0, keep.stderr);
    assert.match(keep.stdout, /^stopped the Conductor \(pid \d+\) of .*; the replicas keep running under agent local \(pid \d+\) for the next Conductor to adopt/);
    assert.ok(!isAlive(conductor), 'the Conductor is gone');
    assert.ok(before.every(isAlive), 'the replicas run on');
    assert.equal(liveAgents(t.home).length, 1, 'under their agent');
    assert.equal((await get(port).catch(() => null)) ?? 'no answer', 'no answer', 'the ingress went with the Conductor');

    const list = await t.cli(['list']);
    assert.match(list.stderr, /^started a Conductor \(pid \d+\) for .*; `skr8tr shutdown` stops it$/m, 'a new Conductor, and no second agent');
    await waitFor('the new Conductor to adopt both replicas', async () => {
      const w = await t.client().call('workload', { name: 'kept' });
      const ready = w.replicas.filter((r) => r.state === 'ready').map((r) => r.pid!).sort();
      return JSON.stringify(ready) === JSON.stringify(before);
    });
    assert.equal((await get(port)).status, 200, 'and serves them through its ingress');
    await shutdownLeavesNothing(t);
  });

  it('Ctrl-C of a `dev` that started the daemons takes its apps down and leaves nothing running', async () => {
    const { file } = await t.app('devapp', { extra: ['watch *.js'] });
    const dev = t.spawn(['dev', file]);
    await waitFor('dev to say what Ctrl-C does', () => /Ctrl-C takes devapp down and shuts down the Conductor and agent this dev started/.test(dev.out.join('')), 30_000);
    assert.match(dev.out.join(''), STARTED);
    await waitFor('devapp to be ready', async () => (await t.client().call('workload', { name: 'devapp' })).ready === 1);
    assert.ok(homeProcesses(t.home).length >= 3, 'the Conductor, the agent, the replica');
    dev.child.kill('SIGINT');
    assert.equal(await dev.exited, 0, dev.out.join(''));
    assert.match(dev.out.join(''), /stopped devapp, the Conductor \(pid \d+\) and 1 agent/);
    assert.deepEqual(homeProcesses(t.home).map(commandOf), [], 'nothing of the home is left');
  });

  it('Ctrl-C of a `dev` that found the daemons running stops only the watching it turned on', async () => {
    const a = await t.app('a', { extra: ['watch *.js'] });
    const b = await t.app('b', { extra: ['watch *.js'] });
    assert.equal((await t.cli(['up', a.file, '--watch', '--wait'])).code, 0);
    assert.equal((await t.cli(['up', b.file, '--wait'])).code, 0);
    const dev = t.spawn(['dev', a.file, b.file]);
    await waitFor('dev to say what Ctrl-C does', () => /Ctrl-C stops watching b; a was watched before and stays so; the apps keep running/.test(dev.out.join('')), 30_000);
    assert.equal((await t.client().call('workload', { name: 'b' })).watching, true, 'dev watches b');
    dev.child.kill('SIGINT');
    assert.equal(await dev.exited, 0, dev.out.join(''));
    assert.match(dev.out.join(''), /stopped watching b$/m);
    const [wa, wb] = await Promise.all([t.client().call('workload', { name: 'a' }), t.client().call('workload', { name: 'b' })]);
    assert.equal(wa.watching, true, '`up --watch` set it: it stays');
    assert.equal(wb.watching, false, 'dev turned it on: it is off again');
    assert.deepEqual([wa.ready, wb.ready], [1, 1], 'the apps keep running');
    await shutdownLeavesNothing(t);
  });

  it('ends quietly when its reader goes: `logs | head -1`, `logs -f --json | head -1`, `list --json | head -1`', async () => {
    const script = t.file('chatter.js', "for (let i = 0; i < 1500; i++) console.log(`line ${i} ${'x'.repeat(150)}`);\nsetInterval(() => console.log(`tick ${Date.now()}`), 50);\n");
    const manifest = t.file('chatter.skr8tr', ['app chatter', `  exec ${process.execPath}`, `  args ${script}`, '  settle 1s', '  env', `    TEST_HOME ${t.home}`, ''].join('\n'));
    assert.equal((await t.cli(['up', manifest])).code, 0);
    await waitFor('1,500 lines of output', async () => (await t.client().call('logs', { app: 'chatter', tail: 2000 })).lines.length >= 1500);
    for (const pipeline of ['$CLI logs chatter --tail 1500 | head -1', '$CLI logs -f --json chatter | head -1', '$CLI list --json | head -1']) {
      const r = await t.pipeline(pipeline);
      assert.equal(r.stdout.trim().split('\n').length, 1, `${pipeline}: one line`);
      assert.match(r.stderr, /cli=0\s*$/, `${pipeline}: exit 0\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /EPIPE|Error|at .*\.js/, `${pipeline}: no stack`);
    }
    await shutdownLeavesNothing(t);
  });
});
