// The `health` key of an app: the block (`check`, `interval`, `timeout`, `retries`) or the one-line
// form `health GET /health 200`, and the `check` both share (`GET /path [status]`, `tcp`, or
// `exec PROGRAM ARGS...`: a program whose exit 0 means healthy, never run through a shell). Read
// through entry-reader.ts.
import type { Entry } from './entries';
import type { EntryReader } from './entry-reader';
import { DEFAULTS, type HealthSpec } from './model';
import { parseInteger, positiveDuration } from './values';

export function readHealth(r: EntryReader, e: Entry): HealthSpec | null {
  const h: HealthSpec = {
    kind: 'http',
    method: null,
    path: null,
    status: null,
    command: null,
    intervalMs: DEFAULTS.health.intervalMs,
    timeoutMs: DEFAULTS.health.timeoutMs,
    retries: DEFAULTS.health.retries,
  };
  let checked = false;
  if (e.children === null) {
    checked = readCheck(r, e, h);
    r.positions.set('health.check', e.restPos);
  } else {
    for (const c of r.scopeEntries(e.children, 'health', 'health.')) {
      switch (c.key) {
        case 'check':
          checked = readCheck(r, c, h);
          break;
        case 'interval':
          h.intervalMs = r.typed(c, positiveDuration) ?? h.intervalMs;
          break;
        case 'timeout':
          h.timeoutMs = r.typed(c, positiveDuration) ?? h.timeoutMs;
          break;
        case 'retries':
          h.retries = r.typed(c, (t) => parseInteger(t, 1, 100)) ?? h.retries;
          break;
      }
    }
  }
  if (!checked) {
    if (!r.positions.get('health.check')) r.sink.error(e.keyPos, '`health` needs a `check`: `check GET /health 200`, `check tcp` or `check exec PROGRAM ARGS...`');
    return null;
  }
  return h;
}

/** `GET /path [status]`, `tcp` or `exec PROGRAM ARGS...`, written into `h`; false when it is none. */
function readCheck(r: EntryReader, e: Entry, h: HealthSpec): boolean {
  const [first, second, third, extra] = e.args;
  if (!first) {
    r.sink.error(e.keyPos, '`check` needs `GET /path [status]`, `tcp` or `exec PROGRAM ARGS...`');
    return false;
  }
  const kind = first.text.toLowerCase();
  if (kind === 'tcp') {
    if (second) r.sink.error(second.pos, '`check tcp` takes nothing more');
    Object.assign(h, { kind: 'tcp', method: null, path: null, status: null, command: null });
    return true;
  }
  if (kind === 'exec') {
    if (!second || second.text === '') {
      r.sink.error(second?.pos ?? first.pos, '`check exec` needs a program, like `check exec redis-cli -p ${PORT} ping`');
      return false;
    }
    // The program resolves like `exec`: a path with a slash against the manifest's folder, a bare name on PATH.
    const command = [r.program(second.text), ...e.args.slice(2).map((t) => t.text)];
    Object.assign(h, { kind: 'exec', method: null, path: null, status: null, command });
    return true;
  }
  if (kind === 'get') {
    if (!second || !second.text.startsWith('/')) {
      r.sink.error(second?.pos ?? e.restPos, '`check GET` needs a path starting with `/`, like `check GET /health 200`');
      return false;
    }
    let status = DEFAULTS.health.status;
    if (third) {
      const s = parseInteger(third.text, 100, 599);
      if (!s.ok) {
        r.sink.error(third.pos, `bad status: ${s.reason}`);
        return false;
      }
      status = s.value;
    }
    if (extra) r.sink.error(extra.pos, `unexpected "${extra.text}" after the status`);
    Object.assign(h, { kind: 'http', method: 'GET', path: second.text, status, command: null });
    return true;
  }
  const hint = ['post', 'head', 'put', 'http', 'https'].includes(kind) ? '; only `GET` probes, `tcp` and `exec` are supported' : '';
  r.sink.error(first.pos, `"${first.text}" is not a check: write \`GET /path [status]\`, \`tcp\` or \`exec PROGRAM ARGS...\`${hint}`);
  return false;
}
