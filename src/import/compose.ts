// A compose project as draft apps, following the compose spec. The files are read by the built-in
// parser (compose-files.ts: the override, `include`, `extends`), and the report says so. Services
// behind a profile that is not active are left out and said, with the profile they need
// (ImportOptions.profiles activates profiles, `*` all; a service chosen by name is active, as one
// named on compose's command line is). `x-` fields are skipped silently (the spec's one exception)
// except `x-skr8tr`, whose keys replace what the import wrote (x-skr8tr.ts). Every other field
// either maps (IMPORT.md's table; compose-fields.ts) or is reported as dropped with its file:line.
import { splitWords } from '../shared/manifest/tokenize';
import { mapCommand } from './commands';
import { loadCompose, where, type ComposeService } from './compose-files';
import { bindSource, buildContext, develop, envEntries, envFiles, envLine, firstTarget, needs, publishedPort, replicas, restart, volumes, type At } from './compose-fields';
import { duration, mapHealth, testArgv } from './compose-health';
import { dockerfileCmd } from './dockerfile';
import { addEnv, type EnvContext, type Reach } from './env-values';
import { imageApps, imagePort } from './images';
import { interpolate } from './interpolate';
import { appName, draft, Notes, type DraftApp, type ImportOptions, type ProjectSnapshot, type SourceResult } from './model';
import { scriptsBeside } from './npm';
import { parsePort, singlePort, type PortMapping } from './ports';
import { watchGlobs } from './watch-globs';
import { applyXSkr8tr } from './x-skr8tr';

/** Service keys that need no container to mean something, but have no place in a manifest. */
const IGNORED = new Set(['container_name', 'networks', 'labels', 'user', 'cap_add', 'cap_drop', 'ulimits', 'logging', 'hostname', 'platform', 'tty', 'stdin_open', 'privileged', 'security_opt', 'init', 'pull_policy', 'extra_hosts', 'dns', 'domainname', 'shm_size', 'sysctls', 'devices', 'network_mode', 'ipc', 'pid', 'read_only', 'tmpfs', 'links', 'external_links', 'mac_address', 'expose', 'annotations', 'attach', 'configs', 'group_add', 'isolation', 'userns_mode', 'uts', 'runtime', 'cgroup', 'cgroup_parent', 'stop_signal', 'mem_limit', 'cpus', 'oom_score_adj', 'storage_opt', 'credential_spec', 'working_dir', 'volumes_from']);
const HANDLED = new Set(['image', 'build', 'command', 'entrypoint', 'ports', 'environment', 'env_file', 'depends_on', 'healthcheck', 'restart', 'stop_grace_period', 'deploy', 'scale', 'profiles', 'volumes', 'develop', 'secrets']);
const TOP_LEVEL = new Set(['name', 'services', 'include', 'volumes', 'networks']);

export const BUILT_IN_PARSER = 'read by Skr8tr\'s built-in compose parser (`docker compose config` is not run)';

export function importCompose(file: string, snapshot: ProjectSnapshot, options: ImportOptions): SourceResult {
  const notes = new Notes(file);
  notes.info(0, null, BUILT_IN_PARSER);
  const { services, main } = loadCompose(file, snapshot, notes);
  for (const key of Object.keys(main.root)) {
    if (key === 'version') notes.info(main.yaml.line([key]), null, '`version` is obsolete in the compose spec; ignored');
    else if (!TOP_LEVEL.has(key) && !key.startsWith('x-')) notes.dropped(main.yaml.line([key]), null, `top-level \`${key}\` not carried`);
  }

  const result: SourceResult = { apps: [], notes: notes.items, skipped: [] };
  const active = new Set(options.profiles ?? []);
  const chosen = new Set(options.apps ?? []);
  const list: ComposeService[] = [];
  for (const s of services) {
    const profiles = Array.isArray(s.body.profiles) ? s.body.profiles.map(String) : [];
    if (profiles.length > 0 && !active.has('*') && !profiles.some((p) => active.has(p)) && !chosen.has(appName(s.key))) {
      const names = profiles.map((p) => `'${p}'`).join(', ');
      notes.info(where(s), null, `service \`${s.key}\` runs only with profile ${names}: not imported (choose it in New Manifest…, or \`skr8tr init --profile ${profiles[0]}\`)`);
      result.skipped.push({ name: appName(s.key), why: `profile ${profiles.join(', ')}` });
      continue;
    }
    list.push(s);
  }

  // Where each service is reached now, for host names in env values: its published port, else the image's usual one.
  const reach = new Map<string, Reach>();
  for (const s of list) reach.set(s.key, { port: publishedPort(s.body) ?? (typeof s.body.image === 'string' && !s.body.build ? imagePort(s.body.image) : firstTarget(s.body)) });
  const jobs = new Set<string>();
  for (const s of list) {
    const deps = s.body.depends_on;
    if (deps !== null && typeof deps === 'object' && !Array.isArray(deps)) {
      for (const [k, v] of Object.entries(deps)) if ((v as { condition?: unknown } | null)?.condition === 'service_completed_successfully') jobs.add(k);
    }
  }
  const known = new Set(list.map((s) => s.key));
  for (const s of list) {
    const envCtx: EnvContext = { vars: s.vars, varsFile: s.varsFile, hosts: reach, notes };
    result.apps.push(...service(s, { notes, snapshot, envCtx, images: options.images ?? 'native', jobs, known, skipped: result.skipped }));
  }
  twins(list, notes);
  return result;
}

interface Ctx {
  notes: Notes;
  snapshot: ProjectSnapshot;
  envCtx: EnvContext;
  images: NonNullable<ImportOptions['images']>;
  jobs: Set<string>;
  known: Set<string>;
  skipped: { name: string }[];
}

function service(s: ComposeService, c: Ctx): DraftApp[] {
  const { notes } = c;
  const name = appName(s.key);
  const at: At = (...p) => where(s, ...p);
  const str = (v: unknown, ...p: (string | number)[]): string => {
    const r = interpolate(String(v), s.vars);
    for (const u of r.uses) if (u.required !== null) notes.error(at(...p), name, `\${${u.name}?} is not set (${u.required})`);
    return r.value;
  };
  const b = s.body;
  const app = draft(name, at());
  const ignored = Object.keys(b).filter((k) => IGNORED.has(k));
  if (ignored.length > 0) notes.dropped(at(ignored[0]!), name, `${ignored.join(', ')} ignored (container settings)`);
  for (const k of Object.keys(b)) if (!IGNORED.has(k) && !HANDLED.has(k) && !k.startsWith('x-')) notes.dropped(at(k), name, `\`${k}\` not carried`);
  if (b.stop_signal !== undefined) notes.dropped(at('stop_signal'), name, `stop_signal ${String(b.stop_signal)} not carried; Skr8tr sends SIGTERM`);

  const ports = Array.isArray(b.ports) ? b.ports : [];
  const mapped: { port: PortMapping; i: number }[] = [];
  ports.forEach((p, i) => {
    const r = parsePort(typeof p === 'string' ? str(p, 'ports', i) : p);
    if (!r.ok) notes.dropped(at('ports', i), name, `port ${r.reason}`);
    else mapped.push({ port: r.port, i });
  });
  const usable = mapped.filter((m) => m.port.protocol === 'tcp' && singlePort(m.port.target) !== null);
  for (const m of mapped) {
    if (m === usable[0]) continue;
    const why = m.port.protocol === 'udp' ? 'udp' : singlePort(m.port.target) === null ? 'a range' : 'a second port';
    notes.dropped(at('ports', m.i), name, `port ${m.port.published ? `${m.port.published}:` : ''}${m.port.target} dropped (${why}: an app has one port)`);
  }
  const main = usable[0]?.port ?? null;
  const target = main ? singlePort(main.target) : null;

  // Image-only: a native recipe, the image, or TODO.
  if (typeof b.image === 'string' && b.build === undefined) {
    const env = new Map<string, string>();
    for (const [k, v] of envEntries(b.environment)) if (v !== null) env.set(k, interpolate(v, s.vars).value);
    const dataVolume = (Array.isArray(b.volumes) ? b.volumes : []).map((v) => (typeof v === 'string' ? v.split(':')[0]! : v !== null && typeof v === 'object' ? String((v as { source?: unknown }).source ?? '') : '')).find((v) => /^[A-Za-z0-9][\w.-]*$/.test(v)) ?? null;
    const image = str(b.image, 'image');
    const apps = imageApps({ name, image, port: main ? (singlePort(main.published) ?? target) : null, env, dataVolume, from: at() }, c.images, c.snapshot, notes);
    if (b.healthcheck !== undefined && apps.some((a) => a.health)) notes.info(at('healthcheck'), name, 'healthcheck replaced by the recipe\'s own check');
    const last = apps[apps.length - 1]!;
    needs(last, s, c.known, c.skipped, at, notes);
    applyXSkr8tr(last, b['x-skr8tr'], (...p) => at('x-skr8tr', ...p), notes);
    return apps;
  }

  if (typeof b.image === 'string') app.image = str(b.image, 'image');
  // What it runs: entrypoint + command; a build with neither runs the Dockerfile's CMD.
  const context = buildContext(b.build, s.dir);
  app.cwd = bindSource(b, s.dir) ?? context;
  const scripts = app.cwd !== null ? scriptsBeside(c.snapshot, app.cwd === '.' ? '' : app.cwd) : null;
  const argv = [...words(b.entrypoint, str), ...words(b.command, str)];
  if (argv.length > 0) {
    const cmd = mapCommand({ argv }, 'words', scripts);
    Object.assign(app, { exec: cmd.exec, args: cmd.args });
    app.env.push(...cmd.env);
    for (const said of cmd.said) notes.info(at(b.entrypoint !== undefined ? 'entrypoint' : 'command'), name, said);
    if (cmd.watch) app.watch = watchGlobs(cmd.watch, app.cwd);
    if (target !== null && cmd.port === null && main) notes.info(at('ports'), name, `it listened on ${target} in its container: make sure it listens on $PORT`);
  } else if (context !== null) {
    const fromFile = dockerfileCmd(c.snapshot, context, b.build);
    if (fromFile.argv.length > 0) {
      const cmd = mapCommand({ argv: fromFile.argv }, 'words', scripts);
      Object.assign(app, { exec: cmd.exec, args: cmd.args });
      if (cmd.watch) app.watch = watchGlobs(cmd.watch, app.cwd);
      notes.warn(at('build'), name, `runs the CMD of ${fromFile.file} (\`${fromFile.argv.join(' ')}\`${cmd.exec !== fromFile.argv[0] ? `, as \`${[cmd.exec, ...cmd.args].join(' ')}\`` : ''}); container paths may differ from the folder's`);
    } else {
      app.replicas = 0;
      const why = fromFile.found ? `${fromFile.file} writes no CMD${fromFile.base ? ` (its base image ${fromFile.base} holds it)` : ''}` : `${fromFile.file} is not in the project`;
      notes.error(at('build'), name, `a build with no command, and ${why}: write \`exec\`, then set replicas`);
    }
  } else {
    app.replicas = 0;
    notes.error(at(), name, 'no image, build or command: write `exec`, then set replicas');
  }
  if (c.jobs.has(s.key)) app.type = 'job';

  if (main) {
    const published = singlePort(main.published);
    app.port = published ?? target;
    if (published === null) {
      app.ingressOff = true;
      notes.info(at('ports', usable[0]!.i), name, `port ${target} is not published: it binds ${target} itself (ingress off)`);
    }
    if (app.type === 'job') app.port = null;
  }
  for (const [k, v] of envEntries(b.environment)) addEnv(app, k, v, envLine(b.environment, k, at), c.envCtx);
  for (const f of envFiles(b.env_file)) {
    const rel = s.dir ? `${s.dir}/${f}` : f;
    if (!app.envFiles.includes(rel)) app.envFiles.push(rel);
  }
  if (b.secrets !== undefined) notes.dropped(at('secrets'), name, 'secrets: put their values in .env, which `env-file` reads');

  const h = b.healthcheck;
  if (h !== null && typeof h === 'object' && !Array.isArray(h)) {
    const hc = h as Record<string, unknown>;
    if (hc.disable === true) notes.info(at('healthcheck'), name, 'healthcheck disabled');
    else mapHealth(app, { argv: testArgv(hc.test), interval: hc.interval, timeout: hc.timeout, retries: hc.retries, startPeriod: hc.start_period }, at('healthcheck', 'test'), notes);
  }
  restart(app, b.restart, at('restart'), notes);
  const grace = duration(b.stop_grace_period);
  if (grace !== null) app.drain = grace;
  replicas(app, b, at, notes);
  volumes(app, b, at, notes);
  develop(app, b, at, notes, s.dir);
  needs(app, s, c.known, c.skipped, at, notes);
  applyXSkr8tr(app, b['x-skr8tr'], (...p) => at('x-skr8tr', ...p), notes);
  return [app];
}

function words(v: unknown, str: (v: unknown) => string): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => str(x));
  return splitWords(str(v));
}

/** Services that run the same build and command (web1, web2 behind a proxy): one app with replicas does that here. */
function twins(list: readonly ComposeService[], notes: Notes): void {
  const seen = new Map<string, ComposeService>();
  for (const s of list) {
    if (s.body.build === undefined) continue;
    const { build, image, command, entrypoint, environment, env_file } = s.body;
    const key = JSON.stringify({ dir: s.dir, build, image, command, entrypoint, environment, env_file });
    const first = seen.get(key);
    if (!first) {
      seen.set(key, s);
      continue;
    }
    notes.info(where(s), appName(s.key), `runs what \`${first.key}\` runs (the same build and command): one app with \`replicas 2\` behind Skr8tr's ingress does what two services behind a proxy did`);
  }
}
