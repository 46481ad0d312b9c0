// Reading the entries of one app: which keys are known where (unknown, misplaced and duplicate ones
// reported) and what their values are (one word, words, a typed value, a choice, a variable name, a
// path). It holds what every reader of an app's keys shares: the sink, the app's positions map and
// the manifest's folder. build-app.ts, health-block.ts and blocks.ts read through it.
import * as path from 'node:path';
import type { DiagnosticSink } from './diagnostics';
import type { Entry } from './entries';
import { keyInfo, keysIn, scopeLabel, KEYS, type KeyInfo, type Scope } from './keys';
import type { Pos } from './model';
import { nearest } from './suggest';
import { parseChoice, type Parsed } from './values';

export interface BuildContext {
  /** The manifest's folder: relative paths resolve against it. */
  dir: string;
  sink: DiagnosticSink;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `__proto__` has the form of a name, but no plain object (the spec, the launch frame, the agent's
 * environment) can hold it as a key: it would be lost on the way, so it is refused here. */
export const isEnvName = (name: string): boolean => ENV_NAME.test(name) && name !== '__proto__';

/** Reports a key that does not belong where it is written: unknown (warning) or misplaced (error). */
export function reportMisplaced(entry: Entry, scope: Scope, sink: DiagnosticSink, appName?: string): void {
  const where = scope === 'app' && appName ? `app \`${appName}\`` : scopeLabel(scope);
  const elsewhere = KEYS.filter((k) => k.key === entry.key && k.scope !== scope);
  if (scope === 'top' && entry.key !== 'app') {
    const hint = elsewhere.some((k) => k.scope === 'app') ? '; start an app first with `app NAME`' : '';
    const guess = hint ? null : nearest(entry.key, ['app']);
    sink.error(entry.keyPos, `\`${entry.key}\` outside an app${hint}${guess ? `; did you mean \`${guess}\`?` : ''}`);
    return;
  }
  if (elsewhere.length > 0) {
    const home = elsewhere[0]!.scope;
    const fix = home === 'app' ? 'it is an app key: indent it like the block header above it' : `it belongs in ${scopeLabel(home)}`;
    sink.error(entry.keyPos, `\`${entry.key}\` is not a key of ${where}; ${fix}`);
    return;
  }
  const guess = nearest(entry.key, keysIn(scope).map((k) => k.key));
  sink.warning(entry.keyPos, `unknown key \`${entry.key}\` in ${where}, ignored${guess ? `; did you mean \`${guess}\`?` : ''}`);
}

/** The reader of one app's entries. */
export class EntryReader {
  readonly sink: DiagnosticSink;
  /** Where each key of the app is written (`port`, `health.check`, `env.PORT`...): ParsedApp.positions. */
  readonly positions = new Map<string, Pos>();

  constructor(
    private readonly ctx: BuildContext,
    /** The app's name, for messages about its keys. */
    private readonly appName: string,
  ) {
    this.sink = ctx.sink;
  }

  /** The app's name. */
  get name(): string {
    return this.appName;
  }

  /** The manifest's folder. */
  get dir(): string {
    return this.ctx.dir;
  }

  // ---- scopes ----------------------------------------------------------------------------------

  /** The entries of a block that are known in `scope`, with unknown, misplaced and duplicate ones reported. */
  *scopeEntries(entries: readonly Entry[], scope: Scope, prefix = ''): Generator<Entry & { info: KeyInfo }> {
    const seen = new Map<string, Pos>();
    for (const e of entries) {
      const info = keyInfo(scope, e.key);
      if (!info) {
        reportMisplaced(e, scope, this.sink, this.appName);
        continue;
      }
      const first = seen.get(e.key);
      if (first && !info.repeatable) {
        this.sink.error(e.keyPos, `duplicate \`${e.key}\` (first at line ${first.line}); write it once`);
        continue;
      }
      if (!first) seen.set(e.key, e.keyPos);
      const isBlock = info.value.kind === 'block' || info.value.kind === 'map';
      if (e.children !== null && !isBlock) {
        this.sink.error(e.children[0]?.keyPos ?? e.keyPos, `\`${e.key}\` does not open a block; unindent the lines below it`);
        continue;
      }
      if (isBlock && e.children === null && !((e.key === 'health' || info.oneLine) && e.args.length > 0)) {
        if (e.args.length > 0) {
          this.sink.error(e.restPos, `\`${e.key}\` opens a block: put its entries on the lines below, indented`);
        } else {
          this.sink.warning(e.keyPos, `\`${e.key}\` block is empty`);
        }
        continue;
      }
      if (e.children !== null && e.args.length > 0) {
        this.sink.error(e.restPos, `unexpected "${e.rest}" after \`${e.key}\``);
      }
      if (prefix && !this.positions.has(prefix + e.key)) this.positions.set(prefix + e.key, e.children !== null ? e.keyPos : e.restPos);
      yield { ...e, info };
    }
  }

  // ---- values ----------------------------------------------------------------------------------

  /** Exactly one word. */
  word(e: Entry): string | null {
    if (e.args.length === 0) {
      this.sink.error(e.keyPos, `\`${e.key}\` needs a value, like \`${keyExample(e.key)}\``);
      return null;
    }
    if (e.args.length > 1) {
      this.sink.error(e.args[1]!.pos, `\`${e.key}\` takes one value; found "${e.rest}" (quote it if it holds spaces)`);
      return null;
    }
    if (e.args[0]!.text === '') {
      // `exec ""` is no program and `path ""` no folder: an empty word is never a value.
      this.sink.error(e.args[0]!.pos, `\`${e.key}\` needs a value, like \`${keyExample(e.key)}\`; found an empty one`);
      return null;
    }
    return e.args[0]!.text;
  }

  words(e: Entry): string[] {
    if (e.args.length === 0) this.sink.error(e.keyPos, `\`${e.key}\` needs a value, like \`${keyExample(e.key)}\``);
    return e.args.map((t) => t.text);
  }

  typed<T>(e: Entry, parse: (text: string) => Parsed<T>): T | null {
    const text = this.word(e);
    if (text === null) return null;
    const r = parse(text);
    if (!r.ok) {
      this.sink.error(e.args[0]!.pos, `bad \`${e.key}\`: ${r.reason}`);
      return null;
    }
    return r.value;
  }

  choice(e: Entry & { info?: KeyInfo }, key: string): string | null {
    const info = e.info ?? KEYS.find((k) => k.key === key)!;
    if (info.value.kind !== 'choice') throw new Error(`${key} is not a choice key`);
    const choices = info.value.choices;
    const text = this.word(e);
    if (text === null) return null;
    const r = parseChoice(text, choices);
    if (!r.ok) {
      const guess = nearest(text, choices);
      this.sink.error(e.args[0]!.pos, `bad \`${e.key}\`: ${r.reason}${guess ? `; did you mean \`${guess}\`?` : ''}`);
      return null;
    }
    return r.value;
  }

  envName(e: Entry, name: string): boolean {
    if (isEnvName(name)) return true;
    this.sink.error(e.args[0]!.pos, `"${name}" is not a valid environment variable name`);
    return false;
  }

  /** A program: a path with a slash resolves against the manifest's folder; a bare name is looked up on PATH at launch. */
  program(p: string): string {
    return p.includes('/') ? this.resolve(p) : p;
  }

  resolve(p: string): string {
    return path.resolve(this.ctx.dir, p);
  }
}

function keyExample(key: string): string {
  return KEYS.find((k) => k.key === key)?.example.split('\n')[0] ?? key;
}
