// Where a build's output names a place in the code: the `file:line` of compilers and bundlers, as
// the build's step lines carry them ("  | src/a.ts(3,5): error TS1005: ';' expected."). Pure, so the
// forms are unit-tested; build-problems.ts puts what it finds in the Problems panel.

export interface BuildProblem {
  /** As written in the output (relative to the build's folder, or absolute). */
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
}

const FORMS: RegExp[] = [
  // tsc: src/a.ts(3,5): error TS1005: ';' expected.
  /^(?<file>[^\s()][^()]*?)\((?<line>\d+),(?<column>\d+)\): (?<severity>error|warning)(?: [A-Z]+\d+)?: (?<message>.+)$/,
  // gcc, go, eslint (unix), rustc's location after "-->", esbuild's location line: src/a.c:3:5: error: ...
  /^(?:--> )?(?<file>[^\s:][^:]*?\.[A-Za-z0-9]+):(?<line>\d+):(?<column>\d+):?(?: (?:(?<severity>error|warning|fatal error)):?)? ?(?<message>.*)$/,
  // Python: File "src/app.py", line 3
  /^File "(?<file>[^"]+)", line (?<line>\d+)/,
];

/** The problems a build's output lines name, with the message of an earlier line when the place comes on its own (esbuild, Python). */
export function buildProblems(lines: readonly string[]): BuildProblem[] {
  const out: BuildProblem[] = [];
  let pending: string | null = null;
  for (const raw of lines) {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trim();
    if (line === '') continue;
    const m = FORMS.map((f) => f.exec(line)).find(Boolean);
    if (!m?.groups) {
      // A message that an esbuild location or a Python traceback line gives its place to.
      if (/^(✘ \[ERROR\]|error:|error\[|[A-Za-z]*Error:)/.test(line)) {
        const message = line.replace(/^✘ \[ERROR\] |^error(\[\w+\])?: /, '');
        if (pending === null || !/Error:/.test(line)) pending = message;
        const last = out.at(-1);
        if (last && last.message === '' && /Error:/.test(line)) last.message = message;
      }
      continue;
    }
    const g = m.groups;
    const message = g.message?.trim() || pending || '';
    out.push({ file: g.file!, line: Number(g.line), column: Number(g.column ?? 1), severity: g.severity === 'warning' ? 'warning' : 'error', message });
    pending = null;
  }
  return out.filter((p) => !/^(https?|node):/.test(p.file));
}
