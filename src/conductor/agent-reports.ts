// What agents report, turned into replica state: launched, launch failed, exited, restarted, and a
// node's hello (adopt what it runs, stop what it should not, fail what it lost) or its loss. The
// agent listener (agent-server.ts) validates frames and hands them here; decisions that follow
// (replace, roll back) are the planner's, on the next pass.
import type { Logger } from '../shared/logger';
import type { ReplicaReport } from '../shared/protocol/agent';
import { startFailureHint, stderrTail, type OutputLine } from './failure-hints';
import { generationOf, type Replica } from './model';
import type { Placement } from './placement';
import { LIVE, type AgentLink, type ReplicaLifecycle } from './replica-lifecycle';
import type { ConductorState } from './state';

/** The reports an agent session delivers. */
export interface AgentReportSink {
  onHello(nodeId: string, address: string, reports: readonly ReplicaReport[]): void;
  onLaunched(id: string, pid: number): void;
  onLaunchFailed(id: string, reason: string): void;
  onExited(id: string, code: number | null, signal: string | null, restarting: boolean): void;
  onRestarted(id: string, pid: number): void;
  onNodeLost(nodeId: string, why: string): void;
}

export interface ReportDeps {
  state: ConductorState;
  agents: AgentLink;
  lifecycle: ReplicaLifecycle;
  placement: Placement;
  log: Logger;
  now: () => number;
  kick: (app: string) => void;
  kickAll: () => void;
  /** A replica's last lines of output (secrets masked), quoted by the reason of a replica that failed while starting. */
  recentOutput: (replicaId: string, lines: number) => OutputLine[];
  /** Resolves once the lines an agent sent for the replica so far are in memory (its exit follows them). */
  outputSettled: (replicaId: string) => Promise<void>;
}

export class AgentReports implements AgentReportSink {
  constructor(private readonly d: ReportDeps) {}

  onLaunched(id: string, pid: number): void {
    const r = this.d.state.replicas.get(id);
    if (!r || r.state !== 'pending') return;
    this.d.state.updateReplica(r, { state: 'starting', pid, launchedAt: this.d.now() });
    this.d.lifecycle.started(r);
    this.d.kick(r.app);
  }

  onLaunchFailed(id: string, reason: string): void {
    const r = this.d.state.replicas.get(id);
    if (!r) return;
    const m = /^port (\d+) is in use/.exec(reason);
    const spec = this.specOf(r);
    if (m && r.address && r.state === 'pending' && !(spec && !spec.ingress && spec.port === Number(m[1]))) {
      // A backend port something else took: not the app's failure. The planner replaces it.
      this.d.placement.refusePort(r.address, Number(m[1]));
      this.d.state.updateReplica(r, { portTaken: true, reason });
      this.d.kick(r.app);
      return;
    }
    this.d.lifecycle.fail(r, `could not start: ${reason}`);
  }

  onExited(id: string, code: number | null, signal: string | null, restarting: boolean): void {
    const r = this.d.state.replicas.get(id);
    if (!r) return;
    const how = signal ? `killed by ${signal}` : code !== null ? `exited with code ${code}` : 'exited (exit status unknown)';
    switch (r.state) {
      case 'draining':
        this.d.lifecycle.ended(r, { reason: r.reason, pid: r.pid });
        this.d.state.say(r.app, `stopped ${r.id} (${how})`);
        break;
      case 'pending':
      case 'starting':
        // Its last lines come just before its exit and may still be on their way into memory: the reason quotes them.
        void this.d.outputSettled(r.id).then(() => {
          if (r.state !== 'pending' && r.state !== 'starting') return;
          this.d.lifecycle.fail(r, this.startFailure(r, how));
          this.d.kick(r.app);
        });
        return;
      case 'ready':
        if (this.specOf(r)?.type === 'job' && code === 0) {
          this.d.lifecycle.ended(r, { completed: true, reason: 'completed' });
          this.d.state.say(r.app, `${r.id} completed`);
        } else if (restarting) {
          this.d.lifecycle.restarting(r, how);
        } else {
          this.d.lifecycle.fail(r, how);
        }
        break;
      default:
        break;
    }
    this.d.kick(r.app);
  }

  onRestarted(id: string, pid: number): void {
    const r = this.d.state.replicas.get(id);
    if (!r || r.state !== 'starting') return;
    this.d.state.updateReplica(r, { pid, launchedAt: this.d.now() });
    this.d.lifecycle.started(r);
  }

  /** A node said hello: adopt what it runs, stop what it should not run, fail what it lost. */
  onHello(nodeId: string, address: string, reports: readonly ReplicaReport[]): void {
    const reported = new Set(reports.map((x) => x.id));
    for (const rep of reports) {
      const r = this.d.state.replicas.get(rep.id);
      const w = this.d.state.workloads.get(rep.app);
      if (rep.state === 'exited') {
        if (r) this.onExited(r.id, rep.exitCode, rep.signal, false);
        continue;
      }
      if (r && LIVE.has(r.state) && r.node === nodeId) {
        if (r.state === 'pending' && rep.pid !== null) this.onLaunched(r.id, rep.pid);
        continue;
      }
      if (r && r.state === 'draining') {
        this.d.agents.stop(nodeId, r.id, r.drainMs);
        continue;
      }
      const spec = w ? generationOf(w, rep.generation)?.spec : undefined;
      if (r || !spec) {
        // Replaced while its node was away, or its workload is gone: a duplicate, stopped.
        this.d.log.info(`${rep.id} on ${nodeId} is no longer wanted; stopping it`);
        this.d.agents.stop(nodeId, rep.id, spec?.drainMs ?? 5000);
        continue;
      }
      const adopted: Replica = {
        id: rep.id,
        app: rep.app,
        generation: rep.generation,
        node: nodeId,
        address,
        pid: rep.pid,
        port: rep.port,
        state: 'starting',
        createdAt: this.d.now(),
        launchedAt: rep.startedAt,
        readyAt: null,
        endedAt: null,
        reason: 'adopted',
        adopted: true,
        restarts: 0,
        completed: false,
        inIngress: false,
        drainMs: spec.drainMs,
        portTaken: false,
      };
      this.d.state.addReplica(adopted);
      this.d.log.info(`adopted ${rep.id} (pid ${rep.pid}) on ${nodeId}`);
      this.d.lifecycle.started(adopted);
    }
    for (const r of this.d.state.replicasOn(nodeId)) {
      if (reported.has(r.id)) continue;
      if (r.state === 'draining') this.d.lifecycle.ended(r, {});
      else if (LIVE.has(r.state)) this.d.lifecycle.fail(r, `gone from node ${nodeId}`);
    }
    this.d.kickAll();
  }

  /** A node went silent for too long: its replicas are lost and get replaced elsewhere. */
  onNodeLost(nodeId: string, why: string): void {
    for (const r of this.d.state.replicasOn(nodeId)) {
      if (r.state !== 'draining' && !LIVE.has(r.state)) continue;
      // Not the app's failure: no backoff, and no rollback of a rollout it was part of.
      const wasDraining = r.state === 'draining';
      const reason = wasDraining ? r.reason : `node ${nodeId} lost (${why})`;
      this.d.lifecycle.lost(r, reason);
      if (!wasDraining) this.d.state.say(r.app, `${r.id}: ${reason}`, 'warn');
    }
    this.d.kickAll();
  }

  /** `exited with code 1 while starting; stderr: SyntaxError: …`, with what to do when it is a known mistake. */
  private startFailure(r: Replica, how: string): string {
    const output = this.d.recentOutput(r.id, 50);
    const spec = this.specOf(r);
    const hint = spec ? startFailureHint(spec, output.slice(-20).map((l) => l.text)) : null;
    const tail = stderrTail(output);
    return `${how} while starting${tail ? `; stderr: ${tail}` : ''}${hint ? `; ${hint}` : ''}`;
  }

  private specOf(r: Replica) {
    const w = this.d.state.workloads.get(r.app);
    return w ? generationOf(w, r.generation)?.spec : undefined;
  }
}
