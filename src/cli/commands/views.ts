// `list`, `nodes`, `status`, `logs`: reading what runs (all but `status` start a Conductor when none runs).
import { ConductorClient, NotRunning } from '../../shared/client';
import { resolveHome } from '../../shared/home';
import { formatLine, parseSince } from '../../shared/log-format';
import { VERSION } from '../../shared/version';
import type { LogLine } from '../../shared/protocol/api';
import { parseCommandArgs } from '../args';
import { call, connect, homeOption } from '../conductor-client';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../usage';

export const listUsage = 'skr8tr list [--json] [--home DIR]';
export async function list(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(argv, { ...homeOption, json: { type: 'boolean' } }, listUsage, { min: 0, max: 0 });
  const client = await connect(ctx, values.home);
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
  const client = await connect(ctx, values.home);
  const list = await call(ctx, () => client.call('nodes', {}));
  if (values.json) {
    ctx.out(JSON.stringify(list.map((n) => ({ id: n.id, address: n.address, lastHeartbeatMs: n.lastHeartbeatMs, cpu: n.cpu, memFree: n.memFree, ports: n.ports, replicas: n.replicas, connected: n.connected, lostInMs: n.lostInMs })), null, 2));
    return 0;
  }
  if (list.length === 0) ctx.out('no nodes; start an agent with `skr8tr agent`');
  for (const n of list) {
    const status = n.lostInMs !== null ? `silent (its replicas serve while their checks pass; replaced in ${Math.ceil(n.lostInMs / 1000)} s)` : n.connected ? 'connected' : 'away';
    ctx.out(`${n.id}  ${n.address}  ${status}  heartbeat ${n.lastHeartbeatMs} ms ago  cpu ${Math.round(n.cpu * 100)}%  free ${Math.round(n.memFree / 1024 / 1024)} MiB  ${n.replicas.length} replica${n.replicas.length === 1 ? '' : 's'}${n.ports.length ? `  ports ${n.ports.join(', ')}` : ''}`);
  }
  return 0;
}

export const statusUsage = 'skr8tr status [--home DIR]';
/** The Conductor's state; it starts none: with none running it says so (exit 3, "not running", as LSB's status does). */
export async function status(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommandArgs(argv, homeOption, statusUsage, { min: 0, max: 0 });
  const home = resolveHome(values.home, ctx.env);
  let client: ConductorClient;
  try {
    client = ConductorClient.fromHome(home);
  } catch (err) {
    if (!(err instanceof NotRunning)) throw err;
    ctx.out(`no Conductor is running for ${home}; a command that needs one starts it (\`skr8tr up FILE\`)`);
    return 3;
  }
  const s = await call(ctx, () => client.call('status', {}));
  const other = s.version !== VERSION ? ` (this skr8tr is ${VERSION})` : '';
  ctx.out(`Conductor ${s.version}${other} (pid ${s.pid}) up ${Math.round((Date.now() - s.startedAt) / 1000)} s, home ${s.home}`);
  ctx.out(`${s.nodes} node${s.nodes === 1 ? '' : 's'}, ${s.workloads} workload${s.workloads === 1 ? '' : 's'}, ${s.replicas} replica${s.replicas === 1 ? '' : 's'} running, ${s.clients} client${s.clients === 1 ? '' : 's'} watching`);
  return 0;
}

export const logsUsage = 'skr8tr logs [APP|REPLICA] [-f] [--tail N] [--since 5m] [--grep TEXT|/RE/] [--generation N] [--json] [--no-color] [--home DIR]';
/** Every app's output, interleaved in time order (or one app's, or one replica's), with coloured prefixes on a terminal. */
export async function logs(argv: string[], ctx: CommandContext, signal?: AbortSignal): Promise<number> {
  const options = {
    ...homeOption,
    follow: { type: 'boolean', short: 'f' },
    tail: { type: 'string' },
    since: { type: 'string' },
    grep: { type: 'string' },
    generation: { type: 'string' },
    json: { type: 'boolean' },
    'no-color': { type: 'boolean' },
  } as const;
  const { values, positionals } = parseCommandArgs(argv, options, logsUsage, { min: 0, max: 1 });
  const tail = values.tail ?? '100';
  if (!/^\d+$/.test(tail) || Number(tail) > 10_000) throw new UsageError(`--tail is how many of the last lines to show: 0 to 10000 (default 100), not "${tail}"`, logsUsage);
  const since = values.since === undefined ? undefined : parseSince(values.since, Date.now());
  if (since === null) throw new UsageError(`--since must be a duration (30s, 5m, 2h, 1d) or a date, not "${values.since}"`, logsUsage);
  if (since !== undefined && since < 0) throw new UsageError(`--since ${values.since} reaches back before 1970; give a shorter duration or a date`, logsUsage);
  if (values.generation !== undefined && !/^\d+$/.test(values.generation)) throw new UsageError(`--generation must be a number, not "${values.generation}"`, logsUsage);
  const client = await connect(ctx, values.home);
  const target = positionals[0];
  let scope: { app?: string; replica?: string } = {};
  if (target !== undefined) {
    const workloads = await call(ctx, () => client.call('workloads', {}));
    if (workloads.some((w) => w.name === target)) scope = { app: target };
    else if (workloads.some((w) => w.replicas.some((r) => r.id === target))) scope = { replica: target };
    else throw new CliError(`no replica or app named ${target}`);
  }
  const query = {
    ...scope,
    tail: Number(tail),
    ...(since !== undefined ? { since } : {}),
    ...(values.grep ? { grep: values.grep } : {}),
    ...(values.generation !== undefined ? { generation: Number(values.generation) } : {}),
  };
  const colour = !values['no-color'] && !ctx.env.NO_COLOR && ctx.tty === true;
  let width = 0;
  const print = (l: LogLine) => {
    if (values.json) return ctx.out(JSON.stringify(l));
    width = Math.max(width, l.replica.length);
    (l.stream === 'err' ? ctx.err : ctx.out)(formatLine(l, { colour, width }));
  };
  if (!values.follow) {
    (await call(ctx, () => client.call('logs', query))).lines.forEach(print);
    return 0;
  }
  await call(ctx, () => client.callStream('logs', { ...query, follow: true }, print, signal));
  return 0;
}
