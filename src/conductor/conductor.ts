// The Conductor: wires state, journal, reconciler, agent listener and API together, and owns
// their lifetime.
//
//   starting ──listening──▶ running ──stop(keep workloads: SIGTERM)──────────────▶ stopped
//                              └──stop(stop workloads: lease expiry, shutdown)──▶ draining ──▶ stopped
//
// A plain stop leaves workloads running under their agents, which the next Conductor adopts. A stop
// with workloads (the lease expired, or a client asked) scales every workload to 0, waits for the
// replicas to drain, and tells agents that follow the Conductor to exit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hostPortOption } from '../shared/daemon-args';
import { describeOwner, portOwner } from '../shared/platform/port-owner';
import { ensureHome, ensureToken, paths, socketPath, writeFileAtomic, type ConductorInfo } from '../shared/home';
import type { Logger, SecretMask } from '../shared/logger';
import { VERSION } from '../shared/version';
import { AgentServer } from './agent-server';
import { ApiServer } from './api-server';
import { routes } from './api-routes';
import { EventLog } from './event-log';
import { Ingress } from './ingress';
import { IngressTraffic, ingressInfo, ingressReports } from './ingress-traffic';
import { NodeLinks } from './node-links';
import { DEFAULT_NODE_GRACE_MS } from './node-liveness';
import { Journal } from './journal';
import { LogFiles } from './log-files';
import { LogStore } from './log-store';
import { Operations } from './operations';
import { Reconciler } from './reconciler';
import { RolloutTimelines } from './rollout-timelines';
import { scale } from './rollout-transitions';
import type { PlacementMode } from './scheduler';
import { Snapshots } from './snapshots';
import { TimelineStore } from './timeline-store';
import { TrafficMeter } from './traffic-meter';
import { Watches } from './watches';
import { ConductorState } from './state';
import { WorkloadViews } from './workload-views';
import { acquirePidLock, type PidLock } from '../shared/pid-lock';

export interface ConductorOptions {
  home: string;
  /** Loopback TCP address for the API (`host:port`), or null for the unix socket alone. */
  listen: string | null;
  /** Where agents dial (`host:port`); port 0 picks one. */
  agents: string;
  /** Silence after which nothing new is placed on a node. */
  expiryMs: number;
  /** Silence after which a node is lost and its replicas replaced (default DEFAULT_NODE_GRACE_MS). */
  nodeGraceMs?: number;
  /** Stop workloads and exit after this long with no client connected; null: never. */
  leaseMs: number | null;
  portRange?: [number, number];
  /** Address the ingress listeners bind (loopback by default). */
  ingressAddress: string;
  /** The most replica logs kept on disk, all replicas together (oldest files go first). */
  logBudgetBytes?: number;
  /** How CPU and memory requests bind (reconciler.ts); default auto. */
  placement?: PlacementMode | 'auto';
  log: Logger;
  mask: SecretMask;
  now?: () => number;
}

/** Replica logs kept on disk by default: 256 MiB. */
const DEFAULT_LOG_BUDGET = 256 * 1024 * 1024;

/**
 * Events kept for clients that reconnect with their last number (others get a snapshot). Each is
 * ~560 bytes in memory: 10,000 held 5.4 MiB at 1,000 replicas, where they are a few seconds of a
 * rollout anyway; 4,000 is an hour of one agent's heartbeats, or a rollout of a few hundred replicas.
 */
const EVENTS_KEPT = 4_000;

/** After a restart, how long to wait for previously known nodes before launching replacements. */
const RECOVERY_WAIT_MS = 3_000;

export class Conductor {
  private stopping: Promise<void> | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  /** Resolves when the Conductor has stopped, however that happened. */
  readonly stopped: Promise<void>;
  private resolveStopped!: () => void;

  private constructor(
    readonly info: ConductorInfo,
    private readonly lock: PidLock,
    private readonly journal: Journal,
    readonly state: ConductorState,
    private readonly reconciler: Reconciler,
    private readonly agents: AgentServer,
    private readonly links: NodeLinks,
    private readonly api: ApiServer,
    private readonly traffic: IngressTraffic,
    private readonly watches: Watches,
    private readonly timelines: RolloutTimelines,
    private readonly log: Logger,
  ) {
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
  }

  static async start(o: ConductorOptions): Promise<Conductor> {
    const now = o.now ?? Date.now;
    ensureHome(o.home);
    const lock = acquirePidLock(path.join(o.home, 'conductor.lock'), 'a Conductor for this home');
    try {
      const token = ensureToken(paths.token(o.home));
      const joinToken = ensureToken(paths.joinToken(o.home));
      const { journal, state: journaled, report } = Journal.open(paths.state(o.home));
      if (report.cut) o.log.warn(`journal: cut ${report.cut}; kept ${report.records} complete record${report.records === 1 ? '' : 's'}`);
      else if (report.records > 0) o.log.info(`journal: replayed ${report.records} record${report.records === 1 ? '' : 's'}`);
      for (const w of journaled.workloads.values()) for (const g of w.generations) o.mask.add(Object.values(g.secrets));

      const events = new EventLog(EVENTS_KEPT, now);
      const logs = new LogStore(new LogFiles(path.join(paths.logs(o.home), 'replicas'), o.logBudgetBytes ?? DEFAULT_LOG_BUDGET, o.log), o.log);
      // The state shows each app's ingress; the ingress reports its listeners to the state. Neither
      // calls the other before both exist (the reconciler opens listeners, later).
      const state: ConductorState = new ConductorState(journal, journaled, events, o.log, now, {
        ingressOf: (app) => ingressInfo(ingress, app),
        replicaForgotten: (id) => logs.forget(id),
      });
      const meter = new TrafficMeter(now);
      const ingress = new Ingress(o.ingressAddress, o.log, ingressReports(state, o.log), meter);
      const traffic = new IngressTraffic(ingress, state);
      const timelines = new RolloutTimelines({ events, state, meter, store: new TimelineStore(path.join(paths.state(o.home), 'timelines'), o.log), log: o.log, now });
      const startedAt = now();
      const links = new NodeLinks();
      const reconciler = new Reconciler(state, links, traffic, o.log, now, {
        recoveryUntil: journaled.nodes.length > 0 ? startedAt + RECOVERY_WAIT_MS : 0,
        knownNodes: journaled.nodes,
        snapshots: new Snapshots(paths.builds(o.home), o.log),
        mode: o.placement ?? 'auto',
        recentOutput: (id, n) => logs.recent(id, n).map((l) => ({ stream: l.stream, text: o.mask.mask(l.text) })),
        outputSettled: (id) => logs.settled(id),
        logs,
        trafficOf: (rolloutId) => timelines.trafficOf(rolloutId),
        ...(o.portRange ? { portRange: o.portRange } : {}),
      });
      const agents = new AgentServer(state, links, reconciler.reports, logs, o.log, now, {
        joinToken,
        expiryMs: o.expiryMs,
        graceMs: Math.max(o.expiryMs, o.nodeGraceMs ?? DEFAULT_NODE_GRACE_MS),
      });
      const ops = new Operations(state, reconciler, now, (values) => o.mask.add(values), async (port) => {
        const owner = await portOwner(port);
        return owner && owner.pid !== process.pid ? describeOwner(owner) : null;
      });
      const watches = new Watches({ workloads: state.workloads, events, log: o.log, never: conductorFolders(o.home), rollout: (app, files, count, away) => ops.rolloutFromWatch(app, files, count, away) });
      let conductor: Conductor | null = null;
      const api = new ApiServer(
        routes({
          state,
          ops,
          events,
          logs,
          timelines,
          meter,
          views: new WorkloadViews(state, events),
          home: o.home,
          startedAt,
          shutdown: (stopWorkloads) => void conductor?.stop(stopWorkloads),
        }),
        token,
        o.log,
      );
      const socket = socketPath(o.home);
      await api.listenUnix(socket);
      let listen: string | null = null;
      if (o.listen) {
        const { host, port } = hostPortOption('listen', o.listen, true);
        const addr = await api.listenTcp(host, port);
        listen = `${host}:${addr.port}`;
      }
      const { host: agentHost, port: agentPort } = hostPortOption('agents', o.agents, true);
      const agentAddr = await agents.listen(agentHost, agentPort);
      const info: ConductorInfo = {
        pid: process.pid,
        socket,
        listen,
        agents: `${agentHost}:${agentAddr.port}`,
        version: VERSION,
        startedAt,
        home: o.home,
      };
      writeFileAtomic(paths.info(o.home), JSON.stringify(info, null, 2) + '\n');
      conductor = new Conductor(info, lock, journal, state, reconciler, agents, links, api, traffic, watches, timelines, o.log);
      o.log.info(`Conductor ${VERSION} (pid ${process.pid}) running: API ${socket}${listen ? ` and http://${listen}` : ''}, agents on ${info.agents}, ${state.workloads.size} workload${state.workloads.size === 1 ? '' : 's'}`);
      if (o.leaseMs !== null) conductor.holdLease(o.leaseMs, now);
      reconciler.kickAll();
      return conductor;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** Stops workloads and exits once no client has been connected for `graceMs`. */
  private holdLease(graceMs: number, now: () => number): void {
    let lastClient = now();
    this.log.info(`lease: stopping workloads and exiting after ${graceMs} ms with no client`);
    this.leaseTimer = setInterval(() => {
      if (this.state.events.subscriberCount > 0) {
        lastClient = now();
        return;
      }
      if (now() - lastClient >= graceMs) {
        this.log.info(`lease expired: no client for ${graceMs} ms`);
        void this.stop(true);
      }
    }, Math.min(1000, graceMs / 4));
  }

  /** Stops the Conductor; with `stopWorkloads`, its replicas first. Idempotent. */
  stop(stopWorkloads: boolean): Promise<void> {
    this.stopping ??= this.doStop(stopWorkloads).finally(() => this.resolveStopped());
    return this.stopping;
  }

  private async doStop(stopWorkloads: boolean): Promise<void> {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (stopWorkloads) await this.stopWorkloads();
    this.reconciler.close();
    await this.watches.close();
    await this.traffic.close();
    await this.api.close();
    await this.agents.close();
    // A rollout that ended just now still has its timeline to write.
    await this.timelines.close();
    this.journal.close();
    try {
      const current = JSON.parse(fs.readFileSync(paths.info(this.info.home), 'utf8')) as ConductorInfo;
      if (current.pid === process.pid) fs.unlinkSync(paths.info(this.info.home));
    } catch {
      // already gone
    }
    this.lock.release();
    this.log.info('Conductor stopped');
  }

  private async stopWorkloads(): Promise<void> {
    let maxDrain = 0;
    for (const w of [...this.state.workloads.values()]) {
      this.state.commit(scale(w, 0), 'own');
      for (const g of w.generations) maxDrain = Math.max(maxDrain, g.spec.drainMs);
    }
    this.reconciler.kickAll();
    const deadline = Date.now() + maxDrain + 5_000;
    while (Date.now() < deadline) {
      const live = [...this.state.replicas.values()].filter((r) => r.state !== 'stopped' && r.state !== 'failed');
      if (live.length === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    this.links.shutdownFollowers();
    // Give the shutdown frames a moment to leave before the sockets close.
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The folders of the home the Conductor and its agents write to, never watched for a change of an app's files: agents' folders made after the Conductor started too (a glob). */
function conductorFolders(home: string): string[] {
  return [paths.state(home), paths.logs(home), paths.builds(home), paths.agentState(home, '*')];
}
