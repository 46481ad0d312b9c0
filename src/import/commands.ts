// A source's command line as a program and its arguments, with each source's shell semantics: a
// shell string (Procfile, process-compose, npm scripts) or words that no shell reads (compose). What
// this decides, purely: the `env X=Y` prefix, `cd DIR &&`, a known migration before `&&` (split into
// a job the app needs), npm/yarn/pnpm scripts resolved to their command (npm itself is never
// supervised: it does not pass SIGTERM on), a literal listening port turned into `${PORT}`, dev
// watchers (nodemon, `node --watch`, `tsx watch`, `--reload`, runserver's autoreload) turned into the
// bare command plus a `watch`, and what still needs a shell run through `sh -c`.
import { splitWords } from '../shared/manifest/tokenize';

export type Semantics = 'shell' | 'words';

export interface Command {
  exec: string;
  args: string[];
  env: [string, string][];
  /** A `cd DIR &&` prefix (relative to where the command ran). */
  cwd: string | null;
  /** The literal listening port found in the arguments (now `${PORT}`). */
  port: number | null;
  /** A dev watcher was taken off: watch these kinds of files instead. */
  watch: 'node' | 'python' | 'ruby' | null;
  /** Commands split off before it (migrations), to run as jobs it needs. */
  before: { name: string; exec: string; args: string[] }[];
  /** What was changed, said as notes. */
  said: string[];
}

/** npm scripts of the package.json beside the command, for `npm run X` and friends. */
export interface ScriptContext {
  scripts: Readonly<Record<string, string>>;
}

const SHELL_SYNTAX = /[|;<>`]|&&|\$\(|\$\{?[A-Za-z_]|^\s*\(|\*|~/;
const MIGRATIONS: readonly RegExp[] = [
  /^(python3?\s+)?(\.\/)?manage\.py\s+migrate\b/,
  /^(bin\/|bundle exec\s+)?rails\s+db:(migrate|prepare)\b/,
  /^(bin\/|bundle exec\s+)?rake\s+db:migrate\b/,
  /^(npx\s+)?prisma\s+migrate\s+deploy\b/,
  /^(python3?\s+-m\s+)?alembic\s+upgrade\b/,
  /^(npx\s+)?(knex\s+migrate:latest|sequelize(-cli)?\s+db:migrate)\b/,
  /^(bash|sh)\s+\S*prestart\.sh$/,
];

export function isMigration(text: string): boolean {
  return MIGRATIONS.some((m) => m.test(text.trim()));
}

/** Maps a command. `text` for a string, `argv` for a list (never a shell). */
export function mapCommand(input: { text: string } | { argv: readonly string[] }, semantics: Semantics, ctx: ScriptContext | null = null): Command {
  const out: Command = { exec: '', args: [], env: [], cwd: null, port: null, watch: null, before: [], said: [] };
  let argv: string[];
  if ('argv' in input) {
    argv = [...input.argv];
  } else if (semantics === 'shell') {
    const text = peelShell(input.text.trim(), out, ctx);
    if (text === null) return out;
    argv = splitWords(text);
  } else {
    argv = splitWords(input.text.trim());
  }
  finish(argv, out, ctx, semantics);
  return out;
}

/** Takes what a shell line starts with (`cd X &&`, migrations, `VAR=x`), returns the rest, or null when the whole line went to `sh -c`. */
function peelShell(text: string, out: Command, ctx: ScriptContext | null): string | null {
  for (;;) {
    const and = splitAnd(text);
    if (and === null) break;
    const [first, rest] = and;
    const cd = /^cd\s+(\S+)$/.exec(first);
    if (cd && !SHELL_SYNTAX.test(cd[1]!)) {
      out.cwd = out.cwd ? `${out.cwd}/${cd[1]}` : cd[1]!;
      out.said.push(`\`cd ${cd[1]} &&\` → cwd ${cd[1]}`);
      text = rest;
      continue;
    }
    const resolved = resolveScript(first, ctx)?.text ?? null;
    if (isMigration(resolved ?? first) && !SHELL_SYNTAX.test(first)) {
      const words = splitWords(resolved ?? first);
      const name = migrationName(out.before.length);
      out.before.push({ name, exec: words[0]!, args: words.slice(1) });
      out.said.push(`\`${first} && …\` split: \`${first}\` runs first as the job \`${name}\`, which this app needs`);
      text = rest;
      continue;
    }
    break;
  }
  text = text.replace(/\$\{?PORT\}?/g, '${PORT}');
  const stripped = text.replace(/\$\{PORT\}/g, '');
  if (SHELL_SYNTAX.test(stripped)) {
    out.exec = 'sh';
    const parts = text.split(/\s*(?:&&|;)\s*/);
    const last = parts[parts.length - 1]!;
    const exec = !/^exec\b/.test(last) && !/[|<>]/.test(last) ? text.slice(0, text.length - last.length) + `exec ${last}` : text;
    out.args = ['-c', exec];
    out.said.push('the command uses shell syntax, so it runs through `sh -c`');
    return null;
  }
  return text;
}

function migrationName(i: number): string {
  return i === 0 ? 'migrate' : `migrate-${i + 1}`;
}

/** `A && B` at the top level (no quotes around the `&&`): [A, B], or null. */
function splitAnd(text: string): [string, string] | null {
  let quote: string | null = null;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '&' && text[i + 1] === '&') return [text.slice(0, i).trim(), text.slice(i + 2).trim()];
  }
  return null;
}

/** The command a `npm run X` / `npm start` / `yarn X` / `pnpm X` line runs, from the scripts; null when it is none. */
function resolveScript(text: string, ctx: ScriptContext | null): { name: string; text: string } | null {
  if (!ctx) return null;
  const m = /^(?:npm\s+(?:run(?:-script)?\s+(\S+)|(start|test))|yarn\s+(?:run\s+)?(\S+)|pnpm\s+(?:run\s+)?(\S+))((?:\s+--)?(?:\s+.*)?)$/.exec(text.trim());
  if (!m) return null;
  const name = m[1] ?? m[2] ?? m[3] ?? m[4]!;
  const extra = (m[5] ?? '').replace(/^\s+--/, '').trim();
  const script = ctx.scripts[name] ?? (name === 'start' ? 'node server.js' : undefined);
  if (script === undefined) return null;
  return { name, text: extra ? `${script} ${extra}` : script };
}

function finish(argv: string[], out: Command, ctx: ScriptContext | null, semantics: Semantics): void {
  // `env A=B cmd` and (in a shell) `A=B cmd`.
  const prefixed = argv[0] === 'env';
  if (prefixed) argv.shift();
  while (argv.length > 1 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[0]!) && (semantics === 'shell' || prefixed)) {
    const [k, ...v] = argv.shift()!.split('=');
    out.env.push([k!, v.join('=')]);
    out.said.push(`\`${k}=…\` before the command → env ${k}`);
  }
  const resolved = resolveScript(argv.join(' '), ctx);
  if (resolved !== null && ctx) {
    const script = resolved.text;
    out.said.push(`\`${argv.join(' ')}\` runs the script \`${script}\` itself: npm does not pass SIGTERM on, so it is not supervised`);
    // The script may run another; never itself again (a loop).
    const rest = Object.fromEntries(Object.entries(ctx.scripts).filter(([k]) => k !== resolved.name));
    const inner = mapCommand({ text: script }, 'shell', { scripts: rest });
    Object.assign(out, { ...inner, env: [...out.env, ...inner.env], said: [...out.said, ...inner.said], cwd: out.cwd ?? inner.cwd, before: [...out.before, ...inner.before] });
    // npm puts node_modules/.bin on PATH for its scripts: name the program there, in a shell line too.
    if (inner.exec && !inner.exec.includes('/') && !KNOWN_ON_PATH.has(inner.exec)) {
      out.exec = `node_modules/.bin/${inner.exec}`;
    } else if (inner.exec === 'sh' && inner.args[0] === '-c') {
      const first = /^(exec\s+)?([A-Za-z0-9_.-]+)/.exec(inner.args[1]!);
      if (first && !KNOWN_ON_PATH.has(first[2]!)) out.args = ['-c', inner.args[1]!.replace(first[0], `${first[1] ?? ''}node_modules/.bin/${first[2]}`)];
    }
    return;
  }
  if (argv.length === 0) return;
  out.exec = argv[0]!;
  out.args = argv.slice(1);
  unwatch(out);
  literalPort(out);
}

const KNOWN_ON_PATH = new Set(['node', 'sh', 'bash', 'python', 'python3', 'ruby', 'deno', 'bun', 'npx', 'java', 'go']);

/** Dev watchers off, a `watch` block on. */
function unwatch(c: Command): void {
  const base = c.exec.split('/').pop()!;
  if (base === 'nodemon') {
    c.args = c.args.filter((a) => a !== '--legacy-watch' && a !== '-L');
    c.said.push('nodemon → node plus a `watch` block (Skr8tr restarts it on change, with a rollout)');
    c.exec = 'node';
    c.args = c.args.map((a) => (a === '--debug' ? '--inspect' : a));
    c.watch = 'node';
  } else if (base === 'node' && c.args.includes('--watch')) {
    c.args = c.args.filter((a) => a !== '--watch');
    c.said.push('`node --watch` → node plus a `watch` block');
    c.watch = 'node';
  } else if (base === 'tsx' && c.args[0] === 'watch') {
    c.args.shift();
    c.said.push('`tsx watch` → tsx plus a `watch` block');
    c.watch = 'node';
  } else if (c.args.includes('--reload') && /^(uvicorn|gunicorn|flask|hypercorn)$/.test(base)) {
    c.args = c.args.filter((a) => a !== '--reload');
    c.said.push(`\`${base} --reload\` → ${base} plus a \`watch\` block`);
    c.watch = 'python';
  } else if (c.args.includes('runserver') && !c.args.includes('--noreload')) {
    c.args.push('--noreload');
    c.said.push('runserver\'s autoreload → `--noreload` plus a `watch` block');
    c.watch = 'python';
  } else if (/^(vite|next|nuxt|astro)$/.test(base) && (c.args.length === 0 || c.args[0] === 'dev')) {
    c.said.push(`${base}'s dev server reloads modules itself: kept at 1 replica with no \`watch\``);
  }
}

/** `-p 3000`, `--port 8000`, `--port=8000`, `--bind 0.0.0.0:8000`, `runserver 0.0.0.0:8000`, `--listen` → `${PORT}`. */
/** Clients whose port flag names where they connect, not where they listen. */
const CLIENTS = new Set(['redis-cli', 'psql', 'pg_isready', 'mysql', 'mysqladmin', 'mongosh', 'mongo', 'curl', 'wget', 'nc', 'netcat', 'ssh', 'scp', 'sftp', 'telnet']);

function literalPort(c: Command): void {
  if (CLIENTS.has(c.exec.split('/').pop()!)) return;
  const a = c.args;
  for (let i = 0; i < a.length; i++) {
    const word = a[i]!;
    const flag = /^(--port|-p|--bind|-b|--listen|--http-port|--server\.port)(=(.*))?$/.exec(word);
    let value: string | undefined;
    let set: (v: string) => void;
    if (flag) {
      if (flag[2] !== undefined) {
        value = flag[3];
        set = (v) => (a[i] = `${flag[1]}=${v}`);
      } else {
        value = a[i + 1];
        const at = i + 1;
        set = (v) => (a[at] = v);
      }
    } else if (i > 0 && a[i - 1] === 'runserver' && /^([\d.]+:)?\d+$/.test(word)) {
      value = word;
      set = (v) => (a[i] = v);
    } else continue;
    if (value === undefined) continue;
    const m = /^((?:[\d.]+|\[[^\]]+\]|localhost):)?(\d{2,5})$/.exec(value);
    if (!m) continue;
    c.port = Number(m[2]);
    set!(`${m[1] ?? ''}\${PORT}`);
    c.said.push(`the literal port ${m[2]} → \${PORT}: each replica gets its own, the ingress serves ${m[2]}`);
    return;
  }
}
