// The processes of a home that the harness did not start: daemons the CLI started (detached, so no
// test holds their pids) and the replicas under them. Found in /proc by their environment: the
// daemons carry SKR8TR_HOME=<home>; a test's replicas carry TEST_HOME=<home> (their manifests set
// it: a replica's environment drops Skr8tr's own variables). Linux only, like the tests that use it.
import * as fs from 'node:fs';
import { groupMembers, isAlive } from '../../src/shared/platform/process';
import { waitFor } from './harness';

/** Live processes (zombies aside) whose environment names the home. */
export function homeProcesses(home: string): number[] {
  const marks = [`SKR8TR_HOME=${home}`, `TEST_HOME=${home}`];
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let env: string;
    try {
      env = fs.readFileSync(`/proc/${name}/environ`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const vars = env.split('\0');
    if (marks.some((m) => vars.includes(m)) && isAlive(Number(name))) found.push(Number(name));
  }
  return found;
}

/** What a process runs, for messages. */
export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '(gone)';
  }
}

/**
 * A test's last word on a home: waits a little for its processes to go, then kills what is left
 * (and their process groups) and says what that was; '' when nothing was left.
 */
export async function sweepHome(home: string, graceMs = 5_000): Promise<string> {
  const left = await waitFor(`the processes of ${home} to be gone`, () => (homeProcesses(home).length === 0 ? 'none' : null), graceMs).catch(() => null);
  if (left === 'none') return '';
  const pids = homeProcesses(home);
  const said = pids.map((p) => `${p}: ${commandOf(p)}`).join('; ');
  for (const p of pids) {
    for (const m of groupMembers(p)) signal(m);
    signal(p);
  }
  await waitFor(`the killed processes of ${home} to be gone`, () => homeProcesses(home).length === 0, 10_000).catch(() => {});
  return said;
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}
