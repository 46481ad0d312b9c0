// `skr8tr init` on a compose project with real programs: a Node web app (the HTTP fixture), its
// migration job (redis-cli, the target of `service_completed_successfully`) and Debian's
// redis-server (an image-only service, imported as the native recipe with `check exec redis-cli
// ping`). Then `up`: all ready in dependency order, the web app answers through its published port,
// the host name `redis` in its env became 127.0.0.1 and the port.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { WorkloadView } from '../../src/shared/protocol/api';
import { Cluster, FIXTURE, waitFor } from './harness';
import { freePort } from './load';
import { requirePrograms } from './requires';
import { shopCompose } from './shop-compose';

const firstReady = (w: WorkloadView) => Math.min(...w.replicas.filter((r) => r.readyAt !== null).map((r) => r.readyAt!));
const firstCreated = (w: WorkloadView) => Math.min(...w.replicas.map((r) => r.createdAt));

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('skr8tr init, then up', function () {
  this.timeout(120_000);
  let c: Cluster;

  before(function () {
    requirePrograms(this, 'the import tests', ['redis-server', 'redis-cli']);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    await c.cleanup();
  });

  it('imports a compose project (web, migration job, redis as a native recipe) that comes up in dependency order, gated by check exec', async () => {
    c = new Cluster('import');
    await c.startConductor();
    await c.startAgent('n1');
    const [webPort, redisPort] = [await freePort(), await freePort()];
    const dir = path.join(path.dirname(c.manifest('placeholder.txt', '')), 'shop');
    fs.mkdirSync(dir, { recursive: true });
    fs.rmSync(path.join(path.dirname(dir), 'placeholder.txt'));
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      shopCompose({ webPort, redisPort, web: [process.execPath, FIXTURE], migrate: ['redis-cli', '-p', String(redisPort), 'SET', 'migrated', 'yes'] }),
    );

    const init = await c.cli(['init', dir]);
    assert.equal(init.code, 0, init.stdout + init.stderr);
    assert.match(init.stderr, /compose\.yaml:\d+: info: redis: image redis:7 → native redis-server/);
    const file = path.join(dir, 'shop.skr8tr');
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /app redis\n {2}exec redis-server\n {2}args --port \$\{PORT\}/);
    assert.match(text, /health exec redis-cli -p \$\{PORT\} ping/);
    assert.match(text, /needs redis migrate:completed/);
    assert.match(text, new RegExp(`REDIS_URL redis://127.0.0.1:${redisPort}/0`));
    const validate = await c.cli(['validate', file]);
    assert.equal(validate.code, 0, validate.stderr);
    // A second init never overwrites: it prints the difference (none) and says so.
    const again = await c.cli(['init', dir]);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /unchanged/);

    const up = await c.cli(['up', dir]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const all = await waitFor('redis and web ready, migrate completed', async () => {
      const ws = await c.client().call('workloads', {});
      const byName = new Map(ws.map((w) => [w.name, w]));
      const ready = ['redis', 'web'].every((n) => byName.get(n)?.replicas.some((r) => r.state === 'ready'));
      return ready && byName.get('migrate')?.replicas.some((r) => r.reason === 'completed') ? byName : null;
    }, 60_000, 50);
    const redis = all.get('redis')!;
    const migrate = all.get('migrate')!;
    const web = all.get('web')!;
    assert.ok(firstCreated(migrate) >= firstReady(redis), 'migrate after redis answered its check exec');
    assert.ok(firstCreated(web) >= firstReady(redis), 'web after redis is ready');
    assert.ok(firstCreated(web) >= migrate.replicas.find((r) => r.reason === 'completed')!.createdAt, 'web after migrate completed');
    const answer = await get(webPort, '/');
    assert.equal(answer.status, 200);
    assert.match(answer.body, /imported/);
  });

  it('the flags: a profile\'s service joins with --profile, --strict writes nothing when a field would not carry, -o - prints', async () => {
    c = new Cluster('import-flags');
    const dir = path.join(path.dirname(c.manifest('placeholder.txt', '')), 'tools');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      ['services:', '  web:', '    build: .', '    command: ["node", "server.js"]', '    ports: ["8080:3000"]', '  seed:', '    build: .', '    command: ["node", "seed.js"]', '    profiles: [tools]', ''].join('\n'),
    );
    const plain = await c.cli(['init', dir, '-o', '-']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout, /app seed/);
    assert.match(plain.stderr, /compose\.yaml:6: info: service `seed` runs only with profile 'tools': not imported/);
    assert.match(plain.stderr, /compose\.yaml: info: read by Skr8tr's built-in compose parser/);
    const withProfile = await c.cli(['init', dir, '-o', '-', '--profile', 'tools']);
    assert.equal(withProfile.code, 0, withProfile.stderr);
    assert.match(withProfile.stdout, /app seed\n {2}exec node\n {2}args seed\.js/);
    const all = await c.cli(['init', dir, '-o', '-', '--profile', '*']);
    assert.match(all.stdout, /app seed/);

    // A container setting that does not carry: --strict fails and writes nothing.
    fs.appendFileSync(path.join(dir, 'compose.yaml'), '  extra:\n    build: .\n    command: ["node", "x.js"]\n    user: "1000"\n');
    const strict = await c.cli(['init', dir, '--strict']);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /compose\.yaml:13: warning: extra: user ignored \(container settings\)/);
    assert.match(strict.stderr, /--strict: 1 field would not carry over; nothing written/);
    assert.equal(fs.existsSync(path.join(dir, 'tools.skr8tr')), false);
  });
});
