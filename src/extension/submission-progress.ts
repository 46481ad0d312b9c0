// What one submission (an Up, a Rollout, Up Workspace, a Rollback) looks like while its rollouts run
// and when they have ended, as VS Code's notification guidelines ask: one progress notification for
// the whole submission (how many apps are ready, which one waits for what), then one summary. A
// failure is the summary (an error, with the failed app first and the way to its logs and timeline),
// never one toast among many successes. Pure: the cluster as the model has it in, words out;
// rollout-ui.ts shows them.
import { formatMs } from '../shared/format';
import { isFinal, type ReplicaView, type RolloutView, type WorkloadSummary } from '../shared/protocol/api';
import { formatCount } from '../shared/traffic-window';

/** An app of the submission and the rollout it started (null: unchanged, nothing to follow). */
export interface SubmittedApp {
  name: string;
  rollout: string | null;
}

/** What the model knows now. */
export interface SubmissionLook {
  rollout(id: string): RolloutView | undefined;
  workload(name: string): WorkloadSummary | undefined;
  replicasOf(app: string): readonly ReplicaView[];
}

export interface Progress {
  /** The notification's line: `2/5 apps ready · api: waiting for db (starting, 0/1 ready)`. */
  message: string;
  /** 0 to 100. */
  percent: number;
  /** Every followed rollout has ended. */
  done: boolean;
}

const MAX_MESSAGE = 160;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The progress of a submission: ended rollouts and unchanged apps count as done; the first app still going says what it does or waits for. */
export function submissionProgress(apps: readonly SubmittedApp[], look: SubmissionLook): Progress {
  const followed = apps.filter((a) => a.rollout !== null);
  const states = followed.map((a) => ({ app: a, r: look.rollout(a.rollout!) }));
  const ended = states.filter((s) => s.r && isFinal(s.r.state));
  const going = states.filter((s) => !s.r || !isFinal(s.r.state));
  const done = going.length === 0;
  const count = apps.length - going.length;
  // Replicas count toward the bar too, so a single app's bar moves as its replicas get ready.
  const fractions = states.map((s) => (!s.r ? 0 : isFinal(s.r.state) ? 1 : s.r.desired > 0 ? Math.min(1, s.r.ready / s.r.desired) : 0));
  const percent = apps.length === 0 ? 100 : Math.round(((apps.length - followed.length + fractions.reduce((a, b) => a + b, 0)) / apps.length) * 100);
  const failed = ended.filter((s) => s.r!.state !== 'succeeded').map((s) => s.app.name);
  const parts: string[] = [];
  if (apps.length > 1) parts.push(`${count}/${apps.length} apps done`);
  if (failed.length > 0) parts.push(`${failed.join(', ')} failed`);
  // What holds the first one still going: its problem (waiting for what it needs, no node fits…), else its replicas.
  const waiting = going.find((s) => look.workload(s.app.name)?.problem) ?? going[0];
  if (waiting) {
    const problem = look.workload(waiting.app.name)?.problem;
    const who = apps.length > 1 ? `${waiting.app.name}: ` : '';
    if (problem) parts.push(`${who}${problem}`);
    else if (waiting.r) parts.push(`${who}${waiting.r.state}, ${waiting.r.ready}/${waiting.r.desired} new replicas ready`);
    else parts.push(`${who}starting`);
  }
  return { message: cut(parts.join(' · '), MAX_MESSAGE), percent: Math.min(100, percent), done };
}

export interface Summary {
  level: 'info' | 'error';
  message: string;
  /** The failed rollout the actions are about (the first that failed), null when none failed. */
  failed: RolloutView | null;
  /** The replica whose logs show why (the failed one of that rollout), when known. */
  replica: string | null;
  /** The rollout Show Timeline opens. */
  timeline: string | null;
  /** The buttons, in order. */
  actions: ('Show Logs' | 'Show Timeline' | 'Show Output')[];
}

/** The one notification at the end of a submission. `ended`: the followed rollouts as they ended (null: lost sight of it). */
export function submissionSummary(apps: readonly SubmittedApp[], ended: ReadonlyMap<string, RolloutView | null>, look: SubmissionLook): Summary {
  const followed = apps.filter((a) => a.rollout !== null).map((a) => ({ app: a.name, r: ended.get(a.rollout!) ?? null }));
  const bad = followed.filter((f) => f.r !== null && f.r.state !== 'succeeded');
  const unknown = followed.filter((f) => f.r === null).map((f) => f.app);
  const running = apps.length - bad.length - unknown.length;
  if (bad.length > 0) {
    const first = bad[0]!.r!;
    const why = bad.map((b) => `${b.app} ${b.r!.state}${b.r!.reason ? `: ${b.r!.reason}` : ''}`).join('; ');
    const others = apps.length > 1 ? ` ${running} of ${apps.length} apps are running.` : first.fromGeneration > 0 && first.state !== 'failed' ? ` Generation ${first.fromGeneration} keeps serving.` : '';
    const replica = failedReplica(first, look);
    return {
      level: 'error',
      message: cut(`Skr8tr: ${why}.`, 600) + others,
      failed: first,
      replica,
      timeline: first.id,
      actions: [...(replica ? (['Show Logs'] as const) : []), 'Show Timeline'],
    };
  }
  if (unknown.length > 0) {
    return { level: 'info', message: `Skr8tr: lost sight of ${unknown.join(', ')} (the connection to the Conductor ended); the Rollouts view shows how it goes.`, failed: null, replica: null, timeline: null, actions: ['Show Output'] };
  }
  if (apps.length === 1) {
    const only = followed[0]?.r;
    if (!only) {
      const w = look.workload(apps[0]!.name);
      return { level: 'info', message: `Skr8tr: ${apps[0]!.name} is unchanged${w ? ` (generation ${w.generation})` : ''}. Use Rollout to replace its replicas anyway.`, failed: null, replica: null, timeline: null, actions: [] };
    }
    const took = only.endedAt !== null ? ` in ${formatMs(only.endedAt - only.startedAt)}` : '';
    const served = only.traffic ? `; ${formatCount(only.traffic.requests)} requests served, ${formatCount(only.traffic.failed)} failed` : '';
    return {
      level: 'info',
      message: `Skr8tr: ${only.app} generation ${only.toGeneration} is running (${only.desired} replica${only.desired === 1 ? '' : 's'} ready${took}${served}).`,
      failed: null,
      replica: null,
      timeline: only.id,
      actions: ['Show Timeline'],
    };
  }
  const changed = followed.map((f) => f.app);
  const same = apps.length - changed.length;
  return {
    level: 'info',
    message: `Skr8tr: ${apps.length} apps are running${changed.length > 0 ? `; rolled out ${cut(changed.join(', '), 120)}` : ''}${same > 0 ? `; ${same} unchanged` : ''}.`,
    failed: null,
    replica: null,
    timeline: null,
    actions: [],
  };
}

/** The replica that failed the rollout: the one its reason names (the summary says its words), else the newest failed one of its new generation. */
export function failedReplica(r: RolloutView, look: SubmissionLook): string | null {
  const named = r.reason ? new RegExp(`^(${r.app.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-${r.toGeneration}-[0-9a-f]+) `).exec(r.reason) : null;
  if (named) return named[1]!;
  const failed = look
    .replicasOf(r.app)
    .filter((x) => x.generation === r.toGeneration && x.state === 'failed')
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  return failed?.id ?? null;
}
