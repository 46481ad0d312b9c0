// Indentation and brace styles of the line syntax: every shape found in real files (and a few
// more) must mean the same app.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseManifest, type ParseResult } from '../../../src/shared/manifest';
import { specToJson } from '../../../src/shared/manifest/json';

const FILE = '/manifests/web.skr8tr';
const DIR = path.dirname(path.resolve(FILE));

/** Lines joined with LF, with a final line end. */
const text = (...lines: string[]): string => lines.join('\n') + '\n';

function parse(input: string | Uint8Array, file = FILE): ParseResult {
  return parseManifest(input, file);
}

/** The specs of a manifest that must parse with no diagnostics at all. */
function cleanSpecs(input: string | Uint8Array, file = FILE): Record<string, unknown>[] {
  const r = parse(input, file);
  assert.deepEqual(r.diagnostics, [], `unexpected diagnostics:\n${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n')}`);
  return r.apps.map((a) => specToJson(a.spec));
}

function cleanSpec(input: string | Uint8Array, file = FILE): Record<string, unknown> {
  const specs = cleanSpecs(input, file);
  assert.equal(specs.length, 1);
  return specs[0]!;
}

// The same app in every style. `port` and `replicas` come after the `health` block on purpose:
// the original parser lost them in a four-space file.
const TWO_SPACE = text(
  'app web',
  '  exec ./bin/server',
  '  args --port ${PORT} --name "my app"',
  '  health',
  '    check GET /health 200',
  '    interval 5s',
  '  port 8080',
  '  replicas 3',
  '  env',
  '    LOG_LEVEL info',
  '    URL http://example.com/a#b',
  '  rollout',
  '    surge 2',
  '    unavailable 1',
);

const FOUR_SPACE = text(
  'app web',
  '    exec ./bin/server',
  '    args --port ${PORT} --name "my app"',
  '    health',
  '        check GET /health 200',
  '        interval 5s',
  '    port 8080',
  '    replicas 3',
  '    env',
  '        LOG_LEVEL info',
  '        URL http://example.com/a#b',
  '    rollout',
  '        surge 2',
  '        unavailable 1',
);

// `env {` with its body at four spaces and `}` at two, as in the real service manifests.
const BRACED_BLOCKS = text(
  'app web',
  '  exec ./bin/server',
  '  args --port ${PORT} --name "my app"',
  '  health {',
  '    check GET /health 200',
  '    interval 5s',
  '  }',
  '  port 8080',
  '  replicas 3',
  '',
  '  env {',
  '    LOG_LEVEL info',
  '    URL http://example.com/a#b',
  '  }',
  '',
  '  rollout {',
  '    surge 2',
  '    unavailable 1',
  '  }',
);

const FULL_BRACES = text(
  'app web {',
  '  exec ./bin/server',
  '  args --port ${PORT} --name "my app"',
  '  health {',
  '    check GET /health 200',
  '    interval 5s',
  '  }',
  '  port 8080',
  '  replicas 3',
  '  env {',
  '    LOG_LEVEL info',
  '    URL http://example.com/a#b',
  '  }',
  '  rollout {',
  '    surge 2',
  '    unavailable 1',
  '  }',
  '}',
);

// Inside braces indentation does not matter.
const FULL_BRACES_FLAT = text(
  'app web {',
  'exec ./bin/server',
  'args --port ${PORT} --name "my app"',
  'health {',
  'check GET /health 200',
  'interval 5s',
  '}',
  'port 8080',
  'replicas 3',
  'env {',
  'LOG_LEVEL info',
  'URL http://example.com/a#b',
  '}',
  'rollout {',
  'surge 2',
  'unavailable 1',
  '}',
  '}',
);

const BRACE_ON_NEXT_LINE = text(
  'app web',
  '{',
  '  exec ./bin/server',
  '  args --port ${PORT} --name "my app"',
  '  health',
  '  {',
  '    check GET /health 200',
  '    interval 5s',
  '  }',
  '  port 8080',
  '  replicas 3',
  '  env',
  '  {',
  '    LOG_LEVEL info',
  '    URL http://example.com/a#b',
  '  }',
  '  rollout',
  '  {',
  '    surge 2',
  '    unavailable 1',
  '  }',
  '}',
);

const TABS = text(
  'app web',
  '\texec ./bin/server',
  '\targs --port ${PORT} --name "my app"',
  '\thealth',
  '\t\tcheck GET /health 200',
  '\t\tinterval 5s',
  '\tport 8080',
  '\treplicas 3',
  '\tenv',
  '\t\tLOG_LEVEL info',
  '\t\tURL http://example.com/a#b',
  '\trollout',
  '\t\tsurge 2',
  '\t\tunavailable 1',
);

const crlfWithBom = (s: string): Buffer => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s.replace(/\n/g, '\r\n'), 'utf8')]);

const EXPECTED = {
  name: 'web',
  type: 'service',
  exec: path.resolve(DIR, 'bin/server'),
  args: ['--port', '${PORT}', '--name', 'my app'],
  cwd: DIR,
  port: 8080,
  ingress: true,
  replicas: 3,
  ramBytes: null,
  cpu: null,
  gpu: false,
  restart: 'never',
  drainMs: 5000,
  settleMs: 8000,
  requestTimeoutMs: 60000,
  attempts: 7,
  env: { LOG_LEVEL: 'info', URL: 'http://example.com/a#b' },
  secretKeys: [],
  health: { kind: 'http', method: 'GET', path: '/health', status: 200, command: null, intervalMs: 5000, timeoutMs: 2000, retries: 3 },
  rollout: { surge: 2, unavailable: 1, deadlineMs: 120000, healthyForMs: 0, onFailure: 'rollback' },
  scale: null,
  build: null,
  serve: null,
  volumes: [],
  vm: null,
  needs: [],
  watch: null,
  envFiles: [],
  image: null,
};

describe('manifest styles: indentation and braces', () => {
  describe('the same app in every style gives the same spec', () => {
    const styles: [string, string | Uint8Array][] = [
      ['(a) pure two-space indentation', TWO_SPACE],
      ['(b) four-space indentation, port and replicas after the health block', FOUR_SPACE],
      ['(c) `env {` blocks with the body at four and `}` at two', BRACED_BLOCKS],
      ['(d) full brace style with `app web {`', FULL_BRACES],
      ['(d) full brace style, nothing indented', FULL_BRACES_FLAT],
      ['(e) `{` alone on the line after each header', BRACE_ON_NEXT_LINE],
      ['(f) tab indentation', TABS],
      ['(g) CRLF line ends with a byte-order mark (bytes)', crlfWithBom(TWO_SPACE)],
      ['(g) CRLF line ends with a byte-order mark, four-space', crlfWithBom(FOUR_SPACE)],
      ['(g) CRLF line ends with a byte-order mark, braces (string)', '\ufeff' + FULL_BRACES.replace(/\n/g, '\r\n')],
    ];

    it('the two-space form gives exactly the expected spec', () => {
      assert.deepEqual(cleanSpec(TWO_SPACE), EXPECTED);
    });

    for (const [label, input] of styles) {
      it(`${label} equals the two-space form`, () => {
        assert.deepEqual(cleanSpec(input), cleanSpec(TWO_SPACE));
      });
    }

    it('all styles are deep-equal to one another', () => {
      const specs = styles.map(([, input]) => cleanSpec(input));
      for (let i = 1; i < specs.length; i++) assert.deepEqual(specs[i], specs[0], styles[i]![0]);
    });
  });

  describe('four-space files (the original parser lost keys after a block)', () => {
    it('keeps `port` and `replicas` written after a `health` block', () => {
      const spec = cleanSpec(FOUR_SPACE);
      assert.equal(spec.port, 8080);
      assert.equal(spec.replicas, 3);
      assert.equal(spec.ingress, true);
    });

    it('keeps keys after an `env` block and after a `rollout` block', () => {
      const spec = cleanSpec(text(
        'app web',
        '    exec ./s',
        '    env',
        '        A 1',
        '    port 9000',
        '    rollout',
        '        surge 3',
        '    replicas 7',
        '    drain 2s',
      ));
      assert.deepEqual(spec.env, { A: '1' });
      assert.equal(spec.port, 9000);
      assert.equal(spec.replicas, 7);
      assert.equal(spec.drainMs, 2000);
      assert.equal((spec.rollout as { surge: number }).surge, 3);
    });

    it('a four-space app with `env {` bodies at eight and `}` at four', () => {
      const spec = cleanSpec(text(
        'app web',
        '    exec ./s',
        '    env {',
        '        A 1',
        '    }',
        '    port 9000',
      ));
      assert.deepEqual(spec.env, { A: '1' });
      assert.equal(spec.port, 9000);
    });

    it('three-space and mixed widths nest by their header, not by a fixed width', () => {
      const three = cleanSpec(text('app web', '   exec ./s', '   health', '      check tcp', '   port 80'));
      const mixed = cleanSpec(text('app web', '  exec ./s', '  health', '         check tcp', '  port 80'));
      const two = cleanSpec(text('app web', '  exec ./s', '  health', '    check tcp', '  port 80'));
      assert.deepEqual(three, two);
      assert.deepEqual(mixed, two);
      assert.equal((two.health as { kind: string }).kind, 'tcp');
      assert.equal(two.port, 80);
    });

    it('an app line that is itself indented still holds its body', () => {
      const spec = cleanSpec(text('  app web', '      exec ./s', '      port 80'));
      assert.equal(spec.name, 'web');
      assert.equal(spec.port, 80);
    });
  });

  describe('braces', () => {
    it('`app foo {` names the app `foo`', () => {
      const spec = cleanSpec(text('app foo {', '  exec ./s', '}'));
      assert.equal(spec.name, 'foo');
    });

    it('`app foo{` (no space) also names the app `foo`', () => {
      const spec = cleanSpec(text('app foo{', '  exec ./s', '}'));
      assert.equal(spec.name, 'foo');
    });

    it('a `}` may carry a trailing comment', () => {
      const spec = cleanSpec(text('app foo {', '  exec ./s', '  env {', '    A 1', '  } # env', '} # app'));
      assert.deepEqual(spec.env, { A: '1' });
    });

    it('an indentation block may sit inside braces', () => {
      const spec = cleanSpec(text('app web {', '  exec ./s', '  health', '    check tcp', '  port 80', '}'));
      assert.equal(spec.port, 80);
      assert.equal((spec.health as { kind: string }).kind, 'tcp');
    });

    it('a braced block may sit inside an indentation block, with `}` at any indentation', () => {
      const a = cleanSpec(text('app web', '  exec ./s', '  env {', '    A 1', '      }', '  port 80'));
      const b = cleanSpec(text('app web', '  exec ./s', '  env {', '    A 1', '}', '  port 80'));
      assert.deepEqual(a, b);
      assert.deepEqual(a.env, { A: '1' });
      assert.equal(a.port, 80);
    });

    it('a quoted `{` is a value, not a brace', () => {
      const spec = cleanSpec(text('app web', '  exec ./s', '  args "{" \'}\''));
      assert.deepEqual(spec.args, ['{', '}']);
    });
  });

  describe('blank lines and comments never end or split a block', () => {
    it('blank lines and comments at any indentation inside blocks', () => {
      const spec = cleanSpec(text(
        'app web',
        '',
        '    # a comment at the body indentation',
        '    exec ./s',
        '# a comment at column one, inside the app',
        '    env',
        '',
        '  # a comment less indented than the env body',
        '        A 1',
        '            # a comment more indented',
        '        B 2',
        '',
        '    port 80',
      ));
      assert.deepEqual(spec.env, { A: '1', B: '2' });
      assert.equal(spec.port, 80);
    });

    it('an app made only of comments and blank lines before it', () => {
      const spec = cleanSpec(text('# header', '', '#', 'app web', '  exec ./s'));
      assert.equal(spec.name, 'web');
    });
  });

  describe('several apps in one file', () => {
    it('indentation style: apps in order, each with its own keys', () => {
      const specs = cleanSpecs(text(
        'app api',
        '  exec ./api',
        '  port 8080',
        '',
        '# the worker',
        'app worker',
        '  exec ./worker',
        '  replicas 4',
        '  env',
        '    QUEUE jobs',
        'app once',
        '  type job',
        '  exec ./once',
      ));
      assert.deepEqual(specs.map((s) => s.name), ['api', 'worker', 'once']);
      assert.equal(specs[0]!.port, 8080);
      assert.equal(specs[0]!.replicas, 1);
      assert.equal(specs[1]!.port, null);
      assert.equal(specs[1]!.replicas, 4);
      assert.deepEqual(specs[1]!.env, { QUEUE: 'jobs' });
      assert.deepEqual(specs[0]!.env, {});
      assert.equal(specs[2]!.type, 'job');
    });

    it('brace style, several apps, some on adjoining lines', () => {
      const specs = cleanSpecs(text('app a {', '  exec ./a', '}', 'app b {', '  exec ./b', '  port 81', '}'));
      assert.deepEqual(specs.map((s) => s.name), ['a', 'b']);
      assert.equal(specs[1]!.port, 81);
    });

    it('styles may be mixed app by app', () => {
      const specs = cleanSpecs(text(
        'app a {',
        'exec ./a',
        '}',
        'app b',
        '    exec ./b',
        '    health',
        '        check tcp',
        '    port 82',
        'app c',
        '\texec ./c',
      ));
      assert.deepEqual(specs.map((s) => s.name), ['a', 'b', 'c']);
      assert.equal(specs[1]!.port, 82);
    });

    it('four-space apps: a following app is not swallowed by the previous block', () => {
      const specs = cleanSpecs(text('app a', '    exec ./a', '    env', '        X 1', 'app b', '    exec ./b'));
      assert.deepEqual(specs.map((s) => s.name), ['a', 'b']);
      assert.deepEqual(specs[0]!.env, { X: '1' });
      assert.deepEqual(specs[1]!.env, {});
    });
  });

  describe('line ends', () => {
    it('lone CR line ends equal LF', () => {
      assert.deepEqual(cleanSpec(TWO_SPACE.replace(/\n/g, '\r')), cleanSpec(TWO_SPACE));
    });

    it('mixed LF, CRLF and CR line ends in one file', () => {
      const lines = TWO_SPACE.split('\n');
      const ends = ['\n', '\r\n', '\r'];
      const mixed = lines.map((l, i) => l + (i < lines.length - 1 ? ends[i % 3] : '')).join('');
      assert.deepEqual(cleanSpec(mixed), cleanSpec(TWO_SPACE));
    });

    it('no final line end', () => {
      assert.deepEqual(cleanSpec(TWO_SPACE.trimEnd()), cleanSpec(TWO_SPACE));
    });
  });

  describe('the one-line health form', () => {
    it('`health GET /health 200` equals the block form', () => {
      const one = cleanSpec(text('app web', '  exec ./s', '  health GET /health 200'));
      const block = cleanSpec(text('app web', '  exec ./s', '  health', '    check GET /health 200'));
      assert.deepEqual(one, block);
      assert.deepEqual(one.health, { kind: 'http', method: 'GET', path: '/health', status: 200, command: null, intervalMs: 10000, timeoutMs: 2000, retries: 3 });
    });

    it('`health tcp` equals `check tcp`', () => {
      const one = cleanSpec(text('app web', '  exec ./s', '  health tcp'));
      const block = cleanSpec(text('app web', '  exec ./s', '  health {', '    check tcp', '  }'));
      assert.deepEqual(one, block);
    });

    it('in a four-space file, keys after the one-line form stay app keys', () => {
      const spec = cleanSpec(text('app web', '    exec ./s', '    health GET /health 200', '    port 80', '    replicas 2'));
      assert.equal(spec.port, 80);
      assert.equal(spec.replicas, 2);
    });
  });
});
