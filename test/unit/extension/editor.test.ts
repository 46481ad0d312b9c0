// What the editor needs from the manifest language (src/shared/manifest/editor.ts): the scope a line
// is in, hover text, completions and the range a diagnostic points at, for both syntaxes and every
// indentation and brace style the line syntax allows.
import * as assert from 'node:assert/strict';
import { completionsAt, describeKey, hoverAt, scopeAt, wordRange, type EditorScope } from '../../../src/shared/manifest/editor';
import type { Syntax } from '../../../src/shared/manifest';
import { keyInfo, keysIn, type Scope } from '../../../src/shared/manifest/keys';

/** The indentation width of a line, a tab counting four. */
const indentOf = (line: string): number => /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;

/** The scope of every line that is not blank, a brace, a comment or a document marker, at the line's own indentation (a header's `{` left out). */
function scopes(lines: string[], syntax: Syntax): [string, EditorScope][] {
  const out: [string, EditorScope][] = [];
  lines.forEach((text, i) => {
    const t = text.trim();
    if (t === '' || t === '{' || t === '}' || t.startsWith('#') || t === '---') return;
    out.push([t.replace(/\s*\{$/, ''), scopeAt(lines, i, indentOf(text), syntax)]);
  });
  return out;
}

/** The line syntax app of the style tests, with nested health, env, rollout and a following app. */
const TWO_SPACE = [
  'app web',
  '  exec ./bin/server',
  '  health',
  '    check GET /health 200',
  '    interval 5s',
  '  port 8080',
  '  env',
  '    LOG_LEVEL info',
  '    restart always',
  '  rollout',
  '    surge 2',
  '    on-failure pause',
  '  replicas 3',
  'app api',
  '  exec ./api',
];

/** What every style of TWO_SPACE must give. */
const EXPECTED: [string, EditorScope][] = [
  ['app web', 'top'],
  ['exec ./bin/server', 'app'],
  ['health', 'app'],
  ['check GET /health 200', 'health'],
  ['interval 5s', 'health'],
  ['port 8080', 'app'],
  ['env', 'app'],
  ['LOG_LEVEL info', 'env'],
  ['restart always', 'env'],
  ['rollout', 'app'],
  ['surge 2', 'rollout'],
  ['on-failure pause', 'rollout'],
  ['replicas 3', 'app'],
  ['app api', 'top'],
  ['exec ./api', 'app'],
];

const reindent = (lines: string[], unit: string): string[] => lines.map((l) => l.replace(/^( {2})+/, (m) => unit.repeat(m.length / 2)));

/** Brace style: `{` at the end of each header, `}` alone, everything indented. */
const FULL_BRACES = [
  'app web {',
  '  exec ./bin/server',
  '  health {',
  '    check GET /health 200',
  '    interval 5s',
  '  }',
  '  port 8080',
  '  env {',
  '    LOG_LEVEL info',
  '    restart always',
  '  }',
  '  rollout {',
  '    surge 2',
  '    on-failure pause',
  '  }',
  '  replicas 3',
  '}',
  'app api {',
  '  exec ./api',
  '}',
];

/** `{` alone on the line after each header. */
const BRACE_ON_NEXT_LINE = [
  'app web',
  '{',
  '  exec ./bin/server',
  '  health',
  '  {',
  '    check GET /health 200',
  '    interval 5s',
  '  }',
  '  port 8080',
  '  env',
  '  {',
  '    LOG_LEVEL info',
  '    restart always',
  '  }',
  '  rollout',
  '  {',
  '    surge 2',
  '    on-failure pause',
  '  }',
  '  replicas 3',
  '}',
  'app api',
  '{',
  '  exec ./api',
  '}',
];

/** Inside braces indentation does not matter (the parser reads this as TWO_SPACE). */
const FLAT_BRACES = FULL_BRACES.map((l) => l.trimStart());

const YAML = [
  '# web in the YAML form',
  'app: web',
  'exec: ./bin/server',
  'health:',
  '  check: GET /health 200',
  '  interval: 5s',
  'port: 8080',
  'env:',
  '  LOG_LEVEL: info',
  '  restart: always',
  'rollout:',
  '  surge: 2',
  '  on-failure: pause',
  'restart: on-failure',
  'volume:',
  '  - path: ./data',
  '    env: DATA_DIR',
  '---',
  'app: api',
  'exec: ./api',
];

describe('manifest editor support', () => {
  describe('scopeAt, line syntax', () => {
    it('two-space indentation', () => {
      assert.deepEqual(scopes(TWO_SPACE, 'skr8tr'), EXPECTED);
    });

    it('four-space indentation', () => {
      assert.deepEqual(scopes(reindent(TWO_SPACE, '    '), 'skr8tr'), EXPECTED);
    });

    it('tab indentation', () => {
      assert.deepEqual(scopes(reindent(TWO_SPACE, '\t'), 'skr8tr'), EXPECTED);
    });

    it('brace style, with `}` lines closing each block', () => {
      assert.deepEqual(scopes(FULL_BRACES, 'skr8tr'), EXPECTED);
    });

    it('brace style with `{` alone on the next line', () => {
      assert.deepEqual(scopes(BRACE_ON_NEXT_LINE, 'skr8tr'), EXPECTED);
    });

    it('brace style with nothing indented', () => {
      assert.deepEqual(scopes(FLAT_BRACES, 'skr8tr'), EXPECTED);
    });

    it('braced blocks with the body at four and `}` at two', () => {
      const lines = ['app web', '  env {', '    A 1', '  }', '  health {', '    check tcp', '  }', '  port 80'];
      assert.deepEqual(scopes(lines, 'skr8tr'), [
        ['app web', 'top'],
        ['env', 'app'],
        ['A 1', 'env'],
        ['health', 'app'],
        ['check tcp', 'health'],
        ['port 80', 'app'],
      ]);
    });

    it('a position on a blank line takes the indentation of the cursor', () => {
      const lines = ['app web', '  health', '    check tcp', '', '  env', '    A 1', ''];
      assert.equal(scopeAt(lines, 3, 4, 'skr8tr'), 'health');
      assert.equal(scopeAt(lines, 3, 2, 'skr8tr'), 'app');
      assert.equal(scopeAt(lines, 3, 0, 'skr8tr'), 'top');
      assert.equal(scopeAt(lines, 6, 4, 'skr8tr'), 'env');
      assert.equal(scopeAt(lines, 6, 2, 'skr8tr'), 'app');
      assert.equal(scopeAt(lines, 6, 0, 'skr8tr'), 'top');
    });

    it('after a `}` the position is back in the enclosing block', () => {
      const lines = ['app web {', '  health {', '    check tcp', '  }', '', '}', ''];
      assert.equal(scopeAt(lines, 4, 2, 'skr8tr'), 'app');
      assert.equal(scopeAt(lines, 6, 0, 'skr8tr'), 'top');
      const flat = lines.map((l) => l.trimStart());
      assert.equal(scopeAt(flat, 4, 0, 'skr8tr'), 'app');
      assert.equal(scopeAt(flat, 6, 0, 'skr8tr'), 'top');
    });

    it('a header may end with a comment after its `{`; a `}` may be followed by text', () => {
      const lines = ['app web { # the web app', 'health { # probes', 'check tcp', '} # end of health', 'port 80', '}'];
      assert.equal(scopeAt(lines, 2, 0, 'skr8tr'), 'health');
      assert.equal(scopeAt(lines, 4, 0, 'skr8tr'), 'app');
      assert.equal(scopeAt(lines, 5, 0, 'skr8tr'), 'app');
      assert.equal(scopeAt([...lines, ''], 6, 0, 'skr8tr'), 'top');
    });

    it('a `${VAR}` at the end of a line is not a brace', () => {
      const lines = ['app web {', 'args --port ${PORT}', 'port 80', '}'];
      assert.equal(scopeAt(lines, 2, 0, 'skr8tr'), 'app');
    });

    it('a stray `}` closes nothing more than there is', () => {
      const lines = ['}', 'app web', '  }', '  port 80'];
      assert.equal(scopeAt(lines, 3, 2, 'skr8tr'), 'top');
      assert.equal(scopeAt(lines, 1, 0, 'skr8tr'), 'top');
    });

    it('comments and blank lines between a header and its body do not matter', () => {
      const lines = ['app web', '# a comment at the margin', '', '  health', '# another', '', '    check tcp'];
      assert.equal(scopeAt(lines, 6, 4, 'skr8tr'), 'health');
      assert.equal(scopeAt(lines, 3, 2, 'skr8tr'), 'app');
    });

    it('every block kind: serve, scale, build, volume, vm, secret', () => {
      const lines = [
        'app web',
        '  serve',
        '    static ./dist',
        '  scale',
        '    min 1',
        '  build',
        '    run npm ci',
        '  volume',
        '    path ./data',
        '  vm',
        '    kernel ./vmlinux',
        '  secret',
        '    API_KEY x',
      ];
      assert.deepEqual(
        scopes(lines, 'skr8tr').map(([, s]) => s),
        ['top', 'app', 'serve', 'app', 'scale', 'app', 'build', 'app', 'volume', 'app', 'vm', 'app', 'secret'],
      );
    });

    it('anything nested in env stays env', () => {
      const lines = ['app web', '  env', '    health', '      check tcp'];
      assert.equal(scopeAt(lines, 3, 6, 'skr8tr'), 'env');
    });

    it('under a key that is not a block, the scope is the key\'s own', () => {
      const lines = ['app web', '  health', '    check GET /', '      interval 5s', '  exec ./x', '    more'];
      assert.equal(scopeAt(lines, 3, 6, 'skr8tr'), 'health');
      assert.equal(scopeAt(lines, 5, 4, 'skr8tr'), 'app');
    });

    it('only an `app` header opens the app scope at the top level', () => {
      const lines = ['exec ./x', '  port 80'];
      assert.equal(scopeAt(lines, 1, 2, 'skr8tr'), 'top');
    });
  });

  describe('scopeAt, YAML syntax', () => {
    it('top-level keys are app keys; map children are in their block', () => {
      assert.deepEqual(scopes(YAML, 'yaml'), [
        ['app: web', 'app'],
        ['exec: ./bin/server', 'app'],
        ['health:', 'app'],
        ['check: GET /health 200', 'health'],
        ['interval: 5s', 'health'],
        ['port: 8080', 'app'],
        ['env:', 'app'],
        ['LOG_LEVEL: info', 'env'],
        ['restart: always', 'env'],
        ['rollout:', 'app'],
        ['surge: 2', 'rollout'],
        ['on-failure: pause', 'rollout'],
        ['restart: on-failure', 'app'],
        ['volume:', 'app'],
        ['- path: ./data', 'volume'],
        ['env: DATA_DIR', 'volume'],
        ['app: api', 'app'],
        ['exec: ./api', 'app'],
      ]);
    });

    it('a blank line takes the indentation of the cursor', () => {
      const lines = ['app: web', 'health:', '  check: tcp', ''];
      assert.equal(scopeAt(lines, 3, 2, 'yaml'), 'health');
      assert.equal(scopeAt(lines, 3, 0, 'yaml'), 'app');
    });

    it('four-space YAML', () => {
      const lines = ['app: web', 'rollout:', '    surge: 1', '    deadline: 60s', 'port: 80'];
      assert.deepEqual(
        scopes(lines, 'yaml').map(([, s]) => s),
        ['app', 'app', 'rollout', 'rollout', 'app'],
      );
    });
  });

  describe('hoverAt', () => {
    it('on a key, anywhere from its first to just past its last character', () => {
      const lines = ['app web', '  exec ./bin/server'];
      const expected = describeKey(keyInfo('app', 'exec')!);
      for (const column of [2, 4, 6]) assert.equal(hoverAt(lines, 1, column, 'skr8tr'), expected, `column ${column}`);
      assert.match(expected, /^\*\*exec\*\* — an app key\n/);
      assert.match(expected, /```skr8tr\nexec \.\/bin\/server\n```$/);
    });

    it('not in the indentation before a key, nor on a plain value', () => {
      const lines = ['app web', '  exec ./bin/server', '  port 8080'];
      assert.equal(hoverAt(lines, 1, 0, 'skr8tr'), null);
      assert.equal(hoverAt(lines, 1, 1, 'skr8tr'), null);
      assert.equal(hoverAt(lines, 1, 10, 'skr8tr'), null);
      assert.equal(hoverAt(lines, 2, 8, 'skr8tr'), null);
    });

    it('on the value of a choice key, with its values listed', () => {
      const lines = ['app web', '  restart on-failure'];
      const h = hoverAt(lines, 1, 12, 'skr8tr');
      assert.equal(h, describeKey(keyInfo('app', 'restart')!));
      assert.match(h!, /Values: `always`, `on-failure`, `never`/);
      assert.match(h!, /Default: never/);
    });

    it('`app` at the top level', () => {
      const h = hoverAt(['app web'], 0, 1, 'skr8tr');
      assert.ok(h);
      assert.match(h, /^\*\*app\*\*\n/, 'a top-level key names no scope');
      assert.equal(hoverAt(['app web'], 0, 5, 'skr8tr'), null, 'the app name is not a choice');
    });

    it('keys of a nested block say which block', () => {
      const lines = ['app web', '  health', '    check GET /health 200', '    retries 3', '  rollout', '    on-failure pause'];
      assert.match(hoverAt(lines, 2, 5, 'skr8tr')!, /^\*\*check\*\* — in a `health` block/);
      assert.equal(hoverAt(lines, 2, 12, 'skr8tr'), null, 'the check itself is not a choice');
      assert.match(hoverAt(lines, 3, 4, 'skr8tr')!, /^\*\*retries\*\*/);
      assert.match(hoverAt(lines, 5, 18, 'skr8tr')!, /Values: `rollback`, `pause`, `continue`/);
      assert.match(hoverAt(lines, 1, 3, 'skr8tr')!, /^\*\*health\*\* — an app key/);
    });

    it('a key of another block is not described in this one', () => {
      const lines = ['app web', '  surge 1', '  health', '    exec ./x'];
      assert.equal(hoverAt(lines, 1, 3, 'skr8tr'), null, '`surge` belongs to rollout');
      assert.equal(hoverAt(lines, 3, 5, 'skr8tr'), null, '`exec` is not a health key');
    });

    it('not in env or secret blocks, whatever the names', () => {
      const lines = ['app web', '  env', '    restart always', '    exec x', '  secret', '    port 1'];
      assert.match(hoverAt(lines, 1, 3, 'skr8tr')!, /^\*\*env\*\*/, 'the block header itself is a key');
      for (const [line, column] of [
        [2, 5],
        [2, 14],
        [3, 5],
        [5, 5],
      ] as const) {
        assert.equal(hoverAt(lines, line, column, 'skr8tr'), null, `line ${line} column ${column}`);
      }
    });

    it('brace style: on `health {` and inside it, and nothing on a brace or comment line', () => {
      const lines = ['app web {', '  health {', '    check tcp', '  }', '  # restart always', '}'];
      assert.match(hoverAt(lines, 1, 3, 'skr8tr')!, /^\*\*health\*\*/);
      assert.match(hoverAt(lines, 2, 6, 'skr8tr')!, /^\*\*check\*\*/);
      assert.equal(hoverAt(lines, 3, 2, 'skr8tr'), null);
      assert.equal(hoverAt(lines, 4, 5, 'skr8tr'), null);
      assert.equal(hoverAt(lines, 5, 0, 'skr8tr'), null);
      assert.equal(hoverAt(lines, 99, 0, 'skr8tr'), null, 'a line past the end');
    });

    it('brace style with nothing indented', () => {
      const lines = FLAT_BRACES;
      assert.match(hoverAt(lines, 1, 1, 'skr8tr')!, /^\*\*exec\*\* — an app key/);
      assert.match(hoverAt(lines, 3, 1, 'skr8tr')!, /^\*\*check\*\* — in a `health` block/);
      assert.equal(hoverAt(lines, 9, 1, 'skr8tr'), null, '`restart` inside env');
    });

    it('tabs count as four columns of indentation, and hover columns follow', () => {
      const lines = ['app web', '\thealth', '\t\tinterval 5s'];
      assert.match(hoverAt(lines, 2, 8, 'skr8tr')!, /^\*\*interval\*\*/);
    });

    it('YAML: keys, choice values, health children; not env entries', () => {
      const at = (line: number, column: number) => hoverAt(YAML, line, column, 'yaml');
      assert.match(at(2, 1)!, /^\*\*exec\*\* — an app key/);
      assert.equal(at(2, 8), null, 'a path value');
      assert.match(at(4, 3)!, /^\*\*check\*\* — in a `health` block/);
      assert.match(at(13, 2)!, /^\*\*restart\*\*/);
      assert.match(at(13, 12)!, /^\*\*restart\*\*/, 'on the choice value');
      assert.match(at(12, 16)!, /^\*\*on-failure\*\* — in a `rollout` block/);
      assert.equal(at(9, 4), null, '`restart` inside env');
      assert.equal(at(8, 4), null);
      assert.equal(at(0, 3), null, 'a comment');
      assert.equal(at(17, 1), null, 'a document marker');
    });

    it('YAML: a key after a list dash', () => {
      assert.match(hoverAt(YAML, 15, 5, 'yaml')!, /^\*\*path\*\* — in a `volume` block/);
      assert.match(hoverAt(YAML, 16, 5, 'yaml')!, /^\*\*env\*\* — in a `volume` block/);
      assert.equal(hoverAt(YAML, 15, 2, 'yaml'), null, 'on the dash');
    });
  });

  describe('completionsAt', () => {
    const labels = (lines: string[], line: number, before: string, syntax: Syntax = 'skr8tr'): string[] =>
      completionsAt(lines, line, before, syntax).map((c) => c.label);
    const keys = (scope: Scope): string[] => keysIn(scope).map((k) => k.key);

    it('at the start of a line: the keys of the scope', () => {
      const lines = ['app web', '  health', '    check tcp', '', '  ', ''];
      assert.deepEqual(labels(lines, 3, '    '), keys('health'));
      assert.deepEqual(labels(lines, 3, '  '), keys('app'));
      assert.deepEqual(labels(lines, 3, ''), ['app']);
      assert.deepEqual(labels(lines, 5, ''), ['app']);
    });

    it('after a partial word: the same keys (the editor filters them)', () => {
      const lines = ['app web', '  ex', '  rollout', '    su'];
      assert.deepEqual(labels(lines, 1, '  ex'), keys('app'));
      assert.deepEqual(labels(lines, 3, '    su'), keys('rollout'));
      assert.deepEqual(labels(['ap'], 0, 'ap'), ['app']);
    });

    it('key completions: kind, detail, documentation and what is inserted', () => {
      const all = completionsAt(['app web', '  '], 1, '  ', 'skr8tr');
      const by = (label: string) => all.find((c) => c.label === label)!;
      assert.deepEqual(by('restart'), {
        label: 'restart',
        kind: 'key',
        detail: 'always | on-failure | never',
        documentation: describeKey(keyInfo('app', 'restart')!),
        insert: 'restart ',
      });
      assert.equal(by('health').detail, 'block');
      assert.equal(by('env').detail, 'block');
      assert.equal(by('port').detail, 'integer');
      assert.equal(by('args').detail, 'words');
      assert.ok(all.every((c) => c.kind === 'key'));
    });

    it('YAML keys are inserted with a colon; top-level YAML keys are app keys', () => {
      const lines = ['app: web', '', 'health:', '  '];
      const top = completionsAt(lines, 1, '', 'yaml');
      assert.deepEqual(
        top.map((c) => c.label),
        keys('app'),
      );
      assert.equal(top.find((c) => c.label === 'exec')!.insert, 'exec: ');
      assert.deepEqual(labels(lines, 3, '  ', 'yaml'), keys('health'));
      assert.deepEqual(labels(lines, 3, '  ti', 'yaml'), keys('health'));
    });

    it('choice values after `restart ` and `on-failure `, also after part of one', () => {
      const lines = ['app web', '  restart ', '  rollout', '    on-failure '];
      const restart = completionsAt(lines, 1, '  restart ', 'skr8tr');
      assert.deepEqual(
        restart.map((c) => c.label),
        ['always', 'on-failure', 'never'],
      );
      assert.deepEqual(restart[0], { label: 'always', kind: 'value', detail: 'restart', documentation: describeKey(keyInfo('app', 'restart')!), insert: 'always' });
      assert.deepEqual(labels(lines, 1, '  restart on'), ['always', 'on-failure', 'never']);
      assert.deepEqual(labels(lines, 3, '    on-failure '), ['rollback', 'pause', 'continue']);
      assert.deepEqual(labels(lines, 1, '  type '), ['service', 'job', 'wasm', 'vm', 'process']);
      assert.deepEqual(labels(lines, 1, '  ingress '), ['on', 'off']);
    });

    it('no values once the choice is written, nor for a choice key of another scope', () => {
      const lines = ['app web', '  restart always ', '  on-failure '];
      assert.deepEqual(labels(lines, 1, '  restart always '), []);
      assert.deepEqual(labels(lines, 1, '  restart always x'), []);
      assert.deepEqual(labels(lines, 2, '  on-failure '), [], '`on-failure` is a rollout key');
    });

    it('no values for keys that are not choices', () => {
      const lines = ['app web', '  exec '];
      for (const before of ['  exec ', '  port ', '  replicas 3', '  nonsense ']) assert.deepEqual(labels(lines, 1, before), [], before);
    });

    it('`GET /health 200` and `tcp` after `check ` and after a one-line `health `', () => {
      const lines = ['app web', '  health ', '  health', '    check '];
      const check = completionsAt(lines, 3, '    check ', 'skr8tr');
      assert.deepEqual(
        check.map((c) => c.label),
        ['GET /health 200', 'tcp'],
      );
      assert.deepEqual(check[1], { label: 'tcp', kind: 'value', detail: 'check', documentation: describeKey(keyInfo('health', 'check')!), insert: 'tcp' });
      assert.deepEqual(labels(lines, 1, '  health '), ['GET /health 200', 'tcp']);
      assert.deepEqual(labels(lines, 1, '  health GET '), [], 'a one-line health being written');
      assert.deepEqual(labels(['app web', '  check '], 1, '  check '), [], '`check` is a health key');
    });

    it('YAML: values after `restart: `, `check: ` and `health: `', () => {
      const lines = ['app: web', 'restart: ', 'health: ', 'rollout:', '  on-failure: ', 'health:', '  check: '];
      assert.deepEqual(labels(lines, 1, 'restart: ', 'yaml'), ['always', 'on-failure', 'never']);
      assert.deepEqual(labels(lines, 2, 'health: ', 'yaml'), ['GET /health 200', 'tcp']);
      assert.deepEqual(labels(lines, 4, '  on-failure: ', 'yaml'), ['rollback', 'pause', 'continue']);
      assert.deepEqual(labels(lines, 6, '  check: ', 'yaml'), ['GET /health 200', 'tcp']);
    });

    it('nothing inside env or secret', () => {
      const lines = ['app web', '  env', '    ', '    restart ', '  secret', '    '];
      assert.deepEqual(labels(lines, 2, '    '), []);
      assert.deepEqual(labels(lines, 2, '    RE'), []);
      assert.deepEqual(labels(lines, 3, '    restart '), []);
      assert.deepEqual(labels(lines, 3, '    check '), []);
      assert.deepEqual(labels(lines, 5, '    '), []);
      assert.deepEqual(labels(['app: web', 'env:', '  '], 2, '  ', 'yaml'), []);
      assert.deepEqual(labels(['app: web', 'env:', '  restart: '], 2, '  restart: ', 'yaml'), []);
    });

    it('in brace style, inside and after a block', () => {
      const lines = ['app web {', '  health {', '    ', '  }', '  ', '}', ''];
      assert.deepEqual(labels(lines, 2, '    '), keys('health'));
      assert.deepEqual(labels(lines, 4, '  '), keys('app'));
      assert.deepEqual(labels(lines, 6, ''), ['app']);
    });
  });

  describe('wordRange', () => {
    it('the word at a 1-based column, end exclusive', () => {
      assert.deepEqual(wordRange('  port abc', 8), [7, 10]);
      assert.deepEqual(wordRange('  port abc', 3), [2, 6]);
      assert.deepEqual(wordRange('port abc', 9), [8, 8], 'just past the end: an empty range there');
    });

    it('from the column to the end of its word only', () => {
      assert.deepEqual(wordRange('  replicas many', 5), [4, 10]);
    });

    it('one character on white space', () => {
      assert.deepEqual(wordRange('a  b', 2), [1, 2]);
      assert.deepEqual(wordRange('\tx', 1), [0, 1]);
    });

    it('columns outside the line are clamped', () => {
      assert.deepEqual(wordRange('abc', 0), [0, 3]);
      assert.deepEqual(wordRange('abc', -5), [0, 3]);
      assert.deepEqual(wordRange('abc', 10), [3, 3]);
      assert.deepEqual(wordRange('', 1), [0, 0]);
    });

    it('a word at the end of the line', () => {
      assert.deepEqual(wordRange('port 99999', 6), [5, 10]);
    });
  });
});
