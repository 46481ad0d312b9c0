// A rollout's timeline as it is drawn: the Conductor's record of it (RolloutTimelineView: replica
// marks, steps, traffic per second) in; swim lanes out, one per replica, grouped by generation (the
// old one above, the new one below), each a row of segments (starting, serving in the ingress,
// ready without an ingress, draining, stopped or failed), the steps as markers, and the traffic
// strip on the same time axis. Every text a user reads on hover or focus is made here. Pure: the
// time is passed in (a running rollout's lanes reach "now"). Used by the extension's timeline panel
// (and could be by the CLI); the webview only lays it out.
import { formatMs } from './format';
import type { ReplicaMark, ReplicaState, RolloutTimelineView, StepView } from './protocol/api';
import { isFinal } from './protocol/api';
import { formatCount, trafficSummary } from './traffic-window';

export type SegmentKind = 'starting' | 'serving' | 'ready' | 'draining' | 'stopped' | 'failed';

export interface Segment {
  kind: SegmentKind;
  from: number;
  to: number;
  /** Still going at the right edge of a running rollout. */
  open: boolean;
  /** What hovering or focusing it shows. */
  title: string;
}

export interface Lane {
  replica: string;
  generation: number;
  segments: Segment[];
  /** The lane in words (for a screen reader and the lane's label tooltip). */
  summary: string;
}

export type GroupRole = 'old' | 'new' | 'other';

export interface LaneGroup {
  generation: number;
  role: GroupRole;
  label: string;
  lanes: Lane[];
}

export interface Marker {
  at: number;
  level: StepView['level'];
  title: string;
}

export interface TrafficPoint {
  /** Start of the second. */
  at: number;
  requests: number;
  failed: number;
  retried: number;
  p99: number | null;
  title: string;
}

export interface TimelineModel {
  rollout: string;
  app: string;
  title: string;
  /** How it went (or how it goes), with what was served. */
  status: string;
  state: RolloutTimelineView['rollout']['state'];
  from: number;
  to: number;
  /** When the rollout itself began (the time axis counts from here). */
  zero: number;
  live: boolean;
  groups: LaneGroup[];
  markers: Marker[];
  traffic: { unit: 'requests' | 'connections'; points: TrafficPoint[]; maxRequests: number; maxP99: number } | null;
  notes: string[];
  /** Each failed replica, and why, in words (what its failed segment says). */
  failures: string[];
  ticks: Tick[];
}

export interface Tick {
  at: number;
  label: string;
}

const KIND_OF: Record<ReplicaState, SegmentKind> = {
  pending: 'starting',
  starting: 'starting',
  ready: 'ready',
  draining: 'draining',
  stopped: 'stopped',
  failed: 'failed',
};

const WORDS: Record<SegmentKind, string> = {
  starting: 'starting',
  serving: 'serving (in the ingress)',
  ready: 'ready',
  draining: 'draining',
  stopped: 'stopped',
  failed: 'failed',
};

const ENDED: ReadonlySet<SegmentKind> = new Set(['stopped', 'failed']);

/** `+1.25 s` from the rollout's start (`−1.50 s` before it). */
export function relative(at: number, zero: number): string {
  const s = (at - zero) / 1000;
  return `${s < 0 ? '−' : '+'}${Math.abs(s).toFixed(2)} s`;
}

function kindOf(m: ReplicaMark): SegmentKind {
  const k = KIND_OF[m.state];
  return k === 'ready' && m.inIngress ? 'serving' : k;
}

function segmentTitle(replica: string, s: Omit<Segment, 'title'>, reason: string | null, zero: number): string {
  const why = reason ? `: ${reason}` : '';
  if (ENDED.has(s.kind)) return `${replica} ${WORDS[s.kind]} at ${relative(s.from, zero)}${why}`;
  const until = s.open ? 'now' : relative(s.to, zero);
  return `${replica} ${WORDS[s.kind]} from ${relative(s.from, zero)} to ${until} (${formatMs(s.to - s.from)})${s.kind === 'draining' ? why : ''}`;
}

/** One replica's marks (in time order) as segments up to `end`. */
export function segmentsOf(replica: string, marks: readonly ReplicaMark[], end: number, live: boolean, zero: number): Segment[] {
  const out: Segment[] = [];
  const reasons: (string | null)[] = [];
  for (const m of marks) {
    const kind = kindOf(m);
    const last = out.at(-1);
    if (last && last.kind === kind) continue;
    if (last) last.to = m.at;
    out.push({ kind, from: m.at, to: end, open: false, title: '' });
    reasons.push(m.reason);
  }
  out.forEach((s, i) => {
    s.to = Math.max(s.to, s.from);
    s.open = live && i === out.length - 1 && !ENDED.has(s.kind);
    s.title = segmentTitle(replica, s, reasons[i] ?? null, zero);
  });
  return out;
}

function laneSummary(replica: string, generation: number, segments: readonly Segment[]): string {
  const parts = segments.map((s) => (ENDED.has(s.kind) ? WORDS[s.kind] : `${WORDS[s.kind]} ${formatMs(s.to - s.from)}${s.open ? ' so far' : ''}`));
  return `${replica}, generation ${generation}: ${parts.join(', then ')}`;
}

function roleOf(generation: number, t: RolloutTimelineView): GroupRole {
  if (generation === t.rollout.toGeneration) return 'new';
  if (generation === t.rollout.fromGeneration) return 'old';
  return 'other';
}

const ROLE_ORDER: Record<GroupRole, number> = { old: 0, other: 1, new: 2 };

/** Tick marks for the axis: about `count` of them at a round step, labelled from the rollout's start. */
export function ticks(from: number, to: number, zero: number, count = 8): Tick[] {
  const span = Math.max(1, to - from);
  const steps = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];
  const step = steps.find((s) => span / s <= count) ?? steps.at(-1)!;
  const out: Tick[] = [];
  for (let at = zero + Math.ceil((from - zero) / step) * step; at <= to; at += step) {
    const s = (at - zero) / 1000;
    const text = step >= 60_000 ? `${s / 60} min` : step < 1000 ? `${s.toFixed(1)} s` : `${s} s`;
    out.push({ at, label: s === 0 ? '0 s' : s > 0 ? `+${text}` : `−${text.replace('-', '')}` });
  }
  return out;
}

export function timelineModel(t: RolloutTimelineView, now: number): TimelineModel {
  const r = t.rollout;
  const live = t.to === null && !isFinal(r.state);
  const to = Math.max(t.to ?? now, t.from + 1000);
  const zero = r.startedAt;

  const byReplica = new Map<string, ReplicaMark[]>();
  for (const m of [...t.marks].sort((a, b) => a.at - b.at)) {
    let list = byReplica.get(m.id);
    if (!list) byReplica.set(m.id, (list = []));
    list.push(m);
  }
  const groups = new Map<number, LaneGroup>();
  for (const [replica, marks] of [...byReplica].sort(([a, ma], [b, mb]) => ma[0]!.at - mb[0]!.at || a.localeCompare(b))) {
    const generation = marks[0]!.generation;
    let g = groups.get(generation);
    if (!g) {
      const role = roleOf(generation, t);
      groups.set(generation, (g = { generation, role, label: `generation ${generation}${role === 'other' ? '' : ` (${role})`}`, lanes: [] }));
    }
    const segments = segmentsOf(replica, marks, to, live, zero);
    g.lanes.push({ replica, generation, segments, summary: laneSummary(replica, generation, segments) });
  }

  const markers: Marker[] = t.steps.map((s) => ({ at: s.at, level: s.level, title: `${relative(s.at, zero)}  ${s.message}` }));

  let traffic: TimelineModel['traffic'] = null;
  if (t.traffic) {
    const series = t.traffic;
    const noun = t.unit;
    const points: TrafficPoint[] = series.requests.map((requests, i) => {
      const at = series.from + i * 1000;
      const failed = series.failed[i] ?? 0;
      const retried = series.retried[i] ?? 0;
      const p99 = series.p99[i] ?? null;
      const bits = [`${formatCount(requests)} ${noun}`, `${formatCount(failed)} failed`];
      if (retried > 0) bits.push(`${formatCount(retried)} retried`);
      if (p99 !== null) bits.push(`p99 ${p99 < 10 ? p99.toFixed(2) : Math.round(p99)} ms`);
      return { at, requests, failed, retried, p99, title: `${relative(at, zero)} to ${relative(at + 1000, zero)}: ${bits.join(', ')}` };
    });
    traffic = {
      unit: noun,
      points,
      maxRequests: Math.max(1, ...points.map((p) => p.requests)),
      maxP99: Math.max(1, ...points.map((p) => p.p99 ?? 0)),
    };
  }

  const notes: string[] = [];
  if (t.partial) notes.push('The Conductor restarted during this rollout: what happened before that is not shown, and its traffic was not counted.');
  if (t.traffic === null) notes.push('This app has no ingress, so no traffic is shown.');

  return {
    rollout: r.id,
    app: r.app,
    title: `${r.app}: generation ${r.fromGeneration} → ${r.toGeneration}`,
    status: statusOf(t, now),
    state: r.state,
    from: t.from,
    to,
    zero,
    live,
    groups: [...groups.values()].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.generation - b.generation),
    markers,
    traffic,
    notes,
    failures: [...groups.values()].flatMap((g) => g.lanes.flatMap((l) => l.segments.filter((seg) => seg.kind === 'failed').map((seg) => seg.title))),
    ticks: ticks(t.from, to, zero),
  };
}

/** `succeeded in 4.2 s; 1,245 requests served during the rollout, 0 failed`, or `running: 1/3 new replicas ready (12 s so far)`. */
function statusOf(t: RolloutTimelineView, now: number): string {
  const r = t.rollout;
  const took = formatMs((r.endedAt ?? now) - r.startedAt);
  if (!isFinal(r.state)) return `${r.state}: ${r.ready}/${r.desired} new replicas ready (${took} so far)`;
  const served = r.traffic ? `; ${trafficSummary(r.traffic, t.unit)}` : '';
  return `${r.state} in ${took}${r.reason ? ` (${r.reason})` : ''}${served}`;
}
