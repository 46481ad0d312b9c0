// Each rollout's timeline, recorded as it happens: the app's replicas when it began, then every
// change of them (state, in or out of the ingress) and every step, from the event log; and what the
// ingress served meanwhile, from the traffic meter (totals at the start, so the end can count exactly).
// When the rollout ends its timeline is frozen with the traffic of its seconds and kept on disk
// (timeline-store.ts), so the picture stays available from the history. `GET /v1/rollouts/:id/timeline`
// reads it; shared/timeline-model.ts turns it into lanes and segments.
//
//   (rollout event, not final) ──▶ recording ──(rollout event, final)──▶ frozen: recent (memory) + store (disk)
//   Conductor restarted during a rollout: recording from then on, `partial`, traffic not counted
import type { Logger } from '../shared/logger';
import { isFinal, type ApiEvent, type ReplicaMark, type RolloutTimelineView, type RolloutView, type StepView } from '../shared/protocol/api';
import { countBetween, type TrafficCount } from '../shared/traffic-window';
import type { EventLog } from './event-log';
import { currentGeneration, type WorkloadRecord } from './model';
import type { RolloutTraffic } from './rollout-transitions';
import type { ConductorState } from './state';
import type { TimelineStore } from './timeline-store';
import type { TrafficMeter } from './traffic-meter';

/** The picture starts this long before the rollout, so the old replicas are seen serving first. */
export const LEAD_MS = 2_000;
/** A rollout that goes on for hours (a crash loop under `on-failure continue`) keeps at most this much. */
const MAX_MARKS = 5_000;
const MAX_STEPS = 1_000;
/** Frozen timelines kept in memory for repeated reads; older ones are read from disk. */
const RECENT = 20;

interface Recording {
  rollout: RolloutView;
  from: number;
  marks: ReplicaMark[];
  steps: StepView[];
  /** Each replica's last mark, so a change that moves nothing drawn is not kept. */
  last: Map<string, ReplicaMark>;
  /** The meter's totals when it began; null: not counted (no ingress, or the Conductor restarted meanwhile). */
  totalsAtStart: TrafficCount | null;
  unit: 'requests' | 'connections';
  ingress: boolean;
  partial: boolean;
}

export interface TimelineDeps {
  events: EventLog;
  state: ConductorState;
  meter: TrafficMeter;
  store: TimelineStore;
  log: Logger;
  now: () => number;
}

export class RolloutTimelines {
  /** Recordings of running rollouts, by rollout id. */
  private readonly recording = new Map<string, Recording>();
  /** The running rollout of each app, by app. */
  private readonly byApp = new Map<string, string>();
  private readonly recent = new Map<string, RolloutTimelineView>();
  private readonly stopObserving: () => void;

  constructor(private readonly d: TimelineDeps) {
    // Rollouts that were running when the Conductor stopped: recorded from now on.
    for (const w of d.state.workloads.values()) if (w.rollout && !isFinal(w.rollout.state)) this.begin(d.state.rolloutView(w.rollout), d.now(), true);
    this.stopObserving = d.events.observe((e) => this.take(e));
  }

  /** What the ingress served since the rollout began, for its last step; null when not counted. */
  trafficOf(rolloutId: string): RolloutTraffic | null {
    const r = this.recording.get(rolloutId);
    if (!r || !r.totalsAtStart) return null;
    return { count: countBetween(r.totalsAtStart, this.d.meter.totals(r.rollout.app)), unit: r.unit };
  }

  /** A rollout's timeline: live while it runs, else as it was frozen; null when none was recorded. */
  async timeline(id: string): Promise<RolloutTimelineView | null> {
    const r = this.recording.get(id);
    if (r) return this.view(r, null);
    const frozen = this.recent.get(id) ?? (await this.d.store.load(id));
    if (!frozen) return null;
    const known = this.d.state.findRollout(id);
    return known ? { ...frozen, rollout: this.d.state.rolloutView(known) } : frozen;
  }

  /** Stops recording; resolves once the timelines of rollouts that ended are on disk. */
  close(): Promise<void> {
    this.stopObserving();
    return this.d.store.idle();
  }

  private take(e: ApiEvent): void {
    switch (e.type) {
      case 'rollout': {
        const r = this.recording.get(e.rollout.id);
        if (r) {
          r.rollout = e.rollout;
          if (isFinal(e.rollout.state)) this.finish(r, e.rollout.endedAt ?? e.at);
        } else if (!isFinal(e.rollout.state) && !this.recent.has(e.rollout.id)) {
          this.begin(e.rollout, e.at, false);
        }
        break;
      }
      case 'replica': {
        const id = this.byApp.get(e.replica.app);
        const r = id ? this.recording.get(id) : undefined;
        if (r) this.mark(r, { at: e.at, id: e.replica.id, generation: e.replica.generation, state: e.replica.state, inIngress: e.replica.inIngress, reason: e.replica.reason });
        break;
      }
      case 'step': {
        const r = this.recording.get(e.step.rollout);
        if (r && r.steps.length < MAX_STEPS) r.steps.push(e.step);
        break;
      }
      case 'workload-removed':
        void this.d.store.prune(this.kept());
        break;
      default:
        break;
    }
  }

  private begin(rollout: RolloutView, at: number, resumed: boolean): void {
    const w = this.d.state.workloads.get(rollout.app);
    const spec = w ? currentGeneration(w).spec : null;
    const ingress = !!spec && spec.ingress && spec.port !== null;
    const from = rollout.startedAt - LEAD_MS;
    const r: Recording = {
      rollout,
      from,
      marks: [],
      steps: [],
      last: new Map(),
      totalsAtStart: ingress && !resumed ? this.d.meter.totals(rollout.app) : null,
      unit: spec?.health?.kind === 'tcp' ? 'connections' : 'requests',
      ingress,
      partial: resumed,
    };
    // A newer rollout of the app supersedes the one recorded: that one ends with its own event.
    this.byApp.set(rollout.app, rollout.id);
    this.recording.set(rollout.id, r);
    for (const x of this.d.state.replicasOf(rollout.app)) {
      if (x.state === 'stopped' || x.state === 'failed') continue;
      this.mark(r, { at: resumed ? at : from, id: x.id, generation: x.generation, state: x.state, inIngress: x.inIngress, reason: x.reason });
    }
  }

  private mark(r: Recording, m: ReplicaMark): void {
    const before = r.last.get(m.id);
    if (before && before.state === m.state && before.inIngress === m.inIngress && before.generation === m.generation) return;
    if (r.marks.length >= MAX_MARKS) return;
    r.last.set(m.id, m);
    r.marks.push(m);
  }

  private finish(r: Recording, to: number): void {
    this.recording.delete(r.rollout.id);
    if (this.byApp.get(r.rollout.app) === r.rollout.id) this.byApp.delete(r.rollout.app);
    const frozen = this.view(r, to);
    this.recent.set(r.rollout.id, frozen);
    for (const old of [...this.recent.keys()].slice(0, Math.max(0, this.recent.size - RECENT))) this.recent.delete(old);
    void this.d.store.save(frozen, this.kept());
  }

  private view(r: Recording, to: number | null): RolloutTimelineView {
    const window = r.ingress ? this.d.meter.window(r.rollout.app) : null;
    const end = to ?? this.d.now();
    const traffic = r.ingress ? (window?.series(r.from, end) ?? { from: Math.floor(r.from / 1000) * 1000, requests: [], failed: [], retried: [], p50: [], p99: [] }) : null;
    return { rollout: r.rollout, from: r.from, to, marks: [...r.marks], steps: [...r.steps], traffic, unit: r.unit, partial: r.partial };
  }

  /** Every rollout still in a workload's history (or running): their timelines stay. */
  private kept(): Set<string> {
    const ids = new Set<string>();
    const add = (w: WorkloadRecord) => {
      if (w.rollout) ids.add(w.rollout.id);
      for (const h of w.history) ids.add(h.id);
    };
    for (const w of this.d.state.workloads.values()) add(w);
    return ids;
  }
}
