// What clients may ask of the Conductor: submit a manifest (up / rollout), down, scale, abort,
// pause, resume, rollback, stop a replica. Each checks the request against the current state,
// journals the new desired state (so an acknowledged change survives a crash), then lets the
// reconciler act on it. Each change is a transition (rollout-transitions.ts) committed through the
// state; a request that cannot be carried out is a Refusal, which changes nothing.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { formatDiagnostic, hasErrors, parseManifest } from '../shared/manifest';
import type { AppSpec, ParsedApp } from '../shared/manifest/model';
import { portHeldMessage, portHolders, type PortUser } from '../shared/manifest/port-clash';
import type { ManifestBody, SubmitResult } from '../shared/protocol/api';
import { generationOf, type RolloutRecord, type WorkloadRecord } from './model';
import { byUser, create, rollTo, scale, type Transition } from './rollout-transitions';
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

export class Operations {
  constructor(
    private readonly state: ConductorState,
    private readonly reconciler: Reconciler,
    private readonly now: () => number,
    private readonly onSecrets: (values: string[]) => void,
  ) {}

  /** `up`: create new apps, roll out changed ones, leave unchanged ones. `rollout`: also roll out unchanged ones. */
  submit(body: ManifestBody, mode: SubmitMode): SubmitResult {
    if (!path.isAbsolute(body.path)) throw new Refusal('invalid', `path must be absolute: "${body.path}"`);
    const parsed = parseManifest(body.text, body.path);
    if (hasErrors(parsed.diagnostics)) {
      const errors = parsed.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
      throw new Refusal('unprocessable', `the manifest has ${errors.length} error${errors.length === 1 ? '' : 's'}`, errors);
    }
    let apps = parsed.apps;
    if (body.apps) {
      const unknown = body.apps.filter((n) => !apps.some((a) => a.spec.name === n));
      if (unknown.length > 0) throw new Refusal('not-found', `no app named ${unknown.join(', ')} in ${body.path}`);
      apps = apps.filter((a) => body.apps!.includes(a.spec.name));
    }
    const conflicts = apps.flatMap((a) => this.portConflicts(a.spec, apps));
    if (conflicts.length > 0) {
      throw new Refusal('unprocessable', conflicts.length === 1 ? conflicts[0]! : `${conflicts.length} apps want a port another app has`, conflicts);
    }
    const result: SubmitResult = {
      apps: [],
      warnings: parsed.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic),
    };
    for (const app of apps) {
      this.onSecrets(Object.values(app.secrets));
      result.apps.push(this.submitApp(app, body, mode));
    }
    return result;
  }

  private submitApp(app: ParsedApp, body: ManifestBody, mode: SubmitMode): SubmitResult['apps'][number] {
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
    });
    if (!existing) {
      const t = create(name, generationRecord(1), app.spec.replicas, this.rolloutId(name), now);
      this.commit(t);
      return { name, action: 'created', generation: 1, rollout: t.next.rollout!.id };
    }
    const current = generationOf(existing, existing.generation)!;
    const same = sameSpec(current.spec, app.spec) && sameSecrets(current.secrets, app.secrets);
    if (same && mode === 'up') {
      if (app.spec.replicas !== existing.desired) this.commit(scale(existing, app.spec.replicas));
      return { name, action: 'unchanged', generation: existing.generation, rollout: existing.rollout?.id ?? null };
    }
    const next = existing.latestGeneration + 1;
    const t = rollTo(existing, { added: generationRecord(next), target: next, desired: app.spec.replicas, rolloutId: this.rolloutId(name), same }, now);
    this.commit(t);
    return { name, action: 'rollout', generation: next, rollout: t.next.rollout!.id };
  }

  /** Journals and tells a change a client asked for (refused if it cannot be saved), then acts on it. */
  private commit(t: Transition): void {
    this.state.commit(t, 'acknowledged');
    this.reconciler.kick(t.next.name);
  }

  private rolloutId(app: string): string {
    return `${app}-r${crypto.randomBytes(3).toString('hex')}`;
  }

  /** Apps that already have the port this one wants (port-clash.ts), and apps of this submission that want the same. */
  private portConflicts(spec: AppSpec, submitted: readonly ParsedApp[]): string[] {
    if (spec.port === null) return [];
    const running: PortUser[] = [];
    for (const w of this.state.workloads.values()) {
      const g = generationOf(w, w.generation);
      if (g && !submitted.some((a) => a.spec.name === w.name)) running.push({ name: w.name, port: g.spec.port, ingress: g.spec.ingress, manifestPath: g.manifestPath });
    }
    const out = portHolders(spec, running).map((h) => portHeldMessage(spec.name, spec.port!, h));
    const earlier = submitted.filter((a) => a.spec.name < spec.name).map((a) => ({ ...a.spec, manifestPath: '' }));
    for (const h of portHolders(spec, earlier)) out.push(`apps ${h.name} and ${spec.name} both want port ${spec.port}; give one another port`);
    return out;
  }

  down(name: string): void {
    this.workload(name);
    this.state.deleteWorkload(name);
    this.reconciler.kick(name);
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
