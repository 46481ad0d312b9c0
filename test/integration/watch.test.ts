// The inner loop with real processes: a watched app of 2 replicas under bounded loopback load. A
// source file saved five times in quick succession makes at most two rollouts and the final code
// serves, with no failed request; a syntax error fails its rollout and the old code keeps serving;
// an env file's new value reaches a new generation and never any API view, event or log.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { ApiEvent } from '../../src/shared/protocol/api';
import { Cluster, waitFor } from './harness';
import { Load, freePort } from './load';

const SERVER = `
const http = require('http');
const crypto = require('crypto');
const version = require('./version.js');
const token = crypto.createHash('sha256').update(process.env.API_TOKEN || '').digest('hex').slice(0, 12);
const server = http.createServer((req, res) => res.end(req.url === '/health' ? 'ok' : version + ' ' + token + ' ' + process.pid));
setTimeout(() => server.listen(Number(process.env.PORT), '127.0.0.1'), 100);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

const sha = (v: string) => crypto.createHash('sha256').update(v).digest('hex').slice(0, 12);

describe('watch: save a file, the new code serves', function () {
  this.timeout(120_000);
  let c: Cluster;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  it('coalesces quick saves into at most two rollouts with no failed request; a syntax error keeps the old code serving; an env file is a secret that rolls out', async () => {
    c = new Cluster('watch');
    let conductor = await c.startConductor();
    await c.startAgent('n1');
    const port = await freePort();
    const file = c.manifest(
      'web.skr8tr',
      ['app web', `  exec ${process.execPath}`, '  args server.js', `  port ${port}`, '  replicas 2', '  health GET /health 200', '  drain 1s', '  watch *.js', '  env-file .env', ''].join('\n'),
    );
    const dir = path.dirname(file);
    const firstToken = 'tok-first-8c1f5e2a';
    fs.writeFileSync(path.join(dir, 'server.js'), SERVER);
    fs.writeFileSync(path.join(dir, 'version.js'), "module.exports = 'v1';\n");
    fs.writeFileSync(path.join(dir, '.env'), `API_TOKEN=${firstToken}\n`);
    const up = await c.cli(['up', file, '--watch']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    await c.settled('web', 1, 2);
    assert.equal((await c.workload('web')).watching, true);
    assert.equal(await get(port).then((b) => b.split(' ').slice(0, 2).join(' ')), `v1 ${sha(firstToken)}`);

    // Five saves in quick succession, under load.
    const events: ApiEvent[] = await c.recordEvents();
    const load = new Load({ port, keepAliveClients: 3, freshClients: 1, ratePerClient: 50, maxMs: 60_000 });
    for (let i = 2; i <= 6; i++) {
      fs.writeFileSync(path.join(dir, 'version.js'), `module.exports = 'v${i}';\n`);
      await new Promise((r) => setTimeout(r, 30));
    }
    await waitFor('the final code to serve from every ready replica, and no rollout running', async () => {
      const w = await c.workload('web');
      const ready = w.replicas.filter((r) => r.state === 'ready');
      if (w.rollout || ready.length !== 2) return false;
      const bodies = await Promise.all(ready.map((r) => get(r.port!)));
      return bodies.every((b) => b.startsWith('v6 '));
    }, 60_000, 100);
    const byWatch = new Set(events.filter((e): e is Extract<ApiEvent, { type: 'rollout' }> => e.type === 'rollout' && e.rollout.trigger === 'watch').map((e) => e.rollout.id));
    assert.ok(byWatch.size >= 1 && byWatch.size <= 2, `${byWatch.size} rollouts for five quick saves`);
    assert.ok(events.some((e) => e.type === 'step' && /^watch: version\.js changed; rollout /.test(e.step.message)), 'the first step says which file changed');

    // A syntax error: the rollout fails, the old code keeps serving.
    fs.writeFileSync(path.join(dir, 'version.js'), "module.exports = 'v7\n");
    await waitFor('the broken rollout to end', () => {
      const ends = events.filter((e): e is Extract<ApiEvent, { type: 'rollout' }> => e.type === 'rollout' && e.rollout.trigger === 'watch' && !byWatch.has(e.rollout.id) && e.rollout.state === 'rolled-back');
      return ends.length > 0;
    }, 60_000, 50);
    assert.ok(events.some((e) => e.type === 'step' && /SyntaxError|exited with code 1 while starting/.test(e.step.message)), 'the steps say why');
    assert.match(await get(port), /^v6 /);
    const result = await load.stop();
    assert.ok(result.requests > 100, `load ran (${result.requests} requests)`);
    assert.equal(result.failures, 0, result.failureSamples.join('\n'));

    // The env file: a new value rolls out (after the code is fixed) and is never shown.
    const secondToken = 'tok-second-47d9b0c3';
    fs.writeFileSync(path.join(dir, 'version.js'), "module.exports = 'v8';\n");
    await waitFor('v8 to serve', async () => (await get(port)).startsWith(`v8 ${sha(firstToken)}`), 60_000, 100);
    fs.writeFileSync(path.join(dir, '.env'), `API_TOKEN=${secondToken}\n`);
    await waitFor('the new token to reach the replicas', async () => {
      const w = await c.workload('web');
      return !w.rollout && (await get(port)).startsWith(`v8 ${sha(secondToken)}`);
    }, 60_000, 100);
    const views = JSON.stringify([await c.client().call('workloads', {}), await c.client().call('nodes', {})]);
    // The daemons' logs and every replica's kept output.
    const logDir = path.join(c.home, 'logs');
    const logFiles = (fs.readdirSync(logDir, { recursive: true }) as string[]).map((f) => path.join(logDir, f)).filter((f) => fs.statSync(f).isFile());
    assert.ok(logFiles.some((f) => f.endsWith('.ndjson')), `replica logs are among ${logFiles.join(', ')}`);
    const logs = logFiles.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    const list = await c.cli(['list', '--json']);
    for (const token of [firstToken, secondToken]) {
      assert.ok(!views.includes(token), 'not in any API view');
      assert.ok(!JSON.stringify(events).includes(token), 'not in any event');
      assert.ok(!logs.includes(token), 'not in the daemons\' logs');
      assert.ok(!list.stdout.includes(token), 'not in list');
    }
    assert.ok((await c.workload('web')).spec.secretKeys.includes('API_TOKEN'), 'its name is known as a secret');

    // Watching is journaled: a restarted Conductor watches again.
    await c.stop(conductor);
    conductor = await c.startConductor();
    await c.settled('web', (await c.workload('web')).generation, 2);
    fs.writeFileSync(path.join(dir, 'version.js'), "module.exports = 'v9';\n");
    await waitFor('v9 to serve after the restart', async () => (await get(port)).startsWith('v9 '), 60_000, 100);

    // Watching off: a change is picked up by the next `up`.
    assert.equal((await c.cli(['watch', 'web', '--off'])).code, 0);
    const generation = (await c.workload('web')).generation;
    fs.writeFileSync(path.join(dir, '.env'), 'API_TOKEN=tok-third\n');
    const again = await c.cli(['up', file]);
    assert.match(again.stdout, /web: rolling out generation/);
    assert.ok((await c.workload('web')).generation > generation);
  });
});
