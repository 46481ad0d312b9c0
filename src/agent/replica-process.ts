// One replica's process, owned by the agent: started as argv (never through a shell) in its own
// process group; its output passed on line by line; stopped with SIGTERM to the group, the drain
// grace, then SIGKILL; restarted in place per its policy. Node's own child_process, not execa: an
// agent runs hundreds of these for hours, and execa's machinery cost ~100 KiB a process (its
// output is not kept here: the agent's log outbox and the Conductor keep it).
//
//   starting ──spawn──▶ running ──exit──▶ (restart policy) ──backoff──▶ starting
//                          │                   └──no restart──▶ exited
//                          └──stop──▶ stopping ──group gone or grace over (SIGKILL)──▶ exited
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { childEnv } from '../shared/daemon-runtime';
import { describeOwner, portOwner } from '../shared/platform/port-owner';
import type { LaunchSpec } from '../shared/protocol/agent';
import { childEnd, startFailure } from '../shared/platform/child-end';
import { groupAlive, processStartToken, signalGroup } from '../shared/platform/process';
import type { SpawnGate } from './spawn-gate';

export interface OutputLine {
  at: number;
  stream: 'out' | 'err';
  text: string;
}

export interface ReplicaEvents {
  launched(pid: number): void;
  launchFailed(reason: string): void;
  /** The process (and its group) ended; `restarting` when it will be started again in place. */
  exited(code: number | null, signal: string | null, restarting: boolean): void;
  restarted(pid: number): void;
  output(line: OutputLine): void;
}

export interface ReplicaRecord {
  id: string;
  app: string;
  generation: number;
  pid: number;
  startToken: string | null;
  port: number | null;
  startedAt: number;
  drainMs: number;
}

const MAX_LINE = 16 * 1024;
const RESTART_BACKOFF_MAX_MS = 10_000;
const RESTART_RESET_AFTER_MS = 10_000;
const GROUP_POLL_MS = 25;

export class ReplicaProcess {
  pid: number | null = null;
  startedAt = 0;
  state: 'starting' | 'running' | 'stopping' | 'restarting' | 'exited' = 'starting';
  exitCode: number | null = null;
  exitSignal: string | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private restarts = 0;
  /** Resolves when the replica has exited for good. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    readonly id: string,
    readonly spec: LaunchSpec,
    private readonly baseEnv: NodeJS.ProcessEnv,
    private readonly events: ReplicaEvents,
    private readonly save: (record: ReplicaRecord | null) => void,
    /** Spawns take turns (spawn-gate.ts), so the agent's timers run between them. */
    private readonly gate: SpawnGate,
    /** The script this agent runs from (dist/agent.js or dist/cli.js): it also serves static files. */
    private readonly entryScript: string = process.argv[1] ?? '',
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  async start(): Promise<void> {
    const problem = this.preflight() ?? (this.spec.port !== null && !(await portFree(this.spec.port)) ? await portInUse(this.spec.port) : null);
    if (problem) {
      this.finish();
      this.events.launchFailed(problem);
      return;
    }
    await this.spawnOnTurn(false);
  }

  /** Spawns when the agent's spawn gate gives this replica its turn (unless it was stopped meanwhile). */
  private async spawnOnTurn(isRestart: boolean): Promise<void> {
    await this.gate.turn();
    if (this.state === 'stopping' || this.state === 'exited') {
      // Stopped before it ever started (again).
      if (this.state === 'exited') return;
      this.finish();
      this.events.exited(isRestart ? this.exitCode : null, isRestart ? this.exitSignal : null, false);
      return;
    }
    this.spawn(isRestart);
  }

  /** What makes a launch impossible, checked before spawning. */
  private preflight(): string | null {
    const s = this.spec;
    if (s.type === 'vm' || s.type === 'wasm') return `this agent cannot run ${s.type} workloads`;
    if (s.exec === null && !s.serveStatic) return 'the app has no program to run';
    if (s.exec === null && s.port === null) return '`serve static` needs a port';
    try {
      if (!fs.statSync(s.cwd).isDirectory()) return `working directory ${s.cwd} is not a folder`;
    } catch {
      return `working directory ${s.cwd} does not exist`;
    }
    for (const v of s.volumes) {
      try {
        fs.mkdirSync(v, { recursive: true });
      } catch (err) {
        return `cannot create volume folder ${v}: ${(err as Error).message}`;
      }
    }
    return null;
  }

  /** The program and argv: the app's own, or the built-in static server for `serve static`. */
  private command(): [string, string[]] {
    const s = this.spec;
    if (s.exec !== null) return [s.exec, s.args];
    const args = [this.entryScript, 'serve-static', s.serveStatic!, '--port', String(s.port)];
    if (s.serveProxy) args.push('--proxy', s.serveProxy);
    return [process.execPath, args];
  }

  private spawn(isRestart: boolean): void {
    const s = this.spec;
    const env = childEnv(this.baseEnv);
    Object.assign(env, s.env);
    if (s.exec === null) env.ELECTRON_RUN_AS_NODE = '1';
    this.state = 'starting';
    const [program, argv] = this.command();
    let child;
    try {
      child = spawn(program, argv, { cwd: s.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (err) {
      // Arguments node refuses before trying (a NUL byte in an argument, say).
      void this.onExit(null, null, (err as Error).message);
      return;
    }
    this.pipeLines(child.stdout, 'out');
    this.pipeLines(child.stderr, 'err');
    child.once('spawn', () => {
      this.pid = child.pid ?? null;
      this.startedAt = Date.now();
      if (this.state === 'starting') this.state = 'running';
      this.save(this.record());
      if (isRestart) this.events.restarted(this.pid!);
      else this.events.launched(this.pid!);
      if (this.state === 'stopping') this.signal('SIGTERM');
    });
    void childEnd(child).then((end) => (end.started ? this.onExit(end.code, end.signal, null) : this.onExit(null, null, startFailure(end.error, program))));
  }

  private pipeLines(stream: NodeJS.ReadableStream | null, which: 'out' | 'err'): void {
    if (!stream) return;
    let partial = '';
    stream.setEncoding?.('utf8');
    stream.on('data', (chunk: string) => {
      partial += chunk;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        this.line(which, partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
      while (partial.length > MAX_LINE) {
        this.line(which, partial.slice(0, MAX_LINE));
        partial = partial.slice(MAX_LINE);
      }
    });
    stream.on('end', () => {
      if (partial) this.line(which, partial);
      partial = '';
    });
    stream.on('error', () => {});
  }

  private line(stream: 'out' | 'err', text: string): void {
    const line = { at: Date.now(), stream, text: text.endsWith('\r') ? text.slice(0, -1) : text };
    this.events.output(line);
  }

  /** `notStarted`: why the process never started (then `code` and `signal` are null). */
  private async onExit(code: number | null, signal: string | null, notStarted: string | null): Promise<void> {
    const pgid = this.pid;
    if (notStarted !== null) {
      this.finish();
      this.events.launchFailed(notStarted);
      return;
    }
    // The leader is gone; whatever it forked must go too, within the grace when we are stopping.
    if (pgid !== null) await this.reapGroup(pgid, this.state === 'stopping' ? this.spec.drainMs : 0);
    this.exitCode = code;
    this.exitSignal = signal;
    if (this.state !== 'stopping' && this.shouldRestart(code, signal)) {
      const uptime = Date.now() - this.startedAt;
      if (uptime >= RESTART_RESET_AFTER_MS) this.restarts = 0;
      const delay = Math.min(RESTART_BACKOFF_MAX_MS, 100 * 2 ** this.restarts);
      this.restarts++;
      this.state = 'restarting';
      this.events.exited(code, signal, true);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this.state === 'restarting') void this.spawnOnTurn(true);
      }, delay);
      return;
    }
    this.finish();
    this.events.exited(code, signal, false);
  }

  private shouldRestart(code: number | null, signal: string | null): boolean {
    if (this.spec.restart === 'always') return true;
    if (this.spec.restart === 'on-failure') return code !== 0 || signal !== null;
    return false;
  }

  /** Waits for the group to empty, up to `graceMs`, then kills what is left. */
  private async reapGroup(pgid: number, graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(GROUP_POLL_MS);
    if (groupAlive(pgid)) {
      signalGroup(pgid, 'SIGKILL');
      const hard = Date.now() + 2_000;
      while (groupAlive(pgid) && Date.now() < hard) await sleep(GROUP_POLL_MS);
    }
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`. Resolves when it has exited. */
  stop(graceMs: number): Promise<void> {
    if (this.state === 'exited') return this.done;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    if (this.state === 'restarting') {
      // Between two runs (waiting out its backoff, or for its turn to spawn): nothing to signal.
      this.finish();
      this.events.exited(this.exitCode, this.exitSignal, false);
      return this.done;
    }
    if (this.state === 'stopping') return this.done;
    this.state = 'stopping';
    if (this.pid !== null) this.signal('SIGTERM');
    this.killTimer = setTimeout(() => {
      if (this.pid !== null) signalGroup(this.pid, 'SIGKILL');
    }, graceMs);
    return this.done;
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.pid !== null) signalGroup(this.pid, sig);
  }

  private finish(): void {
    this.state = 'exited';
    if (this.killTimer) clearTimeout(this.killTimer);
    this.save(null);
    this.resolveDone();
  }

  record(): ReplicaRecord {
    return {
      id: this.id,
      app: this.spec.app,
      generation: this.spec.generation,
      pid: this.pid!,
      startToken: this.pid !== null ? processStartToken(this.pid) : null,
      port: this.spec.port,
      startedAt: this.startedAt,
      drainMs: this.spec.drainMs,
    };
  }
}

/** Whether nothing listens on `port` on any address of this host. */
/** "port 8080 is in use on this host by pid 4242 (python3 -m http.server)" */
async function portInUse(port: number): Promise<string> {
  const owner = await portOwner(port).catch(() => null);
  return `port ${port} is in use on this host${owner ? ` by ${describeOwner(owner)}` : ''}`;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
