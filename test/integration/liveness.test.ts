// Liveness checks against a real zombie: `sh -c 'sleep 0.1 & exec sleep 30'` leaves a backgrounded
// child that exits and is never reaped (`sleep` does not wait for children). Every check in the
// project (a pid, a process group, a pid lock, conductor.json) must take it for gone: a slow or
// absent PID 1 (containers without an init) keeps such zombies for seconds or for ever.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { conductorPresence, findConductor } from '../../src/extension/presence';
import { ConductorClient, NotRunning } from '../../src/shared/client';
import { paths, writeFileAtomic } from '../../src/shared/home';
import { acquirePidLock } from '../../src/shared/pid-lock';
import { groupAlive, groupMembers, isAlive } from '../../src/shared/platform/process';
import { VERSION } from '../../src/shared/version';
import { waitFor } from './harness';

function stat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: f[0]!, ppid: Number(f[1]) };
  } catch {
    return null;
  }
}

function childrenOf(ppid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => stat(pid)?.ppid === ppid);
}

describe('liveness against a real zombie', function () {
  this.timeout(30_000);
  let parent: ChildProcess;
  let zombie: number;
  let work: string;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-zombie-'));
    parent = spawn('sh', ['-c', 'sleep 0.1 & exec sleep 30'], { detached: true, stdio: 'ignore' });
    const pid = parent.pid!;
    zombie = await waitFor('the backgrounded child to become a zombie', () => childrenOf(pid).find((c) => stat(c)?.state === 'Z'), 10_000);
  });

  after(async () => {
    if (parent?.pid) {
      try {
        process.kill(-parent.pid, 'SIGKILL');
      } catch {
        // gone already
      }
      await waitFor('the zombie\'s parent to be gone', () => !isAlive(parent.pid!) && !groupAlive(parent.pid!), 10_000);
    }
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('a zombie pid is not alive; its parent is', () => {
    assert.equal(stat(zombie)?.state, 'Z', 'still a zombie (nobody reaps it)');
    assert.equal(isAlive(zombie), false);
    assert.equal(isAlive(parent.pid!), true);
  });

  it('a process group lists only its live members and is gone when only zombies remain', () => {
    const pgid = parent.pid!;
    assert.deepEqual(groupMembers(pgid), [pgid]);
    assert.equal(groupAlive(pgid), true);
  });

  it('a pid lock held by a zombie is taken over (an agent or Conductor that crashed)', () => {
    const file = path.join(work, 'agent.lock');
    fs.writeFileSync(file, `${zombie}\n`);
    const lock = acquirePidLock(file, 'an agent for node z');
    assert.equal(fs.readFileSync(file, 'utf8').trim(), String(process.pid));
    lock.release();
  });

  it('conductor.json naming a zombie: no Conductor runs; the extension sees a crash, not a live one', () => {
    const home = path.join(work, 'home');
    fs.mkdirSync(home, { recursive: true });
    writeFileAtomic(paths.token(home), 'x'.repeat(64));
    writeFileAtomic(
      path.join(home, 'conductor.json'),
      JSON.stringify({ pid: zombie, socket: path.join(home, 'api.sock'), listen: null, agents: '127.0.0.1:1', version: VERSION, startedAt: Date.now(), home }),
    );
    assert.throws(() => ConductorClient.fromHome(home), NotRunning);
    assert.deepEqual(conductorPresence(home), { kind: 'crashed', pid: zombie });
    assert.equal(findConductor(home), null);
  });

  it('after the parent is killed, the group is gone although its zombie may linger', async () => {
    const pgid = parent.pid!;
    process.kill(-pgid, 'SIGKILL');
    await waitFor('the group to be gone', () => !groupAlive(pgid), 10_000);
    assert.equal(isAlive(zombie), false);
  });
});
