// Durations as people read them, for rollout steps, the tree and messages.

/** `420 ms`, `1.5 s`, `2 min 5 s`. Each unit is chosen after rounding, so 999.7 ms is "1.0 s" and
 * 119.9 s is "2 min 0 s", never "1 min 60 s". */
export function formatMs(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
