// A small HCL writer: blocks, attributes, heredocs and comments, formatted as `nomad fmt` would
// (two-space indent, `=` aligned within a run of attributes). Strings are escaped for HCL, where
// `${` and `%{` start templates: a literal one is written `$${` / `%%{`. Runtime variables Nomad
// interpolates itself (`${NOMAD_PORT_app}`) are the one exception and stay as they are.

export class Heredoc {
  constructor(readonly text: string) {}
}

export type HclValue = string | number | boolean | Heredoc | readonly HclValue[];

export interface HclAttr {
  kind: 'attr';
  name: string;
  value: HclValue;
  comment: string[];
}

export interface HclBlock {
  kind: 'block';
  type: string;
  labels: string[];
  body: HclItem[];
  comment: string[];
}

export type HclItem = HclAttr | HclBlock;

export const attr = (name: string, value: HclValue, comment: string[] = []): HclAttr => ({ kind: 'attr', name, value, comment });
export const block = (type: string, labels: string[], body: HclItem[], comment: string[] = []): HclBlock => ({ kind: 'block', type, labels, body, comment });

/** Runtime interpolations Nomad resolves when the task starts, left unescaped. */
const RUNTIME = /^\$\{NOMAD_[A-Za-z0-9_]+\}/;

/** Text as HCL's template syntax reads it literally (except Nomad's runtime variables). */
function escapeTemplate(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '$' && text[i + 1] === '{') {
      const runtime = RUNTIME.exec(text.slice(i));
      if (runtime) {
        out += runtime[0];
        i += runtime[0].length - 1;
        continue;
      }
      out += '$$';
      continue;
    }
    if (c === '%' && text[i + 1] === '{') {
      out += '%%';
      continue;
    }
    out += c;
  }
  return out;
}

export function quote(text: string): string {
  const escaped = escapeTemplate(text).replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
  return `"${escaped}"`;
}

function value(v: HclValue): string {
  if (v instanceof Heredoc) {
    let marker = 'EOT';
    while (v.text.split('\n').includes(marker)) marker += '_';
    const body = escapeTemplate(v.text.endsWith('\n') ? v.text : `${v.text}\n`);
    return `<<${marker}\n${body}${marker}`;
  }
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const items = (v as readonly HclValue[]).map((x) => value(x));
  return `[${items.join(', ')}]`;
}

function comments(lines: readonly string[], indent: string): string[] {
  return lines.flatMap((l) => l.split('\n')).map((l) => (l === '' ? `${indent}#` : `${indent}# ${l}`));
}

function body(items: readonly HclItem[], indent: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < items.length) {
    const item = items[i]!;
    if (item.kind === 'block') {
      if (out.length > 0) out.push('');
      out.push(...comments(item.comment, indent));
      const head = [item.type, ...item.labels.map(quote)].join(' ');
      if (item.body.length === 0) out.push(`${indent}${head} {}`);
      else out.push(`${indent}${head} {`, ...body(item.body, `${indent}  `), `${indent}}`);
      i++;
      continue;
    }
    // A run of attributes: `=` aligned, as `nomad fmt` does.
    let j = i;
    while (j < items.length && items[j]!.kind === 'attr') j++;
    const run = items.slice(i, j) as HclAttr[];
    const width = Math.max(...run.map((a) => a.name.length));
    if (out.length > 0) out.push('');
    for (const a of run) {
      out.push(...comments(a.comment, indent));
      out.push(`${indent}${a.name.padEnd(width)} = ${value(a.value)}`);
    }
    i = j;
  }
  return out;
}

/** An HCL file: a comment header, then the items. */
export function hcl(items: readonly HclItem[], header: readonly string[] = []): string {
  const lines = [...comments(header, ''), ...(header.length > 0 ? [''] : []), ...body(items, '')];
  return lines.join('\n') + '\n';
}
