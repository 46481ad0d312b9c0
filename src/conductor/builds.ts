// `build` steps: the commands a manifest asks to run in its folder before a new generation starts.
// Each `run` is split like a shell does and run as argv (never through a shell), one after the
// other; their output becomes the rollout's steps. Then `out` is captured for the generation
// (snapshots.ts). A generation launches no replica until its build succeeded (journaled, so a
// restart does not build it again); a failed build fails the rollout.
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { childEnv } from '../shared/daemon-runtime';
import type { Logger } from '../shared/logger';
import { childEnd, startFailure, type ChildEnd } from '../shared/platform/child-end';
import { splitWords } from '../shared/manifest/tokenize';
import type { GenerationRecord, WorkloadRecord } from './model';
import type { Snapshots } from './snapshots';

const OUTPUT_LINES_SHOWN = 100;
const COMMAND_TIMEOUT_MS = 30 * 60_000;
/** A step still running this long after its timeout's SIGTERM is killed. */
const KILL_AFTER_MS = 5_000;

/** What a build reports, by app name and generation (the workload record may have changed since it started). */
export interface BuildEvents {
  step(app: string, message: string, level: 'info' | 'warn' | 'error'): void;
  /** `capture`: where `out` was captured, or null when the build names no `out`. */
  succeeded(app: string, generation: number, capture: string | null): void;
  failed(app: string, generation: number, reason: string): void;
}

type BuildState = 'running' | 'succeeded' | 'failed';

export class Builds {
  private readonly states = new Map<string, BuildState>();
  private readonly running = new Set<ChildProcess>();
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly events: BuildEvents,
    private readonly snapshots: Snapshots,
  ) {}

  /** Whether `gen` may launch replicas; starts its build when it has one that has not run. */
  ready(w: WorkloadRecord, gen: GenerationRecord): boolean {
    if (!gen.spec.build || gen.builtAt) return true;
    const key = `${w.name}@${gen.generation}`;
    const state = this.states.get(key);
    if (state === 'succeeded') return true;
    if (state === undefined && !this.closed) {
      this.states.set(key, 'running');
      void this.run(w, gen, key);
    }
    return false;
  }

  private async run(w: WorkloadRecord, gen: GenerationRecord, key: string): Promise<void> {
    const cwd = path.dirname(gen.manifestPath);
    const started = this.now();
    for (const command of gen.spec.build!.run) {
      const [program, ...args] = splitWords(command);
      this.events.step(w.name, `build: ${command}`, 'info');
      const env = childEnv(process.env);
      let shown = 0;
      let hidden = 0;
      let child: ChildProcess;
      try {
        child = spawn(program!, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        this.fail(w.name, gen.generation, key, `build step \`${command}\` could not start: ${(err as Error).message}`);
        return;
      }
      this.track(child);
      let timedOut = false;
      let killTimer: NodeJS.Timeout | undefined;
      const timeout = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      }, COMMAND_TIMEOUT_MS);
      let partial = '';
      // stdout and stderr as one stream, in the order the chunks arrive.
      const onData = (chunk: string) => {
        partial += chunk;
        let nl: number;
        while ((nl = partial.indexOf('\n')) >= 0) {
          const line = partial.slice(0, nl).replace(/\r$/, '');
          partial = partial.slice(nl + 1);
          if (shown < OUTPUT_LINES_SHOWN) {
            shown++;
            this.events.step(w.name, `  | ${line}`, 'info');
          } else hidden++;
        }
      };
      for (const stream of [child.stdout, child.stderr]) {
        stream?.setEncoding('utf8');
        stream?.on('data', onData);
      }
      const end = await childEnd(child);
      clearTimeout(timeout);
      clearTimeout(killTimer);
      this.untrack(child);
      if (partial && shown < OUTPUT_LINES_SHOWN) this.events.step(w.name, `  | ${partial}`, 'info');
      if (hidden > 0) this.events.step(w.name, `  | … ${hidden} more line${hidden === 1 ? '' : 's'}`, 'info');
      if (this.closed) return;
      const how = stepFailure(end, timedOut, program!);
      if (how) {
        this.fail(w.name, gen.generation, key, `build step \`${command}\` ${how}`);
        return;
      }
    }
    let capture: string | null = null;
    const out = gen.spec.build!.out;
    if (out) {
      const capturing = this.now();
      try {
        capture = await this.snapshots.capture(w.name, gen.generation, out);
      } catch (err) {
        if (!this.closed) this.fail(w.name, gen.generation, key, `the build succeeded, but ${(err as Error).message}`);
        return;
      }
      if (this.closed) return;
      this.events.step(w.name, `captured ${out} for generation ${gen.generation} in ${this.now() - capturing} ms`, 'info');
    }
    this.states.set(key, 'succeeded');
    this.events.step(w.name, `built generation ${gen.generation} in ${this.now() - started} ms`, 'info');
    this.events.succeeded(w.name, gen.generation, capture);
  }

  /** Steps that run are killed if the Conductor exits while they do (a crash, say). */
  private readonly killRunning = () => {
    for (const c of this.running) c.kill();
  };

  private track(child: ChildProcess): void {
    if (this.running.size === 0) process.on('exit', this.killRunning);
    this.running.add(child);
  }

  private untrack(child: ChildProcess): void {
    this.running.delete(child);
    if (this.running.size === 0) process.removeListener('exit', this.killRunning);
  }

  private fail(app: string, generation: number, key: string, reason: string): void {
    this.states.set(key, 'failed');
    this.log.warn(`${app} generation ${generation}: ${reason}`);
    this.events.failed(app, generation, reason);
  }

  close(): void {
    this.closed = true;
    for (const c of this.running) c.kill();
  }
}

/** Why a build step failed, or null when it succeeded. */
function stepFailure(end: ChildEnd, timedOut: boolean, program: string): string | null {
  if (!end.started) return `could not start: ${startFailure(end.error, program)}`;
  if (timedOut) return `took longer than ${COMMAND_TIMEOUT_MS / 60_000} min`;
  if (end.signal) return `was killed by ${end.signal}`;
  return end.code === 0 ? null : `exited with code ${end.code}`;
}
