// What to say about a replica that failed while starting, read from its last lines of output: what
// its standard error ended with (the SyntaxError, the missing module), and what to do about the
// most common first mistake. Pure.
import type { AppSpec } from '../shared/manifest/model';
import { ingressPortTakenHint } from '../shared/start-failures';

/** A line of a replica's output, as the log store keeps it. */
export interface OutputLine {
  stream: 'out' | 'err';
  text: string;
}

/** How much of a replica's standard error a failure reason quotes: its last lines, each and all together bounded. */
export const STDERR_TAIL = { lines: 4, lineChars: 200, chars: 500 };

/** Lines that say nothing a reader needs: a JavaScript stack frame, Node's version trailer, a caret under a column. */
const NOISE = [/^at\s/, /^Node\.js v\d/, /^[\s^~]+$/];
/** Colour and cursor escapes, and the other control characters a terminal would act on. */
const CONTROL = /\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]/g;

/**
 * The last lines a replica wrote to its standard error, as a failure reason quotes them: empty lines,
 * stack frames and Node's version trailer left out, each line cut at `lineChars`, the whole at
 * `chars` (the last lines kept: the error is said last), joined with ` ⏎ `. Null when it wrote none.
 */
export function stderrTail(output: readonly OutputLine[], limits = STDERR_TAIL): string | null {
  const lines = output
    .filter((l) => l.stream === 'err')
    .map((l) => l.text.replace(CONTROL, '').trim())
    .filter((t) => t !== '' && !NOISE.some((n) => n.test(t)))
    .slice(-limits.lines)
    .map((t) => (t.length > limits.lineChars ? `${t.slice(0, limits.lineChars - 1)}…` : t));
  const kept: string[] = [];
  let used = 0;
  for (const t of lines.reverse()) {
    const cost = t.length + (kept.length > 0 ? 3 : 0);
    if (used + cost > limits.chars) {
      if (kept.length === 0) kept.push(`${t.slice(0, limits.chars - 1)}…`);
      break;
    }
    kept.unshift(t);
    used += cost;
  }
  return kept.length > 0 ? kept.join(' ⏎ ') : null;
}

/** "Address already in use" as Node, Python, Go, Java, Ruby, Rust and C programs say it. */
const ADDRESS_IN_USE = /EADDRINUSE|address already in use|BindException|Only one usage of each socket address/i;

/**
 * The most common first mistake: a program that binds the manifest's `port` itself, which the
 * ingress holds, instead of the port each replica is given in PORT.
 */
export function startFailureHint(spec: AppSpec, output: readonly string[]): string | null {
  if (!spec.ingress || spec.port === null) return null;
  if (!output.some((line) => ADDRESS_IN_USE.test(line))) return null;
  return ingressPortTakenHint(spec.port);
}
