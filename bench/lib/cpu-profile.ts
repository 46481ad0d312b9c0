// Where a process's CPU time went, from a V8 CPU profile (.cpuprofile, as cpu-profile-hook.cjs
// writes it): self time in a few kinds of code, the process's own code named by its source file
// through the bundle's source map.
import * as fs from 'node:fs';
import { SourceMap } from 'node:module';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

export interface CpuShares {
  /** Wall time the profile covers, ms. */
  wallMs: number;
  /** Of it, ms on the CPU (not idle). */
  busyMs: number;
  /** Busy time by kind of code, ms, largest first. */
  kinds: { kind: string; ms: number }[];
  /** The bundle's own code by source file (src/…), ms, largest first. */
  ownFiles: { file: string; ms: number }[];
}

const NATIVE_IO = new Set(['writev', 'writeBuffer', 'writeLatin1String', 'writeUtf8String', 'writeAsciiString', 'writeUcs2String', 'close', 'shutdown', 'getpeername', 'getsockname', 'setNoDelay', 'setKeepAlive', 'readStart', 'readStop', 'connect', 'bind', 'listen']);

function kindOf(frame: ProfileNode['callFrame'], bundle: string): string {
  const { functionName: name, url } = frame;
  if (name === '(garbage collector)') return 'garbage collection';
  if (name === '(program)') return 'V8 and Node outside JavaScript (unattributed)';
  if (url === '') return NATIVE_IO.has(name) ? 'socket system calls (write, close, …)' : 'other native calls';
  if (url.startsWith('node:_http_') || url.includes('/_http_')) return "Node's HTTP (parser callbacks, requests, responses, agent)";
  if (url.startsWith('node:')) return "Node's streams, sockets, events and timers";
  if (url.endsWith(bundle)) return 'the Conductor\'s own code';
  return 'other JavaScript';
}

/** Reads a profile; `bundle` is the script it profiled (dist/conductor.js), whose source map names the source files. */
export function cpuShares(profileFile: string, bundle: string): CpuShares {
  const prof = JSON.parse(fs.readFileSync(profileFile, 'utf8')) as Profile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const intervalMs = (prof.endTime - prof.startTime) / 1000 / Math.max(1, prof.samples.length);
  const mapFile = `${bundle}.map`;
  const map = fs.existsSync(mapFile) ? new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8'))) : null;
  const kinds = new Map<string, number>();
  const files = new Map<string, number>();
  let idle = 0;
  for (const id of prof.samples) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(root)') {
      idle++;
      continue;
    }
    const kind = kindOf(frame, path.basename(bundle));
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    if (kind === "the Conductor's own code" && map) {
      const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string };
      const source = entry.originalSource ? entry.originalSource.replace(/^.*?\/(src|node_modules)\//, '$1/') : 'unmapped';
      files.set(source, (files.get(source) ?? 0) + 1);
    }
  }
  const ms = (n: number) => +(n * intervalMs).toFixed(1);
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    wallMs: ms(prof.samples.length),
    busyMs: ms(prof.samples.length - idle),
    kinds: sorted(kinds).map(([kind, n]) => ({ kind, ms: ms(n) })),
    ownFiles: sorted(files).map(([file, n]) => ({ file, ms: ms(n) })),
  };
}
