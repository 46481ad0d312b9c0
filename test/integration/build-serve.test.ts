// `build` steps and `serve static`, as the original Skr8tr's react-app manifest uses them: the
// Conductor runs the build in the manifest's folder before the generation starts (argv, never a
// shell), the agent serves the built folder with its static server, behind the ingress; a build
// that fails fails the rollout and the running generation keeps serving.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Cluster } from './harness';
import { freePort } from './load';

function get(port: number, p = '/'): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
      })
      .on('error', reject);
  });
}

describe('build steps and static serving', function () {
  this.timeout(90_000);
  let c: Cluster;

  beforeEach(async () => {
    c = new Cluster('build');
    await c.startConductor();
    await c.startAgent('n1');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  const manifest = (port: number, title: string, extraRun = '') =>
    [
      'app site',
      '  build',
      `    run ${process.execPath} -e "fs.mkdirSync('dist',{recursive:true}); fs.writeFileSync('dist/index.html','<h1>${title}</h1>'); fs.writeFileSync('dist/app.js','1')"`,
      ...(extraRun ? [`    run ${extraRun}`] : []),
      '    out ./dist',
      '  serve',
      '    static ./dist',
      `    port ${port}`,
      '  replicas 2',
      '  health GET /index.html 200',
      '',
    ].join('\n');

  it('builds, then serves the built files behind the ingress; a failed build keeps the running generation', async () => {
    const port = await freePort();
    const file = c.manifest('site.skr8tr', manifest(port, 'one'));
    const up = await c.cli(['rollout', file, '--wait']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /build: .* -e/);
    assert.match(up.stdout, /built generation 1 in \d+ ms/);
    await c.settled('site', 1, 2);
    assert.ok(fs.existsSync(path.join(path.dirname(file), 'dist', 'index.html')), 'built in the manifest\'s folder');
    const page = await get(port, '/');
    assert.equal(page.status, 200);
    assert.equal(page.body, '<h1>one</h1>');
    assert.match(page.type, /text\/html/);
    assert.equal((await get(port, '/app.js')).type, 'text/javascript; charset=utf-8');
    assert.equal((await get(port, '/missing.css')).status, 404);
    // Paths that climb out stay inside the folder (and find nothing there).
    for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd']) {
      const r = await get(port, p);
      assert.equal(r.status, 404, p);
      assert.doesNotMatch(r.body, /root:/);
    }

    // A build that fails: the rollout fails naming the step, and generation 1 keeps serving.
    c.manifest('site.skr8tr', manifest(port, 'two', `${process.execPath} -e "process.exit(3)"`));
    const failed = await c.cli(['rollout', file, '--wait']);
    assert.equal(failed.code, 1, failed.stdout);
    assert.match(failed.stdout + failed.stderr, /build step `.* -e "process.exit\(3\)"` exited with code 3/);
    const w = await c.settled('site', 1, 2);
    assert.equal(w.replicas.filter((r) => r.generation === 2).length, 0, 'no replica of the unbuilt generation was launched');
    const still = await get(port, '/');
    assert.equal(still.status, 200);
    assert.equal(still.body, '<h1>one</h1>', 'generation 1 serves its own build, not what the failed build left in dist');

    // A build step whose program does not exist: it could not start, and says which program.
    c.manifest('site.skr8tr', manifest(port, 'three', '/nonexistent/tool --flag'));
    const missing = await c.cli(['rollout', file, '--wait']);
    assert.equal(missing.code, 1, missing.stdout);
    assert.match(missing.stdout + missing.stderr, /build step `\/nonexistent\/tool --flag` could not start: program not found: \/nonexistent\/tool/);
    assert.equal((await get(port, '/')).body, '<h1>one</h1>');
  });
});
