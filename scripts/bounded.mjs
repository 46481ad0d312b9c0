// Runs a command with an overall time bound, in its own process group, and proves it left nothing
// behind: every process it started carries a marker in its environment (inherited by descendants,
// also those that left the group: detached daemons, the browser), and whatever still carries it
// when the command ends is killed and reported. Each run's marker is a variable of its own, so a
// bounded run inside another (the e2e layer of `npm test`) is found by both. A run that overstays its bound is killed and fails
// loudly, naming itself. Used by `npm test` for each layer and by `npm run test:e2e`.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';

const markerOf = (id) => `SKR8TR_BOUNDED_${id.replace(/-/g, '')}`;

/** Live (not zombie) processes whose environment holds the run's marker. Linux: /proc. */
export function marked(id) {
  if (process.platform !== 'linux') return [];
  const entry = Buffer.from(`${markerOf(id)}=1\0`);
  const inner = Buffer.concat([Buffer.from('\0'), entry]);
  const found = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const env = fs.readFileSync(`/proc/${name}/environ`);
      if (!env.includes(inner) && !env.subarray(0, entry.length).equals(entry)) continue;
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim().slice(0, 160);
      found.push({ pid: Number(name), cmd });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

function kill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after `graceMs`, to every marked process; returns those that were found. */
async function sweep(id, graceMs = 3_000) {
  const left = marked(id);
  if (left.length === 0) return [];
  for (const p of left) kill(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (marked(id).length > 0 && Date.now() < deadline) await sleep(50);
  for (const p of marked(id)) kill(p.pid, 'SIGKILL');
  const hard = Date.now() + 5_000;
  while (marked(id).length > 0 && Date.now() < hard) await sleep(50);
  return left;
}

function banner(lines) {
  const bar = '#'.repeat(80);
  console.error(['', bar, ...lines.map((l) => `#  ${l}`), bar, ''].join('\n'));
}

/**
 * Runs `cmd args` (stdio inherited) within `timeoutMs`. Resolves to the exit status: the command's
 * own, 1 if it overstayed its bound or left processes behind.
 */
export async function runBounded({ name, cmd, args = [], timeoutMs, cwd, env = process.env }) {
  const id = randomUUID();
  const child = spawn(cmd, args, { cwd, env: { ...env, [markerOf(id)]: '1' }, stdio: 'inherit', detached: true });
  const stopGroup = (signal) => kill(-child.pid, signal);
  // This runner itself may be told to stop (Ctrl-C, CI's own limit): take the group with it.
  const onSignal = (signal) => {
    stopGroup('SIGTERM');
    void sweep(id, 2_000).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let overstayed = false;
  const timer = setTimeout(() => {
    overstayed = true;
    const bound = timeoutMs >= 60_000 ? `${Math.round(timeoutMs / 60_000)}-MINUTE` : `${Math.round(timeoutMs / 1000)}-SECOND`;
    banner([`${name.toUpperCase()} EXCEEDED ITS ${bound} BOUND: stopping it.`, 'The output above shows where it was.']);
    stopGroup('SIGTERM');
    setTimeout(() => stopGroup('SIGKILL'), 10_000).unref();
  }, timeoutMs);
  const status = await new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  clearTimeout(timer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const left = await sweep(id);
  if (left.length > 0) {
    banner([`${name}: ${left.length} process(es) were still running after it ended (killed now):`, ...left.map((p) => `  ${p.pid} ${p.cmd}`)]);
  }
  if (overstayed) return 1;
  return status !== 0 ? status : left.length > 0 ? 1 : 0;
}
