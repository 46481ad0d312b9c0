// How the daemons' own Node runs (src/shared/daemon-runtime.ts): the allocator setting is added for
// the daemon alone, never over the user's own, and the programs a daemon starts get neither it nor
// Skr8tr's variables.
import * as assert from 'node:assert/strict';
import { DAEMON_NODE_FLAGS, childEnv, daemonEnv } from '../../../src/shared/daemon-runtime';

describe('daemon runtime', () => {
  it('starts the daemons with a small young generation', () => {
    assert.ok(DAEMON_NODE_FLAGS.includes('--max-semi-space-size=1'));
  });

  it('adds the allocator setting to a daemon, naming it as the daemon\'s own; its replicas do not get it', () => {
    const user = { PATH: '/bin', HOME: '/home/u' };
    const daemon: NodeJS.ProcessEnv = { ...user, ...daemonEnv(user), SKR8TR_HOME: '/h' };
    assert.equal(daemon.MALLOC_TRIM_THRESHOLD_, '131072');
    assert.deepEqual(childEnv(daemon), user);
  });

  it('keeps a user\'s own setting, for the daemon and its replicas alike', () => {
    const user = { PATH: '/bin', MALLOC_TRIM_THRESHOLD_: '0' };
    assert.deepEqual(daemonEnv(user), {});
    const daemon = { ...user, ...daemonEnv(user) };
    assert.deepEqual(childEnv(daemon), user);
  });

  it('a program started by a daemon gets none of Skr8tr\'s variables and no unset ones', () => {
    assert.deepEqual(childEnv({ A: '1', SKR8TR_HOME: '/h', SKR8TR_TOKEN: 'x', B: undefined }), { A: '1' });
  });
});
