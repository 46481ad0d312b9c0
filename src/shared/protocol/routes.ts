// The Conductor API's routes, declared once: each route's name, method, path pattern, status on
// success, request body, answer (and, for a stream, the type of its items). The Conductor serves this
// table (src/conductor/api-routes.ts; the bodies' zod schemas stay server-side, in request-bodies.ts);
// the client calls routes by name (shared/client.ts), so no caller writes a path. Only types and a few
// strings live here: the extension bundles this file, and it must not pull in a validator.
import type {
  ApiEvent,
  DownBody,
  LogLine,
  LogTail,
  ManifestBody,
  NodeView,
  RollbackBody,
  RolloutTimelineView,
  RolloutView,
  ScaleBody,
  DownAnswer,
  ShutdownBody,
  StatusView,
  SubmitResult,
  TrafficSecond,
  TrafficView,
  WorkloadSummary,
  WorkloadView,
  WatchBody,
  WorkspaceBody,
} from './api';

type Method = 'GET' | 'POST' | 'DELETE';

/** What a route takes and gives; a key left out: no body, no JSON answer (stream only), no query, no stream. */
interface RouteTypes {
  body?: unknown;
  answer?: unknown;
  query?: object;
  /** The items of its NDJSON stream. */
  item?: unknown;
}

/** A route's types, for the compiler; at run time one shared empty object. */
interface Types<T extends RouteTypes> {
  readonly __types?: (value: T) => T;
}
const TYPES: object = Object.freeze({});
function types<T extends RouteTypes>(): Types<T> {
  return TYPES as Types<T>;
}

/** The names of a pattern's `:name` parameters. */
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}` ? Name | ParamNames<Rest> : P extends `${string}:${infer Name}` ? Name : never;
export type PathParams<P extends string> = { [K in ParamNames<P>]: string };

/** Query values: a number or string as written, `true` as `1`; `false` and `undefined` are left out. */
type QueryValue = string | number | boolean | undefined;

export interface RouteSpec<P extends string, T extends RouteTypes> {
  readonly method: Method;
  /** `/v1/...` with `:name` parameters (lower-case letters), as the Conductor matches it. */
  readonly pattern: P;
  /** The status of a success: 202 for accepted work that continues in the Conductor. */
  readonly status: 200 | 202;
  readonly types?: T;
}

function route<P extends string, T extends RouteTypes>(method: Method, pattern: P, _types: Types<T>, status: 200 | 202 = 200): RouteSpec<P, T> {
  return { method, pattern, status };
}

interface LogsQuery {
  /** How many recent lines (the Conductor's default: 200). */
  tail?: number;
  /** Keep the answer open and stream new lines (NDJSON of LogLine). */
  follow?: boolean;
  /** Lines at or after this time (ms since the epoch). */
  since?: number;
  /** Lines holding this text, or matching `/regex/flags`. */
  grep?: string;
  /** Lines of this generation only. */
  generation?: number;
}

/** Every app's logs, or those the parameters choose. */
interface AllLogsQuery extends LogsQuery {
  app?: string;
  replica?: string;
}

interface DownQuery {
  /** Take it down even though other apps need it (they keep running). */
  force?: boolean;
}

interface TrafficQuery {
  /** Seconds from this time (ms since the epoch); the last 10 minutes by default. */
  since?: number;
  /** Keep the answer open and stream each second as it completes (NDJSON of TrafficSecond). */
  follow?: boolean;
}

interface EventsQuery {
  /** Resume after this sequence number of this epoch; without them the stream starts with a snapshot. */
  since?: number;
  epoch?: string;
}

export const ROUTES = {
  status: route('GET', '/v1/status', types<{ answer: StatusView }>()),
  nodes: route('GET', '/v1/nodes', types<{ answer: NodeView[] }>()),
  workloads: route('GET', '/v1/workloads', types<{ answer: WorkloadView[] }>()),
  workload: route('GET', '/v1/workloads/:name', types<{ answer: WorkloadView }>()),
  up: route('POST', '/v1/workloads', types<{ body: ManifestBody; answer: SubmitResult }>()),
  down: route('DELETE', '/v1/workloads/:name', types<{ answer: DownAnswer; query: DownQuery }>()),
  downMany: route('POST', '/v1/down', types<{ body: DownBody; answer: DownAnswer }>(), 202),
  workspace: route('POST', '/v1/workspace', types<{ body: WorkspaceBody; answer: SubmitResult }>(), 202),
  scale: route('POST', '/v1/workloads/:name/scale', types<{ body: ScaleBody; answer: WorkloadSummary }>()),
  rollback: route('POST', '/v1/workloads/:name/rollback', types<{ body: RollbackBody; answer: RolloutView }>(), 202),
  abort: route('POST', '/v1/workloads/:name/abort', types<{ answer: RolloutView }>(), 202),
  pause: route('POST', '/v1/workloads/:name/pause', types<{ answer: RolloutView }>()),
  resume: route('POST', '/v1/workloads/:name/resume', types<{ answer: RolloutView }>()),
  watch: route('POST', '/v1/workloads/:name/watch', types<{ body: WatchBody; answer: WorkloadSummary }>()),
  workloadLogs: route('GET', '/v1/workloads/:name/logs', types<{ answer: LogTail; query: LogsQuery; item: LogLine }>()),
  logs: route('GET', '/v1/logs', types<{ answer: LogTail; query: AllLogsQuery; item: LogLine }>()),
  rollout: route('POST', '/v1/rollouts', types<{ body: ManifestBody; answer: SubmitResult }>(), 202),
  getRollout: route('GET', '/v1/rollouts/:id', types<{ answer: RolloutView }>()),
  rolloutTimeline: route('GET', '/v1/rollouts/:id/timeline', types<{ answer: RolloutTimelineView }>()),
  traffic: route('GET', '/v1/workloads/:name/traffic', types<{ answer: TrafficView; query: TrafficQuery; item: TrafficSecond }>()),
  replicaLogs: route('GET', '/v1/replicas/:id/logs', types<{ answer: LogTail; query: LogsQuery; item: LogLine }>()),
  stopReplica: route('POST', '/v1/replicas/:id/stop', types<{ answer: { stopping: string } }>(), 202),
  events: route('GET', '/v1/events', types<{ query: EventsQuery; item: ApiEvent }>()),
  shutdown: route('POST', '/v1/shutdown', types<{ body: ShutdownBody; answer: { stopping: true; stopWorkloads: boolean } }>(), 202),
};

export type Routes = typeof ROUTES;
export type RouteName = keyof Routes;
type TypesOf<K extends RouteName> = NonNullable<Routes[K]['types']>;
type Field<K extends RouteName, F extends keyof RouteTypes, Absent> = TypesOf<K> extends { [_ in F]: infer V } ? V : Absent;

/** The request body of a route; `undefined` for one that takes none. */
export type BodyOf<K extends RouteName> = Field<K, 'body', undefined>;
/** The JSON answer of a route; `never` for a stream-only route. */
export type AnswerOf<K extends RouteName> = Field<K, 'answer', never>;
/** The items of a route's NDJSON stream; `never` for a route that does not stream. */
export type ItemOf<K extends RouteName> = Field<K, 'item', never>;
/** Path parameters and query parameters, in one object. */
export type ParamsOf<K extends RouteName> = PathParams<Routes[K]['pattern']> & Field<K, 'query', {}>;

export type BodyRoute = { [K in RouteName]: [BodyOf<K>] extends [undefined] ? never : K }[RouteName];
export type JsonRoute = { [K in RouteName]: [AnswerOf<K>] extends [never] ? never : K }[RouteName];
export type StreamRoute = { [K in RouteName]: [ItemOf<K>] extends [never] ? never : K }[RouteName];

/** A body argument where the route takes one, none where it does not. */
export type BodyArgs<K extends RouteName> = [BodyOf<K>] extends [undefined] ? [] : [body: BodyOf<K>];

/**
 * The path of a route for its parameters: each `:name` replaced by its value, percent-encoded; the
 * remaining parameters appended as the query, in the order given.
 */
export function pathOf<K extends RouteName>(name: K, params: ParamsOf<K>): string {
  const values = params as Record<string, QueryValue>;
  const used = new Set<string>();
  const path = ROUTES[name].pattern.replace(/:([a-z]+)/g, (_, param: string) => {
    used.add(param);
    return encodeURIComponent(String(values[param]));
  });
  const query = Object.entries(values)
    .filter(([key, value]) => !used.has(key) && value !== undefined && value !== false)
    .map(([key, value]) => `${encodeURIComponent(key)}=${value === true ? '1' : encodeURIComponent(String(value))}`);
  return query.length > 0 ? `${path}?${query.join('&')}` : path;
}
