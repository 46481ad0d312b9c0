// What the compose import must be honest about, case by case: `include` and `extends` followed
// when their files are in the project and said with file:line when not; profiles (left out with the
// profile they need, in with `profiles` or when chosen by name); `x-skr8tr` keys replacing what the
// import wrote (and refused with file:line when the manifest would refuse them); the built-in
// parser named in the report; a PostgreSQL recipe never chosen when the import runs as root; two
// services running one build pointed at `replicas`. Every produced manifest validates.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importProject, type ImportOptions, type ProjectSnapshot } from '../../../src/import';
import { mergeService } from '../../../src/import/compose-merge';
import { composeReferences } from '../../../src/import/compose-files';
import { readProject } from '../../../src/import/read-project';
import { formatDiagnostic, hasErrors, parseManifest } from '../../../src/shared/manifest';

function snapshot(files: Record<string, string>, extra: Partial<ProjectSnapshot> = {}): ProjectSnapshot {
  return { files: new Map(Object.entries(files)), env: {}, programs: new Map(), cpus: 2, ...extra };
}

function run(files: Record<string, string>, options: ImportOptions = {}, extra: Partial<ProjectSnapshot> = {}) {
  const r = importProject(snapshot(files, extra), { from: 'compose', ...options });
  const parsed = parseManifest(r.text, '/p/imported.skr8tr');
  assert.equal(hasErrors(parsed.diagnostics), false, `${r.text}\n${parsed.diagnostics.map(formatDiagnostic).join('\n')}`);
  const note = (re: RegExp) => r.notes.find((n) => re.test(n.message));
  return { ...r, parsed, note };
}

/** The lines of one app in the manifest text. */
function appBlock(text: string, name: string): string {
  const lines = text.split('\n');
  const i = lines.indexOf(`app ${name}`);
  assert.ok(i >= 0, `no app ${name} in:\n${text}`);
  const end = lines.findIndex((l, j) => j > i && !l.startsWith('  '));
  return lines.slice(i, end < 0 ? undefined : end).join('\n');
}

const NODE_WEB = ['    build: .', '    command: ["node", "server.js"]', '    ports:', '      - "8080:3000"'];

describe('import (compose): the built-in parser says so', () => {
  it('the report names the built-in parser, once, for the whole source', () => {
    const r = run({ 'compose.yaml': ['services:', '  web:', ...NODE_WEB, ''].join('\n') });
    const parser = r.notes.filter((n) => /built-in compose parser/.test(n.message));
    assert.equal(parser.length, 1);
    assert.deepEqual({ file: parser[0]!.file, app: parser[0]!.app, loss: parser[0]!.loss }, { file: 'compose.yaml', app: null, loss: false });
    assert.match(r.text, /# import: read by Skr8tr's built-in compose parser/);
  });
});

describe('import (compose): the override file', () => {
  it('is merged by the spec\'s rules, and a note about a key it holds names it', () => {
    const r = run({
      'compose.yaml': ['services:', '  web:', ...NODE_WEB, '    environment:', '      A: "1"', ''].join('\n'),
      'compose.override.yaml': ['services:', '  web:', '    command: ["node", "--watch", "server.js"]', '    environment:', '      B: "2"', '  extra:', '    build: .', '    command: ["node", "extra.js"]', ''].join('\n'),
    });
    assert.deepEqual(r.apps, ['web', 'extra']);
    assert.match(appBlock(r.text, 'web'), /exec node\n {2}args server\.js/);
    assert.match(appBlock(r.text, 'web'), /A 1\n {4}B 2/);
    assert.match(appBlock(r.text, 'web'), /watch /);
    const watch = r.notes.find((n) => n.app === 'web' && /node --watch/.test(n.message))!;
    assert.deepEqual([watch.file, watch.line], ['compose.override.yaml', 3]);
    assert.equal(r.note(/^merged compose\.override\.yaml/)!.file, 'compose.yaml');
  });
});

describe('import (compose): include', () => {
  it('follows an included file in the project: its services join, from its own folder and .env', () => {
    const r = run({
      'compose.yaml': ['include:', '  - infra/compose.yaml', 'services:', '  web:', ...NODE_WEB, '    environment:', '      CACHE_URL: redis://cache:6379', '    depends_on:', '      cache:', '        condition: service_healthy', ''].join('\n'),
      'infra/compose.yaml': ['services:', '  cache:', '    build: ./cache', '    command: ["redis-server", "--port", "${CACHE_PORT}"]', '    ports:', '      - "7000:6379"', ''].join('\n'),
      'infra/.env': 'CACHE_PORT=6379\n',
    });
    assert.deepEqual(r.apps, ['cache', 'web']);
    assert.match(appBlock(r.text, 'cache'), /cwd infra\/cache/);
    assert.match(appBlock(r.text, 'cache'), /args --port \$\{PORT\}/);
    assert.match(appBlock(r.text, 'web'), /needs cache\n/);
    assert.match(appBlock(r.text, 'web'), /CACHE_URL redis:\/\/127\.0\.0\.1:7000/);
    const inc = r.note(/^included infra\/compose\.yaml/)!;
    assert.deepEqual([inc.file, inc.line], ['compose.yaml', 2]);
    // A note about an included service names the included file and its line.
    const port = r.notes.find((n) => n.app === 'cache' && /literal port 6379/.test(n.message))!;
    assert.deepEqual([port.file, port.line], ['infra/compose.yaml', 4]);
  });

  it('says with file:line when an included file is not in the project, or outside it, and imports the rest', () => {
    const r = run({ 'compose.yaml': ['include:', '  - path: ../shared/compose.yaml', '  - missing.yaml', 'services:', '  web:', ...NODE_WEB, ''].join('\n') });
    assert.deepEqual(r.apps, ['web']);
    const outside = r.note(/include \.\.\/shared\/compose\.yaml: outside the project folder, so not followed/)!;
    const missing = r.note(/include missing\.yaml: not in the project, so not followed/)!;
    assert.deepEqual([outside.line, outside.loss, missing.line, missing.loss], [2, true, 3, true]);
  });

  it('a service name defined both here and in an included file keeps this file\'s, and says so', () => {
    const r = run({
      'compose.yaml': ['include:', '  - other.yaml', 'services:', '  web:', ...NODE_WEB, ''].join('\n'),
      'other.yaml': ['services:', '  web:', '    image: nginx', ''].join('\n'),
    });
    assert.deepEqual(r.apps, ['web']);
    assert.match(appBlock(r.text, 'web'), /exec node/);
    const n = r.note(/also defined in compose\.yaml/)!;
    assert.deepEqual([n.file, n.line], ['other.yaml', 2]);
  });

  it('read-project follows the references: include paths and extends files inside the project only', () => {
    const text = ['include:', '  - a/compose.yaml', '  - path: [b.yaml, ../out.yaml, ../../away.yaml]', 'services:', '  x:', '    extends:', '      file: common/base.yml', '      service: base', ''].join('\n');
    assert.deepEqual(composeReferences('sub/compose.yaml', text), ['sub/a/compose.yaml', 'sub/b.yaml', 'out.yaml', 'sub/common/base.yml']);
  });
});

describe('import (compose): reading what include and extends name', () => {
  let dir: string;
  before(() => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-import-refs-'));
    dir = path.join(root, 'project');
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    // Deeper than the walk looks, and not named like a compose file: read only because they are named.
    write('compose.yaml', ['include:', '  - ops/a/b/c/infra.yml', 'services:', '  web:', '    extends:', '      file: ../outside.yaml', '      service: base', ...NODE_WEB, ''].join('\n'));
    write('ops/a/b/c/infra.yml', ['services:', '  cache:', '    extends: { file: common/base.yml, service: base }', ''].join('\n'));
    write('ops/a/b/c/.env', 'X=1\n');
    write('ops/a/b/c/common/base.yml', ['services:', '  base:', '    build: .', '    command: ["node", "cache.js"]', ''].join('\n'));
    fs.writeFileSync(path.join(root, 'outside.yaml'), 'services:\n  base:\n    image: nginx\n');
  });
  after(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  it('reads the files named inside the project (and their folders\' .env), never one outside it', async () => {
    const snap = await readProject(dir, { trusted: false, env: {} });
    assert.deepEqual([...snap.files.keys()].sort(), ['compose.yaml', 'ops/a/b/c/.env', 'ops/a/b/c/common/base.yml', 'ops/a/b/c/infra.yml']);
    const r = importProject({ ...snap, programs: new Map() }, {});
    assert.deepEqual(r.apps, ['cache', 'web']);
    assert.match(r.text, /app cache\n {2}exec node\n {2}args cache\.js\n {2}cwd ops\/a\/b\/c/);
    assert.ok(r.notes.some((n) => /extends base: not followed \(\.\.\/outside\.yaml is outside the project folder\)/.test(n.message) && n.line === 5));
  });
});

describe('import (compose): extends', () => {
  const base = ['services:', '  base:', '    build: .', '    command: ["node", "server.js"]', '    environment:', '      LOG: info', '      MODE: base', '    ports:', '      - "9000:3000"', '    depends_on:', '      - db', '  db:', '    image: memcached', ''].join('\n');

  it('merges the base under the service (maps merged, the service wins), never its depends_on', () => {
    const r = run({
      'compose.yaml': ['services:', '  web:', '    extends:', '      file: common.yaml', '      service: base', '    environment:', '      MODE: web', '  db:', '    image: memcached', ''].join('\n'),
      'common.yaml': base,
    });
    const web = appBlock(r.text, 'web');
    assert.match(web, /exec node\n {2}args server\.js/);
    assert.match(web, /port 9000/);
    assert.match(web, /LOG info\n {4}MODE web/);
    assert.deepEqual(r.apps, ['web', 'db']);
    assert.doesNotMatch(web, /needs/);
    const n = r.note(/^extends base of common\.yaml/)!;
    assert.deepEqual([n.file, n.line, n.app], ['compose.yaml', 3, 'web']);
    // A note about a key the base holds names the base's file and line.
    const listen = r.notes.find((x) => x.app === 'web' && /listened on 3000/.test(x.message))!;
    assert.equal(listen.file, 'common.yaml');
  });

  it('extends a service of the same file (the short form); a !override tag it cannot follow is said', () => {
    const r = run({ 'compose.yaml': ['services:', '  a:', ...NODE_WEB, '  b:', '    extends: a', '    ports: !override', '      - "8081:3000"', ''].join('\n') });
    assert.match(appBlock(r.text, 'b'), /exec node/);
    const n = r.note(/^!override is not understood/)!;
    assert.deepEqual([n.line, n.loss], [9, true]);
  });

  it('says with file:line when the base is not in the project, has no such service, or extends itself', () => {
    const r = run({
      'compose.yaml': ['services:', '  a:', '    extends:', '      file: nowhere.yaml', '      service: base', ...NODE_WEB, '  b:', '    extends: b', ...NODE_WEB.map((l) => l.replace('8080', '8081')), '  c:', '    extends: { service: zzz }', ...NODE_WEB.map((l) => l.replace('8080', '8082')), ''].join('\n'),
    });
    assert.deepEqual(r.apps, ['a', 'b', 'c']);
    assert.deepEqual([r.note(/nowhere\.yaml is not in the project/)!.line, r.note(/a cycle/)!.line, r.note(/has no service `zzz`/)!.line], [3, 11, 17]);
    assert.ok(r.notes.filter((n) => /^extends/.test(n.message)).every((n) => n.loss));
  });
});

describe('import (compose): merge rules (compose-spec 13-merge.md)', () => {
  it('maps merge, sequences append, command/entrypoint/healthcheck.test are replaced, ports and volumes are unique, env lists merge as maps', () => {
    const merged = mergeService(
      { command: ['a'], healthcheck: { test: ['CMD', 'x'], interval: '5s' }, dns: ['1.1.1.1'], ports: ['80:80', '81:81'], volumes: ['a:/work'], environment: ['A=1', 'B=2'], depends_on: ['db'] },
      { command: ['b'], healthcheck: { test: ['CMD', 'y'] }, dns: ['8.8.8.8'], ports: ['81:81', '82:82'], volumes: ['b:/work'], environment: { B: '3' }, depends_on: { cache: { condition: 'service_healthy' } } },
    );
    assert.deepEqual(merged, {
      command: ['b'],
      healthcheck: { test: ['CMD', 'y'], interval: '5s' },
      dns: ['1.1.1.1', '8.8.8.8'],
      ports: ['80:80', '81:81', '82:82'],
      volumes: ['b:/work'],
      environment: { A: '1', B: '3' },
      depends_on: { db: { condition: 'service_started' }, cache: { condition: 'service_healthy' } },
    });
  });
});

describe('import (compose): profiles', () => {
  const files = {
    'compose.yaml': ['services:', '  web:', ...NODE_WEB, '  seed:', '    build: .', '    command: ["node", "seed.js"]', '    profiles: [dev, tools]', '  debug:', '    build: .', '    command: ["node", "debug.js"]', '    profiles: [debug]', ''].join('\n'),
  };

  it('a service with profiles is left out, the note says which profile it needs, and it is no loss', () => {
    const r = run(files);
    assert.deepEqual(r.apps, ['web']);
    assert.deepEqual(r.skipped, [{ name: 'seed', why: 'profile dev, tools' }, { name: 'debug', why: 'profile debug' }]);
    const n = r.note(/service `seed` runs only with profile 'dev', 'tools'/)!;
    assert.deepEqual([n.line, n.loss, n.severity], [7, false, 'info']);
    assert.match(n.message, /--profile dev/);
  });

  it('profiles activate them: one by name, or all with *', () => {
    assert.deepEqual(run(files, { profiles: ['tools'] }).apps, ['web', 'seed']);
    assert.deepEqual(run(files, { profiles: ['*'] }).apps, ['web', 'seed', 'debug']);
  });

  it('a service chosen by name is active (as one named on compose\'s command line)', () => {
    const r = run(files, { apps: ['web', 'debug'] });
    assert.deepEqual(r.apps, ['web', 'debug']);
    assert.deepEqual(r.skipped.map((s) => s.name), ['seed']);
  });
});

describe('import (compose): x-skr8tr', () => {
  it('its keys (the manifest\'s YAML form) replace what the import wrote, or are added', () => {
    const r = run({
      'compose.yaml': [
        'services:', '  web:', ...NODE_WEB,
        '    healthcheck:', '      test: ["CMD", "curl", "-f", "http://localhost:3000/health"]',
        '    x-skr8tr:',
        '      replicas: 3',
        '      health:',
        '        check: GET /ready 200',
        '        interval: 2s',
        '      env:',
        '        LOG_LEVEL: debug',
        '      rollout:',
        '        deadline: 3m',
        '      envFile: [.env, .env.local]',
        '      needs: [cache]',
        '  cache:', '    build: .', '    command: ["node", "cache.js"]',
        '',
      ].join('\n'),
    });
    const web = appBlock(r.text, 'web');
    assert.match(web, /replicas 3/);
    assert.match(web, /health\n {4}check GET \/ready 200\n {4}interval 2s/);
    assert.doesNotMatch(web, /GET \/health/);
    assert.match(web, /env\n {4}LOG_LEVEL debug/);
    assert.match(web, /rollout\n {4}deadline 3m/);
    assert.match(web, /env-file \.env\n {2}env-file \.env\.local/);
    assert.match(web, /needs cache/);
    const spec = r.parsed.apps.find((a) => a.spec.name === 'web')!.spec;
    assert.equal(spec.replicas, 3);
    assert.ok(r.notes.filter((n) => /^x-skr8tr: /.test(n.message)).every((n) => n.severity === 'info' && n.file === 'compose.yaml'));
    assert.equal(r.note(/^x-skr8tr: `replicas`/)!.line, 10);
  });

  it('overrides the recipe of an image-only service too', () => {
    const r = run(
      { 'compose.yaml': ['services:', '  redis:', '    image: redis:7', '    x-skr8tr:', '      health: exec redis-cli -p ${PORT} ping', '      drain: 3s', ''].join('\n') },
      {},
      { programs: new Map([['redis-server', 'redis-server'], ['redis-cli', 'redis-cli']]) },
    );
    assert.match(appBlock(r.text, 'redis'), /drain 3s/);
    assert.doesNotMatch(appBlock(r.text, 'redis'), /drain 10s/);
  });

  it('a key that is not an app\'s, or a value the manifest refuses, is an error at its line, and left out', () => {
    const r = run({
      'compose.yaml': ['services:', '  web:', ...NODE_WEB, '    x-skr8tr:', '      colour: blue', '      replicas: many', '      drain: 2s', ''].join('\n'),
    });
    const web = appBlock(r.text, 'web');
    assert.match(web, /drain 2s/);
    assert.doesNotMatch(web, /colour|many/);
    const colour = r.note(/x-skr8tr: `colour` is not a key of an app/)!;
    const many = r.note(/x-skr8tr: .*replicas.*; ignored/)!;
    assert.deepEqual([colour.line, colour.severity, many.line, many.severity], [8, 'error', 9, 'error']);
  });

  it('an x-skr8tr that is not a mapping is said and ignored', () => {
    const r = run({ 'compose.yaml': ['services:', '  web:', ...NODE_WEB, '    x-skr8tr: fast', ''].join('\n') });
    assert.equal(r.note(/x-skr8tr: expected the keys of an app/)!.line, 7);
  });
});

describe('import (compose): image recipes and the user', () => {
  const pg = { 'compose.yaml': ['services:', '  db:', '    image: postgres:16', '    volumes:', '      - db-data:/var/lib/postgresql/data', ''].join('\n') };
  const programs = new Map(['postgres', 'initdb', 'pg_isready'].map((p) => [p, p] as [string, string]));

  it('PostgreSQL refuses to run as root: as root the recipe is not chosen, and the report says why', () => {
    const r = run(pg, {}, { programs, root: true });
    assert.deepEqual(r.apps, ['db']);
    assert.match(appBlock(r.text, 'db'), /image postgres:16/);
    assert.doesNotMatch(r.text, /app db-init|exec postgres/);
    const n = r.note(/refuse to run as root/)!;
    assert.equal(n.severity, 'warning');
    assert.match(n.message, /^image postgres:16: postgres and initdb refuse to run as root, and this import runs as root .*so it runs from its image$/);
  });

  it('as another user the same project gets the native recipe (an initdb job, then postgres)', () => {
    const r = run(pg, {}, { programs, root: false });
    assert.deepEqual(r.apps, ['db-init', 'db']);
    assert.equal(r.note(/refuse to run as root/), undefined);
  });

  it('redis runs as root: its recipe is chosen either way', () => {
    const r = run({ 'compose.yaml': 'services:\n  cache:\n    image: redis:7\n' }, {}, { programs: new Map([['redis-server', 'redis-server'], ['redis-cli', 'redis-cli']]), root: true });
    assert.match(appBlock(r.text, 'cache'), /exec redis-server/);
  });
});

describe('import (compose): two services running one build', () => {
  it('web1 and web2 of one build and command: a note points at replicas', () => {
    const r = run({ 'compose.yaml': ['services:', '  web1:', '    build: ./web', '    ports: ["81:5000"]', '  web2:', '    build: ./web', '    ports: ["82:5000"]', '  other:', '    build: ./other', ''].join('\n') });
    const n = r.note(/runs what `web1` runs/)!;
    assert.deepEqual([n.app, n.line], ['web2', 5]);
    assert.match(n.message, /replicas 2/);
    assert.equal(r.notes.filter((x) => /runs what/.test(x.message)).length, 1);
  });
});
