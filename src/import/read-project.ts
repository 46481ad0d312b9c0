// Reading a project for import: the files detection and the importers use (a shallow walk that
// skips node_modules, .git, vendor and the like, plus the files compose's `include` and `extends`
// name inside the project, and their folders' `.env`), whether it runs as root, the programs native recipes need (on PATH, and
// Debian's PostgreSQL folder), the CPU count. A PM2 ecosystem file is JavaScript: it runs only when
// the caller says the workspace is trusted, in a child process of its own with a time limit, never
// in the caller. Everything else about an import is pure (index.ts).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { childEnd } from '../shared/platform/child-end';
import { signalGroup } from '../shared/platform/process';
import { composeReferences } from './compose-files';
import { isInteresting, SKIPPED_DIRS } from './detect';
import type { ProjectSnapshot } from './model';

const MAX_FILE_BYTES = 1024 * 1024;
const NATIVE_PROGRAMS = ['redis-server', 'redis-cli', 'postgres', 'initdb', 'pg_isready'];
export const PM2_EVAL_TIMEOUT_MS = 5_000;
/** Compose files followed through `include` and `extends`, at most. */
const MAX_FOLLOWED = 50;

export interface ReadOptions {
  /** Run a PM2 ecosystem file to read it (a trusted workspace only). */
  trusted: boolean;
  env?: NodeJS.ProcessEnv;
  /** The Node to run a PM2 file with (the extension host's needs ELECTRON_RUN_AS_NODE). */
  node?: string;
}

export async function readProject(dir: string, options: ReadOptions): Promise<ProjectSnapshot> {
  const files = new Map<string, string>();
  const read = (r: string) => {
    try {
      const st = fs.lstatSync(path.join(dir, r));
      if (st.isFile() && st.size <= MAX_FILE_BYTES) files.set(r, fs.readFileSync(path.join(dir, r), 'utf8'));
    } catch {
      // unreadable: as if absent
    }
  };
  const walk = (rel: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && depth < 2 && !SKIPPED_DIRS.has(e.name)) walk(r, depth + 1);
      else if (e.isFile() && isInteresting(r)) read(r);
    }
  };
  walk('', 0);
  // What compose files include or extend, followed through the files read (a bounded number of them).
  const pending = [...files.keys()].filter((f) => /\.ya?ml$/.test(f));
  for (let n = 0; pending.length > 0 && n < MAX_FOLLOWED; n++) {
    const f = pending.shift()!;
    for (const ref of composeReferences(f, files.get(f) ?? '')) {
      if (files.has(ref)) continue;
      read(ref);
      const env = ref.includes('/') ? `${ref.slice(0, ref.lastIndexOf('/'))}/.env` : '.env';
      if (!files.has(env)) read(env);
      if (files.has(ref)) pending.push(ref);
    }
  }
  const env = options.env ?? process.env;
  const snapshot: ProjectSnapshot = {
    files,
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    programs: findPrograms(NATIVE_PROGRAMS, env.PATH ?? ''),
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    root: process.getuid?.() === 0,
  };
  const pm2 = ['ecosystem.config.js', 'ecosystem.config.cjs'].find((f) => files.has(f));
  if (pm2 && options.trusted) {
    const evaluated = await evaluatePm2(path.join(dir, pm2), options.node ?? process.execPath);
    if (evaluated !== undefined) snapshot.pm2Evaluated = evaluated;
  }
  return snapshot;
}

/** The programs found: on PATH by name, else in Debian's /usr/lib/postgresql/N/bin by full path. */
export function findPrograms(names: readonly string[], pathVar: string): Map<string, string> {
  const found = new Map<string, string>();
  const dirs = pathVar.split(path.delimiter).filter(Boolean);
  const executable = (p: string) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  let pgBins: string[] = [];
  try {
    pgBins = fs.readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`);
  } catch {
    // no Debian PostgreSQL
  }
  for (const name of names) {
    if (dirs.some((d) => executable(path.join(d, name)))) found.set(name, name);
    else {
      const bin = pgBins.find((d) => executable(path.join(d, name)));
      if (bin) found.set(name, path.join(bin, name));
    }
  }
  return found;
}

/** `module.exports` of the file as JSON, from a child Node that is killed after the time limit; undefined when it fails. */
async function evaluatePm2(file: string, node: string): Promise<unknown> {
  const code = 'const v = require(process.argv[1]); process.stdout.write(JSON.stringify(v && v.default !== undefined && Object.keys(v).length === 1 ? v.default : v))';
  const child = spawn(node, ['-e', code, file], { cwd: path.dirname(file), stdio: ['ignore', 'pipe', 'ignore'], detached: true, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    if (out.length < MAX_FILE_BYTES) out += c.toString('utf8');
  });
  const timer = setTimeout(() => child.pid !== undefined && signalGroup(child.pid, 'SIGKILL'), PM2_EVAL_TIMEOUT_MS);
  const end = await childEnd(child);
  clearTimeout(timer);
  if (!end.started || end.code !== 0) return undefined;
  try {
    return JSON.parse(out) as unknown;
  } catch {
    return undefined;
  }
}
