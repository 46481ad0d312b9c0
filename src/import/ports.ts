// Compose's `ports` entries, short (`[HOST:]CONTAINER[/PROTOCOL]`, HOST being `[IP:](port|range)`)
// and long (`{target, published, host_ip, protocol, ...}`), read into one shape. Pure.

export interface PortMapping {
  /** The container's port or range: `80`, `8080-8081`. */
  target: string;
  /** The host's port or range, when published: `8080`, `9090-9091`. */
  published: string | null;
  hostIp: string | null;
  protocol: 'tcp' | 'udp';
}

export type PortParse = { ok: true; port: PortMapping } | { ok: false; reason: string };

const PORT = /^\d{1,5}(-\d{1,5})?$/;

/** A short-form entry (a string, or a bare number). */
export function parseShortPort(entry: string | number): PortParse {
  let text = String(entry).trim();
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = text.lastIndexOf('/');
  if (slash >= 0) {
    const p = text.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') return { ok: false, reason: `"${entry}": protocol ${p} is not tcp or udp` };
    protocol = p;
    text = text.slice(0, slash);
  }
  let hostIp: string | null = null;
  // An address in brackets, `[::1]:6001:6001`, or a bare IPv6 one, `::1:6000:6000`: the last two parts are ports.
  const bracket = /^\[([^\]]+)\]:(.*)$/.exec(text);
  let parts: string[];
  if (bracket) {
    hostIp = bracket[1]!;
    parts = bracket[2]!.split(':');
    if (parts.length !== 2) return { ok: false, reason: `"${entry}": expected [IP]:HOST:CONTAINER` };
  } else {
    parts = text.split(':');
    if (parts.length > 3) {
      const target = parts.pop()!;
      const published = parts.pop()!;
      hostIp = parts.join(':');
      parts = [published, target];
    } else if (parts.length === 3) {
      hostIp = parts.shift()!;
    }
  }
  const target = parts.pop()!;
  const published = parts.length > 0 ? parts[0]! : null;
  if (!PORT.test(target)) return { ok: false, reason: `"${entry}": container port ${target || '(none)'} is not a port or range` };
  if (published !== null && published !== '' && !PORT.test(published)) return { ok: false, reason: `"${entry}": host port ${published} is not a port or range` };
  return { ok: true, port: { target, published: published || null, hostIp: hostIp || null, protocol } };
}

/** A long-form entry. */
export function parseLongPort(entry: Record<string, unknown>): PortParse {
  const target = entry.target;
  if (target === undefined || target === null || !PORT.test(String(target))) return { ok: false, reason: `target ${String(target)} is not a port` };
  const published = entry.published === undefined || entry.published === null || entry.published === '' ? null : String(entry.published);
  if (published !== null && !PORT.test(published)) return { ok: false, reason: `published ${published} is not a port or range` };
  const protocol = String(entry.protocol ?? 'tcp').toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp') return { ok: false, reason: `protocol ${protocol} is not tcp or udp` };
  const hostIp = typeof entry.host_ip === 'string' && entry.host_ip !== '' ? entry.host_ip : null;
  return { ok: true, port: { target: String(target), published, hostIp, protocol } };
}

export function parsePort(entry: unknown): PortParse {
  if (typeof entry === 'string' || typeof entry === 'number') return parseShortPort(entry);
  if (entry && typeof entry === 'object' && !Array.isArray(entry)) return parseLongPort(entry as Record<string, unknown>);
  return { ok: false, reason: `${JSON.stringify(entry)} is not a port entry` };
}

/** A single port (not a range) as a number, or null. */
export function singlePort(p: string | null): number | null {
  if (p === null || p.includes('-')) return null;
  const n = Number(p);
  return n >= 1 && n <= 65535 ? n : null;
}
