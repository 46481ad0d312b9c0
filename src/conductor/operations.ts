// What clients may ask of the Conductor: submit a manifest (up / rollout), down, scale, abort,
// pause, resume, rollback, stop a replica. Each checks the request against the current state,
// journals the new desired state (so an acknowledged change survives a crash), then lets the
// reconciler act on it. Errors are ApiErrors with an HTTP status and a message for the user.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { formatDiagnostic, hasErrors, parseManifest } from '../shared/manifest';
import type { AppSpec, ParsedApp } from '../shared/manifest/model';
import { portHeldMessage, portHolders, type PortUser } from '../shared/manifest/port-clash';
import type { ManifestBody, SubmitResult } from '../shared/protocol/api';
import { generationOf, type RolloutRecord, type WorkloadRecord } from './model';
import type { Reconciler } from './reconciler';
import type { ConductorState } from './state';

export class ApiError extends Error {
  constructor(
    readonly status: number,
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
    if (!path.isAbsolute(body.path)) throw new ApiError(400, `path must be absolute: "${body.path}"`);
    const parsed = parseManifest(body.text, body.path);
    if (hasErrors(parsed.diagnostics)) {
      const errors = parsed.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
      throw new ApiError(422, `the manifest has ${errors.length} error${errors.length === 1 ? '' : 's'}`, errors);
    }
    let apps = parsed.apps;
    if (body.apps) {
      const unknown = body.apps.filter((n) => !apps.some((a) => a.spec.name === n));
      if (unknown.length > 0) throw new ApiError(404, `no app named ${unknown.join(', ')} in ${body.path}`);
      apps = apps.filter((a) => body.apps!.includes(a.spec.name));
    }
    const conflicts = apps.flatMap((a) => this.portConflicts(a.spec, apps));
    if (conflicts.length > 0) {
      throw new ApiError(422, conflicts.length === 1 ? conflicts[0]! : `${conflicts.length} apps want a port another app has`, conflicts);
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
      const rollout = this.newRollout(name, 0, 1);
      const w: WorkloadRecord = {
        name,
        generation: 1,
        latestGeneration: 1,
        desired: app.spec.replicas,
        generations: [generationRecord(1)],
        rollout,
        history: [],
      };
      this.state.saveWorkload(w);
      this.announce(w, rollout, `rollout ${rollout.id}: generation 1, ${w.desired} replica${w.desired === 1 ? '' : 's'}`);
      return { name, action: 'created', generation: 1, rollout: rollout.id };
    }
    const current = generationOf(existing, existing.generation)!;
    const same = sameSpec(current.spec, app.spec) && sameSecrets(current.secrets, app.secrets);
    if (same && mode === 'up') {
      const w = structuredClone(existing);
      w.desired = app.spec.replicas;
      if (w.desired !== existing.desired) {
        this.state.saveWorkload(w);
        this.reconciler.kick(name);
      }
      return { name, action: 'unchanged', generation: existing.generation, rollout: existing.rollout?.id ?? null };
    }
    const w = structuredClone(existing);
    const next = existing.latestGeneration + 1;
    if (w.rollout) this.supersede(w, w.rollout);
    const rollout = this.newRollout(name, existing.generation, next);
    w.generations.push(generationRecord(next));
    w.latestGeneration = next;
    w.generation = next;
    w.desired = app.spec.replicas;
    w.rollout = rollout;
    this.state.saveWorkload(w);
    this.announce(w, rollout, `rollout ${rollout.id}: generation ${existing.generation} → ${next}, ${w.desired} replica${w.desired === 1 ? '' : 's'}${same ? ' (same spec, fresh replicas)' : ''}`);
    return { name, action: 'rollout', generation: next, rollout: rollout.id };
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

  private newRollout(app: string, from: number, to: number): RolloutRecord {
    const now = this.now();
    return {
      id: `${app}-r${crypto.randomBytes(3).toString('hex')}`,
      app,
      fromGeneration: from,
      toGeneration: to,
      state: 'running',
      reason: null,
      startedAt: now,
      endedAt: null,
      countFailuresSince: now,
      aborted: false,
    };
  }

  private supersede(w: WorkloadRecord, ro: RolloutRecord): void {
    ro.state = 'aborted';
    ro.reason = 'superseded by a newer rollout';
    ro.endedAt = this.now();
    const g = generationOf(w, ro.toGeneration);
    if (g && g.outcome === null) g.outcome = 'superseded';
    w.history.push(ro);
    w.rollout = null;
    this.state.step(ro, 'superseded by a newer rollout', 'warn');
  }

  private announce(w: WorkloadRecord, ro: RolloutRecord, message: string): void {
    this.state.events.emit({ type: 'rollout', rollout: this.state.rolloutView(ro) });
    this.state.step(ro, message);
    this.reconciler.kick(w.name);
  }

  down(name: string): void {
    this.workload(name);
    this.state.deleteWorkload(name);
    this.reconciler.kick(name);
  }

  scale(name: string, replicas: number): void {
    const w = structuredClone(this.workload(name));
    w.desired = replicas;
    this.state.saveWorkload(w);
    this.reconciler.kick(name);
  }

  /** Stops the active rollout and returns to the generation it replaced. */
  abort(name: string): RolloutRecord {
    const existing = this.workload(name);
    if (!existing.rollout || (existing.rollout.state !== 'running' && existing.rollout.state !== 'paused')) {
      throw new ApiError(409, `${name} has no running rollout to abort`);
    }
    const w = structuredClone(existing);
    const ro = w.rollout!;
    if (ro.fromGeneration === 0) throw new ApiError(409, `${name}'s first rollout has nothing to return to; use down to remove it`);
    ro.state = 'rolling-back';
    ro.aborted = true;
    ro.reason = 'aborted by the user';
    w.generation = ro.fromGeneration;
    this.state.saveWorkload(w);
    this.state.step(ro, `aborted; rolling back to generation ${ro.fromGeneration}`, 'warn');
    this.state.events.emit({ type: 'rollout', rollout: this.state.rolloutView(ro) });
    this.reconciler.kick(name);
    return ro;
  }

  pause(name: string): RolloutRecord {
    const w = structuredClone(this.workload(name));
    if (!w.rollout || w.rollout.state !== 'running') throw new ApiError(409, `${name} has no running rollout to pause`);
    w.rollout.state = 'paused';
    w.rollout.reason = 'paused by the user';
    this.state.saveWorkload(w);
    this.state.step(w.rollout, 'paused by the user', 'warn');
    this.state.events.emit({ type: 'rollout', rollout: this.state.rolloutView(w.rollout) });
    return w.rollout;
  }

  resume(name: string): RolloutRecord {
    const w = structuredClone(this.workload(name));
    if (!w.rollout || w.rollout.state !== 'paused') throw new ApiError(409, `${name} has no paused rollout to resume`);
    w.rollout.state = 'running';
    w.rollout.reason = null;
    w.rollout.countFailuresSince = this.now();
    this.state.saveWorkload(w);
    this.state.step(w.rollout, 'resumed');
    this.state.events.emit({ type: 'rollout', rollout: this.state.rolloutView(w.rollout) });
    this.reconciler.kick(name);
    return w.rollout;
  }

  /** Rolls out an earlier generation again (by default the one before the current). */
  rollback(name: string, to?: number): RolloutRecord {
    const existing = this.workload(name);
    if (existing.rollout && existing.rollout.state !== 'paused') {
      throw new ApiError(409, `${name} has a rollout in progress (${existing.rollout.id}); abort it to return to generation ${existing.rollout.fromGeneration}`);
    }
    const earlier = existing.generations.filter((g) => g.generation !== existing.generation);
    const target = to ?? [...earlier].reverse().find((g) => g.generation < existing.generation)?.generation;
    if (target === undefined) throw new ApiError(409, `${name} has no earlier generation to roll back to`);
    if (target === existing.generation) throw new ApiError(409, `${name} already runs generation ${target}`);
    if (!generationOf(existing, target)) {
      const kept = existing.generations.map((g) => g.generation).join(', ');
      throw new ApiError(404, `${name} has no generation ${target} in its history (kept: ${kept})`);
    }
    const w = structuredClone(existing);
    if (w.rollout) this.supersede(w, w.rollout);
    const rollout = this.newRollout(name, existing.generation, target);
    w.rollout = rollout;
    w.generation = target;
    this.state.saveWorkload(w);
    this.announce(w, rollout, `rollback ${rollout.id}: generation ${existing.generation} → ${target}`);
    return rollout;
  }

  stopReplica(id: string): void {
    const r = this.state.replicas.get(id);
    if (!r) throw new ApiError(404, `no replica ${id}`);
    if (r.state === 'stopped' || r.state === 'failed' || r.state === 'draining') throw new ApiError(409, `${id} is already ${r.state}`);
    this.reconciler.stopReplica(r, 'stopped by the user');
    this.reconciler.kick(r.app);
  }

  workload(name: string): WorkloadRecord {
    const w = this.state.workloads.get(name);
    if (!w) throw new ApiError(404, `no workload named ${name}`);
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
