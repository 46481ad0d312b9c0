// Compose's variable interpolation (compose-spec 12-interpolation.md), as a pure function: `$V`,
// `${V}`, `${V:-d}`, `${V-d}`, `${V:?e}`, `${V?e}`, `${V:+r}`, `${V+r}`, nesting in the default or
// replacement, and `$$` for a literal `$`. It reports each variable it read and where its value
// came from, so an importer can tell a literal from a value of `.env` or of the shell, which it
// never inlines.

/** Where a variable's value came from: a variables file (`.env`), the shell, or nowhere. */
export type VarOrigin = 'file' | 'shell' | 'unset';

export interface VarUse {
  name: string;
  origin: VarOrigin;
  /** `${V?e}` / `${V:?e}` with V unset (or empty, with the colon): the message. */
  required: string | null;
  /** The written default was used (V unset, or empty with the colon). */
  defaulted: boolean;
}

export interface Interpolated {
  value: string;
  uses: VarUse[];
  /** Malformed syntax (an unclosed `${`), said once; the text is then kept as written. */
  error: string | null;
}

export interface VarSources {
  file: Readonly<Record<string, string>>;
  shell: Readonly<Record<string, string>>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function interpolate(text: string, vars: VarSources): Interpolated {
  const uses: VarUse[] = [];
  try {
    return { value: expand(text, vars, uses), uses, error: null };
  } catch (err) {
    return { value: text, uses, error: (err as Error).message };
  }
}

function lookup(name: string, vars: VarSources): { value: string | undefined; origin: VarOrigin } {
  // The shell wins over the file, as `docker compose` has it.
  if (Object.hasOwn(vars.shell, name)) return { value: vars.shell[name], origin: 'shell' };
  if (Object.hasOwn(vars.file, name)) return { value: vars.file[name], origin: 'file' };
  return { value: undefined, origin: 'unset' };
}

function expand(text: string, vars: VarSources, uses: VarUse[]): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = matchingBrace(text, i + 1);
      if (close < 0) throw new Error(`unclosed \`\${\` in "${text}"`);
      out += braced(text.slice(i + 2, close), vars, uses);
      i = close + 1;
      continue;
    }
    const m = NAME.exec(text.slice(i + 1));
    if (!m) {
      out += '$';
      i++;
      continue;
    }
    const { value, origin } = lookup(m[0], vars);
    uses.push({ name: m[0], origin, required: null, defaulted: false });
    out += value ?? '';
    i += 1 + m[0].length;
  }
  return out;
}

/** The index of the `}` closing the `{` at `open`, nesting counted. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function braced(body: string, vars: VarSources, uses: VarUse[]): string {
  const m = NAME.exec(body);
  if (!m) throw new Error(`\`\${${body}}\` names no variable`);
  const name = m[0];
  const rest = body.slice(name.length);
  const { value, origin } = lookup(name, vars);
  const use: VarUse = { name, origin, required: null, defaulted: false };
  uses.push(use);
  if (rest === '') return value ?? '';
  const op = /^(:?)([-?+])/.exec(rest);
  if (!op) throw new Error(`\`\${${body}}\`: expected \`:-\`, \`-\`, \`:?\`, \`?\`, \`:+\` or \`+\` after ${name}`);
  const colon = op[1] === ':';
  const arg = rest.slice(op[0].length);
  // With the colon an empty value counts as unset.
  const missing = value === undefined || (colon && value === '');
  switch (op[2]) {
    case '-':
      if (!missing) return value!;
      use.defaulted = true;
      return expand(arg, vars, uses);
    case '?':
      if (!missing) return value!;
      use.required = expand(arg, vars, uses) || `${name} is not set`;
      return '';
    default:
      return missing ? '' : expand(arg, vars, uses);
  }
}
