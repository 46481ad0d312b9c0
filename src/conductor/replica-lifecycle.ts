// A replica's life as the Conductor drives it, after it was placed: probed from launch until ready
// (joining the ingress), taken out of service politely (out of the ingress, its requests finished,
// then the stop signal), failed (with crash-loop backoff for its generation). Owns the probers and
// the backoff; the replica records themselves belong to the state.
//
//   pending ──launched──▶ starting ──probe ok──▶ ready ──stop──▶ draining ──exited──▶ stopped
//      │                     │                     │
//      └──launch failed──────┴─exited / deadline───┴─exited / liveness──▶ failed
import { formatMs } from '../shared/format';
import type { Logger } from '../shared/logger';
import type { AppSpec } from '../shared/manifest/model';
import { crashPoint } from './crash-points';
import { generationOf, type Replica } from './model';
import { backoffMs } from './planner';
import { ReplicaProber } from './probes';
import type { ConductorState } from './state';

/** How the Conductor reaches agents. */
export interface AgentLink {
  /** Sends a launch; returns null when sent, or why it could not be. */
  launch(node: string, id: string, spec: import('../shared/protocol/agent').LaunchSpec): string | null;
  stop(node: string, id: string, graceMs: number): boolean;
}

/** The ingress: ready replicas join it; a replica leaves it (and its requests finish) before it is stopped. */
export interface Traffic {
  /** Opens (or moves) the app's listener as its spec says, or closes it when the spec has none. */
  ensure(app: string, spec: AppSpec): void;
  /** The app is gone: close its listener. */
  release(app: string): void;
  /** Adds a ready replica to the app's ingress; false when the app has none. */
  join(r: Replica): boolean;
  /** Resolves once the replica gets no new requests and its in-flight ones are done. */
  leave(r: Replica, capMs: number): Promise<void>;
}

export interface LifecycleDeps {
  state: ConductorState;
  agents: AgentLink;
  traffic: Traffic;
  log: Logger;
  now: () => number;
  /** Asks for a reconcile pass of the app. */
  kick: (app: string) => void;
  /** A run of a `type job` failed (it exited non-zero, could not start, or missed its deadline); true when that was its last attempt. */
  jobRunFailed: (r: Replica, reason: string) => boolean;
}

export const LIVE: ReadonlySet<string> = new Set(['pending', 'starting', 'ready']);
/** A replica that stayed ready this long before failing starts a fresh backoff sequence. */
const BACKOFF_RESET_MS = 30_000;

export class ReplicaLifecycle {
  private readonly probers = new Map<string, ReplicaProber>();
  private readonly backoff = new Map<string, { failures: number; until: number }>();

  constructor(private readonly d: LifecycleDeps) {}

  /** No launches of this generation before this time (crash-loop backoff). */
  launchNotBefore(app: string, generation: number): number {
    return this.backoff.get(`${app}@${generation}`)?.until ?? 0;
  }

  /** What the replica's prober last saw, for the reason of a replica that missed its deadline. */
  probeDetail(r: Replica): string {
    const p = this.probers.get(r.id);
    if (p) return `${p.describe}: ${p.last ?? 'no answer yet'}`;
    return r.state === 'pending' ? 'the agent never reported it launched' : 'no answer yet';
  }

  /** Takes a replica out of service: out of the ingress, its requests finished, then the stop signal. */
  stop(r: Replica, why: string): void {
    if (!LIVE.has(r.state)) return;
    this.closeProber(r.id);
    const inIngress = r.inIngress;
    // Out of the ingress first (no new request reaches it), then draining.
    const left = inIngress ? this.d.traffic.leave(r, r.drainMs) : null;
    this.d.state.updateReplica(r, { state: 'draining', reason: why, inIngress: false });
    this.d.state.say(r.app, `draining ${r.id} (${why})${inIngress ? ': out of the ingress, waiting for its requests to finish' : ''}`);
    const grace = r.drainMs;
    const send = () => {
      if (r.state !== 'draining') return;
      if (!r.node || !this.d.agents.stop(r.node, r.id, grace)) {
        // Its node is gone; node expiry settles it.
        this.d.log.debug(`${r.id}: its node is not connected; it is stopped when the node returns or expires`);
      }
      crashPoint('after-stop');
    };
    if (left) left.then(send, send);
    else send();
  }

  /** A replica that never ran and will not: stopped, not failed (not the app's fault). */
  retire(r: Replica, reason: string): void {
    this.closeProber(r.id);
    this.d.state.updateReplica(r, { state: 'stopped', endedAt: this.d.now(), reason });
    this.d.state.say(r.app, `${r.id}: ${reason}`, 'warn');
  }

  /** `jobCounted`: a job's run whose failure was already counted as an attempt. */
  fail(r: Replica, reason: string, jobCounted = false): void {
    if (r.state === 'stopped' || r.state === 'failed') return;
    this.closeProber(r.id);
    const wasLive = r.state !== 'draining';
    if (r.inIngress) void this.d.traffic.leave(r, 0);
    this.d.state.updateReplica(r, { state: 'failed', reason, endedAt: this.d.now(), inIngress: false });
    this.d.state.say(r.app, `${r.id} failed: ${reason}`, 'error');
    if (r.node) this.d.agents.stop(r.node, r.id, 0);
    if (wasLive && !jobCounted && this.isJob(r)) this.d.jobRunFailed(r, reason);
    if (wasLive) this.recordFailure(r);
  }

  private isJob(r: Replica): boolean {
    const w = this.d.state.workloads.get(r.app);
    return (w ? generationOf(w, r.generation)?.spec.type : undefined) === 'job';
  }

  /** A replica lost with its node: not the app's failure (no backoff, no rollback). */
  lost(r: Replica, reason: string | null): void {
    this.closeProber(r.id);
    if (r.inIngress) void this.d.traffic.leave(r, 0);
    this.d.state.updateReplica(r, { state: 'stopped', endedAt: this.d.now(), inIngress: false, reason });
  }

  /** The agent started it (again): probe it from now on until it is ready. */
  started(r: Replica): void {
    this.closeProber(r.id);
    const w = this.d.state.workloads.get(r.app);
    const spec = w ? generationOf(w, r.generation)?.spec : undefined;
    if (!spec) return;
    if (spec.type === 'job') {
      this.ready(r);
      return;
    }
    // An HTTP or TCP check needs the replica's port; a program (`check exec`) may check what has none.
    const probed = spec.health !== null && r.address !== null && (r.port !== null || spec.health.kind === 'exec');
    const target = probed ? { address: r.address!, port: r.port, health: spec.health!, cwd: spec.cwd } : null;
    const prober = new ReplicaProber(target, spec.settleMs, {
      ready: () => this.ready(r),
      unhealthy: (detail) => {
        if (r.state === 'ready') this.fail(r, `unhealthy: ${detail}`);
      },
    });
    this.probers.set(r.id, prober);
  }

  /** It exited and its agent restarts it in place: out of the ingress until it is ready again. A job's run that failed counts as an attempt: after its last, it is not restarted. */
  restarting(r: Replica, how: string): void {
    if (this.isJob(r) && this.d.jobRunFailed(r, how)) {
      this.fail(r, how, true);
      return;
    }
    this.closeProber(r.id);
    if (r.inIngress) void this.d.traffic.leave(r, 0);
    this.d.state.updateReplica(r, { state: 'starting', readyAt: null, inIngress: false, restarts: r.restarts + 1, reason: `${how}; restarting in place` });
    this.d.state.say(r.app, `${r.id} ${how}; the agent restarts it`, 'warn');
  }

  /** It ended on purpose (drained, or a job that completed). */
  ended(r: Replica, change: Partial<Replica>): void {
    this.closeProber(r.id);
    this.d.state.updateReplica(r, { state: 'stopped', endedAt: this.d.now(), ...change });
  }

  private ready(r: Replica): void {
    if (r.state !== 'starting') return;
    const now = this.d.now();
    // An adopted replica's time to ready is unknown: it may have been ready long before this Conductor saw it.
    const after = r.launchedAt !== null && !r.adopted ? now - r.launchedAt : null;
    const joined = this.d.traffic.join(r);
    this.d.state.updateReplica(r, { state: 'ready', readyAt: now, reason: null, inIngress: joined });
    this.d.state.setProblem(r.app, 'crash-loop', null);
    this.d.state.say(r.app, `${r.id} ready${after !== null ? ` after ${formatMs(after)}` : ''}${joined ? '; joined the ingress' : ''}`);
    crashPoint('after-ready');
    this.d.kick(r.app);
  }

  private recordFailure(r: Replica): void {
    const key = `${r.app}@${r.generation}`;
    const now = this.d.now();
    const prior = this.backoff.get(key);
    const wasLongReady = r.readyAt !== null && now - r.readyAt >= BACKOFF_RESET_MS;
    const failures = wasLongReady || !prior ? 1 : prior.failures + 1;
    this.backoff.set(key, { failures, until: now + backoffMs(failures) });
    if (failures >= 3) {
      const w = this.d.state.workloads.get(r.app);
      if (w && w.generation === r.generation) {
        this.d.state.setProblem(r.app, 'crash-loop', `crash loop: ${failures} failures in a row, next try in ${formatMs(backoffMs(failures))} (last: ${r.reason})`);
      }
    }
    this.d.kick(r.app);
  }

  closeProber(id: string): void {
    this.probers.get(id)?.close();
    this.probers.delete(id);
  }

  close(): void {
    for (const p of this.probers.values()) p.close();
    this.probers.clear();
  }
}
