// Diagnostics: exact positions, "did you mean", duplicates, conflicts, the explicit limits, and
// bad input of every kind, which must give diagnostics and never throw.
import * as assert from 'node:assert/strict';
import { formatDiagnostic, hasErrors, LIMITS, parseManifest, type Diagnostic, type ParseResult } from '../../../src/shared/manifest';
import { specToJson } from '../../../src/shared/manifest/json';

const FILE = '/manifests/web.skr8tr';
const YAML_FILE = '/manifests/web.skr8tr.yaml';

const text = (...lines: string[]): string => lines.join('\n') + '\n';
const app = (...body: string[]): string => text('app web', '  exec ./s', ...body);

function parse(input: string | Uint8Array, file = FILE): ParseResult {
  return parseManifest(input, file);
}

function show(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.line}:${d.column} ${d.severity}: ${d.message}`).join('\n');
}

const errorsOf = (r: ParseResult): Diagnostic[] => r.diagnostics.filter((d) => d.severity === 'error');

/** Exactly one diagnostic, of the given severity, at line:column, whose message matches. */
function expectOne(input: string, severity: 'error' | 'warning', line: number, column: number, message: RegExp, file = FILE): Diagnostic {
  const r = parse(input, file);
  assert.equal(r.diagnostics.length, 1, `expected one diagnostic, got:\n${show(r.diagnostics)}`);
  const d = r.diagnostics[0]!;
  assert.equal(d.severity, severity, show(r.diagnostics));
  assert.deepEqual([d.line, d.column], [line, column], show(r.diagnostics));
  assert.match(d.message, message);
  assert.equal(d.file, file);
  return d;
}

/** Parses without throwing and checks every diagnostic is well formed. */
function safeParse(input: string | Uint8Array, file = FILE): ParseResult {
  let r: ParseResult;
  try {
    r = parseManifest(input, file);
  } catch (err) {
    assert.fail(`parseManifest threw: ${(err as Error)?.stack ?? String(err)}`);
  }
  for (const d of r.diagnostics) {
    assert.ok(d.severity === 'error' || d.severity === 'warning', JSON.stringify(d));
    assert.equal(d.file, file);
    assert.ok(Number.isInteger(d.line) && d.line >= 1, JSON.stringify(d));
    assert.ok(Number.isInteger(d.column) && d.column >= 1, JSON.stringify(d));
    assert.equal(typeof d.message, 'string');
    assert.ok(d.message.length > 0);
    assert.ok(!/\n\s+at /.test(d.message), `stack trace in a message: ${d.message}`);
  }
  for (let i = 1; i < r.diagnostics.length; i++) {
    const a = r.diagnostics[i - 1]!;
    const b = r.diagnostics[i]!;
    assert.ok(a.line < b.line || (a.line === b.line && a.column <= b.column), 'diagnostics are sorted by position');
  }
  return r;
}

/** A small deterministic generator, so the fuzz cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('manifest diagnostics', () => {
  describe('format', () => {
    it('formatDiagnostic gives file:line:column: severity: message', () => {
      const d = expectOne(app('  port 0'), 'error', 3, 8, /bad `port`/);
      assert.equal(formatDiagnostic(d), `${FILE}:3:8: error: ${d.message}`);
    });

    it('hasErrors is true only with an error', () => {
      assert.equal(hasErrors(parse(app('  prot 80')).diagnostics), false);
      assert.equal(hasErrors(parse(app('  port 0')).diagnostics), true);
    });

    it('diagnostics come sorted by line and column', () => {
      const r = safeParse(app('  replicas x', '  prot 1', '  port 0'));
      assert.deepEqual(r.diagnostics.map((d) => [d.line, d.column]), [[3, 12], [4, 3], [5, 8]]);
    });
  });

  describe('unknown keys and "did you mean"', () => {
    it('a misspelt key (`prot 80`) is a warning with "did you mean `port`"', () => {
      const d = expectOne(app('  prot 80'), 'warning', 3, 3, /unknown key `prot`.*did you mean `port`\?/);
      assert.match(d.message, /ignored/);
    });

    it('the app still parses (a warning does not reject it), without the unknown key', () => {
      const r = parse(app('  prot 80'));
      assert.equal(r.apps.length, 1);
      assert.equal(r.apps[0]!.spec.port, null);
    });

    it('near-misses in every scope', () => {
      const cases: [string, string, number, number, string][] = [
        [app('  replcas 2'), 'replcas', 3, 3, 'replicas'],
        [app('  helth GET /'), 'helth', 3, 3, 'health'],
        [app('  evn', '    A 1'), 'evn', 3, 3, 'env'],
        [app('  health', '    check tcp', '    intreval 5s'), 'intreval', 5, 5, 'interval'],
        [app('  rollout', '    surg 2'), 'surg', 4, 5, 'surge'],
        [app('  scale', '    cpu-abvoe 70'), 'cpu-abvoe', 4, 5, 'cpu-above'],
        [app('  build', '    run make', '    ot ./d'), 'ot', 5, 5, 'out'],
      ];
      for (const [input, key, line, column, guess] of cases) {
        const r = parse(input);
        const w = r.diagnostics.find((d) => d.message.includes(`\`${key}\``));
        assert.ok(w, `${key}: ${show(r.diagnostics)}`);
        assert.equal(w.severity, 'warning', `${key}: ${w.message}`);
        assert.deepEqual([w.line, w.column], [line, column], key);
        assert.ok(w.message.includes(`did you mean \`${guess}\`?`), `${key}: ${w.message}`);
      }
    });

    it('an unknown key with no near key is a warning without a guess', () => {
      const d = expectOne(app('  telemetry on'), 'warning', 3, 3, /unknown key `telemetry`/);
      assert.ok(!/did you mean/.test(d.message), d.message);
    });

    it('`ap web` at the top level suggests `app`', () => {
      const r = parse(text('ap web', '  exec ./s'));
      const d = r.diagnostics.find((x) => x.message.includes('`ap`'));
      assert.ok(d, show(r.diagnostics));
      assert.deepEqual([d.line, d.column], [1, 1]);
      assert.match(d.message, /did you mean `app`\?/);
      assert.ok(hasErrors(r.diagnostics));
    });

    it('an app key before any `app` says to start an app', () => {
      const r = parse(text('port 80', 'app web', '  exec ./s'));
      const errs = errorsOf(r);
      assert.equal(errs.length, 1, show(r.diagnostics));
      assert.deepEqual([errs[0]!.line, errs[0]!.column], [1, 1]);
      assert.match(errs[0]!.message, /start an app first/);
    });
  });

  describe('keys in the wrong block', () => {
    it('`port` inside `health` (two-space file) is an error, not a lost key', () => {
      const d = expectOne(app('  health', '    check GET /health', '    port 8080'), 'error', 5, 5, /`port` is not a key of a `health` block.*app key/);
      assert.ok(d);
    });

    it('`replicas` inside a `rollout`, `scale` or `build` block is an error', () => {
      for (const block of ['rollout', 'scale', 'build']) {
        const extra = block === 'build' ? ['    run make'] : [];
        const r = parse(app(`  ${block}`, ...extra, '    replicas 3'));
        const errs = errorsOf(r).filter((d) => d.message.includes('`replicas`'));
        assert.equal(errs.length, 1, `${block}: ${show(r.diagnostics)}`);
        assert.deepEqual([errs[0]!.line, errs[0]!.column], [4 + extra.length, 5]);
      }
    });

    it('a block key written at app level says which block it belongs in', () => {
      expectOne(app('  surge 2'), 'error', 3, 3, /`surge` is not a key of app `web`; it belongs in a `rollout` block/);
      expectOne(app('  check GET /'), 'error', 3, 3, /belongs in a `health` block/);
    });

    it('`app` nested in an app is an error', () => {
      const r = parse(text('app a', '  exec ./a', '  app b', '    exec ./b'));
      assert.ok(errorsOf(r).some((d) => d.line === 3 && d.column === 3 && /`app`/.test(d.message)), show(r.diagnostics));
    });

    it('a key that takes a value but has indented lines under it is an error at the first of them', () => {
      expectOne(app('  port 80', '    replicas 2'), 'error', 4, 5, /`port` does not open a block/);
    });

    it('a block key with a value on its line is an error at the value', () => {
      expectOne(app('  env FOO'), 'error', 3, 7, /`env` opens a block/);
    });

    it('an empty block is a warning', () => {
      expectOne(app('  rollout'), 'warning', 3, 3, /`rollout` block is empty/);
    });

    it('inconsistent indentation inside a block is an error at the line', () => {
      const r = parse(text('app web', '    exec ./s', '  port 80'));
      const errs = errorsOf(r);
      assert.equal(errs.length, 1, show(r.diagnostics));
      assert.deepEqual([errs[0]!.line, errs[0]!.column], [3, 3]);
      assert.match(errs[0]!.message, /indentation/);
    });
  });

  describe('duplicates', () => {
    it('a key written twice is an error at the second, naming the first line', () => {
      const d = expectOne(app('  port 1', '  replicas 2', '  port 2'), 'error', 5, 3, /duplicate `port` \(first at line 3\)/);
      assert.ok(d);
      assert.equal(parse(app('  port 1', '  port 2')).apps[0]!.spec.port, 1);
    });

    it('a block written twice is an error', () => {
      expectOne(app('  health tcp', '  health', '    check GET /'), 'error', 4, 3, /duplicate `health` \(first at line 3\)/);
    });

    it('a key written twice inside a block is an error', () => {
      expectOne(app('  rollout', '    surge 1', '    surge 2'), 'error', 5, 5, /duplicate `surge` \(first at line 4\)/);
    });

    it('an env name written twice is an error, in either form', () => {
      expectOne(app('  env', '    A 1', '    A=2'), 'error', 5, 5, /duplicate env `A` \(first at line 4\)/);
    });

    it('an app name used twice is an error at the second app', () => {
      expectOne(text('app web', '  exec ./a', 'app web', '  exec ./b'), 'error', 3, 1, /app `web` is already defined at line 1/);
    });

    it('`volume` and `build run` may repeat', () => {
      const r = parse(app('  volume', '    path a', '    env A', '  volume', '    path b', '    env B', '  build', '    run x', '    run y'));
      assert.deepEqual(r.diagnostics, [], show(r.diagnostics));
    });
  });

  describe('conflicts', () => {
    it('`out` that holds the manifest\'s own folder is a warning (every build would copy the project)', () => {
      expectOne('app a\n  exec ./a\n  build\n    run make\n    out .\n', 'warning', 5, 9, /`out` \. holds the manifest's own folder: .* such as \.\/dist/);
      assert.deepEqual(parse('app a\n  exec ./a\n  build\n    run make\n    out ./dist\n').diagnostics, []);
    });

    it('a port that neither args nor env hand on is a hint (kept apart from the diagnostics), at the port', () => {
      const r = parse('app a\n  exec ./a\n  port 8080\n');
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.hints.map((d) => [d.severity, d.line, d.column]), [['info', 3, 8]]);
      for (const handed of ['  args --port ${PORT}', '  env\n    LISTEN :${PORT}', '  ingress off']) {
        assert.deepEqual(parse(`app a\n  exec ./a\n  port 8080\n${handed}\n`).hints, [], handed);
      }
      assert.deepEqual(parse('app a\n  serve\n    static ./public\n    port 8080\n').hints, [], 'the agent\'s static server listens on its port');
    });

    it('`exec` and `bin` both given is an error', () => {
      expectOne(text('app web', '  exec ./a', '  bin ./b'), 'error', 3, 3, /`bin` and `exec` \(line 2\) both name the program/);
    });

    it('`exec` twice is also one error', () => {
      expectOne(text('app web', '  exec ./a', '  exec ./b'), 'error', 3, 3, /duplicate `exec`/);
    });

    it('`surge 0` with `unavailable 0` is an error at the rollout block', () => {
      expectOne(app('  rollout', '    surge 0', '    unavailable 0'), 'error', 3, 3, /`surge` and `unavailable` are both 0/);
    });

    it('`surge 0` alone is an error too (`unavailable` defaults to 0); with `unavailable 1` it is fine', () => {
      expectOne(app('  rollout', '    surge 0'), 'error', 3, 3, /both 0/);
      const ok = parse(app('  rollout', '    surge 0', '    unavailable 1'));
      assert.deepEqual(ok.diagnostics, [], show(ok.diagnostics));
    });

    it('the same name in `env` and `secret` is an error at the secret', () => {
      expectOne(app('  env', '    TOKEN a', '  secret', '    TOKEN b'), 'error', 6, 5, /`TOKEN` is in both `env` and `secret`/);
    });

    it('`serve port` different from `port` is an error', () => {
      expectOne(text('app s', '  port 80', '  serve', '    static ./d', '    port 81'), 'error', 5, 10, /differs/);
    });

    it('`scale min` above `max` is an error', () => {
      const r = parse(app('  replicas 3', '  scale', '    min 5', '    max 2'));
      assert.ok(errorsOf(r).some((d) => d.line === 5 && d.column === 9 && /`min` 5 is above `max` 2/.test(d.message)), show(r.diagnostics));
    });

    it('`cpu-below` not below `cpu-above` is an error', () => {
      expectOne(app('  scale', '    cpu-above 50', '    cpu-below 50'), 'error', 5, 15, /`cpu-below` 50% must be below `cpu-above` 50%/);
    });

    it('`replicas` outside the scale bounds is a warning', () => {
      expectOne(app('  replicas 9', '  scale', '    max 4'), 'warning', 3, 12, /outside the scale bounds/);
    });

    it('`env PORT` with ingress on is a warning (each replica gets its own PORT)', () => {
      expectOne(app('  port 80', '  env', '    PORT 80'), 'warning', 5, 5, /`env PORT 80` is replaced/);
      const off = parse(app('  port 80', '  ingress off', '  env', '    PORT 80'));
      assert.deepEqual(off.diagnostics, [], show(off.diagnostics));
    });

    it('a volume may not use PORT', () => {
      expectOne(app('  volume', '    path ./d', '    env PORT'), 'error', 3, 3, /PORT/);
    });
  });

  describe('required values', () => {
    it('an app without exec (and no serve static, not a vm) is an error at the app line', () => {
      expectOne(text('app web', '  port 80'), 'error', 1, 1, /app `web` needs `exec`/);
    });

    it('`type vm` without a `vm` block is an error', () => {
      expectOne(text('app v', '  type vm'), 'error', 1, 1, /needs a `vm` block/);
    });

    it('`app` without a name is an error', () => {
      const r = parse(text('app', '  exec ./s'));
      assert.ok(errorsOf(r).some((d) => d.line === 1 && d.column === 1 && /needs a name/.test(d.message)), show(r.diagnostics));
      assert.equal(r.apps.length, 0);
    });

    it('an app name of two words is an error at the second', () => {
      const r = parse(text('app my app', '  exec ./s'));
      assert.ok(errorsOf(r).some((d) => d.line === 1 && d.column === 8 && /one word/.test(d.message)), show(r.diagnostics));
    });

    it('app names: letters, digits, `-`, `_`, `.`, at most 63 characters', () => {
      const ok = parse(text(`app A-b_c.9${'x'.repeat(63 - 8)}`, '  exec ./s'));
      assert.deepEqual(ok.diagnostics, [], show(ok.diagnostics));
      expectOne(text(`app ${'x'.repeat(64)}`, '  exec ./s'), 'error', 1, 5, /not valid/);
      expectOne(text('app wéb', '  exec ./s'), 'error', 1, 5, /not valid/);
      expectOne(text('app a/b', '  exec ./s'), 'error', 1, 5, /not valid/);
    });

    it('an empty file or a file of comments is an error: no app', () => {
      for (const input of ['', '\n\n', '# nothing\n   # here\n']) {
        const r = safeParse(input);
        assert.equal(r.apps.length, 0);
        assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.line, d.column]), [['error', 1, 1]]);
        assert.match(r.diagnostics[0]!.message, /no app here/);
      }
    });

    it('a volume needs path and env; a build needs run', () => {
      const r = parse(app('  volume', '    path ./d', '  build', '    out ./o'));
      assert.ok(errorsOf(r).some((d) => d.line === 3 && /needs an `env`/.test(d.message)), show(r.diagnostics));
      assert.ok(errorsOf(r).some((d) => d.line === 5 && /needs at least one `run`/.test(d.message)), show(r.diagnostics));
    });
  });

  describe('limits', () => {
    it(`a file of exactly 1 MiB (${LIMITS.fileBytes} bytes) is read`, () => {
      const head = app('  port 80');
      const line = '#' + 'x'.repeat(1000) + '\n';
      let body = head;
      while (body.length + line.length <= LIMITS.fileBytes) body += line;
      body += '#'.repeat(LIMITS.fileBytes - body.length);
      assert.equal(Buffer.byteLength(body), LIMITS.fileBytes);
      const r = safeParse(body);
      assert.deepEqual(r.diagnostics, [], show(r.diagnostics));
      assert.equal(r.apps.length, 1);
    });

    it('a file of 1 MiB + 1 byte is refused with one error at 1:1 and no apps', () => {
      const head = app('  port 80');
      const body = head + '#'.repeat(LIMITS.fileBytes - head.length) + '\n';
      assert.equal(Buffer.byteLength(body), LIMITS.fileBytes + 1);
      for (const input of [body, Buffer.from(body)]) {
        const r = safeParse(input);
        assert.equal(r.apps.length, 0);
        assert.equal(r.diagnostics.length, 1, show(r.diagnostics));
        assert.deepEqual([r.diagnostics[0]!.severity, r.diagnostics[0]!.line, r.diagnostics[0]!.column], ['error', 1, 1]);
        assert.match(r.diagnostics[0]!.message, /1048577 bytes.*at most 1 MiB/);
      }
    });

    it('the file limit counts bytes, not characters', () => {
      const head = app('  port 80');
      const chars = Math.ceil((LIMITS.fileBytes - head.length) / 2) + 1; // two bytes each
      const body = head + '#' + 'é'.repeat(chars);
      assert.ok(body.length < LIMITS.fileBytes);
      const r = safeParse(body);
      assert.equal(r.apps.length, 0);
      assert.match(r.diagnostics[0]!.message, /at most 1 MiB/);
    });

    it(`a line of exactly 8 KiB (${LIMITS.lineBytes} bytes) is read`, () => {
      const long = '  # ' + 'x'.repeat(LIMITS.lineBytes - 4);
      assert.equal(Buffer.byteLength(long), LIMITS.lineBytes);
      const r = safeParse(app(long, '  port 80'));
      assert.deepEqual(r.diagnostics, [], show(r.diagnostics));
    });

    it('a line of 8 KiB + 1 byte is an error at line:1, and the rest of the file is still checked', () => {
      const long = '  args ' + 'a'.repeat(LIMITS.lineBytes - 6);
      assert.equal(Buffer.byteLength(long), LIMITS.lineBytes + 1);
      const r = safeParse(app(long, '  port 0'));
      const errs = errorsOf(r);
      assert.equal(errs.length, 2, show(r.diagnostics));
      assert.deepEqual([errs[0]!.line, errs[0]!.column], [3, 1]);
      assert.match(errs[0]!.message, /8193 bytes.*at most 8 KiB/);
      assert.deepEqual([errs[1]!.line, errs[1]!.column], [4, 8]);
      assert.deepEqual(r.apps[0]!.spec.args, []);
    });

    it('the line limit counts bytes: 4,097 two-byte characters are too many', () => {
      const r = safeParse(app('  env', `    A ${'é'.repeat(4097)}`));
      assert.ok(errorsOf(r).some((d) => d.line === 4 && d.column === 1 && /at most 8 KiB/.test(d.message)), show(r.diagnostics));
    });

    const apps = (n: number): string => Array.from({ length: n }, (_, i) => `app a${i}\n  exec ./s\n`).join('');

    it('100 apps in a file are fine', () => {
      const r = safeParse(apps(100));
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.apps.length, 100);
    });

    it('the 101st app is an error at its line', () => {
      const r = safeParse(apps(102));
      const errs = errorsOf(r);
      assert.equal(errs.length, 1, show(r.diagnostics));
      assert.deepEqual([errs[0]!.line, errs[0]!.column], [201, 1]);
      assert.match(errs[0]!.message, /at most 100/);
      assert.equal(r.apps.length, 100);
    });

    const envLines = (n: number, prefix = 'K'): string[] => Array.from({ length: n }, (_, i) => `    ${prefix}${i} v${i}`);

    it('256 env entries are fine', () => {
      const r = safeParse(app('  env', ...envLines(256)));
      assert.deepEqual(r.diagnostics, [], show(r.diagnostics));
      assert.equal(Object.keys(r.apps[0]!.spec.env).length, 256);
    });

    it('the 257th env entry is an error at its line', () => {
      const r = safeParse(app('  env', ...envLines(258)));
      const errs = errorsOf(r);
      assert.equal(errs.length, 1, show(r.diagnostics));
      assert.deepEqual([errs[0]!.line, errs[0]!.column], [4 + 256, 5]);
      assert.match(errs[0]!.message, /at most 256/);
    });

    it('the 257th secret entry is an error too', () => {
      const r = safeParse(app('  secret', ...envLines(257, 'S')));
      const errs = errorsOf(r);
      assert.equal(errs.length, 1, show(r.diagnostics));
      assert.match(errs[0]!.message, /too many secret entries/);
    });

    it('1000 replicas are fine; 1001 is an error', () => {
      assert.equal(safeParse(app('  replicas 1000')).apps[0]!.spec.replicas, 1000);
      expectOne(app('  replicas 1001'), 'error', 3, 12, /0 to 1000/);
      expectOne(app('  scale', '    max 1001'), 'error', 4, 9, /0 to 1000/);
    });
  });

  describe('bad input never throws', () => {
    it('a NUL byte is an error at its position', () => {
      const r = safeParse(app('  port 80\0'));
      assert.equal(r.apps.length, 0);
      assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.line, d.column]), [['error', 3, 10]]);
      assert.match(r.diagnostics[0]!.message, /NUL/);
    });

    it('NUL bytes in raw bytes, and a file of only NULs', () => {
      const r = safeParse(Buffer.from([0x61, 0x70, 0x70, 0x20, 0x61, 0x0a, 0x00, 0x00]));
      assert.deepEqual(r.diagnostics.map((d) => [d.line, d.column]), [[2, 1]]);
      const nuls = safeParse(Buffer.alloc(100));
      assert.deepEqual(nuls.diagnostics.map((d) => [d.severity, d.line, d.column]), [['error', 1, 1]]);
    });

    it('invalid UTF-8 is an error at the first bad byte', () => {
      const bytes = Buffer.concat([Buffer.from('app web\n  exec ./s\n  args a'), Buffer.from([0xff, 0xfe]), Buffer.from(' b\n')]);
      const r = safeParse(bytes);
      assert.equal(r.apps.length, 0);
      assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.line, d.column]), [['error', 3, 9]]);
      assert.match(r.diagnostics[0]!.message, /not valid UTF-8/);
    });

    it('truncated multi-byte sequences and overlong encodings are invalid UTF-8', () => {
      for (const bad of [[0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
        const r = safeParse(Buffer.concat([Buffer.from('app web\n  exec ./s'), Buffer.from(bad), Buffer.from('\n')]));
        assert.ok(hasErrors(r.diagnostics), JSON.stringify(bad));
        assert.equal(r.apps.length, 0);
      }
    });

    it('invalid UTF-8 in a YAML file', () => {
      const r = safeParse(Buffer.concat([Buffer.from('app: web\nexec: ./s\nargs: a'), Buffer.from([0xc3, 0x28])]), YAML_FILE);
      assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.line, d.column]), [['error', 3, 8]]);
    });

    it('an unclosed `{` is an error at the brace, for each open block', () => {
      const r = safeParse(text('app web {', '  exec ./s', '  env {', '    A 1'));
      assert.deepEqual(errorsOf(r).map((d) => [d.line, d.column]), [[1, 9], [3, 7]], show(r.diagnostics));
      assert.ok(errorsOf(r).every((d) => /never closed/.test(d.message)));
    });

    it('an unmatched `}` is an error at the brace', () => {
      expectOne(app('  port 80', '}'), 'error', 4, 1, /unmatched `}`/);
    });

    it('text after `}` is an error', () => {
      expectOne(text('app web {', '  exec ./s', '} port 80'), 'error', 3, 3, /after `}`/);
    });

    it('a brace in the middle of a line is an error', () => {
      const r = safeParse(app('  env { A 1 }'));
      assert.ok(errorsOf(r).some((d) => d.line === 3 && /braces go at the end/.test(d.message)), show(r.diagnostics));
    });

    it('a lone `{` with no header is an error', () => {
      const r = safeParse(text('{', 'app web', '  exec ./s'));
      assert.ok(hasErrors(r.diagnostics), show(r.diagnostics));
    });

    it('an unterminated quote is an error and the rest of the file is still read', () => {
      const r = safeParse(app('  args "abc', '  port 0'));
      assert.deepEqual(errorsOf(r).map((d) => [d.line, d.column]), [[3, 8], [4, 8]], show(r.diagnostics));
    });

    it('blocks nested thousands deep (braces) are an error, not a stack overflow', () => {
      const r = safeParse('app web {\n' + 'a {\n'.repeat(100_000));
      assert.ok(hasErrors(r.diagnostics));
      assert.ok(r.diagnostics.some((d) => /nest/.test(d.message)), show(r.diagnostics.slice(0, 5)));
    });

    it('blocks nested deep by `{` on the next line, or by indentation, never throw', () => {
      assert.ok(hasErrors(safeParse('app web\n' + 'a\n{\n'.repeat(100_000)).diagnostics));
      let indented = 'app web\n';
      for (let i = 1; indented.length < 900_000; i++) indented += ' '.repeat(i) + 'a\n';
      assert.ok(hasErrors(safeParse(indented).diagnostics));
    });

    it('invalid YAML is an error with a position, not a throw', () => {
      const cases = [
        'app: web\n  exec: [\n',
        'app: web\nexec: "abc\n',
        'app: web\n\texec: ./s\n',
        'app: [web\n',
        'app: web\nexec: ./s\n: x\n',
        '{{{{\n',
        'app: web\nenv: &a\n  B: *nope\n',
        'app: web\n' + '- '.repeat(3000) + 'x\n',
        'app: web\nargs: ' + '['.repeat(5_000),
      ];
      for (const input of cases) {
        const r = safeParse(input, YAML_FILE);
        assert.ok(hasErrors(r.diagnostics), `no error for ${JSON.stringify(input.slice(0, 40))}`);
      }
    });

    it('random bytes never throw, in either syntax (seeded, 1500 cases)', () => {
      const rand = prng(0x5eed);
      for (let i = 0; i < 1500; i++) {
        const bytes = Buffer.alloc(Math.floor(rand() * 300));
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
        for (const file of [FILE, YAML_FILE]) {
          const r = safeParse(bytes, file);
          assert.ok(r.apps.length > 0 || hasErrors(r.diagnostics), `no app and no error for ${bytes.toString('hex')}`);
          safeParse(bytes.toString('latin1'), file);
        }
      }
    });

    it('random manifest-like text never throws, in either syntax (seeded, 4000 cases)', () => {
      const pieces = [
        'app', 'web', ' ', '  ', '    ', '\t', '\n', '\r\n', '\r', '{', '}', '"', "'", '#', '=', ':', '-', '---', '[', ']',
        'exec', './s', 'health', 'check', 'GET', '/h', 'tcp', 'env', 'A=1', 'secret', 'port', '8080', '0', 'rollout', 'surge',
        'unavailable', 'volume', 'path', 'build', 'run', 'serve', 'static', 'scale', 'vm', '&a', '*a', '!!str', '|', '>', '?',
        '\ufeff', '\u00e9', '\\', '${PORT}', 'replicas', '1001', 'ram', '4g', 'app:', 'exec:', 'env:', '- ', '...',
      ];
      const rand = prng(42);
      for (let i = 0; i < 4000; i++) {
        let s = '';
        const n = 1 + Math.floor(rand() * 60);
        for (let j = 0; j < n; j++) s += pieces[Math.floor(rand() * pieces.length)];
        for (const file of [FILE, YAML_FILE]) {
          const r = safeParse(s, file);
          assert.ok(r.apps.length > 0 || hasErrors(r.diagnostics), `no app and no error for ${JSON.stringify(s)}`);
        }
      }
    });

    it('every app of a result is usable as JSON even when there are errors', () => {
      const r = safeParse(app('  port 0', '  ram 4', '  health POST /x', '  rollout', '    surge 0', '    unavailable 0'));
      assert.ok(hasErrors(r.diagnostics));
      assert.equal(r.apps.length, 1);
      for (const a of r.apps) assert.deepEqual(JSON.parse(JSON.stringify(specToJson(a.spec))), specToJson(a.spec));
    });
  });
});
