// What a submission must agree with before anything changes, checked across every manifest the
// Conductor runs: two apps on one port (port-clash.ts), what apps need (each name must be an app of
// this submission or one that runs; `completed` only for a job; no cycle across manifests), and, for
// `down`, the apps that still need the ones going. Pure: the submitted apps and the workloads in,
// problems out, each naming its app and manifest.
import type { AppSpec, ParsedApp } from '../shared/manifest/model';
import { findCycles } from '../shared/manifest/needs';
import { portHeldMessage, portHolders, type PortUser } from '../shared/manifest/port-clash';
import { generationOf, type WorkloadRecord } from './model';

export interface SubmittedApp {
  parsed: ParsedApp;
  manifestPath: string;
}

/** The current spec of each running workload that this submission does not replace, with its manifest. */
function others(workloads: Iterable<WorkloadRecord>, submitted: readonly SubmittedApp[]): { spec: AppSpec; manifestPath: string }[] {
  const out: { spec: AppSpec; manifestPath: string }[] = [];
  for (const w of workloads) {
    const g = generationOf(w, w.generation);
    if (g && !w.removing && !submitted.some((a) => a.parsed.spec.name === w.name)) out.push({ spec: g.spec, manifestPath: g.manifestPath });
  }
  return out;
}

/** An app defined twice in one submission (two manifests of a workspace). */
export function duplicateApps(submitted: readonly SubmittedApp[]): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const a of submitted) {
    const first = seen.get(a.parsed.spec.name);
    if (first !== undefined && first !== a.manifestPath) out.push(`app ${a.parsed.spec.name} is defined in both ${first} and ${a.manifestPath}; app names are unique across a workspace`);
    else seen.set(a.parsed.spec.name, a.manifestPath);
  }
  return out;
}

export function portConflicts(submitted: readonly SubmittedApp[], workloads: Iterable<WorkloadRecord>): string[] {
  const running: PortUser[] = others(workloads, submitted).map((o) => ({ name: o.spec.name, port: o.spec.port, ingress: o.spec.ingress, manifestPath: o.manifestPath }));
  const out: string[] = [];
  submitted.forEach((a, i) => {
    const spec = a.parsed.spec;
    if (spec.port === null) return;
    for (const h of portHolders(spec, running)) out.push(portHeldMessage(spec.name, spec.port, h));
    const earlier = submitted.slice(0, i).map((b) => ({ ...b.parsed.spec, manifestPath: b.manifestPath }));
    for (const h of portHolders(spec, earlier)) out.push(`apps ${h.name} and ${spec.name} both want port ${spec.port}; give one another port`);
  });
  return out;
}

export function needsProblems(submitted: readonly SubmittedApp[], workloads: Iterable<WorkloadRecord>): string[] {
  const specs = new Map<string, AppSpec>();
  for (const o of others(workloads, submitted)) specs.set(o.spec.name, o.spec);
  for (const a of submitted) specs.set(a.parsed.spec.name, a.parsed.spec);
  const out: string[] = [];
  for (const a of submitted) {
    for (const n of a.parsed.spec.needs) {
      const needed = specs.get(n.app);
      if (!needed) {
        out.push(`app ${a.parsed.spec.name} (${a.manifestPath}) needs ${n.app}, which is no app of this submission and none the Conductor runs; \`up\` its manifest first, or with this one`);
      } else if (n.condition === 'completed' && needed.type !== 'job') {
        out.push(`app ${a.parsed.spec.name} (${a.manifestPath}) needs ${n.app}:completed, but ${n.app} is a ${needed.type}; only a \`type job\` completes`);
      }
    }
  }
  const graph = new Map([...specs].map(([name, spec]) => [name, spec.needs.map((n) => n.app)]));
  for (const cycle of findCycles(graph)) out.push(`a cycle of needs: ${[...cycle, cycle[0]].join(' → ')}; no app of it could start first`);
  return out;
}

/** The apps (not among `going`) whose current spec needs one of `going`, by the app they need. */
export function dependents(going: readonly string[], workloads: Iterable<WorkloadRecord>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const w of workloads) {
    if (going.includes(w.name) || w.removing) continue;
    for (const n of generationOf(w, w.generation)?.spec.needs ?? []) {
      if (!going.includes(n.app)) continue;
      out.set(n.app, [...(out.get(n.app) ?? []), w.name]);
    }
  }
  return out;
}
