// What clients may ask of the Conductor: submit a manifest (up / rollout), down, scale, abort,
// pause, resume, rollback, stop a replica. Each checks the request against the current state,
// journals the new desired state (so an acknowledged change survives a crash), then lets the
// reconciler act on it. Each change is a transition (rollout-transitions.ts) committed through the
// state; a request that cannot be carried out is a Refusal, which changes nothing.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic, hasErrors, parseManifest, type Diagnostic } from '../shared/manifest';
import { neededFromElsewhere } from '../shared/manifest/needs';
import type { AppSpec, ParsedApp } from '../shared/manifest/model';
import type { DownAnswer, ManifestBody, SubmitResult } from '../shared/protocol/api';
import { generationOf, type RolloutRecord, type WorkloadRecord } from './model';
import { withEnvFiles } from './env-files';
import { byUser, create, remove, rollTo, scale, watching, type Transition } from './rollout-transitions';
import { dependents, duplicateApps, needsProblems, portConflicts, type SubmittedApp } from './submission-checks';
import type { Reconciler } from './reconciler';
import type { ConductorState } from './state';

/**
 * A request the Conductor will not carry out, and why: `invalid` (the request itself is wrong),
 * `not-found`, `conflict` (not in this state), `unprocessable` (a manifest it cannot run). The API
 * turns each into its HTTP status; nothing was changed.
 */
export class Refusal extends Error {
  constructor(
    readonly kind: 'invalid' | 'not-found' | 'conflict' | 'unprocessable',
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export type SubmitMode = 'up' | 'rollout';

/** What started a submission when not a client: a change of watched files, and which (and how many are watched, when known). */
export interface SubmitTrigger {
  kind: 'watch';
  why: string;
  sourceFiles?: number | null;
}

export class Operations {
  constructor(
    private readonly state: ConductorState,
    private readonly reconciler: Reconciler,
    private readonly now: () => number,
    private readonly onSecrets: (values: string[]) => void,
    /** Who holds a port of this host ("pid 4242 (python3 -m http.server)"), or null when it is free or ours. */
    private readonly portHolder: (port: number) => Promise<string | null>,
  ) {}

  /**
   * `up`: create new apps, roll out changed ones, leave unchanged ones. `rollout`: also roll out
   * unchanged ones. Several manifests (a workspace) are checked together, so apps may need apps of
   * the others; nothing changes unless every one is accepted.
   */
  async submit(bodies: readonly ManifestBody[], mode: SubmitMode, trigger: SubmitTrigger | null = null): Promise<SubmitResult> {
    const submitted: SubmittedApp[] = [];
    const found: Diagnostic[] = [];
    const envProblems: string[] = [];
    const envWarnings: string[] = [];
    for (const body of bodies) {
      for (const parsed of this.parse(body, found)) {
        const withEnv = withEnvFiles(parsed, body.path);
        envProblems.push(...withEnv.problems);
        envWarnings.push(...withEnv.warnings);
        submitted.push({ parsed: withEnv.app, manifestPath: body.path });
      }
    }
    // A name another manifest of the submission defines, or one that runs, is no longer worth a warning.
    const known = (name: string) => submitted.some((a) => a.parsed.spec.name === name) || this.state.workloads.has(name);
    const warnings = [...found.filter((d) => !known(neededFromElsewhere(d.message) ?? '')).map(formatDiagnostic), ...envWarnings];
    const workloads = [...this.state.workloads.values()];
    const problems = [...envProblems, ...duplicateApps(submitted), ...portConflicts(submitted, workloads), ...needsProblems(submitted, workloads), ...(await this.portsTaken(submitted))];
    if (problems.length > 0) throw new Refusal('unprocessable', problems.length === 1 ? problems[0]! : `${problems.length} problems; nothing was changed`, problems);
    const result: SubmitResult = { apps: [], warnings };
    const byPath = new Map(bodies.map((b) => [b.path, b]));
    const changes: Transition[] = [];
    for (const a of submitted) {
      const { answer, change } = this.submitApp(a.parsed, byPath.get(a.manifestPath)!, mode, trigger);
      result.apps.push(answer);
      if (change) changes.push(change);
    }
    for (const a of submitted) this.onSecrets(Object.values(a.parsed.secrets));
    // Every app of the submission saved in one journal write, or none (refused: nothing changed).
    this.state.commitAll(changes, 'acknowledged');
    for (const t of changes) this.reconciler.kick(t.next.name);
    return result;
  }

  /** Watching an app's files on or off (a change rolls it out again). */
  watch(name: string, on: boolean): WorkloadRecord {
    const w = this.workload(name);
    if (w.watching !== on) this.commit(watching(w, on));
    return this.workload(name);
  }

  /**
   * A watched app's files changed: roll it out again from its manifest as it is on disk now (its
   * build first). Refusals (the manifest has errors now, an env file went away) become the
   * workload's problem until a later change succeeds: the running generation keeps serving.
   */
  async rolloutFromWatch(app: string, files: readonly string[], count: number | null = null, away = false): Promise<void> {
    const w = this.state.workloads.get(app);
    if (!w?.watching) return;
    const manifest = generationOf(w, w.generation)!.manifestPath;
    const shown = files.slice(0, 3).join(', ') + (files.length > 3 ? ` and ${files.length - 3} more` : '');
    const why = `watch: ${shown} changed${away ? ' while the Conductor was away' : ''}`;
    try {
      const text = fs.readFileSync(manifest, 'utf8');
      await this.submit([{ path: manifest, text, apps: [app] }], 'rollout', { kind: 'watch', why, sourceFiles: count });
      this.state.setProblem(app, 'watch', null);
    } catch (err) {
      // The same trouble reads the same whichever file's change met it, so it is said once.
      const gone = (err as NodeJS.ErrnoException).code === 'ENOENT' && !(err instanceof Refusal);
      // The reasons, each once (a single problem is the refusal's message itself).
      const details = err instanceof Refusal ? err.details.filter((d) => d !== (err as Error).message) : [];
      const problem = gone
        ? `watch: its manifest ${manifest} is gone; the running generation keeps serving, and a change rolls out once it is back`
        : `watch: a change was not rolled out: ${(err as Error).message}${details.length > 0 ? `: ${details.join('; ')}` : ''}`;
      // Said once where the user looks (a step or the daemon log: \`dev\`, the log channel), and kept as the workload's problem (list, the tree).
      if (this.state.problemOf(app, 'watch') !== problem) this.state.say(app, problem, 'warn');
      this.state.setProblem(app, 'watch', problem);
    }
  }

  /** The apps of one manifest to submit (all, or those it names); refused with its errors. */
  private parse(body: ManifestBody, warnings: Diagnostic[]): ParsedApp[] {
    if (!path.isAbsolute(body.path)) throw new Refusal('invalid', `path must be absolute: "${body.path}"`);
    const parsed = parseManifest(body.text, body.path);
    if (hasErrors(parsed.diagnostics)) {
      const errors = parsed.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
      throw new Refusal('unprocessable', `${body.path} has ${errors.length} error${errors.length === 1 ? '' : 's'}`, errors);
    }
    warnings.push(...parsed.diagnostics.filter((d) => d.severity === 'warning'));
    if (!body.apps) return parsed.apps;
    const unknown = body.apps.filter((n) => !parsed.apps.some((a) => a.spec.name === n));
    if (unknown.length > 0) throw new Refusal('not-found', `no app named ${unknown.join(', ')} in ${body.path}`);
    return parsed.apps.filter((a) => body.apps!.includes(a.spec.name));
  }

  /** Ports another program listens on, for apps whose ingress would open them: said before anything starts. */
  private async portsTaken(submitted: readonly SubmittedApp[]): Promise<string[]> {
    const out: string[] = [];
    for (const a of submitted) {
      const { name, port, ingress } = a.parsed.spec;
      if (port === null || !ingress) continue;
      const ours = this.state.workloads.get(name);
      if (ours && generationOf(ours, ours.generation)?.spec.port === port) continue; // its listener already
      const holder = await this.portHolder(port);
      if (holder) out.push(`port ${port} of app ${name} is in use by ${holder}; stop it, or give ${name} another port`);
    }
    return out;
  }

  /** What submitting one app changes (null: nothing) and answers; committed with the others of its submission. */
  private submitApp(app: ParsedApp, body: ManifestBody, mode: SubmitMode, trigger: SubmitTrigger | null): { answer: SubmitResult['apps'][number]; change: Transition | null } {
    const name = app.spec.name;
    const now = this.now();
    const existing = this.state.workloads.get(name);
    const generationRecord = (generation: number) => ({
      generation,
      spec: app.spec,
      secrets: app.secrets,
      manifestPath: body.path,
      manifestText: body.text,
      createdAt: now,
      outcome: null,
      ...(trigger?.sourceFiles != null ? { sourceFiles: trigger.sourceFiles } : {}),
    });
    // `watch` in the request turns watching on, in the same journaled change.
    const watched = (t: Transition): Transition => (body.watch && !t.next.watching ? { ...t, next: { ...t.next, watching: true } } : t);
    if (!existing) {
      const t = watched(create(name, generationRecord(1), app.spec.replicas, this.rolloutId(name), now));
      return { answer: { name, action: 'created', generation: 1, rollout: t.next.rollout!.id }, change: t };
    }
    const current = generationOf(existing, existing.generation)!;
    const same = sameSpec(current.spec, app.spec) && sameSecrets(current.secrets, app.secrets);
    if (same && mode === 'up') {
      const t = watched(scale(existing, app.spec.replicas));
      const changed = t.next.desired !== existing.desired || t.next.watching !== existing.watching;
      return { answer: { name, action: 'unchanged', generation: existing.generation, rollout: existing.rollout?.id ?? null }, change: changed ? t : null };
    }
    const next = existing.latestGeneration + 1;
    const t = watched(rollTo(existing, { added: generationRecord(next), target: next, desired: app.spec.replicas, rolloutId: this.rolloutId(name), same, trigger: trigger?.kind ?? null, ...(trigger ? { why: trigger.why } : {}) }, now));
    return { answer: { name, action: 'rollout', generation: next, rollout: t.next.rollout!.id }, change: t };
  }

  /** Journals and tells a change a client asked for (refused if it cannot be saved), then acts on it. */
  private commit(t: Transition): void {
    this.state.commit(t, 'acknowledged');
    this.reconciler.kick(t.next.name);
  }

  private rolloutId(app: string): string {
    return `${app}-r${crypto.randomBytes(3).toString('hex')}`;
  }

  /**
   * Takes apps down: each stops once no app that needs it runs (so dependents go first), then is
   * forgotten. Apps other apps still need are refused unless `force`: then they stop now, and the
   * apps that need them keep running without them (and say what they lost).
   */
  down(names: readonly string[], force: boolean): DownAnswer {
    for (const n of names) this.workload(n);
    const needed = dependents(names, this.state.workloads.values());
    if (needed.size > 0 && !force) {
      const details = [...needed].map(([app, by]) => `${app} is needed by ${by.join(', ')}`);
      throw new Refusal('conflict', `${details.join('; ')}; take ${needed.size === 1 ? 'them' : 'those'} down too, or force it`, details);
    }
    for (const n of names) {
      const w = this.workload(n);
      const forced = needed.has(n);
      if (!w.removing || (forced && !w.forced)) this.commit(remove(w, this.now(), forced));
    }
    return { removing: [...names], ...(needed.size > 0 ? { forced: [...needed.keys()] } : {}) };
  }

  scale(name: string, replicas: number): void {
    this.commit(scale(this.workload(name), replicas));
  }

  /** Stops the active rollout and returns to the generation it replaced. */
  abort(name: string): RolloutRecord {
    const w = this.workload(name);
    if (!w.rollout || (w.rollout.state !== 'running' && w.rollout.state !== 'paused')) throw new Refusal('conflict', `${name} has no running rollout to abort`);
    if (w.rollout.fromGeneration === 0) throw new Refusal('conflict', `${name}'s first rollout has nothing to return to; use down to remove it`);
    return this.byUser(w, 'abort');
  }

  pause(name: string): RolloutRecord {
    const w = this.workload(name);
    if (w.rollout?.state !== 'running') throw new Refusal('conflict', `${name} has no running rollout to pause`);
    return this.byUser(w, 'pause');
  }

  resume(name: string): RolloutRecord {
    const w = this.workload(name);
    if (w.rollout?.state !== 'paused') throw new Refusal('conflict', `${name} has no paused rollout to resume`);
    return this.byUser(w, 'resume');
  }

  private byUser(w: WorkloadRecord, action: 'pause' | 'resume' | 'abort'): RolloutRecord {
    const t = byUser(w, action, this.now())!;
    this.commit(t);
    return t.next.rollout!;
  }

  /** Rolls out an earlier generation again (by default the one before the current). */
  rollback(name: string, to?: number): RolloutRecord {
    const existing = this.workload(name);
    if (existing.rollout && existing.rollout.state !== 'paused') {
      throw new Refusal('conflict', `${name} has a rollout in progress (${existing.rollout.id}); abort it to return to generation ${existing.rollout.fromGeneration}`);
    }
    const earlier = existing.generations.filter((g) => g.generation !== existing.generation);
    const target = to ?? [...earlier].reverse().find((g) => g.generation < existing.generation)?.generation;
    if (target === undefined) throw new Refusal('conflict', `${name} has no earlier generation to roll back to`);
    if (target === existing.generation) throw new Refusal('conflict', `${name} already runs generation ${target}`);
    if (!generationOf(existing, target)) {
      const kept = existing.generations.map((g) => g.generation).join(', ');
      throw new Refusal('not-found', `${name} has no generation ${target} in its history (kept: ${kept})`);
    }
    const t = rollTo(existing, { added: null, target, desired: existing.desired, rolloutId: this.rolloutId(name) }, this.now());
    this.commit(t);
    return t.next.rollout!;
  }

  stopReplica(id: string): void {
    const r = this.state.replicas.get(id);
    if (!r) throw new Refusal('not-found', `no replica ${id}`);
    if (r.state === 'stopped' || r.state === 'failed' || r.state === 'draining') throw new Refusal('conflict', `${id} is already ${r.state}`);
    this.reconciler.stopReplica(r, 'stopped by the user');
  }

  workload(name: string): WorkloadRecord {
    const w = this.state.workloads.get(name);
    if (!w) throw new Refusal('not-found', `no workload named ${name}`);
    return w;
  }
}

/** Specs equal but for the replica count, which alone is a scale, not a new generation. */
function sameSpec(a: AppSpec, b: AppSpec): boolean {
  return JSON.stringify({ ...a, replicas: 0 }) === JSON.stringify({ ...b, replicas: 0 });
}

function sameSecrets(a: Record<string, string>, b: Record<string, string>): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}
