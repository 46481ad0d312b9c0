// Watching an app's files on a real file system (chokidar over fs.watch): what is never a source
// change. A named pipe under the app's folder (an agent keeps replica output in them, and the home
// may sit under a project) changes with every line a replica prints; an agent's folder made after
// the watch began is the Conductor's own. A regular file saved beside them is what is reported.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SourceWatch } from '../../src/conductor/source-watch';
import { SinkLogger } from '../../src/shared/logger';
import { waitFor } from './harness';

describe('watching an app\'s files', function () {
  this.timeout(30_000);
  let root = '';
  let watch: SourceWatch | null = null;

  afterEach(async () => {
    await watch?.close();
    watch = null;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reports a saved file, never a named pipe being written nor an agent folder the home gains later', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-watch-'));
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(root, 'server.js'), 'v1\n');
    const seen: string[][] = [];
    watch = new SourceWatch({ root, paths: ['**/*'], ignore: [], debounceMs: 50, always: [], never: [path.join(home, 'state'), path.join(home, 'agent-*')] }, new SinkLogger(() => {}, 'error'), (files) => seen.push(files));
    await watch.ready();

    // A named pipe under the root, written (opened read-write so that no reader is needed).
    const fifo = path.join(root, 'output.out');
    execFileSync('mkfifo', [fifo]);
    const fd = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    for (let i = 0; i < 5; i++) fs.writeSync(fd, `line ${i}\n`);
    // An agent's folder made now, and a file in it.
    fs.mkdirSync(path.join(home, 'agent-local', 'output'), { recursive: true });
    fs.writeFileSync(path.join(home, 'agent-local', 'output', 'records.json'), '{}');
    // Then the one real change.
    fs.writeFileSync(path.join(root, 'server.js'), 'v2\n');
    await waitFor('the saved file to be reported', () => seen.some((files) => files.includes('server.js')), 10_000, 20);
    fs.closeSync(fd);
    assert.deepEqual(seen.flat(), ['server.js'], 'only the saved file');
  });
});
