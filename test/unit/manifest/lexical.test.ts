// Lexical rules of the line syntax: comments, quotes, line ends, byte-order mark, tabs, and the
// `KEY value` / `KEY=value` forms of `env` and `secret`.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseManifest, type Diagnostic, type ParseResult } from '../../../src/shared/manifest';
import { specToJson } from '../../../src/shared/manifest/json';

const FILE = '/manifests/web.skr8tr';
const DIR = path.dirname(path.resolve(FILE));

const text = (...lines: string[]): string => lines.join('\n') + '\n';
/** An app with `exec ./s` and the given body lines (two-space indented by the caller). */
const app = (...body: string[]): string => text('app web', '  exec ./s', ...body);

function parse(input: string | Uint8Array, file = FILE): ParseResult {
  return parseManifest(input, file);
}

function show(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.line}:${d.column} ${d.severity}: ${d.message}`).join('\n');
}

function cleanSpec(input: string | Uint8Array): Record<string, unknown> {
  const r = parse(input);
  assert.deepEqual(r.diagnostics, [], `unexpected diagnostics:\n${show(r.diagnostics)}`);
  assert.equal(r.apps.length, 1);
  return specToJson(r.apps[0]!.spec);
}

function errorsOf(r: ParseResult): Diagnostic[] {
  return r.diagnostics.filter((d) => d.severity === 'error');
}

describe('manifest lexical rules', () => {
  describe('comments', () => {
    it('an inline comment after white space ends the value: `port 8080 # main`', () => {
      assert.equal(cleanSpec(app('  port 8080 # main')).port, 8080);
    });

    it('an inline comment after a tab ends the value', () => {
      assert.equal(cleanSpec(app('  port 8080\t# main')).port, 8080);
    });

    it('a comment right after the key leaves the key without a value', () => {
      const r = parse(app('  port # 8080'));
      const errs = errorsOf(r);
      assert.equal(errs.length, 1, show(r.diagnostics));
      assert.equal(errs[0]!.line, 3);
      assert.equal(errs[0]!.column, 3);
      assert.match(errs[0]!.message, /`port` needs a value/);
    });

    it('`#` inside a word is kept: `url#frag`', () => {
      const spec = cleanSpec(app('  env', '    URL http://example.com/page#frag', '    TAG v1#2 # a comment'));
      assert.deepEqual(spec.env, { URL: 'http://example.com/page#frag', TAG: 'v1#2' });
    });

    it('`#` inside a word is kept in args and paths', () => {
      const spec = cleanSpec(text('app web', '  exec ./bin/a#b', '  args color=#fff x#y'));
      assert.equal(spec.exec, path.resolve(DIR, 'bin/a#b'));
      assert.deepEqual(spec.args, ['color=#fff', 'x#y']);
    });

    it('`#` inside double quotes is kept', () => {
      const spec = cleanSpec(app('  args "a # b" "#start"', '  env', '    MSG "hello # world"'));
      assert.deepEqual(spec.args, ['a # b', '#start']);
      assert.deepEqual(spec.env, { MSG: 'hello # world' });
    });

    it('`#` inside single quotes is kept', () => {
      assert.deepEqual(cleanSpec(app("  args 'a # b'")).args, ['a # b']);
    });

    it('`#` right after a closing quote is part of the word', () => {
      assert.deepEqual(cleanSpec(app('  args "a"#b')).args, ['a#b']);
    });

    it('a quote inside a comment is not an unterminated quote', () => {
      assert.equal(cleanSpec(app('  port 80 # it\'s the "main port')).port, 80);
    });

    it('a `{` inside a comment does not open a braced block', () => {
      const spec = cleanSpec(app('  env # {', '    A 1', '  port 80'));
      assert.deepEqual(spec.env, { A: '1' });
      assert.equal(spec.port, 80);
    });

    it('a comment after the app name', () => {
      assert.equal(cleanSpec(text('app web # the site', '  exec ./s')).name, 'web');
    });

    it('comment lines (at any column) and blank lines produce nothing', () => {
      const withComments = cleanSpec(text('#!/usr/bin/env skr8tr', '# top', 'app web', '  # inside', '  exec ./s', '#', '   #   ', '  port 80'));
      const without = cleanSpec(text('app web', '  exec ./s', '  port 80'));
      assert.deepEqual(withComments, without);
    });
  });

  describe('quotes and argument splitting', () => {
    it('`args --name "my app" \'x y\'` gives ["--name", "my app", "x y"]', () => {
      assert.deepEqual(cleanSpec(app('  args --name "my app" \'x y\'')).args, ['--name', 'my app', 'x y']);
    });

    it('several spaces and tabs separate words; none are kept', () => {
      assert.deepEqual(cleanSpec(app('  args   a \t b\t\tc   ')).args, ['a', 'b', 'c']);
    });

    it('quotes join with adjacent text into one word', () => {
      assert.deepEqual(cleanSpec(app('  args --opt="a b" x\'y z\'w')).args, ['--opt=a b', 'xy zw']);
    });

    it('a backslash escapes `"` and `\\` inside double quotes', () => {
      assert.deepEqual(cleanSpec(app('  args "say \\"hi\\"" "back\\\\slash" "keep\\n"')).args, ['say "hi"', 'back\\slash', 'keep\\n']);
    });

    it('single quotes are literal: backslashes and double quotes kept', () => {
      assert.deepEqual(cleanSpec(app('  args \'a\\"b\' \'"q"\'')).args, ['a\\"b', '"q"']);
    });

    it('an empty quoted word is an empty argument', () => {
      assert.deepEqual(cleanSpec(app('  args a "" b')).args, ['a', '', 'b']);
    });

    it('`${PORT}` and friends are kept for expansion at launch', () => {
      assert.deepEqual(cleanSpec(app('  args --port ${PORT} --replica=${REPLICA} "${GENERATION}"')).args, ['--port', '${PORT}', '--replica=${REPLICA}', '${GENERATION}']);
    });

    it('a quoted path with spaces is one value', () => {
      assert.equal(cleanSpec(text('app web', '  exec "./my server"')).exec, path.resolve(DIR, 'my server'));
    });

    it('an unquoted value with spaces where one word is expected is an error at the second word', () => {
      const r = parse(text('app web', '  exec ./my server'));
      const errs = errorsOf(r);
      assert.equal(errs.length, 1, show(r.diagnostics));
      assert.deepEqual([errs[0]!.line, errs[0]!.column], [2, 13]);
      assert.match(errs[0]!.message, /quote it/);
    });

    it('an unterminated double quote is an error at the quote', () => {
      const r = parse(app('  args --name "my app'));
      const errs = errorsOf(r);
      assert.equal(errs.length, 1, show(r.diagnostics));
      assert.deepEqual([errs[0]!.line, errs[0]!.column], [3, 15]);
      assert.match(errs[0]!.message, /unterminated double quote/);
    });

    it('an unterminated single quote is an error at the quote', () => {
      const r = parse(app("  args 'x"));
      const errs = errorsOf(r);
      assert.equal(errs.length, 1, show(r.diagnostics));
      assert.deepEqual([errs[0]!.line, errs[0]!.column], [3, 8]);
      assert.match(errs[0]!.message, /unterminated single quote/);
    });

    it('a quote does not continue onto the next line', () => {
      const r = parse(app('  args "a', '  port 80"'));
      assert.ok(errorsOf(r).some((d) => d.line === 3 && /unterminated/.test(d.message)), show(r.diagnostics));
      assert.ok(errorsOf(r).some((d) => d.line === 4 && /unterminated/.test(d.message)), show(r.diagnostics));
    });
  });

  describe('line ends and byte-order mark', () => {
    it('CRLF: no carriage return ends up in any value', () => {
      const spec = cleanSpec(app('  args a b', '  env', '    A x', '    B=y', '  port 80').replace(/\n/g, '\r\n'));
      assert.deepEqual(spec.args, ['a', 'b']);
      assert.deepEqual(spec.env, { A: 'x', B: 'y' });
      assert.equal(spec.exec, path.resolve(DIR, 's'));
      assert.equal(spec.port, 80);
    });

    it('CRLF: diagnostic positions are the same as with LF', () => {
      const lf = app('  port 0', '  prot 1');
      const a = parse(lf).diagnostics.map((d) => [d.line, d.column, d.severity]);
      const b = parse(lf.replace(/\n/g, '\r\n')).diagnostics.map((d) => [d.line, d.column, d.severity]);
      assert.deepEqual(a, [[3, 8, 'error'], [4, 3, 'warning']]);
      assert.deepEqual(b, a);
    });

    it('a byte-order mark is not part of the first key (bytes and string input)', () => {
      const plain = app('  port 80');
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(plain)]);
      assert.deepEqual(cleanSpec(bytes), cleanSpec(plain));
      assert.deepEqual(cleanSpec('\ufeff' + plain), cleanSpec(plain));
    });

    it('with a byte-order mark, line 1 columns count from the first visible character', () => {
      const r = parse('\ufeffap web\n  exec ./s\n');
      const d = r.diagnostics.find((x) => /`ap`/.test(x.message));
      assert.ok(d, show(r.diagnostics));
      assert.deepEqual([d.line, d.column], [1, 1]);
    });

    it('a Uint8Array (not a Buffer) is read as UTF-8', () => {
      const bytes = new TextEncoder().encode(app('  env', '    GREETING grüße'));
      assert.deepEqual(cleanSpec(bytes).env, { GREETING: 'grüße' });
    });
  });

  describe('tabs', () => {
    it('a tab separates a key from its value', () => {
      assert.equal(cleanSpec(app('  port\t8080')).port, 8080);
    });

    it('tabs indent blocks; nested blocks use more tabs', () => {
      const spec = cleanSpec(text('app web', '\texec ./s', '\tenv', '\t\tA 1', '\tport 80'));
      assert.deepEqual(spec.env, { A: '1' });
      assert.equal(spec.port, 80);
    });

    it('a tab-indented line reports columns in characters', () => {
      const r = parse(text('app web', '\texec ./s', '\tprot 80'));
      assert.equal(r.diagnostics.length, 1, show(r.diagnostics));
      assert.deepEqual([r.diagnostics[0]!.line, r.diagnostics[0]!.column], [3, 2]);
    });

    it('a tab value separator in env keeps the value without the tab', () => {
      assert.deepEqual(cleanSpec(app('  env', '    A\tvalue\t')).env, { A: 'value' });
    });
  });

  describe('env and secret entries', () => {
    it('`KEY=VALUE` gives key KEY, not `KEY=VALUE`', () => {
      assert.deepEqual(cleanSpec(app('  env', '    KEY=VALUE')).env, { KEY: 'VALUE' });
    });

    it('`KEY value` and `KEY=value` mean the same', () => {
      assert.deepEqual(cleanSpec(app('  env', '    A=1', '    B=two')), cleanSpec(app('  env', '    A 1', '    B two')));
    });

    it('`KEY = value` (spaces around `=`) gives key KEY', () => {
      assert.deepEqual(cleanSpec(app('  env', '    KEY = value')).env, { KEY: 'value' });
    });

    it('`KEY=` is an empty value; `KEY=a=b` keeps the later `=`', () => {
      assert.deepEqual(cleanSpec(app('  env', '    EMPTY=', '    PAIR=a=b', '    URL=http://h/?q=1&r=2')).env, { EMPTY: '', PAIR: 'a=b', URL: 'http://h/?q=1&r=2' });
    });

    it('`KEY="a b"` is one quoted value', () => {
      assert.deepEqual(cleanSpec(app('  env', '    MSG="hello world"')).env, { MSG: 'hello world' });
    });

    it('`KEY=a b` (unquoted space) is an error at the second word', () => {
      const r = parse(app('  env', '    MSG=hello world'));
      const errs = errorsOf(r);
      assert.equal(errs.length, 1, show(r.diagnostics));
      assert.deepEqual([errs[0]!.line, errs[0]!.column], [4, 15]);
    });

    it('`KEY value…` takes the rest of the line as the value', () => {
      assert.deepEqual(cleanSpec(app('  env', '    JAVA_OPTS -Xmx1g -Xms512m   # memory')).env, { JAVA_OPTS: '-Xmx1g -Xms512m' });
    });

    it('`KEY` alone has an empty value', () => {
      assert.deepEqual(cleanSpec(app('  env', '    DEBUG')).env, { DEBUG: '' });
    });

    it('values keep their case and `${...}` references', () => {
      assert.deepEqual(cleanSpec(app('  env', '    Mixed_Case ${PORT}', '    _X ${REPLICA}-${GENERATION}')).env, { Mixed_Case: '${PORT}', _X: '${REPLICA}-${GENERATION}' });
    });

    it('an invalid env name is an error at the name', () => {
      const r = parse(app('  env', '    1BAD x', '    GOOD y', '    BAD-NAME=z'));
      const errs = errorsOf(r);
      assert.deepEqual(errs.map((d) => [d.line, d.column]), [[4, 5], [6, 5]], show(r.diagnostics));
      assert.match(errs[0]!.message, /"1BAD" is not a valid env name/);
      assert.match(errs[1]!.message, /"BAD-NAME" is not a valid env name/);
      assert.deepEqual(specToJson(r.apps[0]!.spec).env, { GOOD: 'y' });
    });

    it('`KEY=VALUE` in `secret` gives key KEY, and only the key appears in the spec', () => {
      const r = parse(app('  secret', '    API_KEY=s3cr3t-value', '    TOKEN "tok en"'));
      assert.deepEqual(r.diagnostics, [], show(r.diagnostics));
      const a = r.apps[0]!;
      assert.deepEqual(a.spec.secretKeys, ['API_KEY', 'TOKEN']);
      assert.deepEqual(a.secrets, { API_KEY: 's3cr3t-value', TOKEN: 'tok en' });
      const json = JSON.stringify(specToJson(a.spec));
      assert.ok(!json.includes('s3cr3t-value') && !json.includes('tok en'), json);
    });
  });
});
