// A compose file (with its override) as draft apps, following the compose spec: services behind a
// profile are left out and said; `x-` fields are skipped silently (the spec's one exception);
// every other field either maps (IMPORT.md's table) or is reported as dropped with its line.
import { parse as parseDotenv } from 'dotenv';
import { splitWords } from '../shared/manifest/tokenize';
import { mapCommand } from './commands';
import { duration, mapHealth, testArgv } from './compose-health';
import { addEnv, type EnvContext, type Reach } from './env-values';
import { imageApps, imagePort } from './images';
import { interpolate, type VarSources } from './interpolate';
import { appName, draft, Notes, type DraftApp, type ImageMode, type ProjectSnapshot, type SourceResult } from './model';
import { parsePort, singlePort, type PortMapping } from './ports';
import { watchGlobs } from './watch-globs';
import { isRecord, loadYaml, type YamlFile } from './yaml-lines';
import { dockerfileCmd } from './dockerfile';

/** Service keys that need no container to mean something, but have no place in a manifest. */
const IGNORED = new Set(['container_name', 'networks', 'labels', 'user', 'cap_add', 'cap_drop', 'ulimits', 'logging', 'hostname', 'platform', 'tty', 'stdin_open', 'privileged', 'security_opt', 'init', 'pull_policy', 'extra_hosts', 'dns', 'domainname', 'shm_size', 'sysctls', 'devices', 'network_mode', 'ipc', 'pid', 'read_only', 'tmpfs', 'links', 'external_links', 'mac_address', 'expose', 'annotations', 'attach', 'configs', 'group_add', 'isolation', 'userns_mode', 'uts', 'runtime', 'cgroup', 'cgroup_parent', 'stop_signal', 'mem_limit', 'cpus', 'oom_score_adj', 'storage_opt', 'credential_spec', 'working_dir', 'volumes_from']);
const HANDLED = new Set(['image', 'build', 'command', 'entrypoint', 'ports', 'environment', 'env_file', 'depends_on', 'healthcheck', 'restart', 'stop_grace_period', 'deploy', 'scale', 'profiles', 'volumes', 'develop', 'secrets']);

interface Service {
  key: string;
  name: string;
  body: Record<string, unknown>;
  line: number;
}

export function importCompose(file: string, snapshot: ProjectSnapshot, images: ImageMode): SourceResult {
  const notes = new Notes(file);
  const text = snapshot.files.get(file) ?? '';
  const yaml = loadYaml(text);
  for (const e of yaml.errors) notes.error(e.line, null, `YAML: ${e.message}`);
  const root = isRecord(yaml.value) ? yaml.value : {};
  const override = overrideOf(file, snapshot);
  if (override) notes.info(0, null, `merged ${override.file}, as \`docker compose\` does by default`);
  const services = isRecord(root.services) ? { ...root.services } : {};
  if (override && isRecord(override.yaml.value) && isRecord(override.yaml.value.services)) {
    for (const [k, v] of Object.entries(override.yaml.value.services)) services[k] = merge(services[k], v);
  }
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  const varsFileName = dir ? `${dir}/.env` : '.env';
  const varsText = snapshot.files.get(varsFileName);
  const vars: VarSources = { file: varsText !== undefined ? parseDotenv(varsText) : {}, shell: snapshot.env };
  for (const key of Object.keys(root)) {
    if (key === 'version') notes.info(yaml.line([key]), null, '`version` is obsolete in the compose spec; ignored');
    else if (key === 'name' || key === 'services' || key.startsWith('x-')) continue;
    else if (key === 'volumes' || key === 'networks') continue; // said where a service uses one
    else notes.dropped(yaml.line([key]), null, `top-level \`${key}\` not carried`);
  }

  const result: SourceResult = { apps: [], notes: notes.items, skipped: [] };
  const list: Service[] = [];
  for (const [key, body] of Object.entries(services)) {
    if (!isRecord(body)) continue;
    const line = yaml.line(['services', key]);
    const profiles = Array.isArray(body.profiles) ? body.profiles.map(String) : [];
    if (profiles.length > 0) {
      notes.dropped(line, null, `service \`${key}\` is in profile ${profiles.map((p) => `'${p}'`).join(', ')}: not imported (compose starts it only with --profile)`);
      result.skipped.push({ name: appName(key), why: `profile ${profiles.join(', ')}` });
      continue;
    }
    list.push({ key, name: appName(key), body, line });
  }

  // Where each service is reached now, for host names in env values: its published port, else the image's usual one.
  const reach = new Map<string, Reach>();
  for (const s of list) reach.set(s.key, { port: publishedPort(s.body) ?? (typeof s.body.image === 'string' && !s.body.build ? imagePort(s.body.image) : firstTarget(s.body)) });
  const envCtx: EnvContext = { vars, varsFile: varsText !== undefined ? '.env' : null, hosts: reach, notes };
  const jobs = new Set<string>();
  for (const s of list) {
    const deps = s.body.depends_on;
    if (isRecord(deps)) for (const [k, v] of Object.entries(deps)) if (isRecord(v) && v.condition === 'service_completed_successfully') jobs.add(k);
  }
  const known = new Set(list.map((s) => s.key));
  for (const s of list) {
    const apps = service(s, { yaml, notes, snapshot, vars, envCtx, images, dir, jobs, known, skipped: result.skipped });
    result.apps.push(...apps);
  }
  return result;
}

interface Ctx {
  yaml: YamlFile;
  notes: Notes;
  snapshot: ProjectSnapshot;
  vars: VarSources;
  envCtx: EnvContext;
  images: ImageMode;
  dir: string;
  jobs: Set<string>;
  known: Set<string>;
  skipped: { name: string }[];
}

function service(s: Service, c: Ctx): DraftApp[] {
  const { notes, yaml } = c;
  const at = (...p: (string | number)[]) => yaml.line(['services', s.key, ...p]);
  const str = (v: unknown, ...p: (string | number)[]): string => {
    const r = interpolate(String(v), c.vars);
    for (const u of r.uses) if (u.required !== null) notes.error(at(...p), s.name, `\${${u.name}?} is not set (${u.required})`);
    return r.value;
  };
  const b = s.body;
  let app = draft(s.name, { file: notes.file, line: s.line });
  const ignored = Object.keys(b).filter((k) => IGNORED.has(k));
  if (ignored.length > 0) notes.dropped(at(ignored[0]!), s.name, `${ignored.join(', ')} ignored (container settings)`);
  for (const k of Object.keys(b)) if (!IGNORED.has(k) && !HANDLED.has(k) && !k.startsWith('x-')) notes.dropped(at(k), s.name, `\`${k}\` not carried`);
  if (b.stop_signal !== undefined) notes.dropped(at('stop_signal'), s.name, `stop_signal ${String(b.stop_signal)} not carried; Skr8tr sends SIGTERM`);

  const ports = Array.isArray(b.ports) ? b.ports : [];
  const mapped: { port: PortMapping; i: number }[] = [];
  ports.forEach((p, i) => {
    const r = parsePort(typeof p === 'string' ? str(p, 'ports', i) : p);
    if (!r.ok) notes.dropped(at('ports', i), s.name, `port ${r.reason}`);
    else mapped.push({ port: r.port, i });
  });
  const usable = mapped.filter((m) => m.port.protocol === 'tcp' && singlePort(m.port.target) !== null);
  for (const m of mapped) {
    if (m === usable[0]) continue;
    const why = m.port.protocol === 'udp' ? 'udp' : singlePort(m.port.target) === null ? 'a range' : 'a second port';
    notes.dropped(at('ports', m.i), s.name, `port ${m.port.published ? `${m.port.published}:` : ''}${m.port.target} dropped (${why}: an app has one port)`);
  }
  const main = usable[0]?.port ?? null;
  const target = main ? singlePort(main.target) : null;

  // Image-only: a native recipe, the image, or TODO.
  if (typeof b.image === 'string' && b.build === undefined) {
    const env = new Map<string, string>();
    for (const [k, v] of envEntries(b.environment)) if (v !== null) env.set(k, interpolate(v, c.vars).value);
    const dataVolume = (Array.isArray(b.volumes) ? b.volumes : []).map((v) => (typeof v === 'string' ? v.split(':')[0]! : isRecord(v) ? String(v.source ?? '') : '')).find((v) => /^[A-Za-z0-9][\w.-]*$/.test(v)) ?? null;
    const image = str(b.image, 'image');
    const apps = imageApps({ name: s.name, image, port: main ? (singlePort(main.published) ?? target) : null, env, dataVolume, from: { file: notes.file, line: s.line } }, c.images, c.snapshot.programs, notes);
    if (b.healthcheck !== undefined && apps.some((a) => a.health)) notes.info(at('healthcheck'), s.name, 'healthcheck replaced by the recipe\'s own check');
    needs(apps[apps.length - 1]!, b, s, c);
    return apps;
  }

  if (typeof b.image === 'string') {
    app.image = str(b.image, 'image');
  }
  // What it runs: entrypoint + command; a build with neither runs the Dockerfile's CMD.
  const context = buildContext(b.build, c.dir);
  app.cwd = context;
  const bind = bindSource(b, c.dir);
  if (bind) app.cwd = bind;
  const argv = [...words(b.entrypoint, str), ...words(b.command, str)];
  let jobApps: DraftApp[] = [];
  if (argv.length > 0) {
    const cmd = mapCommand({ argv }, 'words');
    app.exec = cmd.exec;
    app.args = cmd.args;
    app.env.push(...cmd.env);
    for (const said of cmd.said) notes.info(at(b.entrypoint !== undefined ? 'entrypoint' : 'command'), s.name, said);
    if (cmd.watch) {
      app.watch = watchGlobs(cmd.watch, app.cwd);
    }
    if (target !== null && cmd.port === null && main) {
      notes.info(at('ports'), s.name, `it listened on ${target} in its container: make sure it listens on $PORT`);
    }
  } else if (context !== null) {
    const cmdFromFile = dockerfileCmd(c.snapshot, context, b.build);
    if (cmdFromFile) {
      const cmd = mapCommand({ argv: cmdFromFile.argv }, 'words');
      app.exec = cmd.exec;
      app.args = cmd.args;
      if (cmd.watch) app.watch = watchGlobs(cmd.watch, app.cwd);
      notes.warn(at('build'), s.name, `runs the CMD of ${cmdFromFile.file} (\`${cmdFromFile.argv.join(' ')}\`); container paths may differ from the folder's`);
    } else {
      app.replicas = 0;
      notes.error(at('build'), s.name, 'a build with no command and no Dockerfile CMD found: write `exec`, then set replicas');
    }
  } else {
    app.replicas = 0;
    notes.error(s.line, s.name, 'no image, build or command: write `exec`, then set replicas');
  }
  if (c.jobs.has(s.key)) app.type = 'job';

  if (main) {
    const published = singlePort(main.published);
    app.port = published ?? target;
    if (published === null) {
      app.ingressOff = true;
      notes.info(at('ports', usable[0]!.i), s.name, `port ${target} is not published: it binds ${target} itself (ingress off)`);
    }
    if (app.type === 'job') app.port = null;
  }
  for (const [k, v] of envEntries(b.environment)) addEnv(app, k, v, envLine(b.environment, k, at), c.envCtx);
  for (const f of envFiles(b.env_file)) {
    const rel = c.dir ? `${c.dir}/${f}` : f;
    if (!app.envFiles.includes(rel)) app.envFiles.push(rel);
  }
  if (b.secrets !== undefined) notes.dropped(at('secrets'), s.name, 'secrets: put their values in .env, which `env-file` reads');

  if (isRecord(b.healthcheck)) {
    const h = b.healthcheck;
    if (h.disable === true) notes.info(at('healthcheck'), s.name, 'healthcheck disabled');
    else mapHealth(app, { argv: testArgv(h.test), interval: h.interval, timeout: h.timeout, retries: h.retries, startPeriod: h.start_period }, at('healthcheck', 'test'), notes);
  }
  restart(app, b.restart, at('restart'), notes);
  const grace = duration(b.stop_grace_period);
  if (grace !== null) app.drain = grace;
  replicas(app, b, at, notes);
  volumes(app, b, at, notes);
  develop(app, b, at, notes, c.dir);
  needs(app, b, s, c);
  // `command: migrate && serve` in one string is rare in compose (no shell); split jobs come from mapCommand for shell sources.
  jobApps = [];
  return [...jobApps, app];
}

function words(v: unknown, str: (v: unknown) => string): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => str(x));
  return splitWords(str(v));
}

function buildContext(build: unknown, dir: string): string | null {
  const ctx = typeof build === 'string' ? build : isRecord(build) ? String(build.context ?? '.') : null;
  if (ctx === null) return null;
  return normal(dir ? `${dir}/${ctx}` : ctx);
}

/** `./a/../b` → `b`, `.` → `.`. */
export function normal(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.length === 0 ? '.' : out.join('/');
}

/** The source of a bind mount of the project's code (`./vote:/usr/local/app`): where the program's files are. */
function bindSource(b: Record<string, unknown>, dir: string): string | null {
  for (const v of Array.isArray(b.volumes) ? b.volumes : []) {
    const src = typeof v === 'string' ? v.split(':')[0]! : isRecord(v) && v.type === 'bind' ? String(v.source ?? '') : '';
    if (/^\.\.?(\/|$)/.test(src) && !/health/.test(src)) return normal(dir ? `${dir}/${src}` : src);
  }
  return null;
}

function publishedPort(b: Record<string, unknown>): number | null {
  for (const p of Array.isArray(b.ports) ? b.ports : []) {
    const r = parsePort(p);
    if (r.ok && r.port.protocol === 'tcp') return singlePort(r.port.published) ?? singlePort(r.port.target);
  }
  return null;
}

function firstTarget(b: Record<string, unknown>): number | null {
  for (const e of Array.isArray(b.expose) ? b.expose : []) if (singlePort(String(e)) !== null) return singlePort(String(e));
  return null;
}

function envEntries(env: unknown): [string, string | null][] {
  if (Array.isArray(env)) {
    return env.map((e) => {
      const s = String(e);
      const eq = s.indexOf('=');
      return eq < 0 ? [s, null] : [s.slice(0, eq), s.slice(eq + 1)];
    });
  }
  if (isRecord(env)) return Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]);
  return [];
}

function envLine(env: unknown, key: string, at: (...p: (string | number)[]) => number): number {
  if (Array.isArray(env)) {
    const i = env.findIndex((e) => String(e).split('=')[0] === key);
    return at('environment', i);
  }
  return at('environment', key);
}

function envFiles(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.map((e) => (isRecord(e) ? String(e.path) : String(e)));
}

function restart(app: DraftApp, v: unknown, line: number, notes: Notes): void {
  if (v === undefined) return;
  const r = String(v);
  if (r === 'always' || r === 'unless-stopped') app.restart = 'always';
  else if (r.startsWith('on-failure')) {
    app.restart = 'on-failure';
    if (r.includes(':')) notes.dropped(line, app.name, `restart ${r}: the retry limit is not carried`);
  }
  if (app.type === 'job' && app.restart === 'always') app.restart = null;
}

function replicas(app: DraftApp, b: Record<string, unknown>, at: (...p: (string | number)[]) => number, notes: Notes): void {
  const deploy = isRecord(b.deploy) ? b.deploy : {};
  const n = typeof deploy.replicas === 'number' ? deploy.replicas : typeof b.scale === 'number' ? b.scale : null;
  if (n !== null && app.replicas === null) {
    app.replicas = n;
    if (n > 1 && app.port !== null) notes.info(at(deploy.replicas !== undefined ? 'deploy' : 'scale'), app.name, `fixed host port with replicas → now served by the ingress on ${app.port}`);
  }
  const res = isRecord(deploy.resources) ? deploy.resources : {};
  const reservations = isRecord(res.reservations) ? res.reservations : {};
  if (reservations.cpus !== undefined) app.cpu = Number(reservations.cpus) || null;
  if (typeof reservations.memory === 'string') app.ram = reservations.memory.toLowerCase().replace(/([kmg])$/, '$1b');
  if (res.limits !== undefined) notes.dropped(at('deploy'), app.name, 'deploy.resources.limits not carried (Skr8tr places by requests)');
  for (const k of Object.keys(deploy)) if (k !== 'replicas' && k !== 'resources') notes.dropped(at('deploy', k), app.name, `deploy.${k} not carried`);
}

function volumes(app: DraftApp, b: Record<string, unknown>, at: (...p: (string | number)[]) => number, notes: Notes): void {
  (Array.isArray(b.volumes) ? b.volumes : []).forEach((v, i) => {
    const src = typeof v === 'string' ? v.split(':')[0]! : isRecord(v) ? String(v.source ?? '') : '';
    if (/^\.\.?(\/|$)/.test(src)) return; // the code itself: the app's cwd
    notes.dropped(at('volumes', i), app.name, `volume ${src || JSON.stringify(v)} not carried`);
  });
}

function develop(app: DraftApp, b: Record<string, unknown>, at: (...p: (string | number)[]) => number, notes: Notes, dir: string): void {
  if (!isRecord(b.develop) || !Array.isArray(b.develop.watch)) return;
  const paths: string[] = [];
  const ignore: string[] = [];
  for (const w of b.develop.watch) {
    if (!isRecord(w)) continue;
    const base = normal(dir ? `${dir}/${String(w.path ?? '.')}` : String(w.path ?? '.'));
    paths.push(base === '.' ? '**' : `${base}/**`);
    for (const i of Array.isArray(w.ignore) ? w.ignore : []) ignore.push(`${base === '.' ? '' : `${base}/`}${String(i).replace(/\/$/, '')}/**`);
    if (w.action === 'sync') notes.info(at('develop'), app.name, `develop.watch ${String(w.path)} syncs files into the container; here the files are used in place, and a change rolls the app out`);
  }
  app.watch = [...(app.watch ?? []), ...paths];
  app.watchIgnore.push(...ignore);
}

function needs(app: DraftApp, b: Record<string, unknown>, s: Service, c: Ctx): void {
  const deps = b.depends_on;
  const at = (...p: (string | number)[]) => c.yaml.line(['services', s.key, 'depends_on', ...p]);
  const add = (key: string, condition: string, line: number) => {
    const name = appName(key);
    if (!c.known.has(key)) {
      c.notes.dropped(line, app.name, `depends_on ${key}: ${c.skipped.some((x) => x.name === name) ? 'not imported (profile)' : 'no such service'}; left out`);
      return;
    }
    app.needs.push(condition === 'ready' ? name : `${name}:${condition}`);
  };
  if (Array.isArray(deps)) deps.forEach((d, i) => add(String(d), 'started', at(i)));
  else if (isRecord(deps)) {
    for (const [k, v] of Object.entries(deps)) {
      const cond = isRecord(v) ? String(v.condition ?? 'service_started') : 'service_started';
      const condition = cond === 'service_healthy' ? 'ready' : cond === 'service_completed_successfully' ? 'completed' : 'started';
      add(k, condition, at(k));
      if (isRecord(v) && (v.required === false || v.restart === true)) {
        c.notes.dropped(at(k), app.name, `depends_on ${k} ${v.required === false ? 'required:false' : 'restart:true'} not carried`);
      }
    }
  }
}

function overrideOf(file: string, snapshot: ProjectSnapshot): { file: string; yaml: YamlFile } | null {
  const m = /^(.*?)(\.ya?ml)$/.exec(file);
  if (!m) return null;
  for (const candidate of [`${m[1]}.override.yaml`, `${m[1]}.override.yml`]) {
    const text = snapshot.files.get(candidate);
    if (text !== undefined) return { file: candidate, yaml: loadYaml(text) };
  }
  return null;
}

/** Compose's merge, simplified: maps merge key by key, the override's other values win. */
function merge(base: unknown, over: unknown): unknown {
  if (isRecord(base) && isRecord(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
    return out;
  }
  return over;
}
