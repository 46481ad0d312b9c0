// Draft apps as manifest text in the line syntax, each app preceded by its `# import:` notes, the
// file by a header naming the source and its hash (so a re-import can show the difference). Pure.
import { createHash } from 'node:crypto';
import type { DraftApp, ImportNote } from './model';

/** A word as the manifest's tokenizer reads it back: quoted when it holds a space, a quote, `#` or nothing. */
export function quoteWord(word: string): string {
  if (word !== '' && word !== '{' && word !== '}' && !/[\s"'#\\]/.test(word)) return word;
  return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const words = (ws: readonly string[]) => ws.map(quoteWord).join(' ');

export function sourceHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

export interface WriteInput {
  source: { kind: string; file: string; hash: string };
  apps: readonly DraftApp[];
  notes: readonly ImportNote[];
}

export function writeManifest(input: WriteInput): string {
  const out: string[] = [
    `# Imported by \`skr8tr init\` from ${input.source.file} (${input.source.kind}, sha256 ${input.source.hash}).`,
    '# Read the `# import:` notes, then delete them; nothing here runs until you save and roll it out.',
  ];
  const general = input.notes.filter((n) => n.app === null);
  for (const n of general) out.push(noteLine(n));
  for (const app of input.apps) {
    out.push('');
    for (const n of input.notes.filter((x) => x.app === app.name)) out.push(noteLine(n));
    out.push(...withOverrides(appLines(app), app.overrides));
  }
  return out.join('\n') + '\n';
}

function noteLine(n: ImportNote): string {
  const where = n.line > 0 ? `${n.file}:${n.line}` : n.file;
  const tag = n.severity === 'error' ? 'TODO ' : '';
  return `# import: ${tag}${n.message} (${where})`;
}

/** The app's lines with each override in place of the key it names (every line of it, with their blocks), or after them. */
function withOverrides(lines: string[], overrides: DraftApp['overrides']): string[] {
  let out = [...lines];
  for (const o of overrides) {
    const isKey = (l: string) => l === `  ${o.key}` || l.startsWith(`  ${o.key} `);
    const first = out.findIndex(isKey);
    const kept: string[] = [];
    for (let i = 0; i < out.length; i++) {
      if (i === first) kept.push(...o.lines);
      if (!isKey(out[i]!)) kept.push(out[i]!);
      else while (i + 1 < out.length && out[i + 1]!.startsWith('    ')) i++;
    }
    out = first < 0 ? [...kept, ...o.lines] : kept;
  }
  return out;
}

function appLines(a: DraftApp): string[] {
  const l: string[] = [`app ${a.name}`];
  const key = (k: string, v: string | number | null) => {
    if (v !== null) l.push(`  ${k} ${v}`);
  };
  if (a.type === 'job') key('type', 'job');
  if (a.exec !== null) key('exec', quoteWord(a.exec));
  if (a.args.length > 0) key('args', words(a.args));
  if (a.cwd !== null && a.cwd !== '.' && a.cwd !== '') key('cwd', quoteWord(a.cwd));
  key('port', a.port);
  if (a.ingressOff && a.port !== null) key('ingress', 'off');
  key('replicas', a.replicas);
  key('restart', a.restart);
  key('drain', a.drain);
  key('cpu', a.cpu);
  key('ram', a.ram);
  key('image', a.image === null ? null : quoteWord(a.image));
  if (a.needs.length > 0) key('needs', a.needs.join(' '));
  for (const f of a.envFiles) key('env-file', quoteWord(f));
  if (a.env.length > 0) {
    l.push('  env');
    for (const [k, v] of a.env) l.push(`    ${k} ${quoteWord(v)}`);
  }
  for (const v of a.volumes) l.push('  volume', `    path ${quoteWord(v.path)}`, `    env ${v.env}`);
  if (a.health) {
    const h = a.health;
    if (h.interval === null && h.timeout === null && h.retries === null) {
      l.push(`  health ${words(h.check)}`);
    } else {
      l.push('  health', `    check ${words(h.check)}`);
      if (h.interval !== null) l.push(`    interval ${h.interval}`);
      if (h.timeout !== null) l.push(`    timeout ${h.timeout}`);
      if (h.retries !== null) l.push(`    retries ${h.retries}`);
    }
  }
  if (a.deadline !== null) l.push('  rollout', `    deadline ${a.deadline}`);
  if (a.watch !== null && a.watch.length > 0) {
    if (a.watchIgnore.length === 0) l.push(`  watch ${words(a.watch)}`);
    else l.push('  watch', `    paths ${words(a.watch)}`, `    ignore ${words(a.watchIgnore)}`);
  }
  return l;
}
