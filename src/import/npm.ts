// A package.json as one app: the `start` script (or `node server.js`, npm's default) resolved to the
// command it runs (npm itself is not supervised: it does not pass SIGTERM on), `prestart` as a job
// it needs, a migration in the script split off the same way. Also the scripts other sources use
// to resolve `npm run X`. Pure.
import { mapCommand, type ScriptContext } from './commands';
import { appName, draft, Notes, type DraftApp, type ProjectSnapshot, type SourceResult } from './model';
import { watchGlobs } from './watch-globs';

export function readPackage(snapshot: ProjectSnapshot, dir: string): Record<string, unknown> | null {
  const text = snapshot.files.get(dir ? `${dir}/package.json` : 'package.json');
  if (text === undefined) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function scriptsBeside(snapshot: ProjectSnapshot, dir: string): ScriptContext | null {
  const pkg = readPackage(snapshot, dir);
  if (!pkg) return null;
  const scripts = pkg.scripts !== null && typeof pkg.scripts === 'object' ? (pkg.scripts as Record<string, unknown>) : {};
  return { scripts: Object.fromEntries(Object.entries(scripts).filter(([, v]) => typeof v === 'string')) as Record<string, string> };
}

export function importNpm(file: string, snapshot: ProjectSnapshot): SourceResult {
  const notes = new Notes(file);
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  const pkg = readPackage(snapshot, dir);
  if (!pkg) {
    notes.error(0, null, 'package.json is not a JSON object');
    return { apps: [], notes: notes.items, skipped: [] };
  }
  const scripts = scriptsBeside(snapshot, dir)!;
  const lineOf = (key: string) => {
    const i = (snapshot.files.get(file) ?? '').split('\n').findIndex((l) => l.includes(`"${key}"`));
    return i + 1;
  };
  const name = appName(typeof pkg.name === 'string' ? pkg.name.replace(/^@[^/]+\//, '') : 'app');
  const app = draft(name, { file, line: lineOf('start') });
  const apps: DraftApp[] = [];
  if (scripts.scripts.start === undefined && !snapshot.files.has(dir ? `${dir}/server.js` : 'server.js')) {
    app.replicas = 0;
    notes.error(0, name, 'no `start` script and no server.js: write `exec`, then set replicas');
    return { apps: [app], notes: notes.items, skipped: [] };
  }
  const cmd = mapCommand({ text: 'npm start' }, 'shell', scripts);
  Object.assign(app, { exec: cmd.exec, args: cmd.args, cwd: dir || null });
  app.env.push(...cmd.env);
  for (const said of cmd.said) notes.info(lineOf('start'), name, said);
  if (cmd.watch) app.watch = watchGlobs(cmd.watch, app.cwd);
  if (cmd.port !== null) app.port = cmd.port;
  const pre = scripts.scripts.prestart;
  const befores = [...cmd.before];
  if (pre !== undefined) {
    const p = mapCommand({ text: pre }, 'shell', scripts);
    befores.unshift({ name: 'prestart', exec: p.exec, args: p.args });
    notes.info(lineOf('prestart'), name, '`prestart` runs first, as a job this app needs');
  }
  for (const b of befores) {
    const job = draft(`${name}-${b.name}`, app.from);
    Object.assign(job, { type: 'job', exec: b.exec, args: b.args, cwd: app.cwd });
    apps.push(job);
    app.needs.push(`${job.name}:completed`);
  }
  if (app.port === null) notes.info(lineOf('start'), name, 'no port found in the start script: add `port N` if it serves one (it gets PORT)');
  if (scripts.scripts.build !== undefined) notes.info(lineOf('build'), name, 'the `build` script is not run: add a `build` block (`run npm run build`) if the app needs it first');
  if (pkg.workspaces !== undefined) notes.dropped(lineOf('workspaces'), null, 'workspaces: only the root package is imported; run `skr8tr init` in each package that runs');
  if (snapshot.files.has(dir ? `${dir}/.env` : '.env')) app.envFiles.push(dir ? `${dir}/.env` : '.env');
  apps.push(app);
  return { apps, notes: notes.items, skipped: [] };
}
