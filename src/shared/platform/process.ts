// Process specifics, kept in one place so another platform can follow: process groups, liveness,
// and a start time that tells a live process from a later one that reused its pid.
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Sends a signal to a whole process group (the replica and everything it forked). */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    // EPERM: it exists, but is not ours.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// A zombie (exited, not yet reaped by its parent) is gone for every purpose here: it holds no
// socket, runs nothing, and a slow or absent reaper (PID 1 in many containers) may keep it for ever.

export function isAlive(pid: number): boolean {
  return signalProcess(pid, 0) && !isZombie(pid);
}

/** Whether any process of the group is still alive (zombies do not count). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  return groupMembers(pgid).length > 0;
}

/** Live pids in a process group, zombies excluded (Linux: from /proc). */
export function groupMembers(pgid: number): number[] {
  if (process.platform !== 'linux') return [];
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') pids.push(Number(name));
  }
  return pids;
}

function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  return readStat(pid)?.state === 'Z';
}

interface Stat {
  state: string;
  pgrp: number;
  startTicks: number;
}

function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0]!, pgrp: Number(fields[2]), startTicks: Number(fields[19]) };
}

/**
 * An opaque token for when a process started, or null if it is not running. Compared with a saved
 * one, it tells the same process from another that got its pid later.
 */
export function processStartToken(pid: number): string | null {
  if (process.platform === 'linux') {
    const stat = readStat(pid);
    return stat ? String(stat.startTicks) : null;
  }
  try {
    return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}
