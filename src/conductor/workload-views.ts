// The API's views of workloads, serialized once per change rather than once per request. A
// workload's JSON is kept until an event about it (the workload, one of its replicas or rollouts)
// says it changed; the list's bytes are kept until any workload's JSON changes. Node heartbeats and
// rollout steps change no workload's view, so at 1,000 replicas the list is built once and then
// sent as it is. What the views show of an app's ingress is also compared on every read, since a
// listener can close without an event.
import type { ApiEvent, WorkloadView } from '../shared/protocol/api';
import { Serialized } from './api-server';
import type { EventLog } from './event-log';
import type { WorkloadRecord } from './model';
import type { IngressInfo } from './state';

/** What the views are built from (the state). */
export interface ViewSource {
  readonly workloads: ReadonlyMap<string, WorkloadRecord>;
  workloadView(w: WorkloadRecord): WorkloadView;
  ingressOf(app: string): IngressInfo | null;
}

interface Kept {
  json: string;
  /** The ingress it showed (JSON), to notice a change no event told. */
  ingress: string;
}

/** The app whose workload view an event may change, if any. */
export function appOf(e: ApiEvent): string | null {
  switch (e.type) {
    case 'workload':
      return e.workload.name;
    case 'workload-removed':
      return e.name;
    case 'replica':
      return e.replica.app;
    case 'replica-removed':
      return e.app;
    case 'rollout':
      return e.rollout.app;
    default:
      return null;
  }
}

export class WorkloadViews {
  private readonly kept = new Map<string, Kept>();
  private list: Buffer | null = null;

  constructor(
    private readonly source: ViewSource,
    events: EventLog,
  ) {
    events.observe((e) => {
      const app = appOf(e);
      if (app !== null) this.changed(app);
    });
  }

  /** One workload's view, serialized, or null when there is no such workload. */
  one(name: string): Serialized<WorkloadView> | null {
    const json = this.json(name);
    return json === null ? null : new Serialized(json);
  }

  /** Every workload's view, in the state's order, serialized as one JSON array. */
  all(): Serialized<WorkloadView[]> {
    const parts: string[] = [];
    for (const name of this.source.workloads.keys()) parts.push(this.json(name)!);
    // json() dropped the list if it had to build any view again.
    this.list ??= Buffer.from(`[${parts.join(',')}]`);
    return new Serialized(this.list);
  }

  /** How many workloads' views are kept (a removed workload's goes). */
  get size(): number {
    return this.kept.size;
  }

  private json(name: string): string | null {
    const w = this.source.workloads.get(name);
    if (!w) return null;
    const ingress = JSON.stringify(this.source.ingressOf(name));
    const kept = this.kept.get(name);
    if (kept && kept.ingress === ingress) return kept.json;
    this.list = null;
    const json = JSON.stringify(this.source.workloadView(w));
    this.kept.set(name, { json, ingress });
    return json;
  }

  private changed(app: string): void {
    this.kept.delete(app);
    this.list = null;
  }
}
