// What the views say about the connection (src/extension/view-status.ts): only a connected window
// shows the cluster; otherwise the views are empty and say since when they are not connected.
import * as assert from 'node:assert/strict';
import { viewStatus } from '../../../src/extension/view-status';

const hhmm = (ms: number) => `t${ms}`;

describe('view status', () => {
  it('connected: the cluster, nothing beside the titles', () => {
    assert.deepEqual(viewStatus('connected', null, hhmm), { showCluster: true, description: '', tooltip: 'Connected to the Conductor' });
  });

  it('not connected since a time: nothing shown as running, and the time said', () => {
    const s = viewStatus('disconnected', 1402, hhmm);
    assert.equal(s.showCluster, false);
    assert.equal(s.description, 'not connected since t1402');
    assert.match(s.tooltip, /^Not connected to a Conductor since t1402: nothing is shown as running\./);
    assert.equal(viewStatus('disconnected', null, hhmm).description, 'not connected');
  });

  it('reconnecting after a loss, or connecting the first time: not shown either', () => {
    assert.deepEqual(viewStatus('connecting', 5, hhmm), { showCluster: false, description: 'reconnecting (lost at t5)', tooltip: 'The connection to the Conductor was lost at t5; reconnecting…' });
    assert.equal(viewStatus('connecting', null, hhmm).description, 'connecting…');
  });
});
