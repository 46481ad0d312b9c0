// A process-compose file as draft apps: `command` runs under a shell (bash -c there; `sh -c` here
// when shell syntax needs one), probes become `health`, `depends_on` conditions become `needs`,
// `availability` the restart policy, `shutdown.timeout_seconds` the drain. Pure.
import { parse as parseDotenv } from 'dotenv';
import { splitWords } from '../shared/manifest/tokenize';
import { mapCommand } from './commands';
import { checkOf } from './compose-health';
import { addEnv, type EnvContext } from './env-values';
import { appName, draft, Notes, type DraftApp, type ProjectSnapshot, type SourceResult } from './model';
import { watchGlobs } from './watch-globs';
import { isRecord, loadYaml } from './yaml-lines';

const IGNORED = new Set(['log_location', 'disable_ansi_colors', 'is_tty', 'namespace', 'log_configuration', 'description', 'vars', 'is_elevated', 'launch_timeout_seconds']);

export function importProcessCompose(file: string, snapshot: ProjectSnapshot): SourceResult {
  const notes = new Notes(file);
  const yaml = loadYaml(snapshot.files.get(file) ?? '');
  for (const e of yaml.errors) notes.error(e.line, null, `YAML: ${e.message}`);
  const root = isRecord(yaml.value) ? yaml.value : {};
  const processes = isRecord(root.processes) ? root.processes : {};
  const varsText = snapshot.files.get('.env');
  const envCtx: EnvContext = { vars: { file: varsText ? parseDotenv(varsText) : {}, shell: snapshot.env }, varsFile: varsText !== undefined ? '.env' : null, hosts: new Map(), notes };
  const projectEnv = Array.isArray(root.environment) ? root.environment.map(String) : [];
  if (root.shell !== undefined) notes.info(yaml.line(['shell']), null, 'shell: commands that need a shell run through `sh -c`');
  const result: SourceResult = { apps: [], notes: notes.items, skipped: [] };
  const jobs = new Set<string>();
  for (const body of Object.values(processes)) {
    if (!isRecord(body) || !isRecord(body.depends_on)) continue;
    for (const [k, v] of Object.entries(body.depends_on)) if (isRecord(v) && /^process_completed/.test(String(v.condition))) jobs.add(k);
  }
  const names = new Set(Object.keys(processes).filter((k) => !(isRecord(processes[k]) && processes[k].disabled === true)));
  for (const [key, body] of Object.entries(processes)) {
    if (!isRecord(body)) continue;
    const at = (...p: (string | number)[]) => yaml.line(['processes', key, ...p]);
    const name = appName(key);
    if (body.disabled === true) {
      notes.dropped(at(), null, `process \`${key}\` is disabled: not imported`);
      result.skipped.push({ name, why: 'disabled' });
      continue;
    }
    const app = draft(name, { file, line: at() });
    if (jobs.has(key)) app.type = 'job';
    const command = typeof body.command === 'string' ? body.command : null;
    if (command !== null) {
      if (/\{\{.*\}\}/.test(command)) notes.error(at('command'), name, 'Go templates (`{{.PC_REPLICA_NUM}}`...) are not carried: write the value');
      const cmd = mapCommand({ text: command }, 'shell');
      Object.assign(app, { exec: cmd.exec, args: cmd.args });
      app.env.push(...cmd.env);
      for (const said of cmd.said) notes.info(at('command'), name, said);
      if (cmd.port !== null) app.port = cmd.port;
      if (cmd.watch) app.watch = watchGlobs(cmd.watch, null);
    } else if (typeof body.entrypoint === 'string' || typeof body.executable === 'string') {
      app.exec = String(body.executable ?? body.entrypoint);
      app.args = Array.isArray(body.args) ? body.args.map(String) : [];
    } else {
      app.replicas = 0;
      notes.error(at(), name, 'no command: write `exec`, then set replicas');
    }
    if (typeof body.working_dir === 'string') app.cwd = body.working_dir;
    for (const e of [...projectEnv, ...(Array.isArray(body.environment) ? body.environment.map(String) : [])]) {
      const eq = e.indexOf('=');
      const k = eq < 0 ? e : e.slice(0, eq);
      const existing = app.env.findIndex(([x]) => x === k);
      if (existing >= 0) app.env.splice(existing, 1);
      addEnv(app, k, eq < 0 ? null : e.slice(eq + 1), at('environment'), envCtx);
    }
    if (typeof body.env_file === 'string') app.envFiles.push(body.env_file);
    if (typeof body.replicas === 'number') app.replicas = body.replicas;
    probe(app, body, at, notes);
    const avail = isRecord(body.availability) ? body.availability : {};
    const restart = String(avail.restart ?? 'no');
    if (restart === 'always') app.restart = 'always';
    else if (restart === 'on_failure') app.restart = 'on-failure';
    else if (restart === 'exit_on_failure') notes.dropped(at('availability'), name, 'restart exit_on_failure (stop everything) not carried');
    if (avail.backoff_seconds !== undefined) notes.dropped(at('availability', 'backoff_seconds'), name, 'backoff_seconds not carried (Skr8tr backs off a crash loop itself)');
    if (isRecord(body.shutdown)) {
      const sd = body.shutdown;
      if (sd.command !== undefined) notes.dropped(at('shutdown', 'command'), name, `shutdown.command \`${String(sd.command)}\` dropped: Skr8tr stops a replica with SIGTERM`);
      if (sd.signal !== undefined && Number(sd.signal) !== 15) notes.dropped(at('shutdown', 'signal'), name, `shutdown.signal ${String(sd.signal)} not carried; Skr8tr sends SIGTERM`);
      if (typeof sd.timeout_seconds === 'number') app.drain = `${sd.timeout_seconds}s`;
    }
    if (isRecord(body.depends_on)) {
      for (const [k, v] of Object.entries(body.depends_on)) {
        const cond = isRecord(v) ? String(v.condition ?? 'process_started') : 'process_started';
        const line = at('depends_on', k);
        if (!names.has(k)) {
          notes.dropped(line, name, `depends_on ${k}: not imported; left out`);
          continue;
        }
        if (cond === 'process_healthy') app.needs.push(appName(k));
        else if (cond === 'process_completed_successfully') app.needs.push(`${appName(k)}:completed`);
        else if (cond === 'process_completed') {
          app.needs.push(`${appName(k)}:completed`);
          notes.warn(line, name, `process_completed ${k} → completed, which needs exit 0 (process-compose waits for any exit)`);
        } else if (cond === 'process_log_ready') {
          app.needs.push(`${appName(k)}:started`);
          notes.dropped(line, name, `process_log_ready ${k} → started (a log line is no readiness Skr8tr reads)`);
        } else app.needs.push(`${appName(k)}:started`);
      }
    }
    if (body.is_daemon === true) notes.dropped(at('is_daemon'), name, 'is_daemon: Skr8tr supervises the process it starts; a daemon that forks away is lost');
    if (isRecord(body.watch) || Array.isArray(body.watch)) notes.dropped(at('watch'), name, 'watch: write a `watch` block with the globs');
    const ignored = Object.keys(body).filter((k) => IGNORED.has(k));
    if (ignored.length > 0) notes.info(at(ignored[0]!), name, `${ignored.join(', ')} ignored`);
    result.apps.push(app);
  }
  return result;
}

function probe(app: DraftApp, body: Record<string, unknown>, at: (...p: (string | number)[]) => number, notes: Notes): void {
  const which = isRecord(body.readiness_probe) ? 'readiness_probe' : isRecord(body.liveness_probe) ? 'liveness_probe' : null;
  if (!which) return;
  const p = body[which] as Record<string, unknown>;
  const line = at(which);
  let check: string[] | null = null;
  if (isRecord(p.http_get)) {
    const h = p.http_get;
    const host = String(h.host ?? '127.0.0.1');
    if (!/^(localhost|127\.0\.0\.1|0\.0\.0\.0)$/.test(host)) {
      notes.dropped(line, app.name, `${which} http_get ${String(h.scheme ?? 'http')}://${host}: an outside address is no check of this app; dropped`);
      return;
    }
    const port = Number(h.port);
    if (Number.isInteger(port) && port > 0 && app.port === null) app.port = port;
    check = ['GET', String(h.path ?? '/'), String(h.status_code ?? 200)];
  } else if (isRecord(p.exec)) {
    const mapped = checkOf(splitWords(String(p.exec.command ?? '')), app.port);
    if ('check' in mapped) check = mapped.check;
    else if (app.port !== null) {
      check = ['tcp'];
      notes.dropped(line, app.name, `${which} exec ${mapped.why.replace(/ runs inside the container/, '')} → check tcp`);
    } else {
      notes.dropped(line, app.name, `${which} exec \`${String(p.exec.command)}\` dropped: a shell pipeline is no check Skr8tr runs (check exec takes a program); settle applies`);
      return;
    }
  }
  if (!check) return;
  app.health = {
    check,
    interval: typeof p.period_seconds === 'number' ? `${p.period_seconds}s` : null,
    timeout: typeof p.timeout_seconds === 'number' ? `${p.timeout_seconds}s` : null,
    retries: typeof p.failure_threshold === 'number' ? p.failure_threshold : null,
  };
  if (typeof p.initial_delay_seconds === 'number' && p.initial_delay_seconds > 0) notes.info(line, app.name, `initial_delay_seconds ${p.initial_delay_seconds} not needed: Skr8tr probes until ready, within the rollout deadline`);
}
