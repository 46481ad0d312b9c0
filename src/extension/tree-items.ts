// The three views as pure functions of the cluster model: which elements a view shows, under which
// parent, and how each looks (label, description, tooltip, codicon, context value for menus).
// Elements are stable string keys (tree-ids.ts builds and reads them).
// No VS Code here: views.ts turns an ItemSpec into a TreeItem.
import { isFinal, type ReplicaState, type ReplicaView, type RolloutView } from '../shared/protocol/api';
import { formatMs } from '../shared/format';
import { formatCount, trafficSummary } from '../shared/traffic-window';
import type { ClusterModel } from './cluster-model';
import { parseTreeId, treeId } from './tree-ids';

export type ViewId = 'workloads' | 'nodes' | 'rollouts';

export interface ItemSpec {
  id: string;
  label: string;
  description: string;
  tooltip: string;
  /** A codicon id, and a theme color id for it. */
  icon: { id: string; color: string | null };
  /** For menus: `workload:port:rolling`, `replica:live`… */
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  /** What a click or Enter on the row does: a replica opens its logs, a workload its manifest at its `app` line. */
  command: { id: string; title: string; argument: string } | null;
}

const STATE_ICON: Record<ReplicaState, { id: string; color: string | null }> = {
  pending: { id: 'clock', color: null },
  starting: { id: 'loading~spin', color: 'charts.yellow' },
  ready: { id: 'pass-filled', color: 'testing.iconPassed' },
  draining: { id: 'arrow-circle-down', color: 'charts.orange' },
  stopped: { id: 'circle-slash', color: 'disabledForeground' },
  failed: { id: 'error', color: 'testing.iconFailed' },
};

const LIVE = new Set<ReplicaState>(['pending', 'starting', 'ready']);

export function children(model: ClusterModel, view: ViewId, parent: string | null): string[] {
  const id = parent === null ? null : parseTreeId(parent);
  if (view === 'workloads') {
    if (parent === null) return [...model.workloads.keys()].sort().map((app) => treeId({ kind: 'workload', app }));
    if (id?.kind === 'workload') {
      const w = model.workloads.get(id.app);
      const gens = new Set(model.replicasOf(id.app).map((r) => r.generation));
      if (w) gens.add(w.generation);
      // A generation whose rollout failed stays in view after its replicas are gone (a Conductor
      // restart forgets them; the rollout history is journaled): the most recent few.
      const failed = endedRollouts(model, id.app)
        .filter((r) => r.state !== 'succeeded' && r.toGeneration !== w?.generation)
        .map((r) => r.toGeneration);
      for (const g of [...new Set(failed)].slice(0, FAILED_GENERATIONS_SHOWN)) gens.add(g);
      return [...gens].sort((a, b) => b - a).map((generation) => treeId({ kind: 'generation', app: id.app, generation }));
    }
    if (id?.kind === 'generation') {
      return model
        .replicasOf(id.app)
        .filter((r) => r.generation === id.generation)
        .sort(byStateThenAge)
        .map((r) => treeId({ kind: 'replica', replica: r.id }));
    }
    return [];
  }
  if (view === 'nodes') {
    if (parent === null) return [...model.nodes.keys()].sort().map((node) => treeId({ kind: 'node', node }));
    if (id?.kind === 'node') {
      const replicas = model.replicasOn(id.node).sort(byStateThenAge);
      const hasPorts = replicas.some((r) => r.port !== null);
      return [...(hasPorts ? [treeId({ kind: 'ports', node: id.node })] : []), ...replicas.map((r) => treeId({ kind: 'node-replica', node: id.node, replica: r.id }))];
    }
    if (id?.kind === 'ports') {
      const ports = [...new Set(model.replicasOn(id.node).flatMap((r) => (r.port === null ? [] : [r.port])))].sort((a, b) => a - b);
      return ports.map((port) => treeId({ kind: 'port', node: id.node, port }));
    }
    return [];
  }
  if (parent !== null) return [];
  const all = [...model.rollouts.values()];
  const active = all.filter((r) => !isFinal(r.state)).sort((a, b) => b.startedAt - a.startedAt);
  const ended = all.filter((r) => isFinal(r.state)).sort((a, b) => b.startedAt - a.startedAt);
  return [...active, ...ended].map((r) => treeId({ kind: 'rollout', rollout: r.id }));
}

/** The parent of an element (a replica in the workloads view is under its generation). */
export function parentOf(model: ClusterModel, key: string): string | null {
  const id = parseTreeId(key);
  switch (id?.kind) {
    case 'generation':
      return treeId({ kind: 'workload', app: id.app });
    case 'ports':
      return treeId({ kind: 'node', node: id.node });
    case 'port':
      return treeId({ kind: 'ports', node: id.node });
    case 'node-replica':
      return treeId({ kind: 'node', node: id.node });
    case 'replica': {
      const r = model.replicas.get(id.replica);
      return r ? treeId({ kind: 'generation', app: r.app, generation: r.generation }) : null;
    }
    default:
      return null;
  }
}

/** How many generations whose rollout failed a workload keeps showing when their replicas are gone. */
const FAILED_GENERATIONS_SHOWN = 3;

/** An app's ended rollouts, newest first. */
function endedRollouts(model: ClusterModel, app: string): RolloutView[] {
  return [...model.rollouts.values()].filter((r) => r.app === app && isFinal(r.state)).sort((a, b) => b.startedAt - a.startedAt);
}

function byStateThenAge(a: ReplicaView, b: ReplicaView): number {
  const rank = (r: ReplicaView) => (LIVE.has(r.state) ? 0 : r.state === 'draining' ? 1 : 2);
  return rank(a) - rank(b) || a.createdAt - b.createdAt;
}

export function item(model: ClusterModel, key: string, now: number): ItemSpec | null {
  const id = parseTreeId(key);
  switch (id?.kind) {
    case 'workload':
      return workloadItem(model, id.app);
    case 'generation':
      return generationItem(model, id.app, id.generation);
    case 'replica': {
      const r = model.replicas.get(id.replica);
      return r ? replicaItem(r, key, true) : null;
    }
    case 'node':
      return nodeItem(model, id.node, now);
    case 'ports': {
      const count = children(model, 'nodes', key).length;
      return { id: key, label: 'Ports in use', description: String(count), tooltip: `Ports in use on ${id.node}`, icon: { id: 'plug', color: null }, contextValue: 'ports', collapsible: 'collapsed', command: null };
    }
    case 'port': {
      const users = model.replicasOn(id.node).filter((r) => r.port === id.port);
      const names = users.map((r) => r.id).join(', ');
      return { id: key, label: `:${id.port}`, description: names, tooltip: `Port ${id.port} on ${id.node}: ${names}`, icon: { id: 'plug', color: null }, contextValue: 'port', collapsible: 'none', command: null };
    }
    case 'node-replica': {
      const r = model.replicas.get(id.replica);
      return r ? replicaItem(r, key, false) : null;
    }
    case 'rollout': {
      const r = model.rollouts.get(id.rollout);
      return r ? rolloutItem(r, now) : null;
    }
    default:
      return null;
  }
}

function workloadItem(model: ClusterModel, name: string): ItemSpec | null {
  const w = model.workloads.get(name);
  if (!w) return null;
  const rolling = w.rollout !== null && !isFinal(w.rollout.state);
  // A narrow side bar cuts the row's end, and hover actions cover it: the label holds what matters
  // most (name, ready count, port), the description the rest, the tooltip everything.
  const port = w.ingress ? w.ingress.port : w.port;
  const label = `${name} ${w.ready}/${w.desired}${port !== null ? ` :${port}` : ''}`;
  const parts: string[] = [];
  // What keeps it from its desired state (waiting for what it needs, no node fits…), first and short; all of it in the tooltip.
  if (w.problem) parts.push(`⚠ ${w.problem.length > 80 ? `${w.problem.slice(0, 79)}…` : w.problem}`);
  if (rolling) parts.push(`${w.rollout!.state} ${w.rollout!.fromGeneration}→${w.rollout!.toGeneration}`);
  parts.push(`gen ${w.generation}`);
  if (!w.ingress && w.port !== null) parts.push('own port');
  const icon = w.problem
    ? { id: 'warning', color: 'problemsWarningIcon.foreground' }
    : rolling
      ? { id: 'sync~spin', color: 'charts.blue' }
      : w.ready >= w.desired
        ? { id: 'package', color: 'testing.iconPassed' }
        : { id: 'package', color: 'charts.yellow' };
  const tooltip = [
    `${name}: generation ${w.generation} (latest ${w.latestGeneration})${w.watching ? ', watching' : ''}`,
    `${w.ready} of ${w.desired} replicas ready`,
    w.ingress ? `ingress on ${w.ingress.address}:${w.ingress.port}, ${w.ingress.backends} in rotation` : w.port !== null ? `port ${w.port}, bound by the replica (ingress off)` : 'no port',
    rolling ? `rollout ${w.rollout!.id}: ${w.rollout!.state}, ${w.rollout!.ready}/${w.rollout!.desired} new replicas ready` : null,
    w.watching ? 'watching its files: a saved file rolls it out again' : null,
    w.problem ? `⚠ ${w.problem}` : null,
    `manifest: ${w.manifestPath}`,
  ]
    .filter(Boolean)
    .join('\n');
  const ctx = ['workload', w.port !== null ? 'port' : '', rolling ? 'rolling' : '', rolling ? w.rollout!.state : '', w.watching ? 'watching' : ''].filter(Boolean).join(':');
  const id = treeId({ kind: 'workload', app: name });
  return { id, label, description: parts.join(' · '), tooltip, icon, contextValue: ctx, collapsible: 'expanded', command: { id: 'skr8tr.openManifest', title: 'Open Manifest', argument: id } };
}

function generationItem(model: ClusterModel, app: string, generation: number): ItemSpec {
  const w = model.workloads.get(app);
  const mine = model.replicasOf(app).filter((r) => r.generation === generation);
  const ready = mine.filter((r) => r.state === 'ready').length;
  const live = mine.filter((r) => LIVE.has(r.state) || r.state === 'draining').length;
  const current = w?.generation === generation;
  const role = current ? (w?.rollout && !isFinal(w.rollout.state) ? 'new' : 'current') : live > 0 ? 'old' : 'ended';
  // How the rollout to it ended, when it did not succeed: said even after its replicas are gone.
  const failed = role === 'ended' ? endedRollouts(model, app).find((r) => r.toGeneration === generation && r.state !== 'succeeded') : undefined;
  const outcome = failed ? `${failed.state}${failed.reason ? `: ${failed.reason}` : ''}` : null;
  return {
    id: treeId({ kind: 'generation', app, generation }),
    label: `generation ${generation}`,
    description: outcome ?? `${role} · ${ready} ready${live > ready ? `, ${live - ready} other` : ''}`,
    tooltip: `${app} generation ${generation} (${role}): ${ready} ready of ${live} running${outcome ? `\nits rollout ${failed!.id} ${outcome}` : ''}`,
    icon: failed ? { id: 'error', color: 'testing.iconFailed' } : { id: current ? 'versions' : 'history', color: null },
    contextValue: `generation:${role}`,
    collapsible: current || live > 0 ? 'expanded' : 'collapsed',
    command: null,
  };
}

function replicaItem(r: ReplicaView, key: string, inWorkloads: boolean): ItemSpec {
  const bits: string[] = [r.state];
  if (r.port !== null) bits.push(`:${r.port}`);
  if (r.pid !== null) bits.push(`pid ${r.pid}`);
  if (r.state === 'ready' && r.readyAfterMs !== null) bits.push(`ready in ${r.readyAfterMs} ms`);
  if (r.inIngress) bits.push('in ingress');
  // Why it failed or stopped, short (the whole reason is in the tooltip).
  if ((r.state === 'failed' || r.state === 'stopped') && r.reason) bits.push(r.reason.length > 60 ? `${r.reason.slice(0, 59)}…` : r.reason);
  if (!inWorkloads && r.generation) bits.unshift(`gen ${r.generation}`);
  const tooltip = [
    `${r.id} (${r.app}, generation ${r.generation})`,
    `state: ${r.state}${r.reason ? ` — ${r.reason}` : ''}`,
    `node: ${r.node ?? '-'}${r.address ? ` (${r.address})` : ''}`,
    `pid: ${r.pid ?? '-'}, port: ${r.port ?? '-'}${r.inIngress ? ', in the ingress' : ''}`,
    r.readyAfterMs !== null ? `ready ${r.readyAfterMs} ms after launch` : r.readyAt !== null ? 'time to ready unknown (adopted after a Conductor restart)' : null,
    r.restarts > 0 ? `restarted ${r.restarts} time${r.restarts === 1 ? '' : 's'} in place` : null,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    id: key,
    label: r.id,
    description: bits.join(' · '),
    tooltip,
    icon: STATE_ICON[r.state],
    contextValue: `replica:${LIVE.has(r.state) ? 'live' : r.state}`,
    collapsible: 'none',
    command: { id: 'skr8tr.showLogs', title: 'Show Logs', argument: key },
  };
}

function nodeItem(model: ClusterModel, id: string, now: number): ItemSpec | null {
  const n = model.nodes.get(id);
  if (!n) return null;
  const replicas = model.replicasOn(id).length;
  const mem = `${(n.memFree / 1024 ** 3).toFixed(1)} GiB free`;
  const silent = (n.lostInMs ?? null) !== null;
  const heartbeat = silent ? `silent for ${Math.round(n.lastHeartbeatMs / 1000)} s` : n.connected ? `heartbeat ${formatAge(n.lastHeartbeatMs)}` : 'away';
  const state = silent
    ? `silent: nothing new goes there; its replicas keep serving while their health checks pass, and are replaced if it stays silent`
    : n.connected
      ? 'connected'
      : 'disconnected: its replicas keep running and serving while their health checks pass; they are replaced if it stays away';
  void now;
  return {
    id: treeId({ kind: 'node', node: id }),
    label: id,
    description: `${silent ? `${heartbeat} · ` : n.connected ? '' : 'away · '}${replicas} replica${replicas === 1 ? '' : 's'} · cpu ${Math.round(n.cpu * 100)}% · ${mem} · ${n.address}${n.connected && !silent ? ` · ${heartbeat}` : ''}`,
    tooltip: `${id} at ${n.address} (agent ${n.version})\n${state}\nCPU ${Math.round(n.cpu * 100)}% of ${n.capacity.cpu} cores, ${mem} of ${(n.capacity.memBytes / 1024 ** 3).toFixed(1)} GiB${n.capacity.gpu ? ', GPU' : ''}\nports: ${n.ports.join(', ') || 'none'}`,
    icon: n.connected ? { id: 'server', color: 'testing.iconPassed' } : { id: 'debug-disconnect', color: 'problemsWarningIcon.foreground' },
    contextValue: `node:${n.connected ? 'connected' : 'away'}`,
    collapsible: replicas > 0 ? 'expanded' : 'none',
    command: null,
  };
}

function rolloutItem(r: RolloutView, now: number): ItemSpec {
  const took = (r.endedAt ?? now) - r.startedAt;
  const icon =
    r.state === 'succeeded'
      ? { id: 'pass', color: 'testing.iconPassed' }
      : r.state === 'running'
        ? { id: 'sync~spin', color: 'charts.blue' }
        : r.state === 'paused'
          ? { id: 'debug-pause', color: 'charts.yellow' }
          : r.state === 'rolling-back'
            ? { id: 'discard', color: 'charts.orange' }
            : { id: 'error', color: 'testing.iconFailed' };
  const when = new Date(r.startedAt).toLocaleTimeString();
  const served = r.traffic ? ` · ${formatCount(r.traffic.requests)} req, ${formatCount(r.traffic.failed)} failed` : '';
  return {
    id: treeId({ kind: 'rollout', rollout: r.id }),
    label: `${r.app} ${r.fromGeneration} → ${r.toGeneration}`,
    description: `${r.state}${isFinal(r.state) ? ` in ${formatMs(took)}${served}` : ` · ${r.ready}/${r.desired} ready`} · ${when}`,
    tooltip: `rollout ${r.id} of ${r.app}: generation ${r.fromGeneration} → ${r.toGeneration}\n${r.state}${r.reason ? `: ${r.reason}` : ''}\nstarted ${new Date(r.startedAt).toLocaleString()}${r.endedAt ? `, took ${formatMs(took)}` : ''}${r.traffic ? `\n${trafficSummary(r.traffic)}` : ''}`,
    icon,
    contextValue: `rollout:${isFinal(r.state) ? 'ended' : 'rolling'}:${r.state}`,
    collapsible: 'none',
    command: { id: 'skr8tr.showRolloutTimeline', title: 'Show Rollout Timeline', argument: treeId({ kind: 'rollout', rollout: r.id }) },
  };
}

function formatAge(ms: number): string {
  return ms < 1500 ? 'now' : `${Math.round(ms / 1000)} s ago`;
}
