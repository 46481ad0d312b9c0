// `needs`: the apps an app needs started first, and when they count as there. Read per app
// (`needs db cache migrate:completed`, YAML `needs: [db, "migrate:completed"]`), then checked across
// the apps of the file: a cycle is an error at each `needs` of it, naming the whole cycle; a name
// this file does not define is a warning (it may be an app of another manifest the Conductor runs;
// the Conductor refuses an `up` when it knows no such app); `completed` on a service is an error.
// The cycle search is shared with the Conductor, which checks the graph across manifests.
import type { DiagnosticSink } from './diagnostics';
import type { Entry } from './entries';
import type { EntryReader } from './entry-reader';
import type { Need, NeedCondition, ParsedApp } from './model';
import { nearest } from './suggest';

const CONDITIONS: readonly NeedCondition[] = ['ready', 'started', 'completed'];
const NAME = /^[A-Za-z0-9_.-]+$/;

export function readNeeds(r: EntryReader, e: Entry): Need[] {
  if (e.args.length === 0) r.sink.error(e.keyPos, '`needs` needs the apps this one needs, like `needs db cache`');
  const out: Need[] = [];
  for (const t of e.args) {
    const [name = '', condition, ...extra] = t.text.split(':');
    if (!NAME.test(name)) {
      r.sink.error(t.pos, `"${t.text}" is not an app name (letters, digits, \`-\`, \`_\`, \`.\`), optionally with \`:ready\`, \`:started\` or \`:completed\``);
      continue;
    }
    if (extra.length > 0 || (condition !== undefined && !CONDITIONS.includes(condition as NeedCondition))) {
      const guess = condition ? nearest(condition, CONDITIONS) : null;
      r.sink.error(t.pos, `\`${t.text}\`: the condition is \`ready\`, \`started\` or \`completed\`${guess ? `; did you mean \`${name}:${guess}\`?` : ''}`);
      continue;
    }
    if (name === r.name) {
      r.sink.error(t.pos, `app \`${name}\` cannot need itself`);
      continue;
    }
    if (out.some((n) => n.app === name)) {
      r.sink.warning(t.pos, `\`${name}\` is needed twice; the first is kept`);
      continue;
    }
    r.positions.set(`needs.${name}`, t.pos);
    out.push({ app: name, condition: (condition as NeedCondition | undefined) ?? 'ready' });
  }
  return out;
}

/** The checks across the apps of one file. */
export function checkNeeds(apps: readonly ParsedApp[], sink: DiagnosticSink): void {
  const byName = new Map(apps.map((a) => [a.spec.name, a]));
  for (const a of apps) {
    for (const n of a.spec.needs) {
      const pos = a.positions.get(`needs.${n.app}`) ?? a.pos;
      const needed = byName.get(n.app);
      if (!needed) {
        sink.warning(pos, `${elsewhere(n.app)}; it must be an app the Conductor runs (from another manifest) when \`${a.spec.name}\` goes up`);
      } else if (n.condition === 'completed' && needed.spec.type !== 'job') {
        sink.error(pos, `\`${n.app}:completed\`: \`${n.app}\` is a ${needed.spec.type}, and only a \`type job\` completes; use \`${n.app}\` (ready) or \`${n.app}:started\``);
      }
    }
  }
  const graph = new Map(apps.map((a) => [a.spec.name, a.spec.needs.map((n) => n.app)]));
  for (const cycle of findCycles(graph)) {
    const text = [...cycle, cycle[0]].join(' → ');
    for (let i = 0; i < cycle.length; i++) {
      const a = byName.get(cycle[i]!)!;
      const next = cycle[(i + 1) % cycle.length]!;
      sink.error(a.positions.get(`needs.${next}`) ?? a.pos, `a cycle of needs: ${text}; no app of it could start first`);
    }
  }
}

const elsewhere = (name: string) => `\`${name}\` is not an app of this file`;

/** The app a diagnostic says is needed but defined elsewhere (to drop it when a workspace defines it), or null. */
export function neededFromElsewhere(message: string): string | null {
  const m = /^`([A-Za-z0-9_.-]+)` is not an app of this file;/.exec(message);
  return m && message.startsWith(elsewhere(m[1]!)) ? m[1]! : null;
}

/**
 * The cycles of a graph (app → the apps it needs), each once, as the apps along it starting from the
 * smallest name. Names the graph does not define are leaves.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (v: string) => {
    state.set(v, 'open');
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (state.get(w) === 'open') {
        const cycle = stack.slice(stack.indexOf(w));
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(rotated.join('\0'), rotated);
      } else if (!state.has(w)) {
        visit(w);
      }
    }
    stack.pop();
    state.set(v, 'done');
  };
  for (const v of [...graph.keys()].sort()) if (!state.has(v)) visit(v);
  return [...cycles.values()];
}

/** An order in which every app comes after what it needs (names the graph does not define are ignored); null with a cycle. */
export function startOrder(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  if (findCycles(graph).length > 0) return null;
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (v: string) => {
    if (seen.has(v)) return;
    seen.add(v);
    for (const w of graph.get(v) ?? []) if (graph.has(w)) visit(w);
    out.push(v);
  };
  for (const v of [...graph.keys()].sort()) visit(v);
  return out;
}
