// Who listens on a TCP port of this host: the pid and command line, so that a port conflict names
// its holder ("port 8080 is in use by pid 4242 (python3 -m http.server)"). Linux reads /proc (the
// listening socket's inode in /proc/net/tcp{,6}, then the process whose fd points at it); macOS
// asks lsof. Best effort: null when it cannot tell (another user's process, no lsof).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';

export interface PortOwner {
  pid: number;
  command: string;
}

const LISTEN = '0A';

/** "pid 4242 (python3 -m http.server)" */
export function describeOwner(o: PortOwner): string {
  return `pid ${o.pid} (${o.command})`;
}

export async function portOwner(port: number): Promise<PortOwner | null> {
  if (process.platform === 'linux') return linuxOwner(port);
  if (process.platform === 'darwin') return lsofOwner(port);
  return null;
}

/** Inodes of the sockets listening on `port` (any address), from /proc/net/tcp and tcp6. */
export function listeningInodes(tables: readonly string[], port: number): Set<string> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of tables) {
    for (const line of table.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (f.length < 10 || f[3] !== LISTEN) continue;
      if (f[1]!.slice(f[1]!.lastIndexOf(':') + 1) === hex && f[9] !== '0') inodes.add(f[9]!);
    }
  }
  return inodes;
}

async function linuxOwner(port: number): Promise<PortOwner | null> {
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((f) => fs.promises.readFile(f, 'utf8').catch(() => '')));
  const inodes = listeningInodes(tables, port);
  if (inodes.size === 0) return null;
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  for (const name of await fs.promises.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[];
    try {
      fds = await fs.promises.readdir(`/proc/${name}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      const target = await fs.promises.readlink(`/proc/${name}/fd/${fd}`).catch(() => '');
      if (!wanted.has(target)) continue;
      const cmdline = await fs.promises.readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
      return { pid: Number(name), command: commandOf(cmdline.split('\0').filter(Boolean)) };
    }
  }
  return null;
}

function lsofOwner(port: number): Promise<PortOwner | null> {
  return new Promise((resolve) => {
    execFile('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], { timeout: 3_000 }, (err, stdout) => {
      if (err) return resolve(null);
      const pid = /^p(\d+)$/m.exec(stdout);
      const cmd = /^c(.*)$/m.exec(stdout);
      resolve(pid ? { pid: Number(pid[1]), command: cmd?.[1] ?? '?' } : null);
    });
  });
}

/** A command line as people read it: the program's base name and its arguments, cut short. */
export function commandOf(argv: readonly string[]): string {
  if (argv.length === 0) return '?';
  const [program, ...args] = argv;
  const text = [program!.slice(program!.lastIndexOf('/') + 1), ...args].join(' ');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
