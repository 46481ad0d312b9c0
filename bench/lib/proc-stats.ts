// What Linux says of a process the benchmarks measure: its CPU time and resident memory, from
// /proc/<pid>/stat and /proc/<pid>/status.
import * as fs from 'node:fs';

/** The kernel's clock ticks a second for utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_S = 100;

/** The smallest CPU time the kernel counts, in ms. */
export const TICK_MS = 1000 / TICKS_PER_S;

/** CPU time (user + system) the process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command (which may hold spaces and parentheses): utime is the 14th field
  // overall and stime the 15th, so the 12th and 13th after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
}

/** A line of /proc/<pid>/status in MiB (`VmRSS`: resident now; `VmHWM`: the most it has been). */
export function statusMiB(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${key} in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

/** Resident memory now, in MiB. */
export const rssMiB = (pid: number): number => statusMiB(pid, 'VmRSS');
