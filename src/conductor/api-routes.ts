// The API's resources, as routes onto the Conductor's state and operations.
import type * as http from 'node:http';
import { z } from 'zod';
import type { ApiEvent, LogLine, StatusView } from '../shared/protocol/api';
import { ManifestBody, RollbackBody, ScaleBody, ShutdownBody } from './request-bodies';
import { VERSION } from '../shared/version';
import type { Route } from './api-server';
import type { EventLog } from './event-log';
import type { LogStore } from './log-store';
import { ApiError } from './api-error';
import type { Operations } from './operations';
import type { ConductorState } from './state';

export interface RouteDeps {
  state: ConductorState;
  ops: Operations;
  events: EventLog;
  logs: LogStore;
  home: string;
  startedAt: number;
  shutdown(stopWorkloads: boolean): void;
}

/** A slow event-stream client is dropped (it reconnects with its last sequence number) past this backlog. */
const MAX_STREAM_BACKLOG = 8 * 1024 * 1024;

function body<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.length > 0 ? `\`${issue.path.join('.')}\`` : 'body';
  throw new ApiError(400, `bad request ${where}: ${issue.message}`);
}

function tailOf(query: URLSearchParams): number {
  const raw = query.get('tail');
  if (raw === null) return 200;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new ApiError(400, '`tail` must be a whole number from 0 to 10000');
  return n;
}

function startStream(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  res.flushHeaders();
}

export function routes(d: RouteDeps): Route[] {
  const { state, ops } = d;

  const streamLogs = (req: { query: URLSearchParams; raw: http.IncomingMessage; res: http.ServerResponse }, replicaIds: () => string[]) => {
    const n = tailOf(req.query);
    const follow = req.query.get('follow') === '1' || req.query.get('follow') === 'true';
    const lines = d.logs.tail(replicaIds(), n);
    if (!follow) return { lines };
    startStream(req.res);
    for (const l of lines) req.res.write(JSON.stringify(l) + '\n');
    const stop = d.logs.follow(
      (l: LogLine) => replicaIds().includes(l.replica),
      (l: LogLine) => {
        req.res.write(JSON.stringify(l) + '\n');
      },
    );
    req.raw.on('close', stop);
    return undefined;
  };

  return [
    {
      method: 'GET',
      pattern: '/v1/status',
      handler: (): StatusView => ({
        version: VERSION,
        pid: process.pid,
        startedAt: d.startedAt,
        epoch: d.events.epoch,
        seq: d.events.lastSeq,
        nodes: state.nodes.size,
        workloads: state.workloads.size,
        replicas: [...state.replicas.values()].filter((r) => r.state !== 'stopped' && r.state !== 'failed').length,
        clients: d.events.subscriberCount,
        home: d.home,
      }),
    },
    { method: 'GET', pattern: '/v1/nodes', handler: () => [...state.nodes.values()].map((n) => state.nodeView(n)) },
    { method: 'GET', pattern: '/v1/workloads', handler: () => [...state.workloads.values()].map((w) => state.workloadView(w)) },
    { method: 'GET', pattern: '/v1/workloads/:name', handler: (req) => state.workloadView(ops.workload(req.params.name!)) },
    { method: 'POST', pattern: '/v1/workloads', handler: (req) => ops.submit(body(ManifestBody, req.body), 'up') },
    {
      method: 'DELETE',
      pattern: '/v1/workloads/:name',
      handler: (req) => {
        ops.down(req.params.name!);
        return { removed: req.params.name };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/workloads/:name/scale',
      handler: (req) => {
        ops.scale(req.params.name!, body(ScaleBody, req.body).replicas);
        return state.workloadSummary(ops.workload(req.params.name!));
      },
    },
    { method: 'POST', pattern: '/v1/workloads/:name/rollback', status: 202, handler: (req) => state.rolloutView(ops.rollback(req.params.name!, body(RollbackBody, req.body).to)) },
    { method: 'POST', pattern: '/v1/workloads/:name/abort', status: 202, handler: (req) => state.rolloutView(ops.abort(req.params.name!)) },
    { method: 'POST', pattern: '/v1/workloads/:name/pause', handler: (req) => state.rolloutView(ops.pause(req.params.name!)) },
    { method: 'POST', pattern: '/v1/workloads/:name/resume', handler: (req) => state.rolloutView(ops.resume(req.params.name!)) },
    {
      method: 'GET',
      pattern: '/v1/workloads/:name/logs',
      handler: (req) => {
        ops.workload(req.params.name!);
        return streamLogs(req, () => state.replicasOf(req.params.name!).map((r) => r.id));
      },
    },
    { method: 'POST', pattern: '/v1/rollouts', status: 202, handler: (req) => ops.submit(body(ManifestBody, req.body), 'rollout') },
    {
      method: 'GET',
      pattern: '/v1/rollouts/:id',
      handler: (req) => {
        const r = state.findRollout(req.params.id!);
        if (!r) throw new ApiError(404, `no rollout ${req.params.id}`);
        return state.rolloutView(r);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/replicas/:id/logs',
      handler: (req) => {
        if (!state.replicas.has(req.params.id!)) throw new ApiError(404, `no replica ${req.params.id}`);
        return streamLogs(req, () => [req.params.id!]);
      },
    },
    {
      method: 'POST',
      pattern: '/v1/replicas/:id/stop',
      status: 202,
      handler: (req) => {
        ops.stopReplica(req.params.id!);
        return { stopping: req.params.id };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/events',
      handler: (req) => {
        const since = req.query.get('since');
        const epoch = req.query.get('epoch') ?? '';
        startStream(req.res);
        const write = (e: ApiEvent) => {
          req.res.write(JSON.stringify(e) + '\n');
          if (req.res.writableLength > MAX_STREAM_BACKLOG) req.res.destroy();
        };
        const missed = since === null ? null : d.events.since(Number(since), epoch);
        if (missed === null) {
          write({
            type: 'snapshot',
            nodes: [...state.nodes.values()].map((n) => state.nodeView(n)),
            workloads: [...state.workloads.values()].map((w) => state.workloadSummary(w)),
            replicas: [...state.replicas.values()].map((r) => state.replicaView(r)),
            seq: d.events.lastSeq,
            epoch: d.events.epoch,
            at: Date.now(),
          });
        } else {
          write({ type: 'resumed', seq: Number(since), epoch: d.events.epoch, at: Date.now() });
          for (const e of missed) write(e);
        }
        const unsubscribe = d.events.subscribe(write);
        req.raw.on('close', unsubscribe);
        return undefined;
      },
    },
    {
      method: 'POST',
      pattern: '/v1/shutdown',
      status: 202,
      handler: (req) => {
        const { stopWorkloads } = body(ShutdownBody, req.body);
        setImmediate(() => d.shutdown(stopWorkloads ?? false));
        return { stopping: true, stopWorkloads: stopWorkloads ?? false };
      },
    },
  ];
}
