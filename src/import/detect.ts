// What a folder holds that says how its project runs, in the order an import prefers them: an
// explicit process file (Procfile.dev, Procfile, a compose file with its override, a process-compose
// file, a PM2 ecosystem file) before heuristics (package.json, Python markers). A `compose.yaml` is
// told apart by its top-level key: `processes:` is process-compose, `services:` compose. Each
// source has a detail line for the editor's quick pick. Pure: file names and texts in.
import type { ProjectSnapshot, SourceKind } from './model';
import { readPackage } from './npm';
import { pythonMarker } from './python';
import { isRecord, loadYaml } from './yaml-lines';

export interface DetectedSource {
  kind: SourceKind;
  file: string;
  /** `compose.yaml · 5 services: 3 build, 2 image`. */
  detail: string;
}

const COMPOSE = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const PROCESS_COMPOSE = ['process-compose.yaml', 'process-compose.yml'];

/** Folders never looked into (the walk in read-project.ts skips them). */
export const SKIPPED_DIRS = new Set(['node_modules', '.git', 'vendor', '.venv', 'venv', '__pycache__', 'dist', 'build', 'target', '.skr8tr']);

/** The files detection and the importers may read, by name: what read-project.ts collects. */
export function isInteresting(rel: string): boolean {
  const name = rel.split('/').pop()!;
  if (rel.split('/').length > 3) return false;
  return /^(Procfile(\..+)?|(docker-)?compose(\.override)?\.ya?ml|process-compose\.ya?ml|ecosystem\.config\.c?js|package\.json|\.env|\.flaskenv|\.overmind\.env|Dockerfile(\..+)?|manage\.py|wsgi\.py|main\.py|app\.py|requirements\.txt|pyproject\.toml|Pipfile|server\.js)$/.test(name);
}

export function detect(snapshot: ProjectSnapshot): DetectedSource[] {
  const out: DetectedSource[] = [];
  const has = (f: string) => snapshot.files.has(f);
  for (const f of ['Procfile.dev', 'Procfile']) {
    if (!has(f)) continue;
    const types = (snapshot.files.get(f) ?? '').split(/\r?\n/).map((l) => /^([A-Za-z0-9_-]+):/.exec(l.trim())?.[1]).filter((t): t is string => !!t);
    out.push({ kind: 'procfile', file: f, detail: `${f} · ${types.length} process${types.length === 1 ? '' : 'es'}: ${types.join(', ')}` });
  }
  for (const f of [...COMPOSE, ...PROCESS_COMPOSE]) {
    if (!has(f)) continue;
    const root = loadYaml(snapshot.files.get(f) ?? '').value;
    if (isRecord(root) && isRecord(root.processes)) {
      const n = Object.keys(root.processes).length;
      out.push({ kind: 'process-compose', file: f, detail: `${f} · ${n} process${n === 1 ? '' : 'es'}` });
    } else if (COMPOSE.includes(f) && isRecord(root) && isRecord(root.services)) {
      const services = Object.values(root.services).filter(isRecord);
      const build = services.filter((s) => s.build !== undefined).length;
      const image = services.filter((s) => s.build === undefined && typeof s.image === 'string').length;
      const profiled = services.filter((s) => Array.isArray(s.profiles) && s.profiles.length > 0).length;
      const parts = [`${build} build`, `${image} image`, ...(profiled ? [`${profiled} in a profile`] : [])];
      out.push({ kind: 'compose', file: f, detail: `${f} · ${services.length} service${services.length === 1 ? '' : 's'}: ${parts.join(', ')}` });
    }
  }
  for (const f of ['ecosystem.config.js', 'ecosystem.config.cjs']) if (has(f)) out.push({ kind: 'pm2', file: f, detail: `${f} · PM2 apps` });
  if (has('package.json')) {
    const pkg = readPackage(snapshot, '');
    const scripts = pkg && isRecord(pkg.scripts) ? pkg.scripts : {};
    if (typeof scripts.start === 'string' || has('server.js')) {
      out.push({ kind: 'npm', file: 'package.json', detail: `package.json · npm start: ${typeof scripts.start === 'string' ? scripts.start : 'node server.js'}` });
    }
  }
  const py = pythonMarker(snapshot);
  if (py) out.push({ kind: 'python', file: py.file, detail: `${py.file} · ${py.framework === 'django' ? 'Django' : py.framework === 'fastapi' ? 'FastAPI' : 'Flask'}` });
  return out;
}
