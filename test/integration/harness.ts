// The integration tests' harness: a throwaway SKR8TR_HOME with the real Conductor and agents from
// dist/, real workload processes, and a cleanup that proves every process it started is gone.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConductorClient } from '../../src/shared/client';
import { DAEMON_NODE_FLAGS, daemonEnv } from '../../src/shared/daemon-runtime';
import { groupMembers, isAlive } from '../../src/shared/platform/process';
import type { ApiEvent, WorkloadView } from '../../src/shared/protocol/api';

export const ROOT = path.resolve(__dirname, '../..');
export const DIST = path.join(ROOT, 'dist');
export const FIXTURE = path.join(ROOT, 'test/fixtures/http-fixture.js');

export interface Daemon {
  name: string;
  child: ChildProcess;
  pid: number;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  done: boolean;
}

export interface Exec {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to its end, capturing its output; a command that outlives `timeoutMs` is killed and rejects. */
export function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Exec> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(cmd)} ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** Polls `check` until it returns a truthy value or the deadline passes (then fails, saying what it waited for). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export class Cluster {
  readonly home: string;
  private readonly daemons: Daemon[] = [];
  /** Every replica pid the test saw, to prove at the end that none is left (nor its group). */
  readonly replicaPids = new Set<number>();
  private readonly streams: AbortController[] = [];

  constructor(label = 'it') {
    this.home = fs.mkdtempSync(path.join(os.tmpdir(), `skr8tr-${label}-`));
  }

  /** `wrap`: a command to run the daemon under (e.g. `ip netns exec NS`). */
  private spawnDaemon(name: string, script: string, args: string[], env: NodeJS.ProcessEnv = {}, wrap: string[] = []): Daemon {
    // Started as the extension starts them (its Node flags and allocator setting too).
    const argv = [process.execPath, ...DAEMON_NODE_FLAGS, path.join(DIST, script), ...args];
    const child = spawn(wrap[0] ?? argv[0]!, [...wrap.slice(1), ...(wrap.length > 0 ? argv : argv.slice(1))], {
      env: { ...process.env, ...daemonEnv(process.env), ...env, SKR8TR_HOME: this.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (output.length > 2000) output.splice(0, output.length - 2000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const daemon: Daemon = {
      name,
      child,
      pid: child.pid!,
      output,
      done: false,
      exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    };
    void daemon.exited.then(() => (daemon.done = true));
    this.daemons.push(daemon);
    return daemon;
  }

  async startConductor(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Daemon> {
    const d = this.spawnDaemon('conductor', 'conductor.js', ['--home', this.home, '--expiry', '1500', ...args], env);
    await waitFor('the Conductor to answer', async () => {
      if (d.done) throw new Error(`the Conductor exited: ${d.output.join('\n')}`);
      const info = ConductorClient.infoOf(this.home);
      if (!info || info.pid !== d.pid) return false;
      await this.client().request('GET', '/v1/status');
      return true;
    });
    return d;
  }

  async startAgent(node: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, wrap: string[] = []): Promise<Daemon> {
    const d = this.spawnDaemon(`agent ${node}`, 'agent.js', ['--home', this.home, '--node', node, ...args], env, wrap);
    await waitFor(`node ${node} to join`, async () => {
      if (d.done) throw new Error(`agent ${node} exited: ${d.output.join('\n')}`);
      const nodes = await this.client().request<{ id: string; connected: boolean }[]>('GET', '/v1/nodes');
      return nodes.some((n) => n.id === node && n.connected);
    });
    return d;
  }

  client(): ConductorClient {
    return ConductorClient.fromHome(this.home);
  }

  /** Runs the built CLI against this home. */
  cli(args: string[], timeoutMs = 60_000): Promise<Exec> {
    return exec(process.execPath, [path.join(DIST, 'cli.js'), ...args], { ...process.env, SKR8TR_HOME: this.home }, timeoutMs);
  }

  /** Writes a manifest into the home and returns its path. */
  manifest(name: string, text: string): string {
    const dir = path.join(this.home, 'manifests');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  async workload(name: string): Promise<WorkloadView> {
    const w = await this.client().request<WorkloadView>('GET', `/v1/workloads/${name}`);
    for (const r of w.replicas) if (r.pid !== null) this.replicaPids.add(r.pid);
    return w;
  }

  /** Live replicas (pending, starting, ready) of a workload. */
  async live(name: string): Promise<WorkloadView['replicas']> {
    return (await this.workload(name)).replicas.filter((r) => ['pending', 'starting', 'ready'].includes(r.state));
  }

  /**
   * Waits until `name` runs `count` ready replicas of `generation`, and nothing else live or
   * draining. `running` lists those ready replicas (`replicas` also holds recently ended ones).
   */
  async settled(name: string, generation: number, count: number, timeoutMs = 20_000): Promise<WorkloadView & { running: WorkloadView['replicas'] }> {
    const w = await waitFor(
      `${name} to run ${count} ready replicas of generation ${generation} and nothing else`,
      async () => {
        const w = await this.workload(name);
        const others = w.replicas.filter((r) => r.state !== 'stopped' && r.state !== 'failed' && !(r.generation === generation && r.state === 'ready'));
        const ready = w.replicas.filter((r) => r.generation === generation && r.state === 'ready');
        return w.generation === generation && ready.length === count && others.length === 0 && !w.rollout ? w : null;
      },
      timeoutMs,
    );
    return { ...w, running: w.replicas.filter((r) => r.state === 'ready') };
  }

  /** Records every event from now on. */
  async recordEvents(): Promise<ApiEvent[]> {
    const events: ApiEvent[] = [];
    const controller = new AbortController();
    this.streams.push(controller);
    let snapshot = false;
    void this.client()
      .events((e) => {
        if (e.type === 'snapshot') snapshot = true;
        events.push(e);
      }, null, controller.signal)
      .catch(() => {});
    await waitFor('the event stream', () => snapshot);
    return events;
  }

  kill9(d: Daemon): Promise<unknown> {
    d.child.kill('SIGKILL');
    return d.exited;
  }

  async stop(d: Daemon, timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!d.done) d.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([d.exited, new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)))]);
    clearTimeout(timer);
    if (result === null) {
      d.child.kill('SIGKILL');
      throw new Error(`${d.name} did not stop within ${timeoutMs} ms after SIGTERM`);
    }
    return result;
  }

  /** Stops agents (which stop their replicas) and the Conductor, then proves nothing is left. */
  async cleanup(): Promise<void> {
    for (const c of this.streams) c.abort();
    const errors: string[] = [];
    for (const d of this.daemons.filter((x) => x.name.startsWith('agent'))) {
      try {
        await this.stop(d);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    for (const d of this.daemons.filter((x) => !x.name.startsWith('agent'))) {
      try {
        await this.stop(d);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    const leftovers = await waitFor(
      'every started process and its group to be gone',
      () => {
        const alive = [...this.daemons.map((d) => d.pid), ...this.replicaPids].filter((p) => isAlive(p) || groupMembers(p).length > 0);
        return alive.length === 0 ? 'none' : null;
      },
      15_000,
    ).catch((err: Error) => err.message);
    if (leftovers !== 'none') {
      for (const p of this.replicaPids) {
        for (const m of groupMembers(p)) process.kill(m, 'SIGKILL');
        if (isAlive(p)) process.kill(p, 'SIGKILL');
      }
      errors.push(`processes outlived the test: ${leftovers}`);
    }
    try {
      fs.rmSync(this.home, { recursive: true, force: true });
    } catch {
      // a mount point (the disk tests unmount it themselves)
    }
    assert.deepEqual(errors, [], errors.join('\n'));
  }

  dump(): string {
    return this.daemons.map((d) => `--- ${d.name} (pid ${d.pid})\n${d.output.slice(-80).join('\n')}`).join('\n');
  }
}

/** A manifest for the HTTP fixture. */
export function fixtureApp(name: string, opts: { replicas?: number; version?: string; env?: Record<string, string>; health?: string | null; drain?: string; extra?: string[] } = {}): string {
  const lines = [
    `app ${name}`,
    `  exec ${process.execPath}`,
    `  args ${FIXTURE}`,
    `  replicas ${opts.replicas ?? 1}`,
    ...(opts.health === null ? [] : [`  health ${opts.health ?? 'GET /health 200'}`]),
    `  drain ${opts.drain ?? '2s'}`,
    ...(opts.extra ?? []).map((l) => `  ${l}`),
    '  env',
    `    FIXTURE_VERSION ${opts.version ?? 'v1'}`,
    ...Object.entries(opts.env ?? {}).map(([k, v]) => `    ${k} ${v}`),
  ];
  return lines.join('\n') + '\n';
}

/**
 * A gate the test holds open: replicas started with `env` (FIXTURE_GATE_DIR) are not ready (their
 * /health answers 503) until the test lets them through, one ticket a replica. What a test must see
 * "while it runs" (a rollout in progress, an app waiting) stays so until it releases the gate, instead
 * of hoping to look within a start-up delay.
 */
export class Gate {
  readonly dir: string;
  private issued = 0;

  constructor(parent: string, name = 'gate') {
    this.dir = fs.mkdtempSync(path.join(parent, `${name}-`));
  }

  /** The fixture's environment entry for this gate. */
  get env(): Record<string, string> {
    return { FIXTURE_GATE_DIR: this.dir };
  }

  /** Lets `count` more replicas through (each takes one ticket). */
  release(count = 1): void {
    for (let i = 0; i < count; i++) fs.writeFileSync(path.join(this.dir, `ticket-${++this.issued}`), '');
  }

  /** Lets every replica through from now on (more tickets than any test starts). */
  open(): void {
    this.release(1000);
  }

  /** How many replicas went through so far. */
  passed(): number {
    return fs.readdirSync(this.dir).filter((n) => n.startsWith('claimed-')).length;
  }
}
