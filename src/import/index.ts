// Import: a project's own description of how it runs (compose, Procfile, process-compose, PM2,
// package.json, Python markers) → a manifest text plus notes, each with the source's file:line. A
// pure function of a snapshot of the project (read-project.ts reads it); the CLI's `skr8tr init`
// and the editor's New Manifest… both call it. Every note goes into the text as an `# import:`
// comment too, so the file says what it could not carry.
import { importCompose } from './compose';
import { detect, type DetectedSource } from './detect';
import type { DraftApp, ImportNote, ImportOptions, ProjectSnapshot, SourceKind, SourceResult } from './model';
import { importNpm } from './npm';
import { importPm2 } from './pm2';
import { importProcessCompose } from './process-compose';
import { importProcfile } from './procfile';
import { importPython } from './python';
import { sourceHash, writeManifest } from './write';

export { detect, type DetectedSource } from './detect';
export type { ImportNote, ImportOptions, ProjectSnapshot, SourceKind, ImageMode } from './model';
export { SOURCE_KINDS } from './model';
// What its callers need beside the pure function, so that the bundle (dist/import.js) is one require.
export { readProject } from './read-project';
export { lineDiff } from './line-diff';

export interface ImportResult {
  source: DetectedSource;
  text: string;
  notes: ImportNote[];
  apps: string[];
  /** Apps the source has that were left out (a profile, disabled, or not chosen), with why. */
  skipped: { name: string; why: string }[];
  summary: string;
}

export class ImportError extends Error {}

export function importProject(snapshot: ProjectSnapshot, options: ImportOptions = {}): ImportResult {
  const found = detect(snapshot);
  const source = pick(found, options);
  const r = run(source, snapshot, options);
  let apps = r.apps;
  const skipped = [...r.skipped];
  if (options.apps) {
    const chosen = new Set(options.apps);
    // An app chosen keeps the jobs it needs (its init and migrations), chosen or not.
    for (const a of apps) if (chosen.has(a.name)) for (const n of a.needs) if (apps.some((x) => x.name === n.split(':')[0] && x.type === 'job')) chosen.add(n.split(':')[0]!);
    for (const a of apps) if (!chosen.has(a.name)) skipped.push({ name: a.name, why: 'not chosen' });
    apps = apps.filter((a) => chosen.has(a.name));
    const kept = new Set(apps.map((a) => a.name));
    for (const a of apps) a.needs = a.needs.filter((n) => kept.has(n.split(':')[0]!));
  }
  const names = new Set(apps.map((a) => a.name));
  const notes = collapse(r.notes.filter((n) => n.app === null || names.has(n.app)));
  unique(apps, notes, source.file);
  const text = writeManifest({ source: { kind: source.kind, file: source.file, hash: sourceHash(snapshot.files.get(source.file) ?? '') }, apps, notes });
  return { source, text, notes, apps: apps.map((a) => a.name), skipped, summary: summary(apps, notes) };
}

function pick(found: DetectedSource[], options: ImportOptions): DetectedSource {
  const candidates = found.filter((s) => (!options.from || s.kind === options.from) && (!options.file || s.file === options.file));
  if (candidates.length > 0) return candidates[0]!;
  if (options.file && options.from) return { kind: options.from, file: options.file, detail: options.file };
  const what = options.from ? `no ${options.from} source` : 'nothing that says how this project runs';
  throw new ImportError(`${what} here (looked for Procfile, compose.yaml, process-compose.yaml, ecosystem.config.js, package.json with a start script, Django/FastAPI/Flask)`);
}

function run(source: DetectedSource, snapshot: ProjectSnapshot, options: ImportOptions): SourceResult {
  const kinds: Record<SourceKind, () => SourceResult> = {
    compose: () => importCompose(source.file, snapshot, options),
    procfile: () => importProcfile(source.file, snapshot),
    'process-compose': () => importProcessCompose(source.file, snapshot),
    pm2: () => importPm2(source.file, snapshot, snapshot.cpus),
    npm: () => importNpm(source.file, snapshot),
    python: () => importPython(source.file, snapshot),
  };
  return kinds[source.kind]();
}

/** Many variables of one app read through `env-file` are said in one note, at the first one's line. */
function collapse(notes: ImportNote[]): ImportNote[] {
  const FROM = /^(\w+) comes from (.+) through `env-file`, never inlined$/;
  const out: ImportNote[] = [];
  const groups = new Map<string, { note: ImportNote; names: string[]; origin: string }>();
  for (const n of notes) {
    const m = FROM.exec(n.message);
    if (!m) {
      out.push(n);
      continue;
    }
    const key = `${n.app}\0${m[2]}`;
    const g = groups.get(key);
    if (g) g.names.push(m[1]!);
    else {
      const group = { note: { ...n }, names: [m[1]!], origin: m[2]! };
      groups.set(key, group);
      out.push(group.note);
    }
  }
  for (const g of groups.values()) g.note.message = `${g.names.join(', ')} ${g.names.length === 1 ? 'comes' : 'come'} from ${g.origin} through \`env-file\`, never inlined`;
  return out;
}

/** App names are unique within a file: a second `web` becomes `web-2`, said. */
function unique(apps: DraftApp[], notes: ImportNote[], file: string): void {
  const seen = new Set<string>();
  for (const a of apps) {
    let name = a.name;
    for (let i = 2; seen.has(name); i++) name = `${a.name}-${i}`;
    if (name !== a.name) {
      notes.push({ severity: 'warning', file, line: a.from.line, app: name, message: `\`${a.name}\` is already an app here: renamed \`${name}\``, loss: false });
      a.name = name;
    }
    seen.add(name);
  }
}

function summary(apps: readonly DraftApp[], notes: readonly ImportNote[]): string {
  const withNotes = new Set(notes.filter((n) => n.severity !== 'info' && n.app !== null).map((n) => n.app));
  const exact = apps.filter((a) => !withNotes.has(a.name)).length;
  const dropped = notes.filter((n) => n.loss).length;
  const errors = notes.filter((n) => n.severity === 'error').length;
  return `imported ${apps.length} app${apps.length === 1 ? '' : 's'}: ${exact} exact, ${apps.length - exact} with notes; ${dropped} field${dropped === 1 ? '' : 's'} dropped${errors ? `; ${errors} TODO` : ''}`;
}
