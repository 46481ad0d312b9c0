// What the timeline panel (src/extension/timeline-panel.ts) and its webview
// (src/webview/timeline-view.ts) say to each other. Types only: nothing here runs.
import type { RolloutTimelineView } from './protocol/api';

/** From the extension to the webview. */
export type ToWebview =
  /** The rollout's timeline as the Conductor has it now (sent again every second while it runs). */
  | { type: 'timeline'; timeline: RolloutTimelineView }
  /** Why there is no timeline to show. */
  | { type: 'problem'; message: string };

/** From the webview to the extension. */
export type FromWebview =
  /** The page is loaded: send what there is. */
  | { type: 'ready' }
  /** A replica was clicked (or chosen with Enter): open its logs. */
  | { type: 'openLogs'; replica: string };
