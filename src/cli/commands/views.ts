// `list`, `nodes`, `status`, `logs`: reading what runs.
import type { LogLine } from '../../shared/protocol/api';
import { parseCommandArgs } from '../args';
import { call, connect, homeOption } from '../conductor-client';
import type { CommandContext } from '../context';
import { UsageError } from '../usage';

export const listUsage = 'skr8tr list [--json] [--home DIR]';
export async function list(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(argv, { ...homeOption, json: { type: 'boolean' } }, listUsage, { min: 0, max: 0 });
  const client = connect(ctx, values.home);
  const workloads = await call(ctx, () => client.call('workloads', {}));
  if (values.json) {
    ctx.out(
      JSON.stringify(
        workloads.map((w) => ({
          name: w.name,
          generation: w.generation,
          desired: w.desired,
          ready: w.ready,
          port: w.port,
          rollout: w.rollout,
          problem: w.problem,
          replicas: w.replicas.map((r) => ({ id: r.id, generation: r.generation, node: r.node, pid: r.pid, port: r.port, state: r.state, ingress: r.inIngress })),
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  if (workloads.length === 0) {
    ctx.out('no workloads; start one with `skr8tr up FILE`');
    return 0;
  }
  for (const w of workloads) {
    const rollout = w.rollout ? `  rollout ${w.rollout.id} ${w.rollout.state} (${w.rollout.fromGeneration} → ${w.rollout.toGeneration})` : '';
    const port = w.ingress ? `  port ${w.port} (ingress on ${w.ingress.address}:${w.ingress.port}, ${w.ingress.backends} in rotation)` : w.port !== null ? `  port ${w.port}` : '';
    ctx.out(`${w.name}  generation ${w.generation}  ${w.ready}/${w.desired} ready${port}${rollout}`);
    if (w.problem) ctx.out(`  ! ${w.problem}`);
    for (const r of w.replicas) {
      const extra = r.state === 'ready' && r.readyAfterMs !== null ? ` (ready after ${r.readyAfterMs} ms)` : r.reason ? ` (${r.reason})` : '';
      ctx.out(`  ${r.id.padEnd(28)} gen ${String(r.generation).padEnd(3)} ${(r.node ?? '-').padEnd(12)} pid ${String(r.pid ?? '-').padEnd(7)} port ${String(r.port ?? '-').padEnd(6)} ${r.state}${r.inIngress ? ' [ingress]' : ''}${extra}`);
    }
  }
  return 0;
}

export const nodesUsage = 'skr8tr nodes [--json] [--home DIR]';
export async function nodes(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(argv, { ...homeOption, json: { type: 'boolean' } }, nodesUsage, { min: 0, max: 0 });
  const client = connect(ctx, values.home);
  const list = await call(ctx, () => client.call('nodes', {}));
  if (values.json) {
    ctx.out(JSON.stringify(list.map((n) => ({ id: n.id, address: n.address, lastHeartbeatMs: n.lastHeartbeatMs, cpu: n.cpu, memFree: n.memFree, ports: n.ports, replicas: n.replicas, connected: n.connected })), null, 2));
    return 0;
  }
  if (list.length === 0) ctx.out('no nodes; start an agent with `skr8tr agent`');
  for (const n of list) {
    ctx.out(`${n.id}  ${n.address}  ${n.connected ? 'connected' : 'away'}  heartbeat ${n.lastHeartbeatMs} ms ago  cpu ${Math.round(n.cpu * 100)}%  free ${Math.round(n.memFree / 1024 / 1024)} MiB  ${n.replicas.length} replica${n.replicas.length === 1 ? '' : 's'}${n.ports.length ? `  ports ${n.ports.join(', ')}` : ''}`);
  }
  return 0;
}

export const statusUsage = 'skr8tr status [--home DIR]';
export async function status(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(argv, homeOption, statusUsage, { min: 0, max: 0 });
  const client = connect(ctx, values.home);
  const s = await call(ctx, () => client.call('status', {}));
  ctx.out(`Conductor ${s.version} (pid ${s.pid}) up ${Math.round((Date.now() - s.startedAt) / 1000)} s, home ${s.home}`);
  ctx.out(`${s.nodes} node${s.nodes === 1 ? '' : 's'}, ${s.workloads} workload${s.workloads === 1 ? '' : 's'}, ${s.replicas} replica${s.replicas === 1 ? '' : 's'} running, ${s.clients} client${s.clients === 1 ? '' : 's'} watching`);
  return 0;
}

export const logsUsage = 'skr8tr logs APP|REPLICA [-f] [--tail N] [--home DIR]';
export async function logs(argv: string[], ctx: CommandContext, signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...homeOption, follow: { type: 'boolean', short: 'f' }, tail: { type: 'string' } }, logsUsage, { min: 1, max: 1 });
  const tail = values.tail ?? '100';
  if (!/^\d+$/.test(tail)) throw new UsageError(`--tail must be a number, not "${tail}"`, logsUsage);
  const target = positionals[0]!;
  const client = connect(ctx, values.home);
  const workloads = await call(ctx, () => client.call('workloads', {}));
  const isApp = workloads.some((w) => w.name === target);
  const print = (l: LogLine) => (l.stream === 'err' ? ctx.err : ctx.out)(`${l.replica} | ${l.text}`);
  if (!values.follow) {
    const { lines } = await call(ctx, () => (isApp ? client.call('workloadLogs', { name: target, tail: Number(tail) }) : client.call('replicaLogs', { id: target, tail: Number(tail) })));
    lines.forEach(print);
    return 0;
  }
  const following = { tail: Number(tail), follow: true };
  await call(ctx, () => (isApp ? client.callStream('workloadLogs', { name: target, ...following }, print, signal) : client.callStream('replicaLogs', { id: target, ...following }, print, signal)));
  return 0;
}
