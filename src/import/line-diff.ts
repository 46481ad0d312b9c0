// The difference between two texts, line by line, as `-`/`+` lines with a little context: what
// `skr8tr init` prints when a manifest is there already. A longest-common-subsequence table, fine
// for manifests (a few hundred lines). Pure.

export function lineDiff(before: string, after: string, context = 2): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: { op: ' ' | '-' | '+'; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ op: ' ', text: a[i++]! }), j++;
    else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ op: '+', text: b[j++]! });
    else ops.push({ op: '-', text: a[i++]! });
  }
  const out: string[] = [];
  let last = -1;
  ops.forEach((o, k) => {
    if (o.op === ' ') return;
    for (let c = Math.max(last + 1, k - context); c < k; c++) out.push(`  ${ops[c]!.text}`);
    out.push(`${o.op} ${o.text}`);
    last = k;
    for (let c = k + 1; c <= Math.min(ops.length - 1, k + context) && ops[c]!.op === ' '; c++) {
      out.push(`  ${ops[c]!.text}`);
      last = c;
    }
  });
  return out;
}
