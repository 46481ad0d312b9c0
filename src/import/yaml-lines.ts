// A YAML source file as plain values plus the line each key or item is written on, for notes that
// name file:line. Uses the `yaml` package the manifest reader already bundles.
import { isMap, isNode, isPair, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';

export type YamlPath = readonly (string | number)[];

export interface YamlFile {
  value: unknown;
  /** The line (1-based) of the key or item at the path; the nearest written parent's when it is not written. */
  line(path: YamlPath): number;
  /** The line of the key or item at the path when it is written in this file, else null. */
  exact(path: YamlPath): number | null;
  /** Parse errors, with their lines. */
  errors: { line: number; message: string }[];
  /** Custom tags written in the file (`!reset`, `!override`), with their lines. */
  tags: { tag: string; line: number }[];
}

export function loadYaml(text: string): YamlFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false, merge: true });
  const lineAt = (offset: number) => counter.linePos(offset).line;
  const errors = doc.errors.map((e) => ({ line: lineAt(e.pos[0]), message: e.message.split('\n')[0]! }));
  const exact = (path: YamlPath): number | null => at(path, path.length);
  const line = (path: YamlPath): number => {
    for (let n = path.length; n > 0; n--) {
      const found = at(path, n);
      if (found !== null) return found;
    }
    return 1;
  };
  /** The line of the first n parts of the path, when written. */
  const at = (path: YamlPath, n: number): number | null => {
    if (n === 0) return null;
    const parent = n === 1 ? doc.contents : (doc.getIn(path.slice(0, n - 1), true) as Node | undefined);
    const key = path[n - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => {
        const k = p.key as { value?: unknown } | null;
        return k !== null && typeof k === 'object' && 'value' in k ? String(k.value) === String(key) : String(k) === String(key);
      });
      const range = (pair?.key as Node | undefined)?.range;
      if (range) return lineAt(range[0]);
    } else if (isSeq(parent) && typeof key === 'number') {
      const range = (parent.items[key] as Node | undefined)?.range;
      if (range) return lineAt(range[0]);
    }
    return null;
  };
  let value: unknown = null;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    errors.push({ line: 1, message: (err as Error).message });
  }
  const tags: { tag: string; line: number }[] = [];
  // On the value of a key (`ports: !override`): said at the key's line.
  visit(doc, (_key, node) => {
    if (!isPair(node) || !isNode(node.value) || !node.value.tag?.startsWith('!')) return;
    const at = (node.key as Node | null)?.range ?? node.value.range;
    if (at) tags.push({ tag: node.value.tag, line: lineAt(at[0]) });
  });
  return { value, line, exact, errors, tags };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
