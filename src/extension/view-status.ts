// What the Skr8tr views say about the connection to the Conductor. Only a connected window shows the
// cluster: a stale picture is never shown as live. Otherwise the views are empty (their welcome
// content offers Start Conductor) and each view's title says since when it is not connected. Pure:
// the time and how a time of day is written are given.
import type { LinkState } from './conductor-link';

export interface ViewStatus {
  /** Whether the views show the cluster model. */
  showCluster: boolean;
  /** Beside each view's title ('' when connected). */
  description: string;
  /** The status bar item's tooltip line about the connection. */
  tooltip: string;
}

/**
 * `since`: when the connection was lost (null: never connected in this window). `timeOfDay` writes a
 * time as the user reads it (14:02).
 */
export function viewStatus(state: LinkState, since: number | null, timeOfDay: (ms: number) => string): ViewStatus {
  if (state === 'connected') return { showCluster: true, description: '', tooltip: 'Connected to the Conductor' };
  const when = since !== null ? ` since ${timeOfDay(since)}` : '';
  if (state === 'connecting') {
    return {
      showCluster: false,
      description: since !== null ? `reconnecting (lost at ${timeOfDay(since)})` : 'connecting…',
      tooltip: since !== null ? `The connection to the Conductor was lost at ${timeOfDay(since)}; reconnecting…` : 'Connecting to the Conductor…',
    };
  }
  return {
    showCluster: false,
    description: `not connected${when}`,
    tooltip: `Not connected to a Conductor${when}: nothing is shown as running. Skr8tr starts one when you roll out a manifest.`,
  };
}

/** 14:02 in the user's locale. */
export function timeOfDay(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}
