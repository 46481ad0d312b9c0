// A compose service's `x-skr8tr:` block (IMPORT.md §5 item 10). Compose ignores `x-` keys
// (compose-spec 11-extension.md), so a project can say there what Skr8tr should do differently:
// the keys of an app in the manifest's YAML form (`replicas: 3`, `health: GET /ready 200`,
// `env: {K: v}`, `rollout: {deadline: 3m}`), each replacing the key the import wrote for the
// service, or added when it wrote none. A key that is not an app's, or a value the manifest
// refuses, is an error at its file:line and left out. Pure.
import { hasErrors, parseManifest } from '../shared/manifest';
import { keyInfo, scopeLabel, yamlKey, type Scope } from '../shared/manifest/keys';
import type { DraftApp, Notes, Where } from './model';
import { quoteWord } from './write';
import { isRecord } from './yaml-lines';

export function applyXSkr8tr(app: DraftApp, block: unknown, at: (...path: (string | number)[]) => Where, notes: Notes): void {
  if (block === undefined) return;
  if (!isRecord(block)) {
    notes.error(at(), app.name, 'x-skr8tr: expected the keys of an app (a mapping); ignored');
    return;
  }
  for (const [name, value] of Object.entries(block)) {
    const where = at(name);
    let lines: string[];
    try {
      lines = render('app', name, value, '  ');
    } catch (err) {
      notes.error(where, app.name, `x-skr8tr: ${(err as Error).message}; ignored`);
      continue;
    }
    const refused = check(lines);
    if (refused !== null) {
      notes.error(where, app.name, `x-skr8tr: ${refused}; ignored`);
      continue;
    }
    const key = yamlKey('app', name);
    app.overrides = [...app.overrides.filter((o) => o.key !== key), { key, lines }];
    notes.info(where, app.name, `x-skr8tr: \`${key}\` as written there`);
  }
}

/** Manifest lines (at `indent`) for one key of `scope` written in YAML form. */
function render(scope: Scope, name: string, value: unknown, indent: string): string[] {
  const info = keyInfo(scope, yamlKey(scope, name));
  if (!info) throw new Error(`\`${name}\` is not a key of ${scopeLabel(scope)}`);
  const k = info.key;
  if (value === null || value === undefined) throw new Error(`\`${k}\` has no value`);
  if (info.repeatable && Array.isArray(value)) return value.flatMap((v) => render(scope, name, v, indent));
  const scalar = (v: unknown): string => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new Error(`\`${k}\` takes ${info.value.kind === 'map' ? 'a mapping' : 'a single value'}`);
  };
  const kind = info.value;
  switch (kind.kind) {
    case 'word':
    case 'choice':
      return [`${indent}${k} ${quoteWord(scalar(value))}`];
    case 'words':
      return [`${indent}${k} ${Array.isArray(value) ? value.map((v) => quoteWord(scalar(v))).join(' ') : scalar(value)}`];
    case 'line':
      return [`${indent}${k} ${scalar(value)}`];
    case 'map':
      if (!isRecord(value)) throw new Error(`\`${k}\` takes a mapping of names to values`);
      return [`${indent}${k}`, ...Object.entries(value).map(([n, v]) => `${indent}  ${n} ${quoteWord(scalar(v))}`)];
    case 'block':
      if (!isRecord(value)) return [`${indent}${k} ${scalar(value)}`];
      return [`${indent}${k}`, ...Object.entries(value).flatMap(([n, v]) => render(kind.scope, n, v, `${indent}  `))];
  }
}

/** The manifest's own verdict on the lines, within an app: its first error there, or null. */
function check(lines: string[]): string | null {
  const parsed = parseManifest(['app x', ...lines, ''].join('\n'), 'x-skr8tr.skr8tr', { dir: '/' });
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error' && d.line > 1);
  return hasErrors(errors) ? errors[0]!.message : null;
}
