// Whether what an app `needs` holds, and what it waits for, in words. Pure: the workloads and their
// replicas in, a verdict out. The planner launches nothing for an app whose needs do not hold (like
// `mayLaunch`); replicas already running keep running whatever their dependencies do later.
//
//   ready      the needed app has a replica ready (its health check passed)
//   started    the needed app has a replica running (launched: starting or ready)
//   completed  the needed job has a replica that exited 0, in its current generation (one whose
//              attempts all failed never will: the need fails, and says so)
import type { Need } from '../shared/manifest/model';
import type { ReplicaState } from '../shared/protocol/api';

export interface NeededApp {
  generation: number;
  desired: number;
  job: boolean;
  replicas: readonly { generation: number; state: ReplicaState; completed: boolean }[];
  /** Why it cannot reach its desired state (crash loop, no node fits), if it cannot. */
  problem: string | null;
  /** A job whose current generation's attempts all failed: why (it will not complete unless rolled out again). */
  failed: string | null;
}

export interface NeedsVerdict {
  holds: boolean;
  /** `waiting for db (starting, 1/2 ready)`; null when it holds. */
  waitingFor: string | null;
  /** A need that will not hold as things are (a needed job failed): `migrate failed: …`; null when none. */
  failed: string | null;
}

/** What a needed app is when it is no workload (or on its way out): `taken down` (with `--force`, while others needed it), or unknown. */
export type Missing = 'taken-down' | 'unknown';

export function needsVerdict(needs: readonly Need[], lookup: (app: string) => NeededApp | Missing): NeedsVerdict {
  const waits: string[] = [];
  const failed: string[] = [];
  const lost: string[] = [];
  for (const n of needs) {
    const w = lookup(n.app);
    if (w === 'taken-down') {
      lost.push(`${n.app} (taken down with --force; \`up\` its manifest to bring it back)`);
      continue;
    }
    if (w === 'unknown') {
      waits.push(`${n.app} (no such app is running; \`up\` its manifest)`);
      continue;
    }
    if (holds(n, w)) continue;
    if (n.condition === 'completed' && w.failed) {
      failed.push(`${n.app} ${w.failed}; roll ${n.app} out again to retry`);
      continue;
    }
    waits.push(describe(n, w));
  }
  const parts = [
    ...(failed.length > 0 ? [`cannot start: ${failed.join('; ')}`] : []),
    ...(lost.length > 0 ? [`lost ${lost.join(', ')}: running replicas go on, new ones wait for it`] : []),
    ...(waits.length > 0 ? [`waiting for ${waits.join(', ')}`] : []),
  ];
  if (parts.length === 0) return { holds: true, waitingFor: null, failed: null };
  return { holds: false, waitingFor: parts.join('; '), failed: failed.length > 0 ? parts[0]! : null };
}

function holds(n: Need, w: NeededApp): boolean {
  switch (n.condition) {
    case 'ready':
      return w.replicas.some((r) => r.state === 'ready');
    case 'started':
      return w.replicas.some((r) => r.state === 'starting' || r.state === 'ready');
    case 'completed':
      return w.replicas.some((r) => r.generation === w.generation && r.completed);
  }
}

function describe(n: Need, w: NeededApp): string {
  const live = w.replicas.filter((r) => r.state === 'pending' || r.state === 'starting' || r.state === 'ready');
  const ready = w.replicas.filter((r) => r.state === 'ready').length;
  const phase = w.problem ? w.problem : live.length === 0 ? 'not started' : live.some((r) => r.state === 'pending') && ready === 0 ? 'launching' : 'starting';
  if (n.condition === 'completed') return `${n.app} to complete (${w.problem ?? (live.length === 0 ? 'not started' : 'running')})`;
  if (n.condition === 'started') return `${n.app} to start (${phase})`;
  return `${n.app} (${phase}, ${ready}/${w.desired} ready)`;
}
