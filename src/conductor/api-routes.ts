// The API's resources: a handler for each route of shared/protocol/routes.ts (the compiler wants one
// for every route, answering its route's type), onto the Conductor's state and operations. Bodies
// arrive validated (request-bodies.ts); path parameters arrive decoded.
import type * as http from 'node:http';
import type { ApiEvent, LogLine } from '../shared/protocol/api';
import { ROUTES, type AnswerOf, type BodyOf, type ItemOf, type PathParams, type RouteName, type Routes } from '../shared/protocol/routes';
import { VERSION } from '../shared/version';
import type { Request, Route, Serialized } from './api-server';
import { parseBody } from './request-bodies';
import type { EventLog } from './event-log';
import { matcher, type LogQuery, type LogStore } from './log-store';
import { ApiError } from './api-error';
import { currentGeneration } from './model';
import type { Operations } from './operations';
import type { RolloutTimelines } from './rollout-timelines';
import type { ConductorState } from './state';
import type { TrafficMeter } from './traffic-meter';
import type { WorkloadViews } from './workload-views';

export interface RouteDeps {
  state: ConductorState;
  ops: Operations;
  events: EventLog;
  logs: LogStore;
  timelines: RolloutTimelines;
  meter: TrafficMeter;
  views: WorkloadViews;
  home: string;
  startedAt: number;
  shutdown(stopWorkloads: boolean): void;
}

/** A slow event-stream client is dropped (it reconnects with its last sequence number) past this backlog. */
const MAX_STREAM_BACKLOG = 8 * 1024 * 1024;

/** What a handler gets: the request, its path parameters by name, its validated body. */
type RouteRequest<K extends RouteName> = Omit<Request, 'params' | 'body'> & { params: PathParams<Routes[K]['pattern']>; body: BodyOf<K> };

/** A handler answers its route's type (or its JSON, kept), or `undefined` on a streaming route when it answered itself. */
type Handler<K extends RouteName> = (req: RouteRequest<K>) => AnswerOf<K> | Serialized<AnswerOf<K>> | Promise<AnswerOf<K>> | ([ItemOf<K>] extends [never] ? never : undefined | Promise<AnswerOf<K> | undefined>);
type Handlers = { [K in RouteName]: Handler<K> };

function tailOf(query: URLSearchParams): number {
  const raw = query.get('tail');
  if (raw === null) return 200;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new ApiError(400, '`tail` must be a whole number from 0 to 10000');
  return n;
}

/** A yes/no query parameter: `1` or `true`. */
function flag(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === '1' || v === 'true';
}

function startStream(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  res.flushHeaders();
}

export function routes(d: RouteDeps): Route[] {
  const handlers = handlersOf(d);
  return (Object.keys(ROUTES) as RouteName[]).map((name) => serve(name, handlers));
}

function serve<K extends RouteName>(name: K, handlers: Handlers): Route {
  const handler: Handler<K> = handlers[name];
  const { method, pattern, status } = ROUTES[name];
  return {
    method,
    pattern,
    status,
    handler: (req) => {
      const parsed = parseBody(name, req.body);
      if ('problem' in parsed) throw new ApiError(400, parsed.problem);
      return handler({ ...req, params: req.params as PathParams<Routes[K]['pattern']>, body: parsed.body });
    },
  };
}

function handlersOf(d: RouteDeps): Handlers {
  const { state, ops } = d;

  /** A log query from the request's parameters (the app or replica the path names win). */
  const logQuery = (query: URLSearchParams, fixed: { app?: string; replica?: string } = {}): LogQuery => {
    const num = (name: string) => {
      const raw = query.get(name);
      if (raw === null) return null;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new ApiError(400, `\`${name}\` must be a number from 0, not "${raw}"`);
      return n;
    };
    const q: LogQuery = { app: fixed.app ?? query.get('app'), replica: fixed.replica ?? query.get('replica'), generation: num('generation'), since: num('since'), grep: query.get('grep'), tail: tailOf(query) };
    try {
      matcher(q);
    } catch (err) {
      throw new ApiError(400, `\`grep\` is not a valid regular expression: ${(err as Error).message}`);
    }
    return q;
  };

  /** The tail, then (with `follow`) every new line, as NDJSON. */
  const streamLogs = async (req: { query: URLSearchParams; raw: http.IncomingMessage; res: http.ServerResponse }, q: LogQuery) => {
    const follow = req.query.get('follow') === '1' || req.query.get('follow') === 'true';
    if (!follow) return { lines: await d.logs.query(q) };
    // Followed from before the tail is read, so no line falls between the two; each is sent once.
    const sent = new Set<string>();
    const queued: LogLine[] = [];
    let live = false;
    const send = (l: LogLine) => {
      const key = `${l.replica}\0${l.seq}`;
      if (sent.has(key)) return;
      sent.add(key);
      if (sent.size > 100_000) sent.clear();
      req.res.write(JSON.stringify(l) + '\n');
    };
    const stop = d.logs.follow(q, (l) => (live ? send(l) : queued.push(l)));
    req.raw.on('close', stop);
    startStream(req.res);
    for (const l of await d.logs.query(q)) send(l);
    for (const l of queued.splice(0)) send(l);
    live = true;
    return undefined;
  };

  return {
    status: () => ({
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
    nodes: () => [...state.nodes.values()].map((n) => state.nodeView(n)),
    workloads: () => d.views.all(),
    workload: (req) => d.views.one(ops.workload(req.params.name).name)!,
    up: (req) => ops.submit([req.body], 'up'),
    workspace: (req) => ops.submit(req.body.manifests.map((m) => ({ ...m, watch: m.watch ?? req.body.watch })), req.body.mode),
    watch: (req) => state.workloadSummary(ops.watch(req.params.name, req.body.on)),
    down: (req) => ops.down([req.params.name], flag(req.query, 'force')),
    downMany: (req) => ops.down(req.body.apps, req.body.force ?? false),
    scale: (req) => {
      ops.scale(req.params.name, req.body.replicas);
      return state.workloadSummary(ops.workload(req.params.name));
    },
    rollback: (req) => state.rolloutView(ops.rollback(req.params.name, req.body.to)),
    abort: (req) => state.rolloutView(ops.abort(req.params.name)),
    pause: (req) => state.rolloutView(ops.pause(req.params.name)),
    resume: (req) => state.rolloutView(ops.resume(req.params.name)),
    workloadLogs: (req) => {
      ops.workload(req.params.name);
      return streamLogs(req, logQuery(req.query, { app: req.params.name }));
    },
    logs: (req) => streamLogs(req, logQuery(req.query)),
    rollout: (req) => ops.submit([req.body], 'rollout'),
    getRollout: (req) => {
      const r = state.findRollout(req.params.id);
      if (!r) throw new ApiError(404, `no rollout ${req.params.id}`);
      return state.rolloutView(r);
    },
    rolloutTimeline: async (req) => {
      const r = state.findRollout(req.params.id);
      if (!r) throw new ApiError(404, `no rollout ${req.params.id}`);
      const t = await d.timelines.timeline(r.id);
      if (!t) throw new ApiError(404, `no timeline was recorded for rollout ${r.id} (it ran before this version of Skr8tr, or its timeline could not be kept)`);
      return t;
    },
    traffic: (req) => {
      const w = ops.workload(req.params.name);
      const spec = currentGeneration(w).spec;
      if (!spec.ingress || spec.port === null) throw new ApiError(404, `${w.name} has no ingress (no \`port\` with \`ingress on\`), so its traffic is not measured`);
      const raw = req.query.get('since');
      const since = raw === null ? null : Number(raw);
      if (since !== null && (!Number.isFinite(since) || since < 0)) throw new ApiError(400, `\`since\` must be a time in ms since the epoch, not "${raw}"`);
      if (!flag(req.query, 'follow')) return d.meter.view(w.name, spec.health?.kind === 'tcp' ? 'connections' : 'requests', since);
      // Each second once it is complete, for as long as the client reads.
      startStream(req.res);
      req.raw.on('close', d.meter.follow(w.name, (s) => req.res.write(JSON.stringify(s) + '\n')));
      return undefined;
    },
    replicaLogs: (req) => {
      if (!state.replicas.has(req.params.id)) throw new ApiError(404, `no replica ${req.params.id}`);
      return streamLogs(req, logQuery(req.query, { replica: req.params.id }));
    },
    stopReplica: (req) => {
      ops.stopReplica(req.params.id);
      return { stopping: req.params.id };
    },
    events: (req) => {
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
    shutdown: (req) => {
      const { stopWorkloads } = req.body;
      setImmediate(() => d.shutdown(stopWorkloads ?? false));
      return { stopping: true, stopWorkloads: stopWorkloads ?? false };
    },
  };
}
