// Who holds a port (src/shared/platform/port-owner.ts): the pure parts, reading /proc/net/tcp
// tables and showing a command line. The lookup itself runs against real processes in
// test/integration/workspace.test.ts.
import * as assert from 'node:assert/strict';
import { commandOf, listeningInodes } from '../../../src/shared/platform/port-owner';

const TCP = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0',
  '   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 20 4 30 10 -1',
  '   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0',
].join('\n');
const TCP6 = [
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9090 1 0000000000000000 100 0 0 10 0',
].join('\n');

describe('port owner', () => {
  it('finds the sockets listening on a port in IPv4 and IPv6 tables, not connections to it', () => {
    assert.deepEqual([...listeningInodes([TCP, TCP6], 8080)].sort(), ['4242', '9090']);
    assert.deepEqual([...listeningInodes([TCP, TCP6], 80)], ['777']);
    assert.deepEqual([...listeningInodes([TCP, TCP6], 8081)], []);
    assert.deepEqual([...listeningInodes(['', 'garbage\nline'], 8080)], []);
  });

  it('shows a command line by its program\'s name and arguments, cut short', () => {
    assert.equal(commandOf(['/usr/bin/python3', '-m', 'http.server', '8080']), 'python3 -m http.server 8080');
    assert.equal(commandOf([]), '?');
    assert.equal(commandOf(['node', 'x'.repeat(200)]).length, 80);
  });
});
