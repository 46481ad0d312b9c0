// Value types of the manifest language: sizes, durations, booleans, percentages, choices and the
// ranges of every number, plus defaults, paths and secrets.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { DEFAULTS, hasErrors, parseManifest, type Diagnostic, type ParseResult } from '../../../src/shared/manifest';
import { manifestToJson, specToJson } from '../../../src/shared/manifest/json';

const FILE = '/manifests/web.skr8tr';
const DIR = path.dirname(path.resolve(FILE));

const text = (...lines: string[]): string => lines.join('\n') + '\n';
const app = (...body: string[]): string => text('app web', '  exec ./s', ...body);

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

function parse(input: string, file = FILE): ParseResult {
  return parseManifest(input, file);
}

function show(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.line}:${d.column} ${d.severity}: ${d.message}`).join('\n');
}

function cleanSpec(input: string): Record<string, any> {
  const r = parse(input);
  assert.deepEqual(r.diagnostics, [], `unexpected diagnostics:\n${show(r.diagnostics)}`);
  assert.equal(r.apps.length, 1);
  return specToJson(r.apps[0]!.spec);
}

/** The single error of a manifest; asserts there is exactly one diagnostic. */
function onlyError(input: string): Diagnostic {
  const r = parse(input);
  assert.equal(r.diagnostics.length, 1, `expected one diagnostic, got:\n${show(r.diagnostics)}`);
  assert.equal(r.diagnostics[0]!.severity, 'error', show(r.diagnostics));
  return r.diagnostics[0]!;
}

/** `key value` on line 3 of an app; the value's column is 3 + key length + 1. */
function valueError(key: string, value: string): Diagnostic {
  const d = onlyError(app(`  ${key} ${value}`));
  assert.deepEqual([d.line, d.column], [3, 3 + key.length + 1], `${key} ${value}: ${d.message}`);
  assert.ok(d.message.includes(`\`${key}\``), d.message);
  return d;
}

describe('manifest values', () => {
  describe('sizes (`ram`)', () => {
    const cases: [string, number][] = [
      ['4g', 4 * GiB],
      ['4gb', 4 * GiB],
      ['4GB', 4 * GiB],
      ['4Gb', 4 * GiB],
      ['4G', 4 * GiB],
      ['512m', 512 * MiB],
      ['512mb', 512 * MiB],
      ['512MB', 512 * MiB],
      ['1.5gb', 1.5 * GiB],
      ['0.5g', 512 * MiB],
      ['1024k', 1024 * KiB],
      ['64kb', 64 * KiB],
      ['100b', 100],
      ['100B', 100],
    ];
    for (const [value, bytes] of cases) {
      it(`\`ram ${value}\` is ${bytes} bytes`, () => {
        assert.equal(cleanSpec(app(`  ram ${value}`)).ramBytes, bytes);
      });
    }

    it('`ram 4` (no unit) is an error that asks for a unit, never four bytes', () => {
      const d = valueError('ram', '4');
      assert.match(d.message, /no unit/);
      assert.equal(specToJson(parse(app('  ram 4')).apps[0]!.spec).ramBytes, null);
    });

    for (const bad of ['4tb', '4x', 'gb', '-1gb', '1..5g', '4gbb', 'four']) {
      it(`\`ram ${bad}\` is an error`, () => {
        valueError('ram', bad);
      });
    }

    it('`ram 4 gb` (two words) is an error at the second word', () => {
      const d = onlyError(app('  ram 4 gb'));
      assert.deepEqual([d.line, d.column], [3, 9]);
    });

    it('no `ram` means null', () => {
      assert.equal(cleanSpec(app()).ramBytes, null);
    });
  });

  describe('durations', () => {
    const cases: [string, number][] = [
      ['500ms', 500],
      ['10s', 10_000],
      ['2m', 120_000],
      ['1h', 3_600_000],
      ['5', 5_000],
      ['0', 0],
      ['1.5s', 1_500],
      ['0.5', 500],
      ['1.5m', 90_000],
      ['10S', 10_000],
      ['250MS', 250],
    ];
    for (const [value, ms] of cases) {
      it(`\`drain ${value}\` is ${ms} ms`, () => {
        assert.equal(cleanSpec(app(`  drain ${value}`)).drainMs, ms);
      });
    }

    it('a bare number is seconds everywhere a duration goes', () => {
      const spec = cleanSpec(app(
        '  settle 3',
        '  health',
        '    check tcp',
        '    interval 7',
        '    timeout 1',
        '  rollout',
        '    deadline 30',
        '    healthy-for 4',
      ));
      assert.equal(spec.settleMs, 3000);
      assert.equal(spec.health.intervalMs, 7000);
      assert.equal(spec.health.timeoutMs, 1000);
      assert.equal(spec.rollout.deadlineMs, 30_000);
      assert.equal(spec.rollout.healthyForMs, 4000);
    });

    for (const bad of ['10x', '-1s', 's', '1d', '10sec', '1e3', 'ten', '1h30m']) {
      it(`\`drain ${bad}\` is an error at the value`, () => {
        valueError('drain', bad);
      });
    }

    it('`drain 5 s` (two words) is an error at the second word', () => {
      const d = onlyError(app('  drain 5 s'));
      assert.deepEqual([d.line, d.column], [3, 11]);
    });

    it('a zero interval, timeout or deadline is an error; a zero healthy-for or settle is not', () => {
      for (const [block, key] of [['health', 'interval'], ['health', 'timeout'], ['rollout', 'deadline']] as const) {
        const extra = block === 'health' ? ['    check tcp'] : [];
        const d = onlyError(app(`  ${block}`, ...extra, `    ${key} 0`));
        assert.match(d.message, new RegExp(`\`${key}\``));
      }
      const spec = cleanSpec(app('  settle 0', '  rollout', '    healthy-for 0s'));
      assert.equal(spec.settleMs, 0);
      assert.equal(spec.rollout.healthyForMs, 0);
    });
  });

  describe('booleans (`gpu`) and on/off (`ingress`)', () => {
    const cases: [string, boolean][] = [
      ['true', true], ['false', false], ['yes', true], ['no', false], ['1', true], ['0', false], ['TRUE', true], ['No', false],
    ];
    for (const [value, b] of cases) {
      it(`\`gpu ${value}\` is ${b}`, () => {
        assert.equal(cleanSpec(app(`  gpu ${value}`)).gpu, b);
      });
    }

    it('`gpu maybe` is an error', () => {
      valueError('gpu', 'maybe');
    });

    it('`gpu` defaults to false', () => {
      assert.equal(cleanSpec(app()).gpu, false);
    });

    it('`ingress` is on by default when `port` is set, off without a port', () => {
      assert.equal(cleanSpec(app('  port 80')).ingress, true);
      assert.equal(cleanSpec(app()).ingress, false);
    });

    it('`ingress off` with a port', () => {
      const spec = cleanSpec(app('  port 80', '  ingress off'));
      assert.equal(spec.ingress, false);
      assert.equal(spec.port, 80);
    });

    it('`ingress on` without a port is an error', () => {
      const d = onlyError(app('  ingress on'));
      assert.deepEqual([d.line, d.column], [3, 11]);
      assert.match(d.message, /needs a `port`/);
    });

    it('`ingress sideways` is an error', () => {
      valueError('ingress', 'sideways');
    });
  });

  describe('percentages (`scale cpu-above`, `cpu-below`)', () => {
    const cases: [string, number][] = [['70', 70], ['70%', 70], ['0', 0], ['0%', 0], ['100', 100], ['100%', 100]];
    for (const [value, n] of cases) {
      it(`\`cpu-above ${value}\` is ${n}`, () => {
        assert.equal(cleanSpec(app('  scale', `    cpu-above ${value}`)).scale.cpuAbove, n);
      });
    }

    for (const bad of ['101', '101%', '70.5', '-5', '70%%', '%', 'seventy']) {
      it(`\`cpu-above ${bad}\` is an error at the value`, () => {
        const d = onlyError(app('  scale', `    cpu-above ${bad}`));
        assert.deepEqual([d.line, d.column], [4, 15]);
      });
    }

    it('a scale block gives all four bounds', () => {
      const spec = cleanSpec(app('  replicas 2', '  scale', '    min 1', '    max 4', '    cpu-above 70%', '    cpu-below 20'));
      assert.deepEqual(spec.scale, { min: 1, max: 4, cpuAbove: 70, cpuBelow: 20 });
    });
  });

  describe('ranges', () => {
    const ok: [string, string, (s: Record<string, any>) => unknown, unknown][] = [
      ['port', '1', (s) => s.port, 1],
      ['port', '65535', (s) => s.port, 65535],
      ['replicas', '0', (s) => s.replicas, 0],
      ['replicas', '1000', (s) => s.replicas, 1000],
      ['cpu', '0.5', (s) => s.cpu, 0.5],
      ['cpu', '8', (s) => s.cpu, 8],
      ['cpu', '.25', (s) => s.cpu, 0.25],
    ];
    for (const [key, value, get, expected] of ok) {
      it(`\`${key} ${value}\` is accepted`, () => {
        assert.equal(get(cleanSpec(app(`  ${key} ${value}`))), expected);
      });
    }

    const bad: [string, string][] = [
      ['port', '0'], ['port', '65536'], ['port', '80.5'], ['port', '-80'], ['port', 'http'],
      ['replicas', '1001'], ['replicas', '-1'], ['replicas', '1.5'],
      ['cpu', '0'], ['cpu', '-1'], ['cpu', '1025'], ['cpu', 'two'],
    ];
    for (const [key, value] of bad) {
      it(`\`${key} ${value}\` is an error at the value`, () => {
        valueError(key, value);
      });
    }

    it('range errors say the range', () => {
      assert.match(valueError('port', '70000').message, /1 to 65535/);
      assert.match(valueError('replicas', '5000').message, /0 to 1000/);
    });

    const blockBad: [string, string, string][] = [
      ['health', 'retries', '0'], ['health', 'retries', '101'],
      ['rollout', 'surge', '-1'], ['rollout', 'surge', '1001'], ['rollout', 'unavailable', 'x'],
      ['scale', 'min', '1001'], ['scale', 'max', '-2'],
      ['vm', 'vcpus', '0'], ['vm', 'vcpus', '1025'],
    ];
    for (const [block, key, value] of blockBad) {
      it(`\`${block}\` \`${key} ${value}\` is an error at the value`, () => {
        const extra = block === 'health' ? ['    check tcp'] : [];
        const r = parse(app(`  ${block}`, ...extra, `    ${key} ${value}`));
        const errs = r.diagnostics.filter((d) => d.severity === 'error' && d.message.includes(`\`${key}\``));
        assert.equal(errs.length, 1, show(r.diagnostics));
        assert.deepEqual([errs[0]!.line, errs[0]!.column], [3 + 1 + extra.length, 5 + key.length + 1]);
      });
    }

    it('block integers at their bounds are accepted', () => {
      const spec = cleanSpec(app(
        '  health',
        '    check tcp',
        '    retries 100',
        '  rollout',
        '    surge 1000',
        '    unavailable 0',
      ));
      assert.equal(spec.health.retries, 100);
      assert.equal(spec.rollout.surge, 1000);
      assert.equal(spec.rollout.unavailable, 0);
    });

    it('an HTTP check status must be 100–599', () => {
      assert.equal(cleanSpec(app('  health GET /h 204')).health.status, 204);
      for (const bad of ['99', '600', 'ok']) {
        const d = onlyError(app(`  health GET /h ${bad}`));
        assert.deepEqual([d.line, d.column], [3, 17]);
      }
    });
  });

  describe('choices', () => {
    it('`type process` is an alias of `service`', () => {
      assert.equal(cleanSpec(app('  type process')).type, 'service');
    });

    for (const t of ['service', 'job', 'wasm']) {
      it(`\`type ${t}\``, () => {
        assert.equal(cleanSpec(app(`  type ${t}`)).type, t);
      });
    }

    it('choices are case-insensitive', () => {
      const spec = cleanSpec(app('  type JOB', '  restart On-Failure', '  rollout', '    on-failure PAUSE'));
      assert.equal(spec.type, 'job');
      assert.equal(spec.restart, 'on-failure');
      assert.equal(spec.rollout.onFailure, 'pause');
    });

    it('a misspelt choice is an error with "did you mean"', () => {
      const d = valueError('restart', 'alway');
      assert.match(d.message, /did you mean `always`\?/);
    });

    it('an unknown choice lists the choices', () => {
      const d = valueError('type', 'daemon');
      assert.match(d.message, /service, job, wasm, vm, process/);
    });
  });

  describe('health checks', () => {
    it('`check GET /path` defaults to status 200', () => {
      assert.deepEqual(cleanSpec(app('  health', '    check GET /ready')).health, {
        kind: 'http', method: 'GET', path: '/ready', status: 200, command: null, intervalMs: 10_000, timeoutMs: 2_000, retries: 3,
      });
    });

    it('`check tcp` has no method, path or status', () => {
      assert.deepEqual(cleanSpec(app('  health', '    check tcp', '    retries 5')).health, {
        kind: 'tcp', method: null, path: null, status: null, command: null, intervalMs: 10_000, timeoutMs: 2_000, retries: 5,
      });
    });

    it('`check exec PROGRAM ARGS...` keeps the program and its words, `${PORT}` unexpanded', () => {
      assert.deepEqual(cleanSpec(app('  health', '    check exec redis-cli -p ${PORT} "ping"', '    timeout 1s')).health, {
        kind: 'exec', method: null, path: null, status: null, command: ['redis-cli', '-p', '${PORT}', 'ping'], intervalMs: 10_000, timeoutMs: 1_000, retries: 3,
      });
    });

    it('`check exec` needs a program', () => {
      const r = parse(app('  health', '    check exec'));
      assert.match(r.diagnostics.map((d) => d.message).join('\n'), /`check exec` needs a program/);
      assert.equal(hasErrors(r.diagnostics), true);
    });

    it('an app that names only its image, or has replicas 0, is a warning without `exec`; otherwise an error', () => {
      const image = parse('app db\n  image postgres:16\n');
      assert.equal(hasErrors(image.diagnostics), false);
      assert.match(image.diagnostics[0]!.message, /names only its image `postgres:16`/);
      const todo = parse('app worker\n  replicas 0\n');
      assert.equal(hasErrors(todo.diagnostics), false);
      assert.match(todo.diagnostics[0]!.message, /has no `exec` yet/);
      assert.equal(hasErrors(parse('app worker\n  port 80\n').diagnostics), true);
    });

    it('`get` is accepted in any case', () => {
      assert.equal(cleanSpec(app('  health get /h')).health.method, 'GET');
    });

    it('`check POST /x` is an error that says only GET, tcp and exec are supported', () => {
      const d = onlyError(app('  health', '    check POST /x'));
      assert.deepEqual([d.line, d.column], [4, 11]);
      assert.match(d.message, /only `GET` probes, `tcp` and `exec`/);
    });

    it('`check GET` without a path is an error', () => {
      const r = parse(app('  health GET'));
      assert.ok(r.diagnostics.some((d) => d.severity === 'error' && /path starting with `\/`/.test(d.message)), show(r.diagnostics));
      assert.equal(r.apps[0]!.spec.health, null);
    });

    it('a `health` block without `check` is an error at the block', () => {
      const d = onlyError(app('  health', '    interval 5s'));
      assert.deepEqual([d.line, d.column], [3, 3]);
      assert.match(d.message, /needs a `check`/);
    });
  });

  describe('defaults', () => {
    it('a minimal app has every documented default', () => {
      assert.deepEqual(cleanSpec(app()), {
        name: 'web',
        type: 'service',
        exec: path.resolve(DIR, 's'),
        args: [],
        cwd: DIR,
        port: null,
        ingress: false,
        replicas: 1,
        ramBytes: null,
        cpu: null,
        gpu: false,
        restart: 'never',
        drainMs: 5000,
        settleMs: 8000,
        requestTimeoutMs: 60000,
        attempts: 7,
        env: {},
        secretKeys: [],
        health: null,
        rollout: { surge: null, unavailable: 0, deadlineMs: 120_000, healthyForMs: 0, onFailure: 'rollback' },
        scale: null,
        build: null,
        serve: null,
        volumes: [],
        vm: null,
        needs: [],
        watch: null,
        envFiles: [],
        image: null,
      });
    });

    it('DEFAULTS matches MANIFEST.md', () => {
      assert.equal(DEFAULTS.drainMs, 5000);
      assert.equal(DEFAULTS.settleMs, 8000);
      assert.equal(DEFAULTS.requestTimeoutMs, 60_000);
      assert.equal(DEFAULTS.attempts, 7);
      assert.deepEqual(DEFAULTS.health, { status: 200, intervalMs: 10_000, timeoutMs: 2_000, retries: 3 });
      assert.deepEqual(DEFAULTS.rollout, { surge: null, unavailable: 0, deadlineMs: 120_000, healthyForMs: 0, onFailure: 'rollback' });
    });

    it('a partial rollout block keeps the other defaults', () => {
      assert.deepEqual(cleanSpec(app('  rollout', '    on-failure continue')).rollout, {
        surge: null, unavailable: 0, deadlineMs: 120_000, healthyForMs: 0, onFailure: 'continue',
      });
    });
  });

  describe('paths', () => {
    it('`exec` with a slash resolves against the manifest folder; a bare name stays for PATH', () => {
      assert.equal(cleanSpec(text('app web', '  exec ./bin/srv')).exec, path.resolve(DIR, 'bin/srv'));
      assert.equal(cleanSpec(text('app web', '  exec bin/srv')).exec, path.resolve(DIR, 'bin/srv'));
      assert.equal(cleanSpec(text('app web', '  exec ../up/srv')).exec, path.resolve(DIR, '../up/srv'));
      assert.equal(cleanSpec(text('app web', '  exec /usr/bin/env')).exec, path.resolve('/usr/bin/env'));
      assert.equal(cleanSpec(text('app web', '  exec node')).exec, 'node');
    });

    it('`bin` is the same as `exec`', () => {
      assert.deepEqual(cleanSpec(text('app web', '  bin ./s')), cleanSpec(text('app web', '  exec ./s')));
    });

    it('`cwd`, `volume path`, `build out` and `serve static` resolve against the manifest folder', () => {
      const spec = cleanSpec(app(
        '  cwd work',
        '  volume',
        '    path ./data',
        '    env DATA_DIR',
        '  build',
        '    run make',
        '    out out/dist',
      ));
      assert.equal(spec.cwd, path.resolve(DIR, 'work'));
      assert.deepEqual(spec.volumes, [{ path: path.resolve(DIR, 'data'), env: 'DATA_DIR' }]);
      assert.deepEqual(spec.build, { run: ['make'], out: path.resolve(DIR, 'out/dist') });
    });

    it('the `dir` option replaces the manifest folder', () => {
      const r = parseManifest(app('  cwd w'), FILE, { dir: '/elsewhere' });
      assert.equal(r.apps[0]!.spec.cwd, path.resolve('/elsewhere', 'w'));
      assert.equal(r.apps[0]!.spec.exec, path.resolve('/elsewhere', 's'));
    });

    it('an empty quoted path is an error, never the manifest folder or an empty program', () => {
      for (const [body, line, column, key] of [
        [text('app web', '  exec ""'), 2, 8, 'exec'],
        [app("  cwd ''"), 3, 7, 'cwd'],
        [app('  build', '    run make', '    out ""'), 5, 9, 'out'],
      ] as const) {
        const d = onlyError(body);
        assert.deepEqual([d.line, d.column], [line, column], d.message);
        assert.match(d.message, new RegExp(`\`${key}\` needs a value`));
      }
      const r = parse(app('  volume', '    path ""', '    env DATA'));
      assert.ok(r.diagnostics.some((d) => d.severity === 'error' && d.line === 4 && d.column === 10), show(r.diagnostics));
      assert.equal(r.apps[0]!.spec.volumes[0]!.path, null);
    });

    it('validation does not require the program or folders to exist', () => {
      const spec = cleanSpec(text('app web', '  exec /definitely/not/here/srv', '  cwd /no/such/folder'));
      assert.equal(spec.exec, path.resolve('/definitely/not/here/srv'));
    });
  });

  describe('other blocks', () => {
    it('volumes repeat, in order', () => {
      const spec = cleanSpec(app('  volume', '    path a', '    env A_DIR', '  volume', '    path b', '    env B_DIR'));
      assert.deepEqual(spec.volumes, [{ path: path.resolve(DIR, 'a'), env: 'A_DIR' }, { path: path.resolve(DIR, 'b'), env: 'B_DIR' }]);
    });

    it('`build run` repeats and keeps each command as written', () => {
      const spec = cleanSpec(app('  build', '    run npm ci', '    run npm run "build it"   # why', '    run make -j4'));
      assert.deepEqual(spec.build.run, ['npm ci', 'npm run "build it"', 'make -j4']);
      assert.equal(spec.build.out, null);
    });

    it('`serve` with `static` needs no `exec`, and its port is the app port', () => {
      const spec = cleanSpec(text('app site', '  serve', '    static ./public', '    port 3000', '    proxy http://127.0.0.1:8080'));
      assert.equal(spec.exec, null);
      assert.equal(spec.port, 3000);
      assert.equal(spec.ingress, true);
      assert.deepEqual(spec.serve, { static: path.resolve(DIR, 'public'), port: 3000, proxy: 'http://127.0.0.1:8080' });
    });

    it('`serve proxy` must be an http(s) URL', () => {
      const d = onlyError(text('app site', '  serve', '    static ./public', '    proxy ftp://x'));
      assert.deepEqual([d.line, d.column], [4, 11]);
    });

    it('`vm memory`: a bare number is MB; with a unit it is converted to MB', () => {
      for (const [value, mb] of [['512', 512], ['1gb', 1024], ['1.5g', 1536], ['256mb', 256], ['2048', 2048]] as const) {
        const spec = cleanSpec(text('app vm1', '  type vm', '  vm', '    hypervisor /usr/bin/firecracker', `    memory ${value}`));
        assert.equal(spec.vm.memory, mb, value);
      }
    });

    it('a vm app needs no exec', () => {
      const spec = cleanSpec(text(
        'app vm1',
        '  type vm',
        '  vm',
        '    hypervisor firecracker',
        '    kernel ./vmlinux',
        '    rootfs /img/root.ext4',
        '    vcpus 2',
        '    net user',
        '    args --log-level "info x"',
      ));
      assert.deepEqual(spec.vm, {
        hypervisor: 'firecracker',
        kernel: path.resolve(DIR, 'vmlinux'),
        rootfs: path.resolve('/img/root.ext4'),
        vcpus: 2,
        memory: null,
        net: 'user',
        args: ['--log-level', 'info x'],
      });
    });
  });

  describe('secrets', () => {
    const SECRET_APP = app('  env', '    PUBLIC yes', '  secret', '    API_KEY sk-live-0123456789', '    DB_PASSWORD="p@ss word!"');

    it('secret values never appear in specToJson output, only their names', () => {
      const r = parse(SECRET_APP);
      assert.deepEqual(r.diagnostics, [], show(r.diagnostics));
      const json = JSON.stringify(specToJson(r.apps[0]!.spec));
      assert.ok(!json.includes('sk-live-0123456789'), json);
      assert.ok(!json.includes('p@ss word!'), json);
      assert.deepEqual(specToJson(r.apps[0]!.spec).secretKeys, ['API_KEY', 'DB_PASSWORD']);
      assert.deepEqual(specToJson(r.apps[0]!.spec).env, { PUBLIC: 'yes' });
    });

    it('secret values never appear in manifestToJson output either', () => {
      const r = parse(SECRET_APP + text('app other', '  exec ./o', '  port 0'));
      const json = JSON.stringify(manifestToJson(r.apps, r.diagnostics));
      assert.ok(!json.includes('sk-live-0123456789') && !json.includes('p@ss word!'), json);
      assert.ok(json.includes('API_KEY'));
    });

    it('the values are kept apart in ParsedApp.secrets', () => {
      const r = parse(SECRET_APP);
      assert.deepEqual(r.apps[0]!.secrets, { API_KEY: 'sk-live-0123456789', DB_PASSWORD: 'p@ss word!' });
      assert.ok(!('API_KEY' in r.apps[0]!.spec.env));
    });

    it('a secret value never appears in a diagnostic about its entry', () => {
      const r = parse(app('  secret', '    API_KEY=hunter2 extra', '    API_KEY hunter3', '    1X hunter4', '  env', '    SHARED v', '  secret', '    SHARED hunter5'));
      assert.ok(r.diagnostics.length > 0);
      const all = JSON.stringify(r.diagnostics);
      for (const v of ['hunter2', 'hunter3', 'hunter4', 'hunter5']) assert.ok(!all.includes(v), `${v} leaked: ${all}`);
    });
  });
});
