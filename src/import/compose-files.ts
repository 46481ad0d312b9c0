// A compose project as the services it defines, read by the built-in parser from the files the
// project holds: the compose file, its override (merged, as `docker compose` does by default), the
// files of `include` (each loaded as a project of its own, from its own folder and `.env`; a name
// that is already a service is a conflict, kept as it was and said) and each service's `extends`
// (its base merged under it, without `depends_on`, which extends never shares), both followed when
// the file is in the project and said with file:line when not. Each service keeps where its keys
// are written (which file, which line), so notes name the file a key really came from. Pure: the
// snapshot holds the files; composeReferences says which ones read-project.ts must add to it.
import { parse as parseDotenv } from 'dotenv';
import type { VarSources } from './interpolate';
import { mergeService } from './compose-merge';
import type { Notes, ProjectSnapshot, Where } from './model';
import { isRecord, loadYaml, type YamlFile, type YamlPath } from './yaml-lines';

/** A place a service's keys are written: a file and the service's path in it. */
interface Layer {
  file: string;
  yaml: YamlFile;
  path: YamlPath;
}

export interface ComposeService {
  key: string;
  body: Record<string, unknown>;
  /** Where its keys are written, the one that wins first. */
  layers: Layer[];
  /** The folder its relative paths start from, relative to the project ('' = the project's). */
  dir: string;
  vars: VarSources;
  /** The variables file its interpolation read, when there is one. */
  varsFile: string | null;
}

/** Where a key of the service (`ports`, 0) is written: in the layer that holds it, else its nearest written parent. */
export function where(s: ComposeService, ...path: YamlPath): Where {
  for (const l of s.layers) {
    const line = l.yaml.exact([...l.path, ...path]);
    if (line !== null) return { file: l.file, line };
  }
  const first = s.layers[0]!;
  return { file: first.file, line: first.yaml.line([...first.path, ...path]) };
}

const dirOf = (file: string) => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '');

/** `a/b/../c` → `a/c`; '' for the project's folder; null when it leaves the project. */
export function projectPath(dir: string, rel: string): string | null {
  if (rel.startsWith('/')) return null;
  const out: string[] = [];
  for (const part of `${dir}/${rel}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

interface Loaded {
  file: string;
  yaml: YamlFile;
  root: Record<string, unknown>;
}

function load(file: string, snapshot: ProjectSnapshot, notes: Notes): Loaded | null {
  const text = snapshot.files.get(file);
  if (text === undefined) return null;
  const yaml = loadYaml(text);
  for (const e of yaml.errors) notes.error({ file, line: e.line }, null, `YAML: ${e.message}`);
  for (const t of yaml.tags) notes.dropped({ file, line: t.line }, null, `${t.tag} is not understood by the built-in parser: the value is merged as if it were not there`);
  return { file, yaml, root: isRecord(yaml.value) ? yaml.value : {} };
}

function varsOf(dir: string, snapshot: ProjectSnapshot, under: Readonly<Record<string, string>> = {}): { vars: VarSources; varsFile: string | null } {
  const varsFile = dir ? `${dir}/.env` : '.env';
  const text = snapshot.files.get(varsFile);
  return { vars: { file: { ...(text !== undefined ? parseDotenv(text) : {}), ...under }, shell: snapshot.env }, varsFile: text !== undefined ? varsFile : null };
}

/** The services of the compose file `file` and all it pulls in, in order: included ones first. */
export function loadCompose(file: string, snapshot: ProjectSnapshot, notes: Notes): { services: ComposeService[]; main: Loaded } {
  const main = load(file, snapshot, notes) ?? { file, yaml: loadYaml(''), root: {} };
  const dir = dirOf(file);
  const own = varsOf(dir, snapshot);
  const services = servicesOf(main, dir, own);
  const override = overrideOf(file, snapshot, notes);
  if (override) {
    notes.info(0, null, `merged ${override.file}, as \`docker compose\` does by default`);
    for (const s of servicesOf(override, dir, own)) mergeInto(services, s);
  }
  for (const s of services) resolveExtends(s, snapshot, notes, 0, new Set([`${file}#${s.key}`]));
  const included = includes(main, dir, own.vars.file, snapshot, notes, new Set([file]));
  for (const inc of included) {
    if (services.some((s) => s.key === inc.key)) {
      notes.warn(where(inc), null, `service \`${inc.key}\` of ${inc.layers[0]!.file} (included) is also defined in ${file}: kept the one of ${file}, as compose does not merge them`);
    }
  }
  return { services: [...included.filter((i) => !services.some((s) => s.key === i.key)), ...services], main };
}

function servicesOf(f: Loaded, dir: string, own: { vars: VarSources; varsFile: string | null }): ComposeService[] {
  const out: ComposeService[] = [];
  for (const [key, body] of Object.entries(isRecord(f.root.services) ? f.root.services : {})) {
    if (isRecord(body)) out.push({ key, body, layers: [{ file: f.file, yaml: f.yaml, path: ['services', key] }], dir, ...own });
  }
  return out;
}

/** A later file's service merged onto the one of that name (its layers first), or added. */
function mergeInto(services: ComposeService[], later: ComposeService): void {
  const prev = services.find((x) => x.key === later.key);
  if (!prev) {
    services.push(later);
    return;
  }
  prev.body = mergeService(prev.body, later.body) as Record<string, unknown>;
  prev.layers.unshift(...later.layers);
}

function overrideOf(file: string, snapshot: ProjectSnapshot, notes: Notes): Loaded | null {
  const m = /^(.*?)(\.ya?ml)$/.exec(file);
  if (!m) return null;
  for (const candidate of [`${m[1]}.override.yaml`, `${m[1]}.override.yml`]) {
    const loaded = load(candidate, snapshot, notes);
    if (loaded) return loaded;
  }
  return null;
}

/** The files of `include` entries: their services, each from its own folder and `.env`, recursively. */
function includes(f: Loaded, dir: string, outerVars: Readonly<Record<string, string>>, snapshot: ProjectSnapshot, notes: Notes, seen: Set<string>): ComposeService[] {
  const list = Array.isArray(f.root.include) ? f.root.include : f.root.include === undefined ? [] : [f.root.include];
  const out: ComposeService[] = [];
  list.forEach((entry, i) => {
    const at: Where = { file: f.file, line: f.yaml.line(['include', i]) };
    const paths = (isRecord(entry) ? (Array.isArray(entry.path) ? entry.path : [entry.path]) : [entry]).map(String);
    const files: Loaded[] = [];
    for (const p of paths) {
      const rel = projectPath(dir, p);
      const loaded = rel === null || seen.has(rel) ? null : load(rel, snapshot, notes);
      if (!loaded) {
        notes.dropped(at, null, `include ${p}: ${rel === null ? 'outside the project folder' : seen.has(rel) ? 'included already (a cycle)' : 'not in the project'}, so not followed: its services are not imported`);
        return;
      }
      files.push(loaded);
    }
    const projectDir = isRecord(entry) && typeof entry.project_directory === 'string' ? projectPath(dir, entry.project_directory) : null;
    const incDir = projectDir ?? dirOf(files[0]!.file);
    const own = varsOf(incDir, snapshot, outerVars);
    if (isRecord(entry) && entry.env_file !== undefined) notes.dropped(at, null, `include ${paths.join(', ')}: env_file not read (its folder's .env is)`);
    const services: ComposeService[] = [];
    for (const loaded of files) for (const s of servicesOf(loaded, incDir, own)) mergeInto(services, s);
    for (const s of services) resolveExtends(s, snapshot, notes, 0, new Set([`${s.layers[0]!.file}#${s.key}`]));
    notes.info(at, null, `included ${files.map((x) => x.file).join(', ')}: ${services.length} service${services.length === 1 ? '' : 's'} (${services.map((s) => s.key).join(', ')})`);
    const inner = new Set([...seen, ...files.map((x) => x.file)]);
    out.push(...files.flatMap((x) => includes(x, dirOf(x.file), outerVars, snapshot, notes, inner)), ...services);
  });
  return out;
}

/** Merges a service's `extends` base under it (recursively); says where it cannot. */
function resolveExtends(s: ComposeService, snapshot: ProjectSnapshot, notes: Notes, depth: number, seen: Set<string>): void {
  const ext = s.body.extends;
  if (ext === undefined) return;
  const at = where(s, 'extends');
  const { extends: _, ...local } = s.body;
  s.body = local;
  const service = typeof ext === 'string' ? ext : isRecord(ext) && typeof ext.service === 'string' ? ext.service : null;
  if (service === null) {
    notes.error(at, null, `service \`${s.key}\`: extends names no service; not followed`);
    return;
  }
  const from = at.file;
  const file = isRecord(ext) && typeof ext.file === 'string' ? projectPath(dirOf(from), ext.file) : from;
  const loaded = file === null ? null : load(file, snapshot, notes);
  const baseBody = loaded && isRecord(loaded.root.services) ? loaded.root.services[service] : undefined;
  const id = `${file}#${service}`;
  if (!loaded || !isRecord(baseBody) || seen.has(id) || depth > 10) {
    const why = file === null ? `${String((ext as Record<string, unknown>).file)} is outside the project folder` : !loaded ? `${file} is not in the project` : !isRecord(baseBody) ? `${file} has no service \`${service}\`` : 'it extends itself (a cycle)';
    notes.dropped(at, s.key, `extends ${service}: not followed (${why}); only the service's own keys are imported`);
    return;
  }
  const base: ComposeService = { ...s, key: service, body: baseBody, layers: [{ file: loaded.file, yaml: loaded.yaml, path: ['services', service] }] };
  resolveExtends(base, snapshot, notes, depth + 1, new Set([...seen, id]));
  // extends never shares depends_on (nor volumes_from): a base must not bring dependencies along.
  const { depends_on: _deps, volumes_from: _from, ...inherited } = base.body;
  s.body = mergeService(inherited, local) as Record<string, unknown>;
  s.layers.push(...base.layers);
  notes.info(at, s.key, `extends ${service}${loaded.file !== from ? ` of ${loaded.file}` : ''}: its keys merged under this service's`);
}

/**
 * The files a compose file names that read-project.ts must read too: `include` paths and
 * `extends.file`, relative to the project (those outside it are left out, and said at import).
 */
export function composeReferences(file: string, text: string): string[] {
  const root = loadYaml(text).value;
  if (!isRecord(root)) return [];
  const dir = dirOf(file);
  const out: string[] = [];
  for (const entry of Array.isArray(root.include) ? root.include : []) {
    for (const p of isRecord(entry) ? (Array.isArray(entry.path) ? entry.path : [entry.path]) : [entry]) out.push(String(p));
  }
  for (const body of Object.values(isRecord(root.services) ? root.services : {})) {
    if (isRecord(body) && isRecord(body.extends) && typeof body.extends.file === 'string') out.push(body.extends.file);
  }
  return out.map((p) => projectPath(dir, p)).filter((p): p is string => p !== null && p !== '');
}
