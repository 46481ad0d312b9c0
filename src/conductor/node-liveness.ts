// Whether a node is alive, as its silence says: the one decision behind "a busy agent is not a dead
// node". Pure (time is an input). A node that stays silent past the expiry is `silent`: nothing new is
// placed on it, but its replicas keep serving while the Conductor's own health checks of them pass
// (a busy or restarting agent does not take its replicas down with it). Only past the grace, long
// enough for an agent to be restarted and adopt what it left, is it `lost`: its replicas are replaced.
// A node that runs nothing has nothing to keep: it is lost at the expiry.
//
//   live ──silence ≥ expiry──▶ silent ──silence ≥ grace──▶ lost
//     ▲                          │
//     └───any frame heard────────┘

export type NodeLiveness = 'live' | 'silent' | 'lost';

export interface LivenessLimits {
  /** Silence after which nothing new is placed on the node. */
  expiryMs: number;
  /** Silence after which its replicas are replaced (never shorter than the expiry). */
  graceMs: number;
}

/** `runsReplicas`: the Conductor has replicas on it that run (or are stopping). */
export function nodeLiveness(silenceMs: number, limits: LivenessLimits, runsReplicas: boolean): NodeLiveness {
  if (silenceMs < limits.expiryMs) return 'live';
  if (!runsReplicas || silenceMs >= limits.graceMs) return 'lost';
  return 'silent';
}

/** Default grace: long enough for an agent that crashed to be started again and adopt its replicas. */
export const DEFAULT_NODE_GRACE_MS = 30_000;
