// Placement: which node runs a new replica. Pure: nodes and their replicas in, a node (or the
// reasons none fits) out. The least loaded node that has the capacity wins; replicas of one app
// spread across nodes; a replica that binds its own port goes only where that port is free.

export interface SchedNode {
  id: string;
  address: string;
  capacity: { cpu: number; memBytes: number; gpu: boolean };
  /** CPU use, 0–1, from the last heartbeat. */
  cpu: number;
  /** Requests of the live replicas placed on it. */
  usedCpu: number;
  usedMemBytes: number;
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
}

/** `portConflict`: every node was refused only because the port is taken on its host. */
export type Placement = { ok: true; node: string } | { ok: false; reason: string; portConflict: boolean };

/**
 * `portsInUse` maps a host address to the ports taken there (by replicas of any node on that host).
 */
export function place(nodes: readonly SchedNode[], req: SchedRequest, portsInUse: ReadonlyMap<string, ReadonlySet<number>>): Placement {
  if (nodes.length === 0) return { ok: false, reason: 'no node is connected', portConflict: false };
  const reasons = new Map<string, number>();
  const refuse = (why: string) => reasons.set(why, (reasons.get(why) ?? 0) + 1);
  const fits: SchedNode[] = [];
  for (const n of nodes) {
    if (req.gpu && !n.capacity.gpu) {
      refuse('no GPU');
      continue;
    }
    if (req.cpu !== null && n.usedCpu + req.cpu > n.capacity.cpu + 1e-9) {
      refuse(`not enough free CPU for ${req.cpu}`);
      continue;
    }
    if (req.ramBytes !== null && n.usedMemBytes + req.ramBytes > n.capacity.memBytes) {
      refuse(`not enough free memory for ${formatBytes(req.ramBytes)}`);
      continue;
    }
    if (req.hostPort !== null && portsInUse.get(n.address)?.has(req.hostPort)) {
      refuse(`port ${req.hostPort} in use on ${n.address}`);
      continue;
    }
    fits.push(n);
  }
  if (fits.length === 0) {
    const detail = [...reasons].map(([why, count]) => `${count} node${count === 1 ? '' : 's'}: ${why}`).join('; ');
    const portConflict = req.hostPort !== null && [...reasons.keys()].every((why) => why.startsWith(`port ${req.hostPort} in use`));
    return { ok: false, reason: `no node fits (${detail})`, portConflict };
  }
  fits.sort((a, b) => a.sameApp - b.sameApp || a.replicas - b.replicas || a.cpu - b.cpu || a.id.localeCompare(b.id));
  return { ok: true, node: fits[0]!.id };
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${n} bytes`;
}
