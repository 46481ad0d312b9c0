// What an editor needs from the manifest language, without an editor: the scope a line is in,
// hover text for a key, completions at a position, the range a diagnostic points at. Pure, so it is
// tested without VS Code; src/extension adapts it to the VS Code API.
import { keyInfo, keysIn, scopeLabel, type KeyInfo, type Scope } from './keys';
import type { Syntax } from './index';

/** Map-like blocks whose entries are free names, not keys. */
export type EditorScope = Scope | 'env' | 'secret';

interface Line {
  indent: number;
  word: string;
}

function parseLine(text: string, syntax: Syntax): Line | null {
  // In YAML a list item's key (`- path: ./data`) is indented to after its dash, like the keys below it.
  const m = (syntax === 'yaml' ? /^([ \t]*(?:- +)?)(\S+)/ : /^([ \t]*)(\S+)/).exec(text);
  if (!m || m[2]!.startsWith('#') || m[2] === '}' || m[2] === '{' || m[2] === '---') return null;
  const indent = m[1]!.replace(/\t/g, '    ').length;
  let word = m[2]!;
  if (syntax === 'yaml') word = word.replace(/:.*$/, '');
  else word = word.replace(/\{$/, '');
  return { indent, word };
}

/** A line syntax line that is a `}` (closing a braced block), or a `{` alone (opening the block of the line above). */
function braceLine(text: string): '{' | '}' | null {
  if (/^[ \t]*\}(?=\s|$)/.test(text)) return '}';
  if (/^[ \t]*\{[ \t]*(#.*)?$/.test(text)) return '{';
  return null;
}

/** Whether a line syntax header opens a braced block at its end (`health {`). */
const opensBrace = (text: string): boolean => /\{$/.test(text.replace(/\s#.*$/, '').trimEnd());

/**
 * The block a position is in: the headers still open above it. An indented block ends at a line
 * indented no deeper than its header; a braced block (line syntax) at its `}`, whatever the
 * indentation inside it.
 */
export function scopeAt(lines: readonly string[], line: number, indent: number, syntax: Syntax): EditorScope {
  const open: { word: string; indent: number; braced: boolean }[] = [];
  const closeIndented = (below: number) => {
    while (open.length > 0 && !open[open.length - 1]!.braced && open[open.length - 1]!.indent >= below) open.pop();
  };
  for (let i = 0; i < line && i < lines.length; i++) {
    const text = lines[i]!;
    const brace = syntax === 'skr8tr' ? braceLine(text) : null;
    if (brace === '{') {
      if (open.length > 0) open[open.length - 1]!.braced = true;
    } else if (brace === '}') {
      while (open.length > 0) if (open.pop()!.braced) break;
    } else {
      const l = parseLine(text, syntax);
      if (!l) continue;
      closeIndented(l.indent);
      open.push({ word: l.word, indent: l.indent, braced: syntax === 'skr8tr' && opensBrace(text) });
    }
  }
  closeIndented(indent);
  const chain = open.map((h) => h.word);
  let scope: EditorScope = syntax === 'yaml' ? 'app' : 'top';
  for (const word of chain) {
    if (scope === 'env' || scope === 'secret') return scope;
    if (scope === 'top') {
      scope = word === 'app' ? 'app' : 'top';
      continue;
    }
    const info = keyInfo(scope as Scope, word);
    if (!info) return scope;
    if (info.value.kind === 'block') scope = info.value.scope;
    else if (info.value.kind === 'map') scope = word as 'env' | 'secret';
    else return scope;
  }
  return scope;
}

function indentOf(text: string): number {
  return /^[ \t]*/.exec(text)![0].replace(/\t/g, '    ').length;
}

/** Markdown for a key (or a value of a choice key) under the cursor, or null. */
export function hoverAt(lines: readonly string[], line: number, column: number, syntax: Syntax): string | null {
  const text = lines[line] ?? '';
  const first = parseLine(text, syntax);
  if (!first) return null;
  const scope = scopeAt(lines, line, first.indent, syntax);
  const info = scope === 'env' || scope === 'secret' ? undefined : keyInfo(scope, first.word);
  if (!info) return null;
  const keyStart = first.indent;
  const keyEnd = keyStart + first.word.length;
  const onKey = column >= keyStart && column <= keyEnd;
  const onValue = column > keyEnd && info.value.kind === 'choice';
  if (!onKey && !onValue) return null;
  return describeKey(info);
}

export function describeKey(info: KeyInfo): string {
  const where = info.scope === 'top' ? '' : ` — ${info.scope === 'app' ? 'an app key' : `in ${scopeLabel(info.scope)}`}`;
  const parts = [`**${info.key}**${where}`, '', info.summary];
  if (info.value.kind === 'choice') parts.push('', `Values: ${info.value.choices.map((c) => `\`${c}\``).join(', ')}`);
  if (info.default) parts.push('', `Default: ${info.default}`);
  parts.push('', '```skr8tr', info.example, '```');
  return parts.join('\n');
}

export interface Completion {
  label: string;
  kind: 'key' | 'value';
  detail: string;
  documentation: string;
  /** Text to insert (a key is followed by a space, or by a block's first line). */
  insert: string;
}

/** Completions for the text before the cursor on `line`. */
export function completionsAt(lines: readonly string[], line: number, before: string, syntax: Syntax): Completion[] {
  const indent = indentOf(before);
  const words = before.trim().split(/\s+/).filter(Boolean);
  const typingKey = words.length === 0 || (words.length === 1 && !/\s$/.test(before));
  const scope = scopeAt(lines, line, indent, syntax);
  if (scope === 'env' || scope === 'secret') return [];
  if (typingKey) {
    return keysIn(scope).map((k) => ({
      label: k.key,
      kind: 'key',
      detail: k.value.kind === 'block' || k.value.kind === 'map' ? 'block' : k.value.kind === 'choice' ? k.value.choices.join(' | ') : k.value.kind === 'word' ? k.value.type : k.value.kind,
      documentation: describeKey(k),
      insert: syntax === 'yaml' ? `${k.key}: ` : `${k.key} `,
    }));
  }
  const key = syntax === 'yaml' ? words[0]!.replace(/:$/, '') : words[0]!;
  const info = keyInfo(scope as Scope, key);
  if (!info || info.value.kind !== 'choice' || words.length > 2 || (words.length === 2 && /\s$/.test(before))) {
    if (info?.key === 'check' || (info?.key === 'health' && words.length === 1)) {
      return ['GET /health 200', 'tcp'].map((v) => ({ label: v, kind: 'value', detail: 'check', documentation: describeKey(keyInfo('health', 'check')!), insert: v }));
    }
    return [];
  }
  return info.value.choices.map((c) => ({ label: c, kind: 'value', detail: info.key, documentation: describeKey(info), insert: c }));
}

/** The columns (0-based, end exclusive) of the word a diagnostic at a 1-based column points at. */
export function wordRange(lineText: string, column: number): [number, number] {
  const start = Math.max(0, Math.min(column - 1, lineText.length));
  let end = start;
  while (end < lineText.length && !/\s/.test(lineText[end]!)) end++;
  return [start, end === start ? Math.min(lineText.length, start + 1) : end];
}
