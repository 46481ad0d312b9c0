// Placement: which node runs a new replica. Pure: nodes and their replicas in, a node (or the
// reasons none fits) out. The least loaded node that has the capacity wins; replicas of one app
// spread across nodes; a replica that binds its own port goes only where that port is free.
//
// CPU and memory are requests. A rollout's new replica may count the resources of the same app's
// older replicas on a node as free (they are about to go: the surge overcommits for a moment).
// `strict` placement refuses a node without the room; `relaxed` placement (a developer's one
// machine) places the replica anyway and says how far the node is overcommitted. GPU, a `check
// exec` (placed on the Conductor's host only) and a port the replica binds itself are never relaxed: no process can share them. How many replicas fit
// with nothing counted as free (roomFor) is how many new ones a rollout whose surge is not written
// starts at once.

export interface SchedNode {
  id: string;
  address: string;
  capacity: { cpu: number; memBytes: number; gpu: boolean };
  /** CPU use, 0–1, from the last heartbeat. */
  cpu: number;
  /** Requests of the live replicas placed on it. */
  usedCpu: number;
  usedMemBytes: number;
  /** Of those, the requests of the placed app's older generations, which a rollout is replacing. */
  leavingCpu: number;
  leavingMemBytes: number;
  replicas: number;
  /** Live replicas of the app being placed. */
  sameApp: number;
}

export interface SchedRequest {
  cpu: number | null;
  ramBytes: number | null;
  gpu: boolean;
  /** A port the replica binds itself (ingress off), which must be free on the node's host. */
  hostPort: number | null;
  /**
   * Set for an app the Conductor checks by running a program (`check exec`): which node addresses
   * are the Conductor's own host, the only place that program reaches the replica. Never relaxed.
   */
  conductorHost?: ((address: string) => boolean) | null;
}

/** Why a node is never a place for the request, whatever its load: no GPU, or not the Conductor's host. */
function unfit(n: SchedNode, req: SchedRequest): string | null {
  if (req.gpu && !n.capacity.gpu) return 'no GPU';
  if (req.conductorHost && !req.conductorHost(n.address)) return "not the Conductor's host, where a `check exec` runs";
  return null;
}

/** How CPU and memory requests bind: see the header. */
export type PlacementMode = 'strict' | 'relaxed';

/**
 * `overcommit`: set when a relaxed placement put the replica where its requests do not fit, saying
 * by how much. `portConflict`: every node was refused only because the port is taken on its host.
 */
export type Placement = { ok: true; node: string; overcommit: string | null } | { ok: false; reason: string; portConflict: boolean };

/**
 * `portsInUse` maps a host address to the ports taken there (by replicas of any node on that host).
 */
export function place(nodes: readonly SchedNode[], req: SchedRequest, portsInUse: ReadonlyMap<string, ReadonlySet<number>>, mode: PlacementMode = 'strict'): Placement {
  if (nodes.length === 0) return { ok: false, reason: 'no node is connected', portConflict: false };
  const reasons = new Map<string, number>();
  const refuse = (why: string) => reasons.set(why, (reasons.get(why) ?? 0) + 1);
  const fits: SchedNode[] = [];
  const roomless: SchedNode[] = [];
  for (const n of nodes) {
    const why = unfit(n, req);
    if (why) {
      refuse(why);
      continue;
    }
    if (req.hostPort !== null && portsInUse.get(n.address)?.has(req.hostPort)) {
      refuse(`port ${req.hostPort} in use on ${n.address}`);
      continue;
    }
    const short = shortage(n, req);
    if (short) {
      refuse(short);
      roomless.push(n);
      continue;
    }
    fits.push(n);
  }
  const order = (a: SchedNode, b: SchedNode) => a.sameApp - b.sameApp || a.replicas - b.replicas || a.cpu - b.cpu || a.id.localeCompare(b.id);
  if (fits.length > 0) return { ok: true, node: fits.sort(order)[0]!.id, overcommit: null };
  if (mode === 'relaxed' && roomless.length > 0) {
    const n = roomless.sort((a, b) => overcommitRatio(a, req) - overcommitRatio(b, req) || order(a, b))[0]!;
    return { ok: true, node: n.id, overcommit: describeOvercommit(n, req) };
  }
  const detail = [...reasons].map(([why, count]) => `${count} node${count === 1 ? '' : 's'}: ${why}`).join('; ');
  const portConflict = req.hostPort !== null && [...reasons.keys()].every((why) => why.startsWith(`port ${req.hostPort} in use`));
  return { ok: false, reason: `no node fits (${detail})`, portConflict };
}

/**
 * How many more replicas of the request fit on the nodes as they are now, the app's leaving
 * replicas counted as taken (they still run): what a rollout with an unwritten surge may start at
 * once. Infinity when nothing bounds it (no `cpu`, `ram` or port of its own); a replica that binds
 * its own port fits once on each host where that port is free.
 */
export function roomFor(nodes: readonly SchedNode[], req: SchedRequest, portsInUse: ReadonlyMap<string, ReadonlySet<number>>): number {
  let room = 0;
  const hosts = new Set<string>();
  for (const n of nodes) {
    if (unfit(n, req)) continue;
    const byCpu = req.cpu ? Math.floor((n.capacity.cpu - n.usedCpu + 1e-9) / req.cpu) : Infinity;
    const byMem = req.ramBytes ? Math.floor((n.capacity.memBytes - n.usedMemBytes) / req.ramBytes) : Infinity;
    const fits = Math.max(0, Math.min(byCpu, byMem));
    if (req.hostPort === null) {
      room += fits;
    } else if (fits > 0 && !hosts.has(n.address) && !portsInUse.get(n.address)?.has(req.hostPort)) {
      hosts.add(n.address);
      room += 1;
    }
  }
  return room;
}

/** Why the request does not fit the node (the app's leaving replicas counted as free), or null. */
function shortage(n: SchedNode, req: SchedRequest): string | null {
  if (req.cpu !== null && n.usedCpu - n.leavingCpu + req.cpu > n.capacity.cpu + 1e-9) return `not enough free CPU for ${req.cpu}`;
  if (req.ramBytes !== null && n.usedMemBytes - n.leavingMemBytes + req.ramBytes > n.capacity.memBytes) return `not enough free memory for ${formatBytes(req.ramBytes)}`;
  return null;
}

/** How far past its capacity the node would be, as the larger of the CPU and memory fractions. */
function overcommitRatio(n: SchedNode, req: SchedRequest): number {
  const cpu = req.cpu !== null ? (n.usedCpu - n.leavingCpu + req.cpu) / n.capacity.cpu : 0;
  const mem = req.ramBytes !== null && n.capacity.memBytes > 0 ? (n.usedMemBytes - n.leavingMemBytes + req.ramBytes) / n.capacity.memBytes : 0;
  return Math.max(cpu, mem);
}

function describeOvercommit(n: SchedNode, req: SchedRequest): string {
  const after = { ...n, usedCpu: n.usedCpu - n.leavingCpu + (req.cpu ?? 0), usedMemBytes: n.usedMemBytes - n.leavingMemBytes + (req.ramBytes ?? 0) };
  return overcommitOf(after) ?? `node ${n.id} is full`;
}

/** How far the requests placed on a node exceed its capacity, in words; null when they fit. */
export function overcommitOf(n: Pick<SchedNode, 'id' | 'capacity' | 'usedCpu' | 'usedMemBytes'>, label = `node ${n.id} is`): string | null {
  const parts: string[] = [];
  if (n.usedCpu > n.capacity.cpu + 1e-9) parts.push(`${+n.usedCpu.toFixed(2)} CPUs requested of its ${n.capacity.cpu}`);
  if (n.usedMemBytes > n.capacity.memBytes) parts.push(`${formatBytes(n.usedMemBytes)} of memory requested of its ${formatBytes(n.capacity.memBytes)}`);
  return parts.length > 0 ? `${label} overcommitted: ${parts.join(', ')}` : null;
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${n} bytes`;
}
