// `skr8tr validate FILE [--json]`, run as the built CLI (dist/cli.js) against temporary files:
// exit 0 with no errors, 1 with errors, 2 for a usage or file problem; never a stack trace.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

const APP_FIELDS = [
  'name', 'type', 'exec', 'args', 'cwd', 'port', 'ingress', 'replicas', 'ramBytes', 'cpu', 'gpu', 'restart', 'drainMs',
  'settleMs', 'requestTimeoutMs', 'attempts', 'env', 'secretKeys', 'health', 'rollout', 'scale', 'build', 'serve', 'volumes', 'vm', 'needs', 'watch', 'envFiles', 'image',
];

const text = (...lines: string[]): string => lines.join('\n') + '\n';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Fails when the output looks like a crash: a stack frame, an internal error, a JS error name. */
function assertNoStackTrace(run: Run): void {
  for (const [name, out] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
    assert.ok(!/^\s*at\s+\S.*(?:\(.*:\d+:\d+\)|:\d+:\d+)\s*$/m.test(out), `stack trace on ${name}:\n${out.slice(0, 2000)}`);
    assert.ok(!/internal error/i.test(out), `internal error on ${name}:\n${out.slice(0, 2000)}`);
    assert.ok(!/\b(?:Range|Type|Reference)Error\b/.test(out), `JS error on ${name}:\n${out.slice(0, 2000)}`);
  }
}

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

describe('skr8tr validate (built CLI)', () => {
  let tmp = '';

  before(() => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run \`npm run build\` before the unit tests`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-cli-validate-'));
    // The programs the manifests name exist here (one that does not is warned about: see below).
    for (const p of ['server', 's', 't', 'a', 'b']) fs.writeFileSync(path.join(tmp, p), '#!/bin/sh\n', { mode: 0o755 });
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  function write(name: string, content: string | Uint8Array): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, content);
    return file;
  }

  function run(...args: string[]): Run {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: tmp, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(r.error, undefined, String(r.error));
    const result = { status: r.status, stdout: r.stdout, stderr: r.stderr };
    assertNoStackTrace(result);
    return result;
  }

  function json(r: Run): { apps: Record<string, any>[]; diagnostics: Record<string, any>[] } {
    try {
      return JSON.parse(r.stdout);
    } catch {
      assert.fail(`stdout is not JSON:\n${r.stdout.slice(0, 2000)}`);
    }
  }

  describe('exit 0: no errors', () => {
    it('a valid manifest: exit 0 and an ok line naming the app', () => {
      const file = write('ok.skr8tr', text('app web', '  exec ./server', '  args --port ${PORT}', '  port 8080'));
      const r = run('validate', file);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim(), `${file}: ok (1 app: web)`);
    });

    it('a port that neither args nor env hand on: an info hint at the port line, still exit 0', () => {
      const file = write('hint.skr8tr', text('app web', '  exec python3', '  args -m http.server 8080', '  port 8080'));
      const r = run('validate', file);
      assert.equal(r.status, 0, r.stderr);
      const [hint, ok] = r.stderr.trim().split('\n');
      assert.match(hint!, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:8: info: each replica gets its own port in \\$PORT \\(the ingress holds 8080\\)`));
      assert.match(hint!, /set `ingress off`/);
      assert.equal(ok, `${file}: ok (1 app: web)`);
      const quiet = run('validate', write('quiet.skr8tr', text('app web', '  exec ./server', '  port 8080', '  ingress off')));
      assert.doesNotMatch(quiet.stderr, /info:/, 'no hint when the program binds the port itself on purpose');
    });

    it('a program or an env file that is not there: a warning on its line (`up` would fail), still exit 0', () => {
      const file = write('missing.skr8tr', text('app web', '  exec /nonexistent/bin/thing', '  env-file .env.missing', 'app other', '  exec definitely-not-a-binary-xyz', 'app fine', '  exec sh', '  env-file s'));
      const r = run('validate', file);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines[0], `${file}:2:8: warning: program /nonexistent/bin/thing does not exist; \`up\` would start replicas that fail at once`);
      assert.equal(lines[1], `${file}:3:12: warning: env-file ${path.join(tmp, '.env.missing')} does not exist; \`up\` refuses the app until it can be read`);
      assert.equal(lines[2], `${file}:5:8: warning: program definitely-not-a-binary-xyz is not found on PATH; \`up\` would start replicas that fail at once`);
      assert.equal(lines[3], `${file}: ok (3 apps: web, other, fine)`);
      assert.equal(lines.length, 4, 'a program on PATH and an env file that is there: nothing');
    });

    it('several apps are all named', () => {
      const file = write('two.skr8tr', text('app a', '  exec ./a', 'app b', '  exec ./b'));
      const r = run('validate', file);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /ok \(2 apps: a, b\)/);
    });

    it('--json prints the model: one object with apps and diagnostics, each app with exactly the documented fields', () => {
      const file = write('json.skr8tr', text('app web', '  exec ./server', '  port 8080', '  env', '    A=1'));
      const r = run('validate', file, '--json');
      assert.equal(r.status, 0, r.stderr);
      const out = json(r);
      assert.deepEqual(Object.keys(out).sort(), ['apps', 'diagnostics']);
      assert.deepEqual(out.diagnostics, []);
      assert.equal(out.apps.length, 1);
      assert.deepEqual(Object.keys(out.apps[0]!), APP_FIELDS);
      assert.equal(out.apps[0]!.name, 'web');
      assert.equal(out.apps[0]!.port, 8080);
      assert.equal(out.apps[0]!.exec, path.join(tmp, 'server'));
      assert.deepEqual(out.apps[0]!.env, { A: '1' });
    });

    it('--json may come before the file', () => {
      const file = write('json-first.skr8tr', text('app web', '  exec ./server'));
      const r = run('validate', '--json', file);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(json(r).apps[0]!.name, 'web');
    });

    it('warnings alone still exit 0, and are printed with file:line:column', () => {
      const file = write('warn.skr8tr', text('app web', '  exec ./server', '  prot 80'));
      const r = run('validate', file);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stderr.includes(`${file}:3:3: warning: unknown key \`prot\``), r.stderr);
      assert.match(r.stderr, /did you mean `port`\?/);
      assert.match(r.stderr, /ok \(1 app: web\)/);
    });

    it('a four-space manifest keeps port and replicas after a health block', () => {
      const file = write('four.skr8tr', text('app web', '    exec ./s', '    health', '        check GET /health 200', '    port 8080', '    replicas 3'));
      const r = run('validate', file, '--json');
      assert.equal(r.status, 0, r.stderr);
      const a = json(r).apps[0]!;
      assert.equal(a.port, 8080);
      assert.equal(a.replicas, 3);
      assert.equal(a.health.path, '/health');
    });

    it('a CRLF manifest with a byte-order mark', () => {
      const file = write('crlf.skr8tr', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('app web\r\n  exec ./s\r\n  ram 1.5gb\r\n')]));
      const r = run('validate', file, '--json');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(json(r).apps[0]!.ramBytes, 1.5 * 1024 ** 3);
    });

    it('a YAML manifest with two documents', () => {
      const file = write('two.skr8tr.yaml', text('app: a', 'exec: ./a', '---', 'app: b', 'exec: ./b', 'health: GET /health 200'));
      const r = run('validate', file, '--json');
      assert.equal(r.status, 0, r.stderr);
      const out = json(r);
      assert.deepEqual(out.apps.map((a) => a.name), ['a', 'b']);
      assert.equal(out.apps[1]!.health.status, 200);
    });

    it('a file name with spaces', () => {
      const file = write('my app.skr8tr', text('app web', '  exec ./s'));
      assert.equal(run('validate', file).status, 0);
    });

    it('secret values appear in neither output, only their names', () => {
      const file = write('secret.skr8tr', text('app web', '  exec ./s', '  secret', '    API_KEY=sk-live-do-not-print', '  prot 1'));
      const plain = run('validate', file);
      const asJson = run('validate', file, '--json');
      assert.equal(plain.status, 0);
      assert.equal(asJson.status, 0);
      for (const r of [plain, asJson]) {
        assert.ok(!(r.stdout + r.stderr).includes('sk-live-do-not-print'), r.stdout + r.stderr);
      }
      assert.deepEqual(json(asJson).apps[0]!.secretKeys, ['API_KEY']);
    });
  });

  describe('exit 1: errors in the manifest', () => {
    it('a bad value: exit 1, file:line:column: error:, no ok line', () => {
      const file = write('bad.skr8tr', text('app web', '  exec ./s', '  port 0'));
      const r = run('validate', file);
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(`${file}:3:8: error: bad \`port\``), r.stderr);
      assert.ok(!/: ok \(/.test(r.stderr), r.stderr);
    });

    it('--json with errors: exit 1, the diagnostics with positions in the JSON', () => {
      const file = write('bad-json.skr8tr', text('app web', '  exec ./s', '  bin ./t', '  rollout', '    surge 0', '    unavailable 0'));
      const r = run('validate', file, '--json');
      assert.equal(r.status, 1);
      const out = json(r);
      assert.deepEqual(out.diagnostics.map((d) => [d.severity, d.file, d.line, d.column]), [['error', file, 3, 3], ['error', file, 4, 3]]);
      for (const d of out.diagnostics) assert.deepEqual(Object.keys(d).sort(), ['column', 'file', 'line', 'message', 'severity']);
    });

    it('`ram 4` (no unit) is refused', () => {
      const file = write('ram.skr8tr', text('app web', '  exec ./s', '  ram 4'));
      const r = run('validate', file);
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(`${file}:3:7: error:`), r.stderr);
    });

    it('a YAML error has its position', () => {
      const file = write('bad.skr8tr.yaml', text('app: web', 'exec: ./s', 'port: 70000'));
      const r = run('validate', file);
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(`${file}:3:7: error:`), r.stderr);
    });

    const badInputs: [string, string, () => string | Uint8Array][] = [
      ['an empty file', 'empty.skr8tr', () => ''],
      ['a NUL byte', 'nul.skr8tr', () => 'app web\n  exec ./s\0\n'],
      ['invalid UTF-8', 'utf8.skr8tr', () => Buffer.from([0x61, 0x70, 0x70, 0x20, 0xff, 0xfe, 0x0a])],
      ['an unterminated brace', 'brace.skr8tr', () => 'app web {\n  exec ./s\n  env {\n    A 1\n'],
      ['an unmatched closing brace', 'close.skr8tr', () => 'app web\n  exec ./s\n}\n}\n'],
      ['an unterminated quote', 'quote.skr8tr', () => 'app web\n  exec "./s\n'],
      ['braces nested 100,000 deep', 'deep.skr8tr', () => 'app web {\n' + 'a {\n'.repeat(100_000)],
      ['a line over 8 KiB', 'long.skr8tr', () => 'app web\n  exec ./s\n  args ' + 'x'.repeat(9000) + '\n'],
      ['invalid YAML', 'bad-syntax.skr8tr.yaml', () => 'app: web\n  exec: [\n'],
      ['YAML with a self-referencing alias', 'alias.skr8tr.yaml', () => 'app: web\nexec: ./s\nvolume: &v\n  - *v\n'],
      ['YAML that is a list', 'list.skr8tr.yaml', () => '- a\n- b\n'],
    ];
    for (const [label, name, content] of badInputs) {
      it(`${label}: exit 1 with a diagnostic, in both output modes`, () => {
        const file = write(name, content());
        const plain = run('validate', file);
        assert.equal(plain.status, 1, plain.stderr);
        assert.ok(plain.stderr.includes(`${file}:`) && plain.stderr.includes(': error: '), plain.stderr.slice(0, 2000));
        const asJson = run('validate', file, '--json');
        assert.equal(asJson.status, 1);
        assert.ok(json(asJson).diagnostics.some((d) => d.severity === 'error'));
      });
    }

    it('a file over 1 MiB: exit 1, refused by size', () => {
      const file = write('big.skr8tr', 'app web\n  exec ./s\n' + ('#' + 'x'.repeat(99) + '\n').repeat(11_000));
      assert.ok(fs.statSync(file).size > 1024 * 1024);
      const r = run('validate', file);
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(`${file}:1:1: error:`), r.stderr);
      assert.match(r.stderr, /at most 1 MiB/);
      const asJson = json(run('validate', file, '--json'));
      assert.deepEqual(asJson.apps, []);
    });

    it('random bytes (seeded): exit 1, never a stack trace', () => {
      const rand = prng(7);
      for (let i = 0; i < 8; i++) {
        const bytes = Buffer.alloc(200 + Math.floor(rand() * 2000));
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
        const file = write(`random-${i}${i % 2 ? '.skr8tr.yaml' : '.skr8tr'}`, bytes);
        const r = run('validate', file);
        assert.equal(r.status, 1, r.stderr);
      }
    });
  });

  describe('exit 2: usage and file problems', () => {
    it('a missing file', () => {
      const r = run('validate', path.join(tmp, 'nope.skr8tr'));
      assert.equal(r.status, 2);
      assert.match(r.stderr, /cannot read .*nope\.skr8tr: no such file/);
    });

    it('a folder', () => {
      const r = run('validate', tmp);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /not a regular file/);
    });

    it('no file', () => {
      const r = run('validate');
      assert.equal(r.status, 2);
      assert.match(r.stderr, /usage: skr8tr validate FILE \[--json\]/);
    });

    it('two files', () => {
      const a = write('a.skr8tr', text('app a', '  exec ./a'));
      const r = run('validate', a, a);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /usage:/);
    });

    it('an unknown option', () => {
      const a = write('opt.skr8tr', text('app a', '  exec ./a'));
      const r = run('validate', a, '--bogus');
      assert.equal(r.status, 2);
      assert.match(r.stderr, /usage:/);
    });
  });
});
