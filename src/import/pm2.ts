// A PM2 ecosystem file as draft apps: `interpreter script args` (node by default; `none` runs the
// script itself), `instances` as replicas (`max` or 0: one per CPU), `port`/`env.PORT` as the port,
// `watch`/`ignore_watch`, `autorestart`, `kill_timeout` as the drain. The file is JavaScript: read
// statically (literals only) unless the workspace is trusted and it was evaluated in a child
// process (snapshot.pm2Evaluated). PM2 stops apps with SIGINT; Skr8tr sends SIGTERM: said. Pure.
import { splitWords } from '../shared/manifest/tokenize';
import { NonLiteral, readExports } from './js-literal';
import { appName, draft, Notes, type DraftApp, type ProjectSnapshot, type SourceResult } from './model';
import { watchGlobs } from './watch-globs';

export function importPm2(file: string, snapshot: ProjectSnapshot, cpus: number): SourceResult {
  const notes = new Notes(file);
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  let value: unknown;
  let lines = new Map<string, number>();
  if (snapshot.pm2Evaluated !== undefined) {
    value = snapshot.pm2Evaluated;
    notes.info(0, null, `${file} was run (a trusted workspace) to read its apps`);
  } else {
    const read = readExports(snapshot.files.get(file) ?? '');
    if (read.error) notes.error(0, null, `${file} could not be read without running it: ${read.error}`);
    value = read.value;
    lines = read.lines;
  }
  const list = Array.isArray(value) ? value : value && typeof value === 'object' && Array.isArray((value as { apps?: unknown }).apps) ? (value as { apps: unknown[] }).apps : [];
  const prefix = Array.isArray(value) ? '' : 'apps.';
  const apps: DraftApp[] = [];
  list.forEach((raw, i) => {
    if (!raw || typeof raw !== 'object' || raw instanceof NonLiteral) return;
    const a = raw as Record<string, unknown>;
    const at = (key?: string) => lines.get(`${prefix}${i}${key ? `.${key}` : ''}`) ?? lines.get(`${prefix}${i}`) ?? 0;
    for (const [k, v] of Object.entries(a)) if (v instanceof NonLiteral) notes.error(v.line, null, `${k}: \`${v.text}\` is not a literal; it is only known by running the file (trusted workspace)`);
    const script = typeof a.script === 'string' ? a.script : typeof a.exec === 'string' ? a.exec : null;
    const name = appName(typeof a.name === 'string' ? a.name : script ? script.split('/').pop()!.replace(/\.[^.]+$/, '') : `app${i + 1}`);
    const app = draft(name, { file, line: at() });
    const interpreter = typeof a.interpreter === 'string' ? a.interpreter : 'node';
    const args = typeof a.args === 'string' ? splitWords(a.args) : Array.isArray(a.args) ? a.args.map(String) : [];
    const nodeArgs = typeof a.node_args === 'string' ? splitWords(a.node_args) : Array.isArray(a.node_args) ? a.node_args.map(String) : [];
    if (script === null) {
      app.replicas = 0;
      notes.error(at(), name, 'no `script`: write `exec`, then set replicas');
    } else if (interpreter === 'none') {
      Object.assign(app, { exec: script, args });
    } else {
      Object.assign(app, { exec: interpreter, args: [...(interpreter === 'node' ? nodeArgs : []), script, ...args] });
    }
    if (typeof a.cwd === 'string') app.cwd = a.cwd;
    else if (dir) app.cwd = dir;
    const env = a.env && typeof a.env === 'object' ? (a.env as Record<string, unknown>) : {};
    const port = typeof a.port === 'number' ? a.port : Number(env.PORT) || null;
    if (port !== null) {
      app.port = port;
      app.health = { check: ['tcp'], interval: null, timeout: null, retries: null };
      notes.info(at(a.port !== undefined ? 'port' : 'env'), name, `port ${port}: the ingress serves it; each replica gets its own PORT`);
    }
    for (const [k, v] of Object.entries(env)) {
      if (k === 'PORT' || v instanceof NonLiteral) continue;
      app.env.push([k, String(v)]);
    }
    for (const k of Object.keys(a).filter((k) => /^env_/.test(k))) notes.dropped(at(k), name, `${k} (chosen with \`pm2 --env ${k.slice(4)}\`) not carried: copy what you need into env`);
    const instances = a.instances;
    if (instances === 'max' || instances === 0 || instances === -1 || (typeof instances === 'number' && instances < 0)) {
      const n = Math.max(1, typeof instances === 'number' && instances < 0 ? cpus + instances : cpus);
      app.replicas = n;
      notes.info(at('instances'), name, `instances ${String(instances)} → replicas ${n} (this machine's CPUs)`);
    } else if (typeof instances === 'number' && instances > 1) app.replicas = instances;
    if (a.exec_mode === 'cluster') notes.info(at('exec_mode'), name, 'cluster mode → replicas behind the ingress, each its own process');
    if (a.watch === true) app.watch = watchGlobs('node', app.cwd);
    else if (Array.isArray(a.watch)) app.watch = a.watch.map((w) => (String(w).includes('*') ? String(w) : `${String(w).replace(/\/$/, '')}/**`));
    if (Array.isArray(a.ignore_watch)) {
      app.watchIgnore = a.ignore_watch.map(String).filter((g) => /^[\w./*-]+$/.test(g)).map((g) => (g.includes('*') ? g : `${g}/**`));
      const regexes = a.ignore_watch.map(String).filter((g) => !/^[\w./*-]+$/.test(g));
      if (regexes.length > 0) notes.dropped(at('ignore_watch'), name, `ignore_watch ${regexes.join(', ')}: regular expressions, not globs; not carried`);
    }
    if (a.autorestart !== false) app.restart = 'always';
    if (typeof a.kill_timeout === 'number') app.drain = `${a.kill_timeout}ms`;
    if (typeof a.listen_timeout === 'number') app.deadline = `${a.listen_timeout}ms`;
    if (a.max_memory_restart !== undefined) notes.dropped(at('max_memory_restart'), name, `max_memory_restart ${String(a.max_memory_restart)} not carried`);
    notes.info(at(), name, 'PM2 stops apps with SIGINT; Skr8tr sends SIGTERM');
    apps.push(app);
  });
  if (apps.length === 0) notes.error(0, null, 'no apps found');
  return { apps, notes: notes.items, skipped: [] };
}
