// A generation's build output is immutable, like an image (src/conductor/snapshots.ts). A real
// static site is built by a real bundler (esbuild, from the project's own dependencies) into hashed
// assets, after a step that empties `out` first, as Vite does. The old generation keeps serving its
// own files while the next one builds and starts; then only the new files are served; a failing
// build changes nothing served. And the original Skr8tr's react-app.skr8tr, as written (3 replicas
// of `cpu 2` on a 2-core node), runs all its replicas and rolls out with no failed request.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Cluster, ROOT, waitFor } from './harness';
import { Load, freePort } from './load';

const ESBUILD = path.join(ROOT, 'node_modules', '.bin', 'esbuild');

function get(port: number, p = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** The hashed script an index.html names. */
function assetOf(index: string): string {
  const m = /src="\/(app-[A-Z0-9]+\.js)"/i.exec(index);
  assert.ok(m, `no hashed script in ${index}`);
  return m[1]!;
}

/**
 * A small site project: `clean.js` empties dist (then, while a file `hold` exists, waits for the test to
 * remove it: a gate), esbuild bundles, `index.js` writes the page.
 */
function writeProject(dir: string, message: string): void {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'src', 'app.js'), `export const message = ${JSON.stringify(message)};\ndocument.body.textContent = message;\n`);
  fs.writeFileSync(
    path.join(dir, 'clean.js'),
    [
      "const fs = require('fs');",
      "fs.rmSync('dist', { recursive: true, force: true });",
      "fs.mkdirSync('dist');",
      "const wait = () => (fs.existsSync('hold') ? setTimeout(wait, 20) : undefined);",
      'wait();',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    [
      "const fs = require('fs');",
      "const script = fs.readdirSync('dist').find((f) => /^app-.*\\.js$/.test(f));",
      "fs.writeFileSync('dist/index.html', `<!doctype html><title>site</title><script type=\"module\" src=\"/${script}\"></script>`);",
    ].join('\n'),
  );
}

const BUILD = [
  '  build',
  `    run ${process.execPath} clean.js`,
  `    run ${ESBUILD} src/app.js --bundle --format=esm --outdir=dist --entry-names=[name]-[hash] --log-level=warning`,
  `    run ${process.execPath} index.js`,
  '    out ./dist',
];

describe('build output captured per generation', function () {
  this.timeout(120_000);
  let c: Cluster;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  it('the old generation serves its own files while the next builds and starts, then only the new files are served; a failing build changes nothing', async () => {
    c = new Cluster('capture');
    await c.startConductor();
    await c.startAgent('n1');
    const port = await freePort();
    const file = c.manifest('site.skr8tr', ['app site', ...BUILD, '  serve', '    static ./dist', `    port ${port}`, '  replicas 2', '  health GET /index.html 200', ''].join('\n'));
    const dir = path.dirname(file);
    writeProject(dir, 'first');
    const up = await c.cli(['rollout', file, '--wait']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /captured .*dist for generation 1 in \d+ ms/);
    const one = await c.settled('site', 1, 2);
    const a1 = assetOf((await get(port, '/')).body);
    assert.match((await get(port, `/${a1}`)).body, /"first"/);
    const oldPorts = one.running.map((r) => r.port!);

    // The next build empties dist and is held there before bundling (the test's gate): a live dist is empty now.
    fs.writeFileSync(path.join(dir, 'hold'), '');
    writeProject(dir, 'second');
    const started = await c.cli(['rollout', file]);
    assert.equal(started.code, 0, started.stderr);
    let checks = 0;
    await waitFor('the build to have emptied dist', () => fs.existsSync(path.join(dir, 'dist')) && !fs.existsSync(path.join(dir, 'dist', 'index.html')));
    const oldServeTheirOwn = async () => {
      for (const p of oldPorts) {
        const page = await get(p, '/').catch(() => null);
        if (!page) continue; // stopped: replaced
        assert.equal(page.status, 200);
        assert.equal(assetOf(page.body), a1, 'an old replica serves its own generation\'s page');
        const script = await get(p, `/${a1}`);
        assert.equal(script.status, 200, 'and its assets');
        assert.match(script.body, /"first"/);
        checks++;
      }
    };
    // While the build is held with dist empty, the old replicas serve their own files...
    for (let i = 0; i < 5; i++) await oldServeTheirOwn();
    assert.equal(checks, 5 * oldPorts.length, 'every old replica answered while the new build ran');
    // ...and go on doing so, each until it is replaced, once the build goes on.
    fs.rmSync(path.join(dir, 'hold'));
    await waitFor('the rollout to finish, the old replicas serving their own files all along', async () => {
      const w = await c.workload('site');
      await oldServeTheirOwn();
      return w.generation === 2 && !w.rollout && w.replicas.filter((r) => r.generation === 2 && r.state === 'ready').length === 2;
    }, 60_000, 20);
    await c.settled('site', 2, 2);
    const a2 = assetOf((await get(port, '/')).body);
    assert.notEqual(a2, a1, 'the build changed every file');
    assert.match((await get(port, `/${a2}`)).body, /"second"/);
    assert.equal((await get(port, `/${a1}`)).status, 404, 'only the new files are served');
    assert.ok(fs.existsSync(path.join(c.home, 'builds', 'site', '2', a2)), 'served from the capture under the home');

    // A failing build: clean empties dist, the bundler fails; generation 2 keeps serving its files.
    fs.writeFileSync(path.join(dir, 'src', 'app.js'), 'export const = ;\n');
    const failed = await c.cli(['rollout', file, '--wait']);
    assert.equal(failed.code, 1, failed.stdout);
    assert.match(failed.stdout + failed.stderr, /build step `.*esbuild.*` exited with code 1/);
    assert.equal(fs.existsSync(path.join(dir, 'dist', 'index.html')), false, 'the failed build left dist empty');
    await c.settled('site', 2, 2);
    assert.equal(assetOf((await get(port, '/')).body), a2);
    assert.equal((await get(port, `/${a2}`)).status, 200);
    assert.equal(fs.existsSync(path.join(c.home, 'builds', 'site', '3')), false, 'nothing was captured for the failed build');

    // Captures go with their generations.
    assert.equal((await c.cli(['down', 'site'])).code, 0);
    await waitFor('the captures to be removed once the workload and its replicas are gone', () => {
      const left = fs.existsSync(path.join(c.home, 'builds', 'site')) ? fs.readdirSync(path.join(c.home, 'builds', 'site')) : [];
      return left.length === 0;
    }, 20_000);
  });

  it("the original's react-app.skr8tr shape (build, static, 3 replicas of cpu 2 on a 2-core node) runs all three and rolls out with 0 failed requests", async () => {
    c = new Cluster('react');
    await c.startConductor();
    await c.startAgent('n1', ['--cpu', '2']);
    const port = await freePort();
    const seed = fs.readFileSync(path.join(ROOT, 'test/fixtures/conformance/react-app.skr8tr'), 'utf8');
    assert.match(seed, /run {2}npm ci\n {4}run {2}npm run build\n/);
    const text = seed.replace(/ {2}build\n {4}run {2}npm ci\n {4}run {2}npm run build\n {4}out {2}\.\/dist\n/, `${BUILD.join('\n')}\n`).replace('port    3000', `port    ${port}`);
    assert.notEqual(text, seed);
    const file = c.manifest('react-app.skr8tr', text);
    writeProject(path.dirname(file), 'react v1');
    const up = await c.cli(['rollout', file, '--wait']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.equal((up.stdout.match(/node n1 is overcommitted: 6 CPUs requested of its 2/g) ?? []).length, 1, `said once in the steps:\n${up.stdout}`);
    const one = await c.settled('my-react-app', 1, 3, 60_000);
    assert.equal(one.running.length, 3, 'all three replicas run on the one 2-core node');
    assert.match(one.problem ?? '', /node n1 is overcommitted: 6 CPUs requested of its 2/);
    const list = await c.cli(['list']);
    assert.match(list.stdout, /! .*node n1 is overcommitted: 6 CPUs requested of its 2/);

    const load = new Load({ port, paths: ['/index.html'], keepAliveClients: 3, freshClients: 2, ratePerClient: 60, maxMs: 90_000 });
    writeProject(path.dirname(file), 'react v2');
    const rolled = await c.cli(['rollout', file, '--wait']);
    const result = await load.stop();
    assert.equal(rolled.code, 0, rolled.stdout + rolled.stderr);
    assert.doesNotMatch(rolled.stdout, /overcommitted/, 'nothing new to say: the surge overcommits only for a moment');
    await c.settled('my-react-app', 2, 3, 60_000);
    assert.ok(result.requests > 100, `load ran (${result.requests} requests)`);
    assert.equal(result.failures, 0, result.failureSamples.join('\n'));
    assert.match((await get(port, `/${assetOf((await get(port, '/')).body)}`)).body, /"react v2"/);
  });
});
