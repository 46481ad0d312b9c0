// The `health` key of an app: the block (`check`, `interval`, `timeout`, `retries`) or the one-line
// form `health GET /health 200`, and the `check` both share. Read through entry-reader.ts.
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
    if (!r.positions.get('health.check')) r.sink.error(e.keyPos, '`health` needs a `check`: `check GET /health 200` or `check tcp`');
    return null;
  }
  return h;
}

/** `GET /path [status]` or `tcp`, written into `h`; false when it is neither. */
function readCheck(r: EntryReader, e: Entry, h: HealthSpec): boolean {
  const [first, second, third, extra] = e.args;
  if (!first) {
    r.sink.error(e.keyPos, '`check` needs `GET /path [status]` or `tcp`');
    return false;
  }
  const kind = first.text.toLowerCase();
  if (kind === 'tcp') {
    if (second) r.sink.error(second.pos, '`check tcp` takes nothing more');
    Object.assign(h, { kind: 'tcp', method: null, path: null, status: null });
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
    Object.assign(h, { kind: 'http', method: 'GET', path: second.text, status });
    return true;
  }
  const hint = ['post', 'head', 'put', 'http', 'https'].includes(kind) ? '; only `GET` probes and `tcp` are supported' : '';
  r.sink.error(first.pos, `"${first.text}" is not a check: write \`GET /path [status]\` or \`tcp\`${hint}`);
  return false;
}
