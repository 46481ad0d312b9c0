// Reading the YAML syntax (`*.skr8tr.yaml`, `*.skr8tr.yml`) into entries: one app a document,
// the same keys as the line syntax. Parsed with the `yaml` package, keeping source positions.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar, type Document, type Node } from 'yaml';
import type { DiagnosticSink } from './diagnostics';
import type { Entry } from './entries';
import { keyInfo, yamlKey, type KeyInfo, type Scope } from './keys';
import type { Pos } from './model';
import { tokenizeLine, type Token } from './tokenize';

export function readYamlEntries(text: string, sink: DiagnosticSink): Entry[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: false });
  const reader = new YamlReader(text, lineCounter, sink);
  const entries: Entry[] = [];
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    // An EmptyStream: nothing but comments or white space.
    return entries;
  }
  for (const doc of list) {
    let failed = false;
    for (const err of doc.errors) {
      sink.error(reader.pos(err.pos[0]), `invalid YAML: ${firstLine(err.message)}`);
      failed = true;
    }
    if (failed) continue;
    const app = reader.document(doc);
    if (app) entries.push(app);
  }
  return entries;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

class YamlReader {
  constructor(
    private readonly text: string,
    private readonly lines: LineCounter,
    private readonly sink: DiagnosticSink,
  ) {}

  pos(offset: number): Pos {
    const p = this.lines.linePos(offset);
    return { line: p.line, column: p.col };
  }

  private at(node: Node | null | undefined, fallback: Pos): Pos {
    return node?.range ? this.pos(node.range[0]) : fallback;
  }

  document(doc: Document.Parsed): Entry | null {
    const root = doc.contents;
    if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return null;
    const docPos = this.at(root, { line: 1, column: 1 });
    if (!isMap(root)) {
      this.sink.error(docPos, 'a YAML manifest document is a map that starts with `app: NAME`');
      return null;
    }
    const appPair = root.items.find((p) => isScalar(p.key) && p.key.value === 'app');
    if (!appPair) {
      this.sink.error(docPos, 'this YAML document has no `app: NAME`; every document describes one app');
      return null;
    }
    const keyPos = this.at(appPair.key as Node, docPos);
    const nameNode = this.deref(appPair.value as Node | null, doc);
    const args: Token[] = [];
    if (nameNode && isScalar(nameNode) && nameNode.value !== null && nameNode.value !== '') {
      args.push(this.token(nameNode, docPos));
    } else if (nameNode) {
      this.sink.error(this.at(nameNode, keyPos), '`app` takes the app\'s name, like `app: web`');
    }
    const children: Entry[] = [];
    for (const pair of root.items) {
      if (pair === appPair) continue;
      // Not push(...entries): a list of a repeatable key may hold more items than a call takes arguments.
      for (const e of this.pairEntries(pair.key as Node | null, pair.value as Node | null, 'app', doc, docPos)) children.push(e);
    }
    return {
      key: 'app',
      keyPos,
      args,
      rest: args.map((t) => t.text).join(' '),
      restPos: args[0]?.pos ?? keyPos,
      children,
    };
  }

  private deref(node: Node | null, doc: Document.Parsed): Node | null {
    if (node && isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? null;
    return node;
  }

  /** One `key: value` pair of a block in `scope` as entries (several for a list of a repeatable key). */
  private pairEntries(keyNode: Node | null, rawValue: Node | null, scope: Scope | 'map', doc: Document.Parsed, parentPos: Pos): Entry[] {
    const keyPos = this.at(keyNode, parentPos);
    if (!keyNode || !isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
      this.sink.error(keyPos, 'a key must be a plain word');
      return [];
    }
    const key = scope === 'map' ? String(keyNode.value) : yamlKey(scope, String(keyNode.value));
    const value = this.deref(rawValue, doc);
    const info = scope === 'map' ? undefined : keyInfo(scope, key);
    const valuePos = this.at(value, keyPos);
    const entry = (args: Token[], rest: string, restPos: Pos, children: Entry[] | null = null): Entry => ({
      key,
      keyPos,
      args,
      rest,
      restPos,
      children,
    });

    if (value === null || (isScalar(value) && value.value === null && this.source(value) === '')) {
      return [entry([], '', valuePos)];
    }
    if (isMap(value)) {
      const childScope = info?.value.kind === 'block' ? info.value.scope : info?.value.kind === 'map' ? 'map' : null;
      if (childScope === null) {
        if (info) {
          this.sink.error(valuePos, `\`${key}\` takes a value, not a map`);
          return [];
        }
        return [entry([], '', valuePos, [])];
      }
      const children: Entry[] = [];
      for (const pair of value.items) {
        for (const e of this.pairEntries(pair.key as Node | null, pair.value as Node | null, childScope, doc, valuePos)) children.push(e);
      }
      return [entry([], '', valuePos, children)];
    }
    if (isSeq(value)) {
      if (info?.repeatable) {
        return value.items.flatMap((item) => {
          // A list inside the list (possibly through an alias to itself) is not a value of `key`.
          if (isSeq(this.deref(item as Node | null, doc))) {
            this.sink.error(this.at(item as Node, valuePos), `the items of \`${key}\` are not lists`);
            return [];
          }
          return this.pairEntries(keyNode, item as Node | null, scope, doc, parentPos);
        });
      }
      if (info?.value.kind === 'words' || info?.oneLine === 'words' || !info) {
        const tokens: Token[] = [];
        for (const item of value.items) {
          const node = this.deref(item as Node | null, doc);
          if (node && isScalar(node)) tokens.push(this.token(node, valuePos));
          else this.sink.error(this.at(node, valuePos), `the items of \`${key}\` are words, not lists or maps`);
        }
        return [entry(tokens, tokens.map((t) => t.text).join(' '), valuePos)];
      }
      this.sink.error(valuePos, `\`${key}\` takes ${describe(info)}, not a list`);
      return [];
    }
    if (isScalar(value)) {
      const text = this.scalarText(value);
      if (info && (info.value.kind === 'word' || info.value.kind === 'choice')) {
        return [entry([this.token(value, valuePos)], text, valuePos)];
      }
      if (scope === 'map' || info?.value.kind === 'line') {
        return [entry(text === '' ? [] : [this.token(value, valuePos)], text, valuePos)];
      }
      // Words (args, check, one-line health, unknown keys): split like a shell does.
      const tokens = this.split(value, text, valuePos);
      return [entry(tokens, text, valuePos)];
    }
    this.sink.error(valuePos, `unexpected value for \`${key}\``);
    return [];
  }

  private source(node: Scalar): string {
    return node.range ? this.text.slice(node.range[0], node.range[1]).trim() : '';
  }

  /** A scalar's text: plain scalars as written (so `1.50` stays `1.50`), quoted ones as their value. */
  private scalarText(node: Scalar): string {
    if (node.type === Scalar.PLAIN && !isMultiLine(this.source(node))) return this.source(node);
    return node.value === null ? '' : String(node.value);
  }

  private token(node: Scalar, fallback: Pos): Token {
    const pos = this.at(node, fallback);
    const text = this.scalarText(node);
    return { text, pos, endColumn: pos.column + text.length, quoted: node.type !== Scalar.PLAIN };
  }

  private split(node: Scalar, text: string, pos: Pos): Token[] {
    if (node.type === Scalar.PLAIN && !isMultiLine(this.source(node))) {
      // A plain scalar on one line is as written, so columns map directly.
      return tokenizeLine(' '.repeat(pos.column - 1) + text, pos.line, this.sink).tokens;
    }
    return tokenizeLine(text, pos.line, this.sink).tokens.map((t) => ({ ...t, pos, endColumn: pos.column + 1 }));
  }
}

function isMultiLine(text: string): boolean {
  return /[\r\n]/.test(text);
}

function describe(info: KeyInfo): string {
  switch (info.value.kind) {
    case 'block':
      return 'a map of keys';
    case 'map':
      return 'a map of names to values';
    default:
      return 'one value';
  }
}
