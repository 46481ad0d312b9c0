// The YAML form (`*.skr8tr.yaml`, `*.skr8tr.yml`): one app a document, the same keys and the same
// model as the line form, with source positions.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { isManifestPath, parseManifest, syntaxOf, type Diagnostic, type ParseResult } from '../../../src/shared/manifest';
import { manifestToJson, specToJson } from '../../../src/shared/manifest/json';

const LINE_FILE = '/manifests/web.skr8tr';
const YAML_FILE = '/manifests/web.skr8tr.yaml';
const DIR = path.dirname(path.resolve(YAML_FILE));

const text = (...lines: string[]): string => lines.join('\n') + '\n';

function show(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.line}:${d.column} ${d.severity}: ${d.message}`).join('\n');
}

function parseYaml(input: string | Uint8Array, file = YAML_FILE): ParseResult {
  return parseManifest(input, file);
}

function cleanSpecs(input: string | Uint8Array, file = YAML_FILE): Record<string, any>[] {
  const r = parseManifest(input, file);
  assert.deepEqual(r.diagnostics, [], `unexpected diagnostics:\n${show(r.diagnostics)}`);
  return r.apps.map((a) => specToJson(a.spec));
}

function cleanSpec(input: string | Uint8Array, file = YAML_FILE): Record<string, any> {
  const specs = cleanSpecs(input, file);
  assert.equal(specs.length, 1);
  return specs[0]!;
}

/** A YAML app with `exec: ./s` and the given lines. */
const yapp = (...lines: string[]): string => text('app: web', 'exec: ./s', ...lines);

function expectOne(input: string, severity: 'error' | 'warning', line: number, column: number, message: RegExp): Diagnostic {
  const r = parseYaml(input);
  assert.equal(r.diagnostics.length, 1, `expected one diagnostic, got:\n${show(r.diagnostics)}`);
  const d = r.diagnostics[0]!;
  assert.equal(d.severity, severity, show(r.diagnostics));
  assert.deepEqual([d.line, d.column], [line, column], show(r.diagnostics));
  assert.match(d.message, message);
  assert.equal(d.file, YAML_FILE);
  return d;
}

const LINE_FORM = text(
  'app web',
  '  exec ./server',
  '  args --name "my app" \'x y\' ${PORT}',
  '  port 8080',
  '  replicas 3',
  '  ram 512mb',
  '  cpu 0.5',
  '  gpu yes',
  '  restart on-failure',
  '  drain 10s',
  '  settle 2',
  '  health',
  '    check GET /health 200',
  '    interval 5s',
  '    timeout 1s',
  '    retries 4',
  '  rollout',
  '    surge 2',
  '    unavailable 1',
  '    deadline 60s',
  '    healthy-for 5s',
  '    on-failure pause',
  '  env',
  '    LOG info',
  '    URL http://x/y#z',
  '    YEAR 2024',
  '    RATIO 1.50',
  '  secret',
  '    API_KEY s3cr3t-yaml',
  '  volume',
  '    path ./data',
  '    env DATA_DIR',
  '  volume',
  '    path ./cache',
  '    env CACHE_DIR',
  '  build',
  '    run npm ci',
  '    run npm run build',
  '    out ./dist',
  '  scale',
  '    min 1',
  '    max 4',
  '    cpu-above 70%',
  '    cpu-below 20',
  'app job1',
  '  type job',
  '  bin ./job',
  '  health tcp',
);

const YAML_FORM = text(
  'app: web',
  'exec: ./server',
  'args: --name "my app" \'x y\' ${PORT}',
  'port: 8080',
  'replicas: 3',
  'ram: 512mb',
  'cpu: 0.5',
  'gpu: yes',
  'restart: on-failure',
  'drain: 10s',
  'settle: 2',
  'health:',
  '  check: GET /health 200',
  '  interval: 5s',
  '  timeout: 1s',
  '  retries: 4',
  'rollout:',
  '  surge: 2',
  '  unavailable: 1',
  '  deadline: 60s',
  '  healthy-for: 5s',
  '  on-failure: pause',
  'env:',
  '  LOG: info',
  '  URL: http://x/y#z',
  '  YEAR: 2024',
  '  RATIO: 1.50',
  'secret:',
  '  API_KEY: s3cr3t-yaml',
  'volume:',
  '  - path: ./data',
  '    env: DATA_DIR',
  '  - path: ./cache',
  '    env: CACHE_DIR',
  'build:',
  '  run:',
  '    - npm ci',
  '    - npm run build',
  '  out: ./dist',
  'scale:',
  '  min: 1',
  '  max: 4',
  '  cpu-above: 70%',
  '  cpu-below: 20',
  '---',
  'app: job1',
  'type: job',
  'bin: ./job',
  'health: tcp',
);

describe('manifest YAML form', () => {
  describe('file names', () => {
    it('`.skr8tr.yaml` and `.skr8tr.yml` are YAML; `.skr8tr` is the line syntax', () => {
      assert.equal(syntaxOf('a.skr8tr.yaml'), 'yaml');
      assert.equal(syntaxOf('a.skr8tr.yml'), 'yaml');
      assert.equal(syntaxOf('A.SKR8TR.YAML'), 'yaml');
      assert.equal(syntaxOf('a.skr8tr'), 'skr8tr');
      assert.ok(isManifestPath('x/a.skr8tr') && isManifestPath('a.skr8tr.yml') && isManifestPath('a.skr8tr.yaml'));
      assert.ok(!isManifestPath('a.yaml'));
    });

    it('a `.yml` file parses the same as a `.yaml` file', () => {
      assert.deepEqual(cleanSpecs(YAML_FORM, '/manifests/web.skr8tr.yml'), cleanSpecs(YAML_FORM));
    });

    it('the `syntax` option overrides the file name', () => {
      const r = parseManifest(YAML_FORM, '/manifests/web.txt', { syntax: 'yaml' });
      assert.deepEqual(r.diagnostics, [], show(r.diagnostics));
      assert.equal(r.apps.length, 2);
    });
  });

  describe('the same model as the line form', () => {
    it('a rich manifest gives deep-equal specs in both forms', () => {
      const line = parseManifest(LINE_FORM, LINE_FILE);
      const yaml = parseYaml(YAML_FORM);
      assert.deepEqual(line.diagnostics, [], show(line.diagnostics));
      assert.deepEqual(yaml.diagnostics, [], show(yaml.diagnostics));
      assert.deepEqual(yaml.apps.map((a) => specToJson(a.spec)), line.apps.map((a) => specToJson(a.spec)));
      assert.deepEqual(yaml.apps.map((a) => a.secrets), line.apps.map((a) => a.secrets));
    });

    it('the YAML spec has the expected values (not only equal to the line form)', () => {
      const [web, job] = cleanSpecs(YAML_FORM);
      assert.equal(web!.name, 'web');
      assert.equal(web!.exec, path.resolve(DIR, 'server'));
      assert.deepEqual(web!.args, ['--name', 'my app', 'x y', '${PORT}']);
      assert.equal(web!.port, 8080);
      assert.equal(web!.ramBytes, 512 * 1024 * 1024);
      assert.equal(web!.settleMs, 2000);
      assert.deepEqual(web!.env, { LOG: 'info', URL: 'http://x/y#z', YEAR: '2024', RATIO: '1.50' });
      assert.deepEqual(web!.secretKeys, ['API_KEY']);
      assert.deepEqual(web!.build.run, ['npm ci', 'npm run build']);
      assert.equal(web!.volumes.length, 2);
      assert.equal(job!.type, 'job');
      assert.equal(job!.health.kind, 'tcp');
    });

    it('one-line `health: GET /health 200` equals the block form', () => {
      const one = cleanSpec(yapp('health: GET /health 200'));
      const block = cleanSpec(yapp('health:', '  check: GET /health 200'));
      const flow = cleanSpec(yapp('health: {check: GET /health 200}'));
      assert.deepEqual(one, block);
      assert.deepEqual(flow, block);
      assert.deepEqual(one.health, { kind: 'http', method: 'GET', path: '/health', status: 200, command: null, intervalMs: 10_000, timeoutMs: 2_000, retries: 3 });
    });

    it('`args` as a string, a flow list or a block list mean the same', () => {
      const asString = cleanSpec(yapp('args: --name "my app" x'));
      const asFlow = cleanSpec(yapp('args: [--name, "my app", x]'));
      const asBlock = cleanSpec(yapp('args:', '  - --name', '  - my app', '  - x'));
      assert.deepEqual(asString.args, ['--name', 'my app', 'x']);
      assert.deepEqual(asFlow, asString);
      assert.deepEqual(asBlock, asString);
    });

    it('one `volume` as a map equals a list of one', () => {
      assert.deepEqual(cleanSpec(yapp('volume:', '  path: ./d', '  env: D')), cleanSpec(yapp('volume:', '  - path: ./d', '    env: D')));
    });

    it('one `run` as a string equals a list of one', () => {
      assert.deepEqual(cleanSpec(yapp('build:', '  run: make all')), cleanSpec(yapp('build:', '  run: [make all]')));
    });

    it('numbers and booleans are taken as written: quoted or not', () => {
      const plain = cleanSpec(yapp('port: 8080', 'gpu: true', 'cpu: 1.50', 'replicas: 2'));
      const quoted = cleanSpec(yapp('port: "8080"', "gpu: 'true'", 'cpu: "1.50"', 'replicas: "2"'));
      assert.deepEqual(quoted, plain);
      assert.equal(plain.cpu, 1.5);
    });

    it('env values that look like numbers or booleans stay strings as written', () => {
      const spec = cleanSpec(yapp('env:', '  A: 1', '  B: true', '  C: 0x1F', '  D: 1e3', '  E: ~', '  F:', '  G: "quoted # kept"'));
      assert.deepEqual(spec.env, { A: '1', B: 'true', C: '0x1F', D: '1e3', E: '~', F: '', G: 'quoted # kept' });
    });

    it('a YAML comment after a value is not part of it', () => {
      const spec = cleanSpec(yapp('port: 8080 # main', 'env:', '  A: b # c', '  U: http://h/p#frag'));
      assert.equal(spec.port, 8080);
      assert.deepEqual(spec.env, { A: 'b', U: 'http://h/p#frag' });
    });

    it('a multi-line plain scalar folds into words, like YAML says', () => {
      const spec = cleanSpec(yapp('args: --a', '  --b "c d"'));
      assert.deepEqual(spec.args, ['--a', '--b', 'c d']);
    });

    it('folded and literal block scalars split into words without line ends', () => {
      assert.deepEqual(cleanSpec(yapp('args: >', '  --a', '  --b')).args, ['--a', '--b']);
      assert.deepEqual(cleanSpec(yapp('args: |', '  --a', '  --b "c d"')).args, ['--a', '--b', 'c d']);
    });

    it('the app key need not come first in its document', () => {
      assert.deepEqual(cleanSpec(text('exec: ./s', 'port: 80', 'app: web')), cleanSpec(yapp('port: 80')));
    });

    it('anchors and aliases resolve', () => {
      const spec = cleanSpec(text('app: &name web', 'exec: ./s', 'env:', '  NAME: *name'));
      assert.deepEqual(spec.env, { NAME: 'web' });
    });

    it('secret values never appear in specToJson or manifestToJson output', () => {
      const r = parseYaml(YAML_FORM);
      assert.equal(r.apps[0]!.secrets.API_KEY, 's3cr3t-yaml');
      assert.ok(!JSON.stringify(r.apps.map((a) => specToJson(a.spec))).includes('s3cr3t-yaml'));
      assert.ok(!JSON.stringify(manifestToJson(r.apps, r.diagnostics)).includes('s3cr3t-yaml'));
    });
  });

  describe('multiple documents', () => {
    it('several documents are several apps, in order', () => {
      const specs = cleanSpecs(text('app: a', 'exec: ./a', '---', 'app: b', 'exec: ./b', 'port: 81', '---', 'app: c', 'exec: ./c'));
      assert.deepEqual(specs.map((s) => s.name), ['a', 'b', 'c']);
      assert.deepEqual(specs.map((s) => s.port), [null, 81, null]);
    });

    it('a leading `---`, empty documents and `...` end markers are fine', () => {
      const specs = cleanSpecs(text('---', 'app: a', 'exec: ./a', '---', '---', '# only a comment', '---', 'app: b', 'exec: ./b', '...'));
      assert.deepEqual(specs.map((s) => s.name), ['a', 'b']);
    });

    it('keys do not leak from one document into the next', () => {
      const [a, b] = cleanSpecs(text('app: a', 'exec: ./a', 'replicas: 5', 'env:', '  X: 1', '---', 'app: b', 'exec: ./b'));
      assert.equal(a!.replicas, 5);
      assert.equal(b!.replicas, 1);
      assert.deepEqual(b!.env, {});
    });

    it('the same app name in two documents is an error at the second', () => {
      expectOne(text('app: web', 'exec: ./a', '---', 'app: web', 'exec: ./b'), 'error', 4, 1, /app `web` is already defined at line 1/);
    });

    it('an invalid document is reported and the others still parse', () => {
      const r = parseYaml(text('app: a', 'exec: ./a', '---', 'app: [b', '---', 'app: c', 'exec: ./c'));
      assert.ok(r.diagnostics.some((d) => d.severity === 'error' && /invalid YAML/.test(d.message) && d.line >= 4 && d.line <= 5), show(r.diagnostics));
      assert.deepEqual(r.apps.map((a) => a.spec.name), ['a', 'c']);
    });

    it('a document that is not a map, or has no `app`, is an error at the document', () => {
      expectOne(text('app: a', 'exec: ./a', '---', '- x', '- y'), 'error', 4, 1, /document is a map/);
      expectOne(text('app: a', 'exec: ./a', '---', 'exec: ./b'), 'error', 4, 1, /no `app: NAME`/);
      expectOne(text('just words'), 'error', 1, 1, /document is a map/);
    });

    it('the 101st document is an error', () => {
      const docs = Array.from({ length: 101 }, (_, i) => `app: a${i}\nexec: ./s\n`).join('---\n');
      const r = parseYaml(docs);
      assert.equal(r.apps.length, 100);
      const errs = r.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errs.length, 1, show(r.diagnostics));
      assert.equal(errs[0]!.line, 100 * 3 + 1);
      assert.match(errs[0]!.message, /at most 100/);
    });
  });

  describe('positions', () => {
    it('a bad value is reported at the value', () => {
      expectOne(yapp('port: 0'), 'error', 3, 7, /bad `port`/);
      expectOne(yapp('ram: 4'), 'error', 3, 6, /no unit/);
      expectOne(yapp('health:', '  check: GET /h', '  interval: 5q'), 'error', 5, 13, /bad `interval`/);
    });

    it('a bad word inside a one-line value is reported at that word', () => {
      expectOne(yapp('health: GET /health 20x'), 'error', 3, 21, /bad status/);
    });

    it('a misspelt key is a warning at the key, with "did you mean"', () => {
      expectOne(yapp('prot: 80'), 'warning', 3, 1, /unknown key `prot`.*did you mean `port`\?/);
      expectOne(yapp('health:', '  check: tcp', '  intreval: 5s'), 'warning', 5, 3, /did you mean `interval`\?/);
    });

    it('an app key inside a block is an error at the key', () => {
      expectOne(yapp('health:', '  check: GET /h', '  port: 80'), 'error', 5, 3, /`port` is not a key of a `health` block/);
    });

    it('app.positions point at the values, and at block headers', () => {
      const r = parseYaml(YAML_FORM);
      const p = r.apps[0]!.positions;
      assert.deepEqual(p.get('exec'), { line: 2, column: 7 });
      assert.deepEqual(p.get('port'), { line: 4, column: 7 });
      assert.deepEqual(p.get('health.check'), { line: 13, column: 10 });
      assert.deepEqual(p.get('health'), { line: 12, column: 1 });
      assert.deepEqual(p.get('env.URL'), { line: 25, column: 3 });
      assert.deepEqual(r.apps[0]!.pos, { line: 1, column: 1 });
      assert.deepEqual(r.apps[1]!.pos, { line: 46, column: 1 });
    });

    it('CRLF line ends and a byte-order mark change neither the model nor the positions', () => {
      const input = yapp('port: 0', 'prot: 1');
      const crlf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(input.replace(/\n/g, '\r\n'))]);
      const a = parseYaml(input);
      const b = parseYaml(crlf);
      assert.deepEqual(b.diagnostics, a.diagnostics);
      assert.deepEqual(a.diagnostics.map((d) => [d.severity, d.line, d.column]), [['error', 3, 7], ['warning', 4, 1]]);
      assert.deepEqual(b.apps.map((x) => specToJson(x.spec)), a.apps.map((x) => specToJson(x.spec)));
      assert.deepEqual(cleanSpecs(Buffer.from('\ufeff' + YAML_FORM.replace(/\n/g, '\r\n'))), cleanSpecs(YAML_FORM));
    });
  });

  describe('errors in the YAML form', () => {
    it('`exec` and `bin` both: error', () => {
      expectOne(yapp('bin: ./t'), 'error', 3, 1, /`bin` and `exec` \(line 2\) both name the program/);
    });

    it('`surge: 0` with `unavailable: 0`: error', () => {
      expectOne(yapp('rollout:', '  surge: 0', '  unavailable: 0'), 'error', 3, 1, /both 0/);
    });

    it('a key written twice in a document is an error, not silently the last', () => {
      const d = expectOne(yapp('port: 1', 'port: 2'), 'error', 4, 1, /duplicate `port` \(first at line 3\)/);
      assert.ok(d);
      assert.equal(parseYaml(yapp('port: 1', 'port: 2')).apps[0]!.spec.port, 1);
    });

    it('a list or a map where one value goes is an error', () => {
      expectOne(yapp('port: [1, 2]'), 'error', 3, 7, /takes one value, not a list/);
      expectOne(yapp('port:', '  a: 1'), 'error', 4, 3, /takes a value, not a map/);
    });

    it('a list where a map goes is an error', () => {
      expectOne(yapp('env: [A=1]'), 'error', 3, 6, /map of names to values, not a list/);
    });

    it('an env value that is a map is an error', () => {
      const r = parseYaml(yapp('env:', '  A:', '    B: 1'));
      assert.ok(r.diagnostics.some((d) => d.severity === 'error' && d.line === 4), show(r.diagnostics));
    });

    it('an empty `exec: ""` is an error at the value', () => {
      expectOne(text('app: web', 'exec: ""'), 'error', 2, 7, /`exec` needs a value/);
    });

    it('`app:` without a name is an error', () => {
      const r = parseYaml(text('app:', 'exec: ./s'));
      assert.equal(r.apps.length, 0);
      assert.ok(r.diagnostics.some((d) => d.severity === 'error' && d.line === 1), show(r.diagnostics));
    });

    it('a list that contains itself through an alias is an error, not a stack overflow', () => {
      for (const input of [yapp('volume: &v', '  - *v'), yapp('build:', '  run: &r', '    - *r'), yapp('args: &a [x, *a]')]) {
        let r: ParseResult | undefined;
        assert.doesNotThrow(() => {
          r = parseYaml(input);
        }, input);
        assert.ok(r!.diagnostics.some((d) => d.severity === 'error'), `${input}\n${show(r!.diagnostics)}`);
      }
    });

    it('a list inside a `volume` list is an error at the inner list', () => {
      expectOne(yapp('volume:', '  - [a, b]'), 'error', 4, 5, /items of `volume` are not lists/);
    });

    it('tabs as YAML indentation are an error with a position', () => {
      const r = parseYaml(text('app: web', 'health:', '\tcheck: tcp'));
      assert.ok(r.diagnostics.some((d) => d.severity === 'error' && d.line === 3 && /invalid YAML/.test(d.message)), show(r.diagnostics));
    });

    it('an empty YAML file is an error: no app', () => {
      for (const input of ['', '# comment only\n', '---\n']) {
        const r = parseYaml(input);
        assert.equal(r.apps.length, 0);
        assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.line, d.column]), [['error', 1, 1]], JSON.stringify(input));
      }
    });
  });
});
