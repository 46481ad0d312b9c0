// Parsers for the manifest's value types. Each returns the value, or a short reason it is not one.

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

/** A number with `ms`, `s`, `m` or `h`; a bare number is seconds. Result in milliseconds. */
export function parseDuration(text: string): Parsed<number> {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/i.exec(text);
  if (!m) return bad(`"${text}" is not a duration; write a number with ms, s, m or h, like 500ms or 10s`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  const ms = Math.round(n * factor);
  if (!Number.isSafeInteger(ms) || ms > 365 * 24 * 3_600_000) return bad(`"${text}" is too long a duration`);
  return ok(ms);
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/** A number and a unit (`b`, `kb`/`k`, `mb`/`m`, `gb`/`g`, binary multiples, any case). */
export function parseBytes(text: string): Parsed<number> {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)?$/i.exec(text);
  if (!m) return bad(`"${text}" is not a size; write a number and a unit, like 512mb or 4gb`);
  if (m[2] === undefined) return bad(`"${text}" has no unit; write ${text}mb or ${text}gb (b, kb, mb, gb)`);
  const factor = BYTE_UNITS[m[2].toLowerCase()];
  if (factor === undefined) return bad(`"${m[2]}" is not a size unit; use b, kb, mb or gb`);
  const bytes = Math.round(Number(m[1]) * factor);
  if (!Number.isSafeInteger(bytes)) return bad(`"${text}" is too large`);
  return ok(bytes);
}

/** A whole number within [min, max]. */
export function parseInteger(text: string, min: number, max: number): Parsed<number> {
  if (!/^[+]?\d+$/.test(text)) return bad(`"${text}" is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) return bad(`${text} is out of range; it must be from ${min} to ${max}`);
  return ok(n);
}

/** A positive number, decimals allowed. */
export function parseDecimal(text: string, max: number): Parsed<number> {
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(text)) return bad(`"${text}" is not a number`);
  const n = Number(text);
  if (n <= 0 || n > max) return bad(`${text} is out of range; it must be above 0 and at most ${max}`);
  return ok(n);
}

/** A percentage: `70` or `70%`, 0 to 100. */
export function parsePercent(text: string): Parsed<number> {
  const m = /^(\d+)%?$/.exec(text);
  if (!m) return bad(`"${text}" is not a percentage; write 70 or 70%`);
  const n = Number(m[1]);
  if (n > 100) return bad(`${text} is out of range; a percentage is 0 to 100`);
  return ok(n);
}

const TRUE = new Set(['true', 'yes', '1', 'on']);
const FALSE = new Set(['false', 'no', '0', 'off']);

/** `true`/`false`, `yes`/`no`, `1`/`0` (and `on`/`off`). */
export function parseBoolean(text: string): Parsed<boolean> {
  const t = text.toLowerCase();
  if (TRUE.has(t)) return ok(true);
  if (FALSE.has(t)) return ok(false);
  return bad(`"${text}" is not true or false (also yes/no, 1/0)`);
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(text: string, choices: readonly T[]): Parsed<T> {
  const t = text.toLowerCase() as T;
  if (choices.includes(t)) return ok(t);
  return bad(`"${text}" is not one of ${choices.join(', ')}`);
}

/** A duration longer than 0. */
export function positiveDuration(text: string): Parsed<number> {
  const r = parseDuration(text);
  if (r.ok && r.value === 0) return bad('must be longer than 0');
  return r;
}

/** `on` or `off` (any word parseBoolean takes), named as such when it is neither. */
export function parseOnOff(text: string): Parsed<boolean> {
  const r = parseBoolean(text);
  return r.ok ? r : bad(`"${text}" is not \`on\` or \`off\``);
}

/** An http:// or https:// URL, kept as written. */
export function parseUrl(text: string): Parsed<string> {
  try {
    const u = new URL(text);
    if (u.protocol === 'http:' || u.protocol === 'https:') return ok(text);
  } catch {
    // fall through
  }
  return bad(`"${text}" is not an http:// or https:// URL`);
}

/** VM memory: a bare number is MB; with a unit, converted to MB. */
export function parseMegabytes(text: string): Parsed<number> {
  if (/^\d+$/.test(text)) return parseInteger(text, 1, 16 * 1024 * 1024);
  const r = parseBytes(text);
  if (!r.ok) return r;
  return ok(Math.ceil(r.value / (1024 * 1024)));
}
