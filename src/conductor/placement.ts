// Putting a new replica somewhere: the node (scheduler.ts decides), its backend port, the launch
// frame; and what placement says about a workload: why a replica cannot be placed (and since
// when: a rollout's deadline bounds that), whether its nodes are overcommitted, and how many more
// replicas they have room for.
import * as crypto from 'node:crypto';
import { crashPoint } from './crash-points';
import { launchSpec } from './launch-spec';
import { currentGeneration, generationOf, type Replica, type WorkloadRecord } from './model';
import type { AppSpec } from '../shared/manifest/model';
import { PortAllocator } from './ports';
import { LIVE, type AgentLink, type ReplicaLifecycle } from './replica-lifecycle';
import { isLoopback } from './probes';
import { overcommitOf, place, roomFor, type PlacementMode, type SchedNode, type SchedRequest } from './scheduler';
import type { ConductorState, NodeRecord } from './state';

export interface PlacementOptions {
  portRange?: [number, number];
  /**
   * How CPU and memory requests bind (scheduler.ts): `auto` is relaxed while one node is connected
   * (a developer's machine runs what the manifest asks, saying it is overcommitted) and strict with
   * several (placement across a fleet respects capacity).
   */
  mode: PlacementMode | 'auto';
}

/** What a launch came to: a replica placed, none placed (the problem says why), or a rollout that cannot go on. */
export type LaunchResult = { kind: 'launched' } | { kind: 'unplaced' } | { kind: 'cannot-proceed'; reason: string };

export class Placement {
  private readonly ports: PortAllocator;
  /** Backend ports a host refused (something else listens there), by host address. */
  private readonly refusedPorts = new Map<string, Set<number>>();
  /** Since when an app's replica could not be placed, and why. */
  private readonly unplaced = new Map<string, { since: number; reason: string }>();
  private readonly problemsSaid = new Map<string, string>();

  constructor(
    private readonly state: ConductorState,
    private readonly agents: AgentLink,
    private readonly lifecycle: ReplicaLifecycle,
    private readonly kick: (app: string) => void,
    private readonly options: PlacementOptions,
  ) {
    this.ports = new PortAllocator(options.portRange);
  }

  unplacedOf(app: string): { since: number; reason: string } | null {
    return this.unplaced.get(app) ?? null;
  }

  /** A host refused a backend port (something else listens there): never offered there again. */
  refusePort(address: string, port: number): void {
    let set = this.refusedPorts.get(address);
    if (!set) this.refusedPorts.set(address, (set = new Set()));
    set.add(port);
  }

  /** How many more replicas of the workload's current generation the connected nodes have room for now (scheduler.ts roomFor). */
  room(w: WorkloadRecord): number {
    const spec = currentGeneration(w).spec;
    const hostPort = spec.port !== null && !spec.ingress ? spec.port : null;
    return roomFor(this.schedNodes(w.name, w.generation, true), schedRequest(spec, hostPort), this.portsInUse());
  }

  /** Places and launches one replica of the workload's current generation. */
  launch(w: WorkloadRecord, now: number): LaunchResult {
    const gen = currentGeneration(w);
    const spec = gen.spec;
    const nodes = this.schedNodes(w.name, w.generation, true);
    const portsInUse = this.portsInUse();
    const hostPort = spec.port !== null && !spec.ingress ? spec.port : null;
    const placement = place(nodes, schedRequest(spec, hostPort), portsInUse, this.mode(nodes.length));
    if (!placement.ok) {
      this.reportProblem(w, `cannot start a replica: ${placement.reason}`);
      const first = !this.unplaced.has(w.name);
      this.unplaced.set(w.name, { since: this.unplaced.get(w.name)?.since ?? now, reason: placement.reason });
      if (first) this.kick(w.name); // plan again: its deadline now bounds the wait
      if (placement.portConflict && w.rollout?.state === 'running' && spec.rollout.unavailable === 0) {
        // With `ingress off` the old replicas hold the port; with `unavailable 0` none may go
        // first. Waiting cannot help: say so and return to the running generation.
        return {
          kind: 'cannot-proceed',
          reason: `port ${hostPort} is taken on every node and, with \`ingress off\` and \`unavailable 0\`, no old replica may stop first; use the ingress (\`ingress on\`) for a rollout without downtime, or allow \`unavailable 1\``,
        };
      }
      return { kind: 'unplaced' };
    }
    this.unplaced.delete(w.name);
    const node = this.state.nodes.get(placement.node)!;
    let port: number | null = hostPort;
    if (port === null) {
      port = this.ports.allocate(portsInUse.get(node.address) ?? new Set(), this.refusedPorts.get(node.address) ?? new Set());
      if (port === null) {
        this.reportProblem(w, `cannot start a replica: no free backend port on ${node.address}`);
        return { kind: 'unplaced' };
      }
    }
    const id = `${w.name}-${w.generation}-${crypto.randomBytes(3).toString('hex')}`;
    const r: Replica = {
      id,
      app: w.name,
      generation: w.generation,
      node: node.id,
      address: node.address,
      pid: null,
      port,
      state: 'pending',
      createdAt: now,
      launchedAt: null,
      readyAt: null,
      endedAt: null,
      reason: null,
      restarts: 0,
      completed: false,
      inIngress: false,
      drainMs: spec.drainMs,
      portTaken: false,
    };
    this.state.addReplica(r);
    this.state.say(w.name, `launching ${id} on ${node.id} (port ${port})`);
    crashPoint('before-launch');
    const capture = gen.capture && spec.build?.out ? { out: spec.build.out, dir: gen.capture } : null;
    const refused = this.agents.launch(node.id, id, launchSpec(spec, gen.secrets, { id, generation: w.generation, port }, capture));
    if (refused) this.lifecycle.fail(r, refused);
    crashPoint('after-launch');
    return { kind: 'launched' };
  }

  /** Nothing was to be placed in a pass: what placement said of the workload no longer holds. */
  settled(w: WorkloadRecord): void {
    this.unplaced.delete(w.name);
    if (this.state.problemOf(w.name, 'placement') === null) return;
    this.state.setProblem(w.name, 'placement', null);
    this.problemsSaid.delete(w.name);
  }

  /**
   * With relaxed placement, nodes may run more than their capacity: the workload says so (list, the
   * tree), and its steps say it once when it begins. Judged by what the workload asks for (its
   * desired replicas) next to what the other apps run, so a rollout's surge says nothing new.
   */
  checkCapacity(w: WorkloadRecord): void {
    let problem: string | null = null;
    // Only relaxed placement overcommits: with strict placement there is nothing to add up (this runs every pass).
    const connected = [...this.state.nodes.values()].filter(placeable).length;
    if (connected > 0 && this.mode(connected) === 'relaxed') {
      const nodes = this.schedNodes(w.name, w.generation, false);
      const spec = currentGeneration(w).spec;
      const total = {
        id: nodes.map((n) => n.id).join(', '),
        capacity: { cpu: 0, memBytes: 0, gpu: false },
        usedCpu: w.desired * (spec.cpu ?? 0),
        usedMemBytes: w.desired * (spec.ramBytes ?? 0),
      };
      for (const n of nodes) {
        const mine = this.state.replicasOn(n.id).filter((r) => r.app === w.name && LIVE.has(r.state));
        total.capacity.cpu += n.capacity.cpu;
        total.capacity.memBytes += n.capacity.memBytes;
        total.usedCpu += n.usedCpu - mine.reduce((sum, r) => sum + (generationOf(w, r.generation)?.spec.cpu ?? 0), 0);
        total.usedMemBytes += n.usedMemBytes - mine.reduce((sum, r) => sum + (generationOf(w, r.generation)?.spec.ramBytes ?? 0), 0);
      }
      const over = overcommitOf(total, nodes.length === 1 ? `node ${total.id} is` : `nodes ${total.id} are`);
      if (over) problem = `${over} (CPU and memory are requests: ${nodes.length === 1 ? 'on a single node' : 'with relaxed placement'} the replicas run anyway)`;
    }
    const before = this.state.problemOf(w.name, 'capacity');
    this.state.setProblem(w.name, 'capacity', problem);
    if (problem && !before) this.state.say(w.name, problem, 'warn');
  }

  private mode(connectedNodes: number): PlacementMode {
    if (this.options.mode !== 'auto') return this.options.mode;
    return connectedNodes === 1 ? 'relaxed' : 'strict';
  }

  private reportProblem(w: WorkloadRecord, problem: string): void {
    this.state.setProblem(w.name, 'placement', problem);
    if (this.problemsSaid.get(w.name) === problem) return;
    this.problemsSaid.set(w.name, problem);
    this.state.say(w.name, problem, 'warn');
  }

  /**
   * The connected nodes as the scheduler sees them, for placing a replica of `app` at `generation`;
   * `draining`: whether replicas on their way out still count (for placement they do: they run).
   */
  private schedNodes(app: string, generation: number, draining: boolean): SchedNode[] {
    const out: SchedNode[] = [];
    for (const n of this.state.nodes.values()) {
      if (!placeable(n)) continue;
      const mine = this.state.replicasOn(n.id).filter((r) => LIVE.has(r.state) || (draining && r.state === 'draining'));
      const node: SchedNode = {
        id: n.id,
        address: n.address,
        capacity: n.capacity,
        cpu: n.cpu,
        usedCpu: 0,
        usedMemBytes: 0,
        leavingCpu: 0,
        leavingMemBytes: 0,
        replicas: mine.length,
        sameApp: mine.filter((r) => r.app === app && LIVE.has(r.state)).length,
      };
      for (const r of mine) {
        const w = this.state.workloads.get(r.app);
        const spec = w ? generationOf(w, r.generation)?.spec : undefined;
        node.usedCpu += spec?.cpu ?? 0;
        node.usedMemBytes += spec?.ramBytes ?? 0;
        if (r.app === app && r.generation !== generation) {
          node.leavingCpu += spec?.cpu ?? 0;
          node.leavingMemBytes += spec?.ramBytes ?? 0;
        }
      }
      out.push(node);
    }
    return out;
  }

  /** Ports taken by replicas (live or draining), by host address. */
  private portsInUse(): Map<string, Set<number>> {
    const used = new Map<string, Set<number>>();
    for (const r of this.state.replicas.values()) {
      if (r.port === null || r.address === null || r.state === 'stopped' || r.state === 'failed') continue;
      let set = used.get(r.address);
      if (!set) used.set(r.address, (set = new Set()));
      set.add(r.port);
    }
    return used;
  }
}

/** What placement asks of a node for the spec: a `check exec` runs on the Conductor's host, so its replicas go only there. */
function schedRequest(spec: AppSpec, hostPort: number | null): SchedRequest {
  return { cpu: spec.cpu, ramBytes: spec.ramBytes, gpu: spec.gpu, hostPort, conductorHost: spec.health?.kind === 'exec' ? isLoopback : null };
}

/** A node new replicas may go to: connected, and not silent (a silent node's replicas stay, but nothing new goes there). */
function placeable(n: NodeRecord): boolean {
  return n.connected && n.silentUntil === null;
}
