// Environment entries of a source as the manifest holds them. Secrets are never inlined: a value
// that comes from `.env` or the shell stays there (the app gets `env-file`), only literals and
// written defaults reach `env`. A service's host name in a value (`redis`, `db:5432`,
// `postgres://u@db/x`) becomes 127.0.0.1 and the port the service now has. PORT is dropped: Skr8tr
// sets it. Pure.
import { interpolate, type VarSources } from './interpolate';
import type { DraftApp, Notes, Where } from './model';

/** Where a service of the same source is reached now. */
export interface Reach {
  port: number | null;
}

export interface EnvContext {
  vars: VarSources;
  /** The variables file the source reads (`.env`), relative, when it exists. */
  varsFile: string | null;
  hosts: ReadonlyMap<string, Reach>;
  notes: Notes;
}

/** Adds one entry to the app: to `env`, or (its value being a secret's) to what `env-file` covers. */
export function addEnv(app: DraftApp, key: string, raw: string | null, line: number | Where, ctx: EnvContext): void {
  const { notes } = ctx;
  if (key === 'PORT') {
    notes.info(line, app.name, `PORT ${raw ?? ''} dropped: Skr8tr gives each replica its PORT`.replace('  ', ' '));
    return;
  }
  if (raw === null) {
    // A bare `KEY`: the shell's value passes through.
    needVarsFile(app, key, line, ctx, `${key} passes the shell's value through`);
    return;
  }
  const r = interpolate(raw, ctx.vars);
  if (r.error) {
    notes.error(line, app.name, `${key}: ${r.error}; left out`);
    return;
  }
  const secret = r.uses.filter((u) => u.origin !== 'unset' && !u.defaulted);
  const required = r.uses.filter((u) => u.required !== null);
  const unset = r.uses.filter((u) => u.origin === 'unset' && !u.defaulted && u.required === null);
  if (required.length > 0) {
    const u = required[0]!;
    notes.error(line, app.name, `${key}: \${${u.name}?} is not set (${u.required}): add ${key === u.name ? key : `${key} (built from ${u.name})`} to ${ctx.varsFile ?? '.env'}`);
    if (key === u.name) ensureEnvFile(app, ctx);
    return;
  }
  if (secret.length > 0) {
    if (r.uses.length === 1 && secret[0]!.name === key && raw.replace(/^\$\{?|\}$/g, '').startsWith(key)) {
      ensureEnvFile(app, ctx);
      notes.info(line, app.name, `${key} comes from ${secret[0]!.origin === 'file' ? ctx.varsFile : 'the shell'} through \`env-file\`, never inlined`);
    } else {
      needVarsFile(app, key, line, ctx, `${key} is built from ${secret.map((u) => `\${${u.name}}`).join(', ')}, which ${ctx.varsFile ?? 'the shell'} holds; not inlined`);
    }
    return;
  }
  for (const u of unset) notes.warn(line, app.name, `${key}: \${${u.name}} is not set, so it is empty here`);
  app.env.push([key, rehost(r.value, app, line, ctx)]);
}

function ensureEnvFile(app: DraftApp, ctx: EnvContext): void {
  const file = ctx.varsFile ?? '.env';
  if (!app.envFiles.includes(file)) app.envFiles.push(file);
}

function needVarsFile(app: DraftApp, key: string, line: number | Where, ctx: EnvContext, why: string): void {
  ensureEnvFile(app, ctx);
  ctx.notes.warn(line, app.name, `${why}: put ${key} in ${ctx.varsFile ?? '.env'}, which the app reads with \`env-file\``);
}

/** Service host names in a value → 127.0.0.1 and the service's port now. */
export function rehost(value: string, app: DraftApp, line: number | Where, ctx: EnvContext): string {
  let out = value;
  for (const [name, reach] of ctx.hosts) {
    if (name === app.name) continue;
    // The name as a host: not a URL's scheme (`redis://`), nor part of a longer word.
    const re = new RegExp(`(^|[/@=,;\\s])${name.replace(/[.]/g, '\\.')}(?!:\\/\\/)(:(\\d+))?(?=$|[/:?,;\\s])`, 'g');
    let changed = false;
    out = out.replace(re, (_all, pre: string, withPort: string | undefined) => {
      changed = true;
      const url = /:\/\/[^/]*$/.test(out.slice(0, out.indexOf(_all) + pre.length));
      const port = reach.port !== null && (withPort !== undefined || url) ? `:${reach.port}` : '';
      return `${pre}127.0.0.1${port}`;
    });
    if (changed) ctx.notes.info(line, app.name, `service DNS '${name}' → 127.0.0.1${reach.port !== null ? `:${reach.port}` : ''}`);
  }
  return out;
}
