// One replica's process, owned by the agent: started as argv (never through a shell) in its own
// process group, its output read line by line from named pipes that outlive the agent
// (replica-output.ts); stopped with SIGTERM to the group, the drain grace, then SIGKILL; restarted in
// place per its policy. Node's own child_process, not execa: an agent runs hundreds of these for
// hours, and execa's machinery cost ~100 KiB a process.
//
// A replica can also be adopted: an earlier run of the agent started it and wrote its adoption record
// (adoption-record.ts). It is not this agent's child, so its end is watched by its pid and the kernel's
// start time for it, its exit status is unknown, and it is not restarted in place (the Conductor
// replaces it); everything else (its output, its stop) is the same.
//
//   starting ──spawn──▶ running ──exit──▶ (restart policy) ──backoff──▶ starting
//       ▲                  │                   └──no restart──▶ exited
//   (adopted) ─────────────┤
//                          └──stop──▶ stopping ──group gone or grace over (SIGKILL)──▶ exited
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { childEnv } from '../shared/daemon-runtime';
import type { LaunchSpec } from '../shared/protocol/agent';
import { childEnd, startFailure } from '../shared/platform/child-end';
import { groupAlive, isAlive, processStartToken, signalGroup } from '../shared/platform/process';
import type { ProcessAdoption } from './adoption-record';
import type { FifoPool } from './fifo-pool';
import type { SplitLine } from './line-splitter';
import { commandOf, portProblem, preflight } from './process-launch';
import { OutputReader, childEnds, removeOutput, type OutputPaths, type OutputStream } from './replica-output';
import type { SpawnGate } from './spawn-gate';

export interface OutputLine {
  at: number;
  stream: OutputStream;
  text: string;
}

export interface ReplicaEvents {
  launched(pid: number): void;
  launchFailed(reason: string): void;
  /** The process (and its group) ended; `restarting` when it will be started again in place. */
  exited(code: number | null, signal: string | null, restarting: boolean): void;
  restarted(pid: number): void;
  /** A line of its output; `pieces`: it ends a line that was split into that many. */
  output(line: OutputLine, pieces: number): void;
}

/** What every replica has, launched here or adopted. */
export interface ReplicaInfo {
  app: string;
  generation: number;
  port: number | null;
  drainMs: number;
}

/** Its adoption record, but for the line numbering (the agent adds that). */
export type ReplicaRecord = Omit<ProcessAdoption, 'seqFloor'>;

export interface ReplicaDeps {
  baseEnv: NodeJS.ProcessEnv;
  events: ReplicaEvents;
  save: (record: ReplicaRecord | null) => void;
  /** Spawns take turns (spawn-gate.ts), so the agent's timers run between them. */
  gate: SpawnGate;
  /** Named pipes for the output; null: the child's own pipes (then it cannot be adopted). */
  fifos: FifoPool | null;
  /** The script this agent runs from (dist/agent.js or dist/cli.js): it also serves static files. */
  entryScript?: string;
}

const RESTART_BACKOFF_MAX_MS = 10_000;
const RESTART_RESET_AFTER_MS = 10_000;
const GROUP_POLL_MS = 25;
/** How often an adopted replica's pid is looked at (it is not our child: no exit event comes). */
const ADOPTED_POLL_MS = 500;
/** After the group is gone, how long its last lines may take (something outside the group may hold the pipe). */
const OUTPUT_END_MS = 1_000;

export class ReplicaProcess {
  pid: number | null = null;
  startedAt = 0;
  state: 'starting' | 'running' | 'stopping' | 'restarting' | 'exited' = 'starting';
  exitCode: number | null = null;
  exitSignal: string | null = null;
  /** Started by an earlier run of the agent. */
  adopted = false;
  private output: OutputPaths | null = null;
  private reader: OutputReader | null = null;
  private startToken: string | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private restarts = 0;
  /** Resolves when the replica has exited for good. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  private constructor(
    readonly id: string,
    readonly info: ReplicaInfo,
    /** What to run (null: adopted, not launched here). */
    private readonly spec: LaunchSpec | null,
    private readonly d: ReplicaDeps,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** A replica to launch; `start()` launches it. */
  static launch(id: string, spec: LaunchSpec, d: ReplicaDeps): ReplicaProcess {
    return new ReplicaProcess(id, { app: spec.app, generation: spec.generation, port: spec.port, drainMs: spec.drainMs }, spec, d);
  }

  /** A replica an earlier run of the agent left running (or that ended meanwhile: its end is told at once). */
  static adopt(record: ProcessAdoption, d: ReplicaDeps): ReplicaProcess {
    const p = new ReplicaProcess(record.id, { app: record.app, generation: record.generation, port: record.port, drainMs: record.drainMs }, null, d);
    p.adopted = true;
    p.pid = record.pid;
    p.startedAt = record.startedAt;
    p.startToken = record.startToken;
    p.output = record.output;
    p.state = 'running';
    try {
      if (p.output) p.reader = OutputReader.ofPipes(p.output, (s, l) => p.line(s, l));
    } catch {
      // Its pipes are gone: its output is lost, not the replica.
    }
    p.watchTimer = setInterval(() => p.checkAdopted(), ADOPTED_POLL_MS);
    void p.reader?.ended.then(() => p.checkAdopted());
    p.checkAdopted();
    return p;
  }

  async start(): Promise<void> {
    const spec = this.spec!;
    const problem = preflight(spec) ?? (await portProblem(spec));
    if (problem) {
      this.finish();
      this.d.events.launchFailed(problem);
      return;
    }
    const name = encodeURIComponent(this.id);
    const fifos = await this.d.fifos?.take([`${name}.out`, `${name}.err`]).catch(() => null);
    if (fifos) this.output = { out: fifos[0]!, err: fifos[1]! };
    await this.spawnOnTurn(false);
  }

  /** Spawns when the agent's spawn gate gives this replica its turn (unless it was stopped meanwhile). */
  private async spawnOnTurn(isRestart: boolean): Promise<void> {
    await this.d.gate.turn();
    if (this.state === 'exited') return;
    if (this.state === 'stopping') {
      // Stopped before it ever started.
      this.finish();
      this.d.events.exited(null, null, false);
      return;
    }
    this.spawn(isRestart);
  }

  private spawn(isRestart: boolean): void {
    const s = this.spec!;
    const env = childEnv(this.d.baseEnv);
    Object.assign(env, s.env);
    if (s.exec === null) env.ELECTRON_RUN_AS_NODE = '1';
    this.state = 'starting';
    const [program, argv] = commandOf(s, this.d.entryScript ?? process.argv[1] ?? '');
    // The reader opens before the child's ends close: a FIFO nobody holds open loses what it buffered.
    let ends: [number, number] | null = null;
    if (this.output) {
      try {
        ends = childEnds(this.output);
        this.reader = OutputReader.ofPipes(this.output, (st, l) => this.line(st, l));
      } catch {
        for (const fd of ends ?? []) fs.closeSync(fd);
        ends = null;
        removeOutput(this.output);
        this.output = null;
      }
    }
    let child;
    try {
      child = spawn(program, argv, { cwd: s.cwd, env, detached: true, stdio: ['ignore', ends?.[0] ?? 'pipe', ends?.[1] ?? 'pipe'], windowsHide: true });
    } catch (err) {
      // Arguments node refuses before trying (a NUL byte in an argument, say).
      void this.onExit(null, null, (err as Error).message);
      return;
    } finally {
      for (const fd of ends ?? []) fs.closeSync(fd);
    }
    if (!ends) this.reader = OutputReader.ofStreams(child.stdout, child.stderr, (st, l) => this.line(st, l));
    child.once('spawn', () => {
      this.pid = child.pid ?? null;
      this.startedAt = Date.now();
      this.startToken = this.pid !== null ? processStartToken(this.pid) : null;
      if (this.state === 'starting') this.state = 'running';
      this.d.save(this.record());
      if (isRestart) this.d.events.restarted(this.pid!);
      else this.d.events.launched(this.pid!);
      if (this.state === 'stopping') this.signal('SIGTERM');
    });
    void childEnd(child).then((end) => (end.started ? this.onExit(end.code, end.signal, null) : this.onExit(null, null, startFailure(end.error, program))));
  }

  private line(stream: OutputStream, l: SplitLine): void {
    this.d.events.output({ at: Date.now(), stream, text: l.text }, l.pieces);
  }

  /** An adopted replica: ended once its pid no longer names the process it was. */
  private checkAdopted(): void {
    if (this.watchTimer === null || this.pid === null) return;
    if (this.startToken !== null ? processStartToken(this.pid) === this.startToken : isAlive(this.pid)) return;
    clearInterval(this.watchTimer);
    this.watchTimer = null;
    void this.onExit(null, null, null);
  }

  /** `notStarted`: why the process never started (then `code` and `signal` are null). */
  private async onExit(code: number | null, signal: string | null, notStarted: string | null): Promise<void> {
    const pgid = this.pid;
    if (notStarted !== null) {
      this.finish();
      this.d.events.launchFailed(notStarted);
      return;
    }
    // The leader is gone; whatever it forked must go too, within the grace when we are stopping.
    if (pgid !== null) await this.reapGroup(pgid, this.state === 'stopping' ? this.info.drainMs : 0);
    // Every line it wrote is told before its end.
    const reader = this.reader;
    if (reader) await Promise.race([reader.ended, sleep(OUTPUT_END_MS)]);
    reader?.close();
    if (this.reader === reader) this.reader = null;
    this.exitCode = code;
    this.exitSignal = signal;
    if (this.state !== 'stopping' && this.shouldRestart(code, signal)) {
      const uptime = Date.now() - this.startedAt;
      if (uptime >= RESTART_RESET_AFTER_MS) this.restarts = 0;
      const delay = Math.min(RESTART_BACKOFF_MAX_MS, 100 * 2 ** this.restarts);
      this.restarts++;
      this.state = 'restarting';
      this.d.events.exited(code, signal, true);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this.state === 'restarting') void this.spawnOnTurn(true);
      }, delay);
      return;
    }
    this.finish();
    this.d.events.exited(code, signal, false);
  }

  private shouldRestart(code: number | null, signal: string | null): boolean {
    const policy = this.spec?.restart ?? 'never';
    if (policy === 'always') return true;
    if (policy === 'on-failure') return code !== 0 || signal !== null;
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
      this.d.events.exited(this.exitCode, this.exitSignal, false);
      return this.done;
    }
    if (this.state === 'stopping') return this.done;
    this.state = 'stopping';
    if (this.pid !== null) this.signal('SIGTERM');
    if (this.watchTimer) {
      // Adopted: no exit event comes, so look more often while it stops.
      clearInterval(this.watchTimer);
      this.watchTimer = setInterval(() => this.checkAdopted(), GROUP_POLL_MS * 2);
    }
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
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
    this.reader?.close();
    this.reader = null;
    removeOutput(this.output);
    this.output = null;
    this.d.save(null);
    this.resolveDone();
  }

  record(): ReplicaRecord {
    return {
      runtime: 'process',
      id: this.id,
      app: this.info.app,
      generation: this.info.generation,
      pid: this.pid!,
      startToken: this.startToken,
      port: this.info.port,
      startedAt: this.startedAt,
      drainMs: this.info.drainMs,
      output: this.output,
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
