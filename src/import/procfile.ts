// A Procfile (Heroku, foreman, honcho, overmind) as draft apps: one `<type>: <command>` a line,
// each a shell command. `$PORT` is 5000 + 100 per line in file order (foreman's and honcho's
// rule) for `web` and any line that uses it; `release` runs first, as a job `web` needs; `.env`
// beside it is read with `env-file`. Pure.
import { mapCommand } from './commands';
import { appName, draft, Notes, type DraftApp, type ProjectSnapshot, type SourceResult } from './model';
import { scriptsBeside } from './npm';
import { watchGlobs } from './watch-globs';

const LINE = /^([A-Za-z0-9_-]+):\s*(.+)$/;

export function importProcfile(file: string, snapshot: ProjectSnapshot): SourceResult {
  const notes = new Notes(file);
  const text = snapshot.files.get(file) ?? '';
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  const rel = (p: string) => (dir ? `${dir}/${p}` : p);
  const envFiles = ['.env', '.overmind.env'].map(rel).filter((f) => snapshot.files.has(f));
  const apps: DraftApp[] = [];
  const lines = text.split(/\r?\n/);
  let index = 0;
  let release: string | null = null;
  lines.forEach((raw, i) => {
    const m = LINE.exec(raw.trim());
    if (!m) return;
    const line = i + 1;
    const [, type, command] = m;
    const port = 5000 + 100 * index++;
    const app = draft(appName(type!), { file, line });
    const cmd = mapCommand({ text: command!.replace(/\$PS\b/g, type!) }, 'shell', scriptsBeside(snapshot, dir));
    app.exec = cmd.exec;
    app.args = cmd.args;
    app.env.push(...cmd.env);
    app.cwd = cmd.cwd ? (dir ? `${dir}/${cmd.cwd}` : cmd.cwd) : dir || null;
    for (const said of cmd.said) notes.info(line, app.name, said);
    app.envFiles = [...envFiles];
    const usesPort = type === 'web' || /\$\{?PORT\b/.test(command!) || cmd.port !== null;
    if (usesPort) {
      app.port = port;
      app.health = { check: ['tcp'], interval: null, timeout: null, retries: null };
      if (!/\$\{?PORT\b/.test(command!) && cmd.port === null) {
        notes.info(line, app.name, /gunicorn/.test(command!) ? `port ${port} (foreman's 5000 + 100 per line): gunicorn binds $PORT itself when it is set` : `port ${port} (foreman's 5000 + 100 per line): the program must listen on $PORT`);
      } else {
        notes.info(line, app.name, `port ${port}: foreman's 5000 + 100 per line`);
      }
    } else if (type !== 'release') {
      notes.info(line, app.name, 'no port: a background process (only `web` and lines that use $PORT get one)');
    }
    if (/gunicorn/.test(command!) && !cmd.watch) notes.info(line, app.name, "gunicorn's reload (a `reload` setting or `--reload`) is for development: a `watch` block rolls the app out on change instead");
    if (cmd.watch) app.watch = watchGlobs(cmd.watch, app.cwd);
    for (const b of cmd.before) {
      const job = draft(`${app.name}-${b.name}`, { file, line });
      Object.assign(job, { type: 'job', exec: b.exec, args: b.args, cwd: app.cwd, envFiles: [...envFiles] });
      apps.push(job);
      app.needs.push(`${job.name}:completed`);
    }
    if (type === 'release') {
      app.type = 'job';
      release = app.name;
      notes.info(line, app.name, '`release` runs before the others start, as a job `web` needs');
    }
    apps.push(app);
  });
  if (release !== null) for (const a of apps) if (a.name === 'web') a.needs.push(`${release}:completed`);
  for (const f of envFiles) notes.info(0, null, `${f} → \`env-file ${f}\` (its values are never copied into the manifest)`);
  if (apps.length === 0) notes.error(0, null, 'no `<type>: <command>` line');
  return { apps, notes: notes.items, skipped: [] };
}
