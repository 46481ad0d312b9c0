// The ids of the Skr8tr views' elements, built and read in one place: tree-items.ts builds the views
// from them, commands.ts reads the element a menu or an inline action was invoked on. Stable string
// keys, so VS Code keeps selection and expansion across refreshes:
//   Workloads:  w:<app>  →  g:<app>|<generation>  →  r:<replica>
//   Nodes:      n:<node> →  np:<node> (ports) → p:<node>|<port>;  nr:<node>|<replica>
//   Rollouts:   ro:<rollout id>
// The kind is the text before the first `:` (node ids may hold `:` themselves); `|` appears in no
// node, app or replica name.

export type TreeId =
  | { kind: 'workload'; app: string }
  | { kind: 'generation'; app: string; generation: number }
  | { kind: 'replica'; replica: string }
  | { kind: 'node'; node: string }
  | { kind: 'ports'; node: string }
  | { kind: 'port'; node: string; port: number }
  | { kind: 'node-replica'; node: string; replica: string }
  | { kind: 'rollout'; rollout: string };

export function treeId(id: TreeId): string {
  switch (id.kind) {
    case 'workload':
      return `w:${id.app}`;
    case 'generation':
      return `g:${id.app}|${id.generation}`;
    case 'replica':
      return `r:${id.replica}`;
    case 'node':
      return `n:${id.node}`;
    case 'ports':
      return `np:${id.node}`;
    case 'port':
      return `p:${id.node}|${id.port}`;
    case 'node-replica':
      return `nr:${id.node}|${id.replica}`;
    case 'rollout':
      return `ro:${id.rollout}`;
  }
}

/** The element an id names, or null for anything that is not an element's id. */
export function parseTreeId(text: unknown): TreeId | null {
  if (typeof text !== 'string') return null;
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const rest = text.slice(colon + 1);
  const bar = rest.indexOf('|');
  const [first, second] = bar < 0 ? [rest, null] : [rest.slice(0, bar), rest.slice(bar + 1)];
  switch (text.slice(0, colon)) {
    case 'w':
      return { kind: 'workload', app: rest };
    case 'g':
      return second === null ? null : { kind: 'generation', app: first, generation: Number(second) };
    case 'r':
      return { kind: 'replica', replica: rest };
    case 'n':
      return { kind: 'node', node: rest };
    case 'np':
      return { kind: 'ports', node: rest };
    case 'p':
      return second === null ? null : { kind: 'port', node: first, port: Number(second) };
    case 'nr':
      return second === null ? null : { kind: 'node-replica', node: first, replica: second };
    case 'ro':
      return { kind: 'rollout', rollout: rest };
    default:
      return null;
  }
}
