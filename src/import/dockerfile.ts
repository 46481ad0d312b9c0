// The command a Dockerfile runs (ENTRYPOINT + CMD of the stage built: the compose `target`, else the
// last), for a compose service that is only a `build`. Exec form (`["a", "b"]`) or shell form
// (`a b`, which a container runs with `/bin/sh -c`). With none written, the image it starts from
// (whose CMD it inherits), so a report can name it. Pure.
import { splitWords } from '../shared/manifest/tokenize';
import type { ProjectSnapshot } from './model';
import { isRecord } from './yaml-lines';

interface Stage {
  name: string | null;
  from: string;
  cmd: string[] | null;
  entrypoint: string[] | null;
}

/** What the Dockerfile (`file`) runs: `argv` empty when it writes no CMD, then `base` is the image that holds it; `found` false when the project has no such file. */
export function dockerfileCmd(snapshot: ProjectSnapshot, context: string, build: unknown): { file: string; found: boolean; argv: string[]; base: string | null } {
  const name = isRecord(build) && typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile';
  const file = context === '.' ? name : `${context}/${name}`;
  const text = snapshot.files.get(file) ?? (isRecord(build) && typeof build.dockerfile === 'string' ? snapshot.files.get(name) : undefined);
  if (text === undefined) return { file, found: false, argv: [], base: null };
  const stages = parseStages(text);
  const target = isRecord(build) && typeof build.target === 'string' ? build.target : null;
  let stage = target ? stages.find((s) => s.name === target) : stages[stages.length - 1];
  let cmd: string[] | null = null;
  let entrypoint: string[] | null = null;
  let base: string | null = null;
  for (let hops = 0; stage && hops < 10; hops++) {
    cmd ??= stage.cmd;
    entrypoint ??= stage.entrypoint;
    base = stage.from || null;
    stage = stages.find((s) => s.name === stage!.from);
  }
  return { file, found: true, argv: [...(entrypoint ?? []), ...(cmd ?? [])], base };
}

function parseStages(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m || line.startsWith('#')) continue;
    const [, instr, rest] = m;
    const upper = instr!.toUpperCase();
    if (upper === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest!.replace(/--\S+\s+/g, ''));
      stages.push({ name: f?.[2] ?? null, from: f?.[1] ?? '', cmd: null, entrypoint: null });
    } else if ((upper === 'CMD' || upper === 'ENTRYPOINT') && stages.length > 0) {
      const argv = execForm(rest!) ?? (/[|;<>&$`]/.test(rest!) ? ['sh', '-c', rest!] : splitWords(rest!));
      stages[stages.length - 1]![upper === 'CMD' ? 'cmd' : 'entrypoint'] = argv;
    }
  }
  return stages;
}

function execForm(rest: string): string[] | null {
  if (!rest.trim().startsWith('[')) return null;
  try {
    const v = JSON.parse(rest) as unknown;
    return Array.isArray(v) ? v.map(String) : null;
  } catch {
    return splitWords(rest);
  }
}
