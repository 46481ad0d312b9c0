// Reading a PM2 ecosystem file without running it: the value of `module.exports =` (or `export
// default`) when it is made of literals (objects, arrays, strings without `${}`, numbers, booleans,
// null; comments and trailing commas allowed). Any other expression (a call, `__dirname + ...`,
// `process.env.X`) becomes a NonLiteral holding its text, so the rest still reads. Pure.

export class NonLiteral {
  constructor(readonly text: string, readonly line: number) {}
}

export interface LiteralRead {
  value: unknown;
  /** The line (1-based) of each object key, by dotted path (`apps.0.script`). */
  lines: Map<string, number>;
  error: string | null;
}

export function readExports(text: string): LiteralRead {
  const lines = new Map<string, number>();
  const m = /(module\.exports\s*=|export\s+default)\s*/.exec(text);
  if (!m) return { value: null, lines, error: 'no `module.exports =` or `export default`' };
  const p = new Reader(text, m.index + m[0].length, lines);
  try {
    return { value: p.value(''), lines, error: null };
  } catch (err) {
    return { value: null, lines, error: (err as Error).message };
  }
}

class Reader {
  constructor(private readonly s: string, private i: number, private readonly lines: Map<string, number>) {}

  private line(at = this.i): number {
    let n = 1;
    for (let k = 0; k < at; k++) if (this.s.charCodeAt(k) === 10) n++;
    return n;
  }

  private skip(): void {
    for (;;) {
      const rest = this.s.slice(this.i);
      const ws = /^(\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/)/.exec(rest);
      if (!ws) return;
      this.i += ws[0].length;
    }
  }

  value(path: string): unknown {
    this.skip();
    const c = this.s[this.i];
    if (c === '{') return this.object(path);
    if (c === '[') return this.array(path);
    if (c === '"' || c === "'" || c === '`') {
      const start = this.i;
      const str = this.string();
      if (str === null) return this.other(start);
      return this.atEnd() ? str : this.other(start);
    }
    const lit = /^(-?\d+(\.\d+)?|true|false|null|undefined)(?![\w$])/.exec(this.s.slice(this.i));
    if (lit) {
      const start = this.i;
      this.i += lit[0].length;
      if (!this.atEnd()) return this.other(start);
      const w = lit[0];
      return w === 'true' ? true : w === 'false' ? false : w === 'null' || w === 'undefined' ? null : Number(w);
    }
    return this.other(this.i);
  }

  /** Whether the value ends here (a `,`, `}` or `]` follows). */
  private atEnd(): boolean {
    this.skip();
    const c = this.s[this.i];
    return c === ',' || c === '}' || c === ']' || c === undefined || c === ';';
  }

  /** An expression that is not a literal: its text, up to the `,` `}` `]` that ends it at its depth. */
  private other(start: number): NonLiteral {
    this.i = start;
    let depth = 0;
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === '"' || c === "'" || c === '`') {
        this.string();
        continue;
      }
      if ('([{'.includes(c)) depth++;
      else if (')]}'.includes(c)) {
        if (depth === 0) break;
        depth--;
      } else if ((c === ',' || c === ';') && depth === 0) break;
      this.i++;
    }
    return new NonLiteral(this.s.slice(start, this.i).trim(), this.line(start));
  }

  /** A quoted string; null for a template with `${`. */
  private string(): string | null {
    const q = this.s[this.i]!;
    let out = '';
    let template = false;
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== q) {
      const c = this.s[this.i]!;
      if (c === '\\') {
        const n = this.s[this.i + 1]!;
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
        this.i += 2;
        continue;
      }
      if (q === '`' && c === '$' && this.s[this.i + 1] === '{') template = true;
      out += c;
      this.i++;
    }
    if (this.i >= this.s.length) throw new Error(`unterminated string at line ${this.line()}`);
    this.i++;
    return template ? null : out;
  }

  private object(path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    for (;;) {
      this.skip();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const keyAt = this.i;
      let key: string;
      if (this.s[this.i] === '"' || this.s[this.i] === "'") key = this.string() ?? '';
      else {
        const id = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i));
        if (!id) throw new Error(`unexpected \`${this.s.slice(this.i, this.i + 10)}\` at line ${this.line()}`);
        key = id[0];
        this.i += key.length;
      }
      this.skip();
      const full = path ? `${path}.${key}` : key;
      this.lines.set(full, this.line(keyAt));
      if (this.s[this.i] === ':') {
        this.i++;
        out[key] = this.value(full);
      } else {
        out[key] = new NonLiteral(key, this.line(keyAt)); // shorthand `{ name }`
      }
      this.skip();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw new Error(`expected \`,\` or \`}\` at line ${this.line()}`);
    }
  }

  private array(path: string): unknown[] {
    const out: unknown[] = [];
    this.i++;
    for (;;) {
      this.skip();
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      const at = `${path}.${out.length}`;
      this.lines.set(at, this.line());
      out.push(this.value(at));
      this.skip();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== ']') throw new Error(`expected \`,\` or \`]\` at line ${this.line()}`);
    }
  }
}
