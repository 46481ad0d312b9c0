// Compose's merge of two service definitions (compose-spec 13-merge.md), for an override file, the
// files of an `include` path list and a service's `extends`: mappings merge key by key; sequences
// append; `command`, `entrypoint` and `healthcheck.test` are replaced; `ports`, `volumes`,
// `secrets` and `configs` append only entries with a new unique key (one with the same key
// replaces the old); `environment`, `labels` and the like, a map or a `K=V` list, merge as maps;
// a `depends_on` list is its map form with `service_started`. Pure.
import { parsePort } from './ports';
import { isRecord } from './yaml-lines';

const REPLACED = new Set(['command', 'entrypoint', 'healthcheck.test']);
const MAP_OR_LIST = new Set(['environment', 'labels', 'annotations', 'sysctls', 'extra_hosts', 'build.args', 'deploy.labels']);

/** `over` merged onto `base`, as the later file wins; `path` is the key's place in a service (`healthcheck.test`). */
export function mergeService(base: unknown, over: unknown, path = ''): unknown {
  if (over === undefined) return base;
  if (base === undefined || base === null || REPLACED.has(path)) return over;
  if (MAP_OR_LIST.has(path)) return { ...asMap(base), ...asMap(over) };
  if (path === 'depends_on') return mergeService(dependsMap(base), dependsMap(over), 'depends_on.*');
  if (isRecord(base) && isRecord(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = mergeService(base[k], v, path ? `${path}.${k}` : k);
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    const key = UNIQUE[path];
    if (!key) return [...base, ...over];
    const out = [...base];
    for (const entry of over) {
      const k = key(entry);
      const i = k === null ? -1 : out.findIndex((e) => key(e) === k);
      if (i >= 0) out[i] = entry;
      else out.push(entry);
    }
    return out;
  }
  return over;
}

/** `K=V` lists and maps as one map (a bare `K` is null: the shell's value). */
function asMap(v: unknown): Record<string, unknown> {
  if (isRecord(v)) return v;
  if (!Array.isArray(v)) return {};
  return Object.fromEntries(
    v.map((e) => {
      const s = String(e);
      const eq = s.indexOf('=');
      return eq < 0 ? [s, null] : [s.slice(0, eq), s.slice(eq + 1)];
    }),
  );
}

function dependsMap(v: unknown): Record<string, unknown> {
  if (isRecord(v)) return v;
  return Object.fromEntries((Array.isArray(v) ? v : []).map((d) => [String(d), { condition: 'service_started' }]));
}

const target = (e: unknown): string | null => {
  if (isRecord(e)) return e.target === undefined ? null : String(e.target);
  if (typeof e !== 'string') return null;
  const parts = e.split(':');
  return parts.length === 1 ? parts[0]! : parts[1]!;
};

const UNIQUE: Record<string, (e: unknown) => string | null> = {
  volumes: target,
  secrets: (e) => (typeof e === 'string' ? e : target(e) ?? (isRecord(e) ? String(e.source) : null)),
  configs: (e) => (typeof e === 'string' ? e : target(e) ?? (isRecord(e) ? String(e.source) : null)),
  ports: (e) => {
    const r = parsePort(e);
    return r.ok ? `${r.port.hostIp ?? ''}|${r.port.target}|${r.port.published ?? ''}|${r.port.protocol}` : null;
  },
};
