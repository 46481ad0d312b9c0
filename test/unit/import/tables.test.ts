// The pure parts of import, table by table: compose interpolation, every short port form of the
// compose spec against its long form, command mapping (shell semantics, npm, migrations, ports,
// watchers), and a property: importing the same project twice gives the same text.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { importProject, type ProjectSnapshot } from '../../../src/import';
import { mapCommand } from '../../../src/import/commands';
import { interpolate } from '../../../src/import/interpolate';
import { parseLongPort, parseShortPort } from '../../../src/import/ports';
import { hasErrors, parseManifest } from '../../../src/shared/manifest';

const vars = { file: { FROM_FILE: 'f', EMPTY: '', NESTED: 'n' }, shell: { FROM_SHELL: 's' } };

describe('import: compose interpolation', () => {
  const table: [string, string, string[]][] = [
    ['plain $$ text', 'plain $ text', []],
    ['$FROM_FILE', 'f', ['FROM_FILE:file']],
    ['${FROM_SHELL}-x', 's-x', ['FROM_SHELL:shell']],
    ['${UNSET:-d}', 'd', ['UNSET:unset:default']],
    ['${EMPTY:-d}', 'd', ['EMPTY:file:default']],
    ['${EMPTY-d}', '', ['EMPTY:file']],
    ['${UNSET-d}', 'd', ['UNSET:unset:default']],
    ['${UNSET:-${NESTED}}', 'n', ['UNSET:unset:default', 'NESTED:file']],
    ['${UNSET:-${ALSO:-deep}}', 'deep', ['UNSET:unset:default', 'ALSO:unset:default']],
    ['${FROM_FILE:+yes}', 'yes', ['FROM_FILE:file']],
    ['${UNSET+yes}', '', ['UNSET:unset']],
    ['$$FROM_FILE', '$FROM_FILE', []],
    ['a$', 'a$', []],
  ];
  for (const [text, value, uses] of table) {
    it(`${text} → "${value}"`, () => {
      const r = interpolate(text, vars);
      assert.equal(r.error, null);
      assert.equal(r.value, value);
      assert.deepEqual(r.uses.map((u) => `${u.name}:${u.origin}${u.defaulted ? ':default' : ''}`), uses);
    });
  }

  it('${V?e} and ${V:?e} with V unset (or empty, with the colon) carry the message', () => {
    assert.equal(interpolate('${UNSET?Variable not set}', vars).uses[0]!.required, 'Variable not set');
    assert.equal(interpolate('${EMPTY:?must be set}', vars).uses[0]!.required, 'must be set');
    assert.equal(interpolate('${EMPTY?fine}', vars).uses[0]!.required, null);
  });

  it('an unclosed ${ is an error, the text kept', () => {
    const r = interpolate('${OOPS', vars);
    assert.match(r.error ?? '', /unclosed/);
    assert.equal(r.value, '${OOPS');
  });
});

describe('import: compose ports, short form against long form', () => {
  // The examples of the compose spec's `ports` section.
  const table: [string | number, Record<string, unknown>][] = [
    ['3000', { target: 3000 }],
    [3000, { target: 3000 }],
    ['3000-3005', { target: '3000-3005' }],
    ['8000:8000', { target: 8000, published: '8000' }],
    ['9090-9091:8080-8081', { target: '8080-8081', published: '9090-9091' }],
    ['49100:22', { target: 22, published: '49100' }],
    ['8000-9000:80', { target: 80, published: '8000-9000' }],
    ['127.0.0.1:8001:8001', { target: 8001, published: '8001', host_ip: '127.0.0.1' }],
    ['127.0.0.1:5000-5010:5000-5010', { target: '5000-5010', published: '5000-5010', host_ip: '127.0.0.1' }],
    ['::1:6000:6000', { target: 6000, published: '6000', host_ip: '::1' }],
    ['[::1]:6001:6001', { target: 6001, published: '6001', host_ip: '::1' }],
    ['6060:6060/udp', { target: 6060, published: '6060', protocol: 'udp' }],
    ['127.0.0.1::5000', { target: 5000, host_ip: '127.0.0.1' }],
  ];
  for (const [short, long] of table) {
    it(`${JSON.stringify(short)} is ${JSON.stringify(long)}`, () => {
      assert.deepEqual(parseShortPort(short), parseLongPort(long));
      assert.equal(parseShortPort(short).ok, true);
    });
  }
  it('a bad entry says what is wrong', () => {
    assert.deepEqual(parseShortPort('80:http'), { ok: false, reason: '"80:http": container port http is not a port or range' });
    assert.deepEqual(parseShortPort('80/sctp'), { ok: false, reason: '"80/sctp": protocol sctp is not tcp or udp' });
  });
});

describe('import: commands', () => {
  const scripts = { scripts: { start: 'node server.js --port 3000', dev: 'nodemon app.js', migrate: 'prisma migrate deploy', both: 'npm run migrate && npm start' } };
  it('a literal listening port becomes ${PORT}', () => {
    for (const [text, args] of [
      ['gunicorn --bind 0.0.0.0:8000 app.wsgi', ['--bind', '0.0.0.0:${PORT}', 'app.wsgi']],
      ['uvicorn main:app --port=8000', ['main:app', '--port=${PORT}']],
      ['python manage.py runserver 0.0.0.0:8000 --noreload', ['manage.py', 'runserver', '0.0.0.0:${PORT}', '--noreload']],
      ['serve -p 3000', ['-p', '${PORT}']],
    ] as const) {
      const c = mapCommand({ text }, 'shell');
      assert.deepEqual(c.args, args, text);
      assert.ok(c.port !== null);
    }
  });
  it('npm is never what runs: the script is, from node_modules/.bin when it is not on PATH', () => {
    const c = mapCommand({ text: 'npm start' }, 'shell', scripts);
    assert.deepEqual([c.exec, c.args, c.port], ['node', ['server.js', '--port', '${PORT}'], 3000]);
    const dev = mapCommand({ text: 'npm run dev' }, 'shell', scripts);
    assert.deepEqual([dev.exec, dev.args, dev.watch], ['node', ['app.js'], 'node']);
    const m = mapCommand({ text: 'yarn migrate' }, 'shell', scripts);
    assert.equal(m.exec, 'node_modules/.bin/prisma');
  });
  it('a migration before && is split off as a job; cd DIR && becomes the cwd', () => {
    const c = mapCommand({ text: 'cd api && python manage.py migrate && gunicorn api.wsgi' }, 'shell');
    assert.equal(c.cwd, 'api');
    assert.deepEqual(c.before, [{ name: 'migrate', exec: 'python', args: ['manage.py', 'migrate'] }]);
    assert.deepEqual([c.exec, c.args], ['gunicorn', ['api.wsgi']]);
  });
  it('shell syntax goes through sh -c with exec before the last command; words never do', () => {
    const c = mapCommand({ text: 'echo hi; node a.js | tee log' }, 'shell');
    assert.deepEqual([c.exec, c.args], ['sh', ['-c', 'echo hi; node a.js | tee log']]);
    const d = mapCommand({ text: 'make && ./server' }, 'shell');
    assert.deepEqual(d.args, ['-c', 'make && exec ./server']);
    const w = mapCommand({ text: 'echo a;b' }, 'words');
    assert.deepEqual([w.exec, w.args], ['echo', ['a;b']]);
  });
  it('env prefixes become env entries', () => {
    const c = mapCommand({ text: 'env A=1 B=two ./run' }, 'shell');
    assert.deepEqual(c.env, [['A', '1'], ['B', 'two']]);
    assert.equal(c.exec, './run');
  });
});

describe('import: the same project twice gives the same text (property)', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
  const service = fc.record({
    command: fc.constantFrom('node server.js', 'python app.py --port 8000', 'sh -c "sleep 1"', './run --bind 0.0.0.0:9000'),
    port: fc.option(fc.integer({ min: 1024, max: 9999 }), { nil: null }),
    env: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/), fc.stringMatching(/^[a-z0-9]{0,6}$/), { maxKeys: 3 }),
  });
  it('compose files whose fields all map: stable, and valid', () => {
    fc.assert(
      fc.property(fc.dictionary(name, service, { minKeys: 1, maxKeys: 4 }), (services) => {
        const lines = ['services:'];
        for (const [n, s] of Object.entries(services)) {
          lines.push(`  ${n}:`, `    build: ./${n}`, `    command: ${JSON.stringify(s.command)}`);
          if (s.port !== null) lines.push('    ports:', `      - "${s.port}:${s.port}"`);
          if (Object.keys(s.env).length > 0) lines.push('    environment:', ...Object.entries(s.env).map(([k, v]) => `      ${k}: "${v}"`));
        }
        const snapshot: ProjectSnapshot = { files: new Map([['compose.yaml', lines.join('\n') + '\n']]), env: {}, programs: new Map(), cpus: 2 };
        const a = importProject(snapshot);
        const b = importProject(snapshot);
        assert.equal(a.text, b.text);
        assert.deepEqual(a.notes, b.notes);
        const parsed = parseManifest(a.text, '/p/imported.skr8tr');
        assert.equal(hasErrors(parsed.diagnostics), false, `${a.text}\n${JSON.stringify(parsed.diagnostics)}`);
      }),
      { numRuns: 100 },
    );
  });
});

describe('import: host names in env values', () => {
  it('a service name as a host becomes 127.0.0.1 and its port; a URL scheme of the same name stays', async () => {
    const { rehost } = await import('../../../src/import/env-values');
    const { draft, Notes } = await import('../../../src/import/model');
    const ctx = { vars: { file: {}, shell: {} }, varsFile: null, hosts: new Map([['redis', { port: 7000 }], ['db', { port: 5433 }]]), notes: new Notes('compose.yaml') };
    const app = draft('web', { file: 'compose.yaml', line: 1 });
    assert.equal(rehost('redis://redis:6379/0', app, 1, ctx), 'redis://127.0.0.1:7000/0');
    assert.equal(rehost('redis', app, 1, ctx), '127.0.0.1');
    assert.equal(rehost('postgres://u:p@db/app', app, 1, ctx), 'postgres://u:p@127.0.0.1:5433/app');
    assert.equal(rehost('db:5432', app, 1, ctx), '127.0.0.1:5433');
    assert.equal(rehost('redisson', app, 1, ctx), 'redisson');
  });
  it('a client\'s -p is where it connects, never turned into ${PORT}', () => {
    assert.deepEqual(mapCommand({ text: 'redis-cli -p 6379 ping' }, 'shell').args, ['-p', '6379', 'ping']);
  });
});
