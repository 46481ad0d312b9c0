// The workspace the extension-host suite runs in: a working manifest (the HTTP fixture, health
// checked, on a port) and a broken one.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** `port`: the app's port, behind the ingress. */
export function prepareWorkspace(dir: string, port: number): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'test/fixtures/http-fixture.js'), path.join(dir, 'server.js'));
  fs.writeFileSync(
    path.join(dir, 'web.skr8tr'),
    ['app web', `  exec ${process.execPath}`, '  args server.js', '  replicas 1', `  port ${port}`, '  health GET /health 200', '  env', '    FIXTURE_VERSION v1', ''].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'broken.skr8tr'), 'app broken\n  exec ./server\n  replicas lots\n');
}
