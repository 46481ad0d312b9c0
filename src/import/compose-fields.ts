// How single fields of a compose service map onto a draft app (IMPORT.md's table, column C):
// `environment` and `env_file` entries, `restart`, `deploy` (replicas, reservations), `volumes`
// (bind mounts of the code set `cwd`; others are said), `develop.watch` and `depends_on`
// conditions. Each says what it cannot carry at the key's file:line. Pure.
import type { ComposeService } from './compose-files';
import { appName, type DraftApp, type Notes, type Where } from './model';
import { parsePort, singlePort } from './ports';
import { isRecord } from './yaml-lines';

export type At = (...path: (string | number)[]) => Where;

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

export const inDir = (dir: string, rel: string) => normal(dir ? `${dir}/${rel}` : rel);

export function buildContext(build: unknown, dir: string): string | null {
  const ctx = typeof build === 'string' ? build : isRecord(build) ? String(build.context ?? '.') : null;
  return ctx === null ? null : inDir(dir, ctx);
}

/** The source of a bind mount of the project's code (`./vote:/usr/local/app`): where the program's files are. */
export function bindSource(b: Record<string, unknown>, dir: string): string | null {
  for (const v of Array.isArray(b.volumes) ? b.volumes : []) {
    const src = typeof v === 'string' ? v.split(':')[0]! : isRecord(v) && v.type === 'bind' ? String(v.source ?? '') : '';
    if (/^\.\.?(\/|$)/.test(src) && !/health/.test(src)) return inDir(dir, src);
  }
  return null;
}

export function publishedPort(b: Record<string, unknown>): number | null {
  for (const p of Array.isArray(b.ports) ? b.ports : []) {
    const r = parsePort(p);
    if (r.ok && r.port.protocol === 'tcp') return singlePort(r.port.published) ?? singlePort(r.port.target);
  }
  return null;
}

export function firstTarget(b: Record<string, unknown>): number | null {
  for (const e of Array.isArray(b.expose) ? b.expose : []) if (singlePort(String(e)) !== null) return singlePort(String(e));
  return null;
}

export function envEntries(env: unknown): [string, string | null][] {
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

export function envLine(env: unknown, key: string, at: At): Where {
  if (Array.isArray(env)) return at('environment', env.findIndex((e) => String(e).split('=')[0] === key));
  return at('environment', key);
}

export function envFiles(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.map((e) => (isRecord(e) ? String(e.path) : String(e)));
}

export function restart(app: DraftApp, v: unknown, at: Where, notes: Notes): void {
  if (v === undefined) return;
  const r = String(v);
  if (r === 'always' || r === 'unless-stopped') app.restart = 'always';
  else if (r.startsWith('on-failure')) {
    app.restart = 'on-failure';
    if (r.includes(':')) notes.dropped(at, app.name, `restart ${r}: the retry limit is not carried`);
  }
  if (app.type === 'job' && app.restart === 'always') app.restart = null;
}

export function replicas(app: DraftApp, b: Record<string, unknown>, at: At, notes: Notes): void {
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

export function volumes(app: DraftApp, b: Record<string, unknown>, at: At, notes: Notes): void {
  (Array.isArray(b.volumes) ? b.volumes : []).forEach((v, i) => {
    const src = typeof v === 'string' ? v.split(':')[0]! : isRecord(v) ? String(v.source ?? '') : '';
    if (/^\.\.?(\/|$)/.test(src)) return; // the code itself: the app's cwd
    notes.dropped(at('volumes', i), app.name, `volume ${src || JSON.stringify(v)} not carried`);
  });
}

export function develop(app: DraftApp, b: Record<string, unknown>, at: At, notes: Notes, dir: string): void {
  if (!isRecord(b.develop) || !Array.isArray(b.develop.watch)) return;
  const paths: string[] = [];
  const ignore: string[] = [];
  for (const w of b.develop.watch) {
    if (!isRecord(w)) continue;
    const base = inDir(dir, String(w.path ?? '.'));
    paths.push(base === '.' ? '**' : `${base}/**`);
    for (const i of Array.isArray(w.ignore) ? w.ignore : []) ignore.push(`${base === '.' ? '' : `${base}/`}${String(i).replace(/\/$/, '')}/**`);
    if (w.action === 'sync') notes.info(at('develop'), app.name, `develop.watch ${String(w.path)} syncs files into the container; here the files are used in place, and a change rolls the app out`);
  }
  app.watch = [...(app.watch ?? []), ...paths];
  app.watchIgnore.push(...ignore);
}

/** `depends_on` as `needs`: started → `:started`, healthy → ready, completed_successfully → `:completed`. */
export function needs(app: DraftApp, s: ComposeService, known: ReadonlySet<string>, skipped: readonly { name: string }[], at: At, notes: Notes): void {
  const deps = s.body.depends_on;
  const add = (key: string, condition: string, where: Where) => {
    const name = appName(key);
    if (!known.has(key)) {
      notes.dropped(where, app.name, `depends_on ${key}: ${skipped.some((x) => x.name === name) ? 'not imported (profile)' : 'no such service'}; left out`);
      return;
    }
    app.needs.push(condition === 'ready' ? name : `${name}:${condition}`);
  };
  if (Array.isArray(deps)) deps.forEach((d, i) => add(String(d), 'started', at('depends_on', i)));
  else if (isRecord(deps)) {
    for (const [k, v] of Object.entries(deps)) {
      const cond = isRecord(v) ? String(v.condition ?? 'service_started') : 'service_started';
      const condition = cond === 'service_healthy' ? 'ready' : cond === 'service_completed_successfully' ? 'completed' : 'started';
      add(k, condition, at('depends_on', k));
      if (isRecord(v) && (v.required === false || v.restart === true)) {
        notes.dropped(at('depends_on', k), app.name, `depends_on ${k} ${v.required === false ? 'required:false' : 'restart:true'} not carried`);
      }
    }
  }
}
