// What an agent is told to run for one replica (src/conductor/launch-spec.ts): the app's spec with
// `${PORT}`, `${REPLICA}` and `${GENERATION}` expanded in args and env values, PORT set to the
// replica's own port, secrets in the environment but named in secretKeys, volumes' variables.
import * as assert from 'node:assert/strict';
import { launchSpec } from '../../../src/conductor/launch-spec';
import { relocate } from '../../../src/conductor/snapshots';
import { parseManifest, type ParsedApp } from '../../../src/shared/manifest';
import { LaunchSpec } from '../../../src/shared/protocol/agent';

function app(...body: string[]): ParsedApp {
  const r = parseManifest(['app web', ...body].join('\n') + '\n', '/m/a.skr8tr');
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], errors.map((d) => d.message).join('; '));
  assert.equal(r.apps.length, 1);
  return r.apps[0]!;
}

const ID = { id: 'web-3-a1b2c3', generation: 3, port: 41234 };

describe('launch spec', () => {
  it('expands ${PORT}, ${REPLICA} and ${GENERATION} in args', () => {
    const a = app('  exec ./server', '  args --listen 127.0.0.1:${PORT} --name "${REPLICA} of gen ${GENERATION}" --literal $PORT');
    const l = launchSpec(a.spec, a.secrets, ID);
    assert.deepEqual(l.args, ['--listen', '127.0.0.1:41234', '--name', 'web-3-a1b2c3 of gen 3', '--literal', '$PORT']);
  });

  it('expands the variables in env values, several times in one value', () => {
    const a = app('  exec ./server', '  env', '    URL http://localhost:${PORT}/${REPLICA}/${PORT}', '    TAG v${GENERATION}', '    PLAIN keep ${OTHER} as is');
    const l = launchSpec(a.spec, a.secrets, ID);
    assert.equal(l.env.URL, 'http://localhost:41234/web-3-a1b2c3/41234');
    assert.equal(l.env.TAG, 'v3');
    assert.equal(l.env.PLAIN, 'keep ${OTHER} as is');
  });

  it('does not expand variable names in env keys, nor expand twice', () => {
    const a = app('  exec ./server', '  env', '    A ${REPLICA}');
    const l = launchSpec(a.spec, a.secrets, { id: 'r-${PORT}', generation: 1, port: 5000 });
    assert.equal(l.env.A, 'r-${PORT}', 'a replica id that looks like a variable is not expanded again');
  });

  it('does not treat $ patterns in values as replacement patterns', () => {
    const a = app('  exec ./server', '  env', '    A "$& $1 ${PORT} $$"');
    const l = launchSpec(a.spec, a.secrets, ID);
    assert.equal(l.env.A, '$& $1 41234 $$');
  });

  it('sets PORT to the replica port, overriding a manifest `env PORT`', () => {
    // With the ingress, `env PORT` is a warning (replaced); the replica's own port wins.
    const a = app('  exec ./server', '  port 8080', '  env', '    PORT 1234', '    OTHER ${PORT}');
    const l = launchSpec(a.spec, a.secrets, ID);
    assert.equal(l.env.PORT, '41234');
    assert.equal(l.env.OTHER, '41234');
    assert.equal(l.port, 41234);
  });

  it('with ingress off the replica gets the app port itself', () => {
    const a = app('  exec ./server', '  port 8080', '  ingress off', '  args --port ${PORT}');
    const l = launchSpec(a.spec, a.secrets, { id: 'r1', generation: 2, port: a.spec.port });
    assert.equal(l.env.PORT, '8080');
    assert.deepEqual(l.args, ['--port', '8080']);
  });

  it('a secret named PORT does not override the replica port either', () => {
    const a = app('  exec ./server', '  port 8080', '  secret', '    PORT 1');
    const l = launchSpec(a.spec, a.secrets, ID);
    assert.equal(l.env.PORT, '41234');
  });

  it('with no port, ${PORT} expands to nothing and a manifest `env PORT` is kept', () => {
    const a = app('  exec ./worker', '  args --port=${PORT}', '  env', '    PORT 7000');
    const l = launchSpec(a.spec, a.secrets, { id: 'r1', generation: 1, port: null });
    assert.deepEqual(l.args, ['--port=']);
    assert.equal(l.env.PORT, '7000');
    assert.equal(l.port, null);
  });

  it('with no port and no `env PORT`, PORT is not set', () => {
    const a = app('  exec ./worker');
    const l = launchSpec(a.spec, a.secrets, { id: 'r1', generation: 1, port: null });
    assert.ok(!('PORT' in l.env));
  });

  it('puts secrets in the environment, expanded, and names them in secretKeys', () => {
    const a = app('  exec ./server', '  env', '    MODE prod', '  secret', '    TOKEN s3cr3t-${REPLICA}', '    DB_PASSWORD hunter2');
    assert.ok(!('TOKEN' in a.spec.env), 'the spec itself holds no secret values');
    const l = launchSpec(a.spec, a.secrets, ID);
    assert.equal(l.env.TOKEN, 's3cr3t-web-3-a1b2c3');
    assert.equal(l.env.DB_PASSWORD, 'hunter2');
    assert.equal(l.env.MODE, 'prod');
    assert.deepEqual([...l.secretKeys].sort(), ['DB_PASSWORD', 'TOKEN']);
    assert.ok(!l.secretKeys.includes('MODE'));
  });

  it('has an empty secretKeys list when there are no secrets', () => {
    const a = app('  exec ./server', '  env', '    A b');
    assert.deepEqual(launchSpec(a.spec, a.secrets, ID).secretKeys, []);
  });

  it('puts each volume path in its named variable, and lists the folders to create', () => {
    const a = app('  exec ./server', '  volume', '    path ./data', '    env DATA_DIR');
    const l = launchSpec(a.spec, a.secrets, ID);
    assert.equal(l.env.DATA_DIR, '/m/data');
    assert.deepEqual(l.volumes, ['/m/data']);
  });

  it('handles several volumes, absolute and relative', () => {
    const a = app('  exec ./server', '  volume', '    path /var/tmp/cache', '    env CACHE', '  volume', '    path logs', '    env LOG_DIR');
    const l = launchSpec(a.spec, a.secrets, ID);
    assert.deepEqual(l.volumes, ['/var/tmp/cache', '/m/logs']);
    assert.equal(l.env.CACHE, '/var/tmp/cache');
    assert.equal(l.env.LOG_DIR, '/m/logs');
  });

  it('sets SKR8TR_APP, SKR8TR_REPLICA and SKR8TR_GENERATION', () => {
    const a = app('  exec ./server');
    const l = launchSpec(a.spec, a.secrets, ID);
    assert.equal(l.env.SKR8TR_APP, 'web');
    assert.equal(l.env.SKR8TR_REPLICA, 'web-3-a1b2c3');
    assert.equal(l.env.SKR8TR_GENERATION, '3');
  });

  it('copies the rest of the spec, leaves the spec unchanged and validates against the protocol', () => {
    const a = app('  exec ./server', '  args a ${PORT}', '  type job', '  restart on-failure', '  drain 2s', '  cwd ./work', '  env', '    X ${GENERATION}');
    const before = structuredClone(a.spec);
    const l = launchSpec(a.spec, a.secrets, ID);
    assert.deepEqual(a.spec, before, 'the spec is not modified');
    assert.equal(l.app, 'web');
    assert.equal(l.generation, 3);
    assert.equal(l.type, 'job');
    assert.equal(l.exec, '/m/server');
    assert.equal(l.cwd, '/m/work');
    assert.equal(l.restart, 'on-failure');
    assert.equal(l.drainMs, 2000);
    assert.equal(l.serveStatic, null);
    assert.deepEqual(LaunchSpec.parse(l), l);
  });

  it('serves static files only for apps with no exec', () => {
    const a = app('  serve', '    static ./public', '    port 8081', '    proxy http://127.0.0.1:9000');
    const l = launchSpec(a.spec, a.secrets, ID);
    assert.equal(l.exec, null);
    assert.equal(l.serveStatic, '/m/public');
    assert.equal(l.serveProxy, 'http://127.0.0.1:9000');
  });

  describe('a generation with a captured build output', () => {
    const capture = { out: '/m/dist', dir: '/home/u/.skr8tr/builds/web/4' };

    it('serves its static folder from the capture', () => {
      const a = app('  build', '    run npm run build', '    out ./dist', '  serve', '    static ./dist', '    port 3000');
      assert.equal(launchSpec(a.spec, a.secrets, ID, capture).serveStatic, '/home/u/.skr8tr/builds/web/4');
      const sub = app('  build', '    run make', '    out ./dist', '  serve', '    static ./dist/public', '    port 3000');
      assert.equal(launchSpec(sub.spec, sub.secrets, ID, capture).serveStatic, '/home/u/.skr8tr/builds/web/4/public');
    });

    it('runs a program built into `out` from the capture, and moves arguments that name paths under `out`', () => {
      const a = app('  exec ./dist/server', '  args dist/config.json --verbose ./dist/assets ${PORT} other/file', '  build', '    run go build -o dist/server', '    out ./dist');
      const l = launchSpec(a.spec, a.secrets, ID, capture);
      assert.equal(l.exec, '/home/u/.skr8tr/builds/web/4/server');
      assert.deepEqual(l.args, ['/home/u/.skr8tr/builds/web/4/config.json', '--verbose', '/home/u/.skr8tr/builds/web/4/assets', '41234', 'other/file']);
      assert.equal(l.cwd, '/m', 'the working folder is the manifest\'s, which is not under `out`');
    });

    it('a working folder under `out` moves with it; a program on PATH and a path that only starts like `out` stay', () => {
      const a = app('  exec node', '  args server.js', '  cwd ./dist', '  env', '    DATA /m/distant/file', '  build', '    run tsc', '    out ./dist');
      const l = launchSpec(a.spec, a.secrets, ID, capture);
      assert.equal(l.exec, 'node');
      assert.equal(l.cwd, '/home/u/.skr8tr/builds/web/4');
      assert.deepEqual(l.args, ['/home/u/.skr8tr/builds/web/4/server.js']);
      assert.equal(relocate('/m/distant/file', '/m/dist', capture.dir), '/m/distant/file');
    });

    it('without a capture nothing moves', () => {
      const a = app('  exec ./dist/server', '  build', '    run make', '    out ./dist');
      assert.equal(launchSpec(a.spec, a.secrets, ID, null).exec, '/m/dist/server');
    });
  });
});
