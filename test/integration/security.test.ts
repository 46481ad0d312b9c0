// Security properties with the real Conductor, agent and workload processes (bad-input.test.ts
// covers the basic refusals; this file does not repeat them):
//   - manifest fields reach the program as argv and environment, never through a shell;
//   - secret values reach the replica's environment and nowhere else (logs, events, views, output);
//   - `logs` serves only the lines agents sent for a replica, never a file, whatever the id says;
//   - nothing runs without the API token, which is only accepted in the Authorization header;
//   - the join token and the API token are not interchangeable.
// Every Cluster's cleanup proves that no process the test started outlives it.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { paths, readConductorInfo, readToken } from '../../src/shared/home';
import type { ApiEvent, LogLine, NodeView, WorkloadView } from '../../src/shared/protocol/api';
import { Cluster, FIXTURE, fixtureApp, waitFor } from './harness';
import { agentPort, rawRequest, type RawAnswer } from './raw';

/** One HTTP request with exactly the path, headers and body given (the client adds no token). */
function rawTo(target: { socketPath: string } | { host: string; port: number }, method: string, urlPath: string, headers: Record<string, string> = {}, body?: string): Promise<RawAnswer> {
  return rawRequest({ ...target, method, path: urlPath, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } }, body);
}

/** A program that prints its argv and some of its environment as JSON, then idles until SIGTERM. */
const ARGV_PROGRAM = `
const vars = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('EVIL_')));
console.log('ARGV ' + JSON.stringify(process.argv.slice(2)));
console.log('ARGV0 ' + JSON.stringify(process.argv0));
console.log('ENV ' + JSON.stringify(vars));
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1000);
`;

/** Waits for an app's replica to print `${prefix} <json>` and returns the JSON. */
async function printed(c: Cluster, app: string, prefix: string): Promise<unknown> {
  const line = await waitFor(`${app} to print ${prefix}`, async () => {
    await c.workload(app); // registers the replica's pid for the cleanup's check
    const r = await c.cli(['logs', app]);
    return r.stdout.split('\n').find((l) => l.includes(` | ${prefix} `)) ?? null;
  });
  return JSON.parse(line.slice(line.indexOf(` | ${prefix} `) + prefix.length + 4));
}

const rand = () => crypto.randomBytes(6).toString('hex');

describe('security', function () {
  this.timeout(90_000);

  describe('manifest fields are never interpreted by a shell', () => {
    let c: Cluster;
    let dir: string;
    let script: string;
    const markers: string[] = [];
    /** A path a shell would create if it ever ran a command from the manifest. */
    const marker = () => {
      const m = path.join(os.tmpdir(), `PWNED-${rand()}`);
      markers.push(m);
      return m;
    };

    before(async () => {
      c = new Cluster('sec-shell');
      await c.startConductor();
      await c.startAgent('n1');
      dir = path.join(c.home, 'manifests');
      fs.mkdirSync(dir, { recursive: true });
      script = path.join(dir, 'argv.js');
      fs.writeFileSync(script, ARGV_PROGRAM);
    });

    afterEach(async function () {
      if (this.currentTest?.state === 'failed') console.log(c.dump());
    });

    after(async () => {
      const created = markers.filter((m) => fs.existsSync(m));
      for (const m of created) fs.rmSync(m, { force: true });
      await c.cleanup();
      assert.deepEqual(created, [], 'a file a shell would have created exists');
    });

    async function down(app: string): Promise<void> {
      assert.equal((await c.cli(['down', app])).code, 0);
      await waitFor(`${app} to be gone`, async () => !(await c.client().request<WorkloadView[]>('GET', '/v1/workloads')).some((w) => w.name === app));
    }

    it('args of shell metacharacters reach the program as exactly those strings (line and YAML syntax), and nothing is executed', async () => {
      const [m1, m2, m3, m4] = [marker(), marker(), marker(), marker()];
      // [as written in the line syntax, the argument the program must get]
      const args: [string, string][] = [
        [`'$(touch ${m1})'`, `$(touch ${m1})`],
        [';', ';'],
        ['rm', 'rm'],
        ['-rf', '-rf'],
        ['/', '/'],
        ['|', '|'],
        ['&&', '&&'],
        ['`id`', '`id`'],
        ['*', '*'],
        ['~', '~'],
        ['>', '>'],
        ['<', '<'],
        ['2>&1', '2>&1'],
        ['&', '&'],
        ['$HOME', '$HOME'],
        ['${HOME}', '${HOME}'],
        ['$((1+1))', '$((1+1))'],
        ['"#"', '#'],
        ["'{'", '{'],
        ['"}"', '}'],
        [`"\`touch ${m2}\`"`, `\`touch ${m2}\``],
        [`"; touch ${m3}"`, `; touch ${m3}`],
        [`'it"s'`, 'it"s'],
        [`"a\\"b"`, 'a"b'],
        ['a\\;b', 'a\\;b'],
        ['""', ''],
        // Unquoted, a space still only separates arguments: two words, no command.
        [`$(touch`, '$(touch'],
        [`${m4})`, `${m4})`],
      ];
      const expected = args.map(([, a]) => a);
      c.manifest('metachars.skr8tr', ['app metachars', '  exec node', `  args ${script} ${args.map(([w]) => w).join(' ')}`, '  settle 100ms', ''].join('\n'));
      c.manifest(
        'metachars.skr8tr.yaml',
        ['app: metachars-yaml', 'exec: node', 'args:', ...[script, ...expected].map((a) => `  - ${JSON.stringify(a)}`), 'settle: 100ms', ''].join('\n'),
      );
      for (const file of ['metachars.skr8tr', 'metachars.skr8tr.yaml']) {
        const up = await c.cli(['up', path.join(dir, file)]);
        assert.equal(up.code, 0, up.stderr);
      }
      assert.deepEqual(await printed(c, 'metachars', 'ARGV'), expected);
      assert.deepEqual(await printed(c, 'metachars-yaml', 'ARGV'), expected);
      // The spec the Conductor keeps says the same.
      assert.deepEqual((await c.workload('metachars')).spec.args, [script, ...expected]);
      for (const m of [m1, m2, m3, m4]) assert.equal(fs.existsSync(m), false, `${m} was created: something ran a shell`);
      await down('metachars');
      await down('metachars-yaml');
    });

    it('env values with $(...), backticks and command separators reach the program literally, and nothing is executed', async () => {
      const [m1, m2, m3, m4] = [marker(), marker(), marker(), marker()];
      const env: [string, string, string][] = [
        // [name, as written, the value the program must get]
        ['EVIL_SUB', `$(touch ${m1})`, `$(touch ${m1})`],
        ['EVIL_TICK', `\`touch ${m2}\``, `\`touch ${m2}\``],
        ['EVIL_CHAIN', `a; touch ${m3} && echo b | cat > /dev/null`, `a; touch ${m3} && echo b | cat > /dev/null`],
        ['EVIL_QUOTED', `"$(touch ${m4})"`, `$(touch ${m4})`],
        ['EVIL_VARS', '$HOME ${HOME} $0 ${PATH:-x}', '$HOME ${HOME} $0 ${PATH:-x}'],
        ['EVIL_GLOB', '* ? [a-z]', '* ? [a-z]'],
        ['EVIL_EQ', `=$(id)`, `=$(id)`],
      ];
      c.manifest(
        'envs.skr8tr',
        ['app envs', '  exec node', `  args ${script}`, '  settle 100ms', '  env', ...env.map(([k, written]) => `    ${k} ${written}`), ''].join('\n'),
      );
      const up = await c.cli(['up', path.join(dir, 'envs.skr8tr')]);
      assert.equal(up.code, 0, up.stderr);
      assert.deepEqual(await printed(c, 'envs', 'ENV'), Object.fromEntries(env.map(([k, , value]) => [k, value])));
      for (const m of [m1, m2, m3, m4]) assert.equal(fs.existsSync(m), false, `${m} was created: something ran a shell`);
      await down('envs');
    });

    it('`exec` of a quoted path with a space runs that very file, not the prefix before the space', async () => {
      // A program named after the part before the space, which a split would run instead.
      const trap = marker();
      fs.writeFileSync(path.join(dir, 'bin'), `#!/bin/sh\ntouch '${trap}'\nexec sleep 30\n`, { mode: 0o755 });
      fs.mkdirSync(path.join(dir, 'bin dir'), { recursive: true });
      const program = path.join(dir, 'bin dir', 'my node');
      fs.symlinkSync(process.execPath, program);
      c.manifest('spaced.skr8tr', ['app spaced', '  exec "./bin dir/my node"', `  args ${script} "one arg"`, '  settle 100ms', ''].join('\n'));
      const up = await c.cli(['up', path.join(dir, 'spaced.skr8tr')]);
      assert.equal(up.code, 0, up.stderr);
      assert.equal((await c.workload('spaced')).spec.exec, program);
      assert.deepEqual(await printed(c, 'spaced', 'ARGV'), ['one arg']);
      assert.equal(await printed(c, 'spaced', 'ARGV0'), program);
      assert.equal(fs.existsSync(trap), false, 'the file before the space was run');
      await down('spaced');
    });
  });

  describe('secret values never appear outside the replica', () => {
    let c: Cluster;
    afterEach(async function () {
      if (this.currentTest?.state === 'failed') console.log(c.dump());
      await c.cleanup();
    });

    it('after up, a rollout, a replica crash and a failed rollout with rollback: not in daemon logs, events, views, CLI output or answers; yet every replica has it', async () => {
      c = new Cluster('sec-secret');
      await c.startConductor();
      const events: ApiEvent[] = await c.recordEvents(); // from the start: before any node or workload
      await c.startAgent('n1');

      const secret = `sk-${crypto.randomBytes(18).toString('hex')}`;
      const digest = crypto.createHash('sha256').update(secret).digest('hex');
      const dir = path.join(c.home, 'manifests');
      fs.mkdirSync(dir, { recursive: true });
      // Says whether it got the secret without printing it, then runs the HTTP fixture.
      const vault = path.join(dir, 'vault.js');
      fs.writeFileSync(
        vault,
        `const crypto = require('node:crypto');
const ok = crypto.createHash('sha256').update(process.env.MY_SECRET ?? '').digest('hex') === process.env.SECRET_SHA256;
console.log('secret-matches ' + ok + ' pid ' + process.pid);
require(process.argv[2]);
`,
      );
      const manifest = (version: string, extraEnv: string[] = []) =>
        [
          'app vault',
          `  exec ${process.execPath}`,
          `  args ${vault} ${FIXTURE}`,
          '  replicas 2',
          '  health GET /health 200',
          '  drain 1s',
          '  rollout',
          '    deadline 30s',
          '  env',
          `    FIXTURE_VERSION ${version}`,
          `    SECRET_SHA256 ${digest}`,
          ...extraEnv.map((l) => `    ${l}`),
          '  secret',
          `    MY_SECRET ${secret}`,
          '',
        ].join('\n');
      const file = c.manifest('vault.skr8tr', manifest('v1'));
      const outputs: string[] = [];
      const cli = async (args: string[]) => {
        const r = await c.cli(args);
        outputs.push(`$ skr8tr ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
        return r;
      };

      // Generation 1.
      assert.equal((await cli(['up', file])).code, 0);
      // Every line any replica of the app prints, from the first on (old replicas' lines are
      // forgotten once they are gone, so they are collected as they come).
      const lines: LogLine[] = [];
      const following = new AbortController();
      void c.client().stream<LogLine>('/v1/workloads/vault/logs?follow=1&tail=10000', (l) => lines.push(l), following.signal).catch(() => {});
      await c.settled('vault', 1, 2);
      // Generation 2: a rollout.
      c.manifest('vault.skr8tr', manifest('v2'));
      const rolled = await cli(['rollout', file, '--wait']);
      assert.equal(rolled.code, 0, rolled.stdout + rolled.stderr);
      const v2 = await c.settled('vault', 2, 2);
      // A replica crash: the Conductor starts a replacement (with the secret again).
      const victim = v2.replicas.find((r) => r.state === 'ready')!;
      process.kill(victim.pid!, 'SIGKILL');
      await waitFor('a replacement for the killed replica', async () => {
        const w = await c.workload('vault');
        const ready = w.replicas.filter((r) => r.generation === 2 && r.state === 'ready');
        return ready.length === 2 && !ready.some((r) => r.id === victim.id) ? w : null;
      });
      // Generation 3 crashes at start: the rollout fails and rolls back, with its messages.
      c.manifest('vault.skr8tr', manifest('v3', ['FIXTURE_MODE crash']));
      const failed = await cli(['rollout', file, '--wait']);
      assert.equal(failed.code, 1, failed.stdout + failed.stderr);
      assert.match(failed.stdout + failed.stderr, /exited with code 1 while starting/);
      assert.match(failed.stderr, /rolled-back/);
      await c.settled('vault', 2, 2);

      // Every replica that started got the secret in its environment.
      assert.equal((await cli(['logs', 'vault', '--tail', '1000'])).code, 0);
      following.abort();
      const verdicts = lines.filter((l) => l.text.includes('secret-matches'));
      const replicas = new Set(verdicts.map((l) => l.replica));
      assert.ok(replicas.size >= 5, `expected a verdict from each of the 2 + 2 replicas of generations 1 and 2, the replacement, and any of the crashing generation 3:\n${verdicts.map((l) => `${l.replica} ${l.text}`).join('\n')}`);
      for (const v of verdicts) assert.match(v.text, /^secret-matches true /, `${v.replica}: ${v.text}`);

      // A manifest with an error and the secret: the refusal does not repeat it.
      const token = readToken(paths.token(c.home))!;
      const socketPath = readConductorInfo(c.home)!.socket;
      // (`=value` is the value of a nameless entry: the error must not show it as a name.)
      const bad = manifest('v4').replace('replicas 2', 'replicas lots').replace(`    MY_SECRET ${secret}\n`, `    MY_SECRET ${secret}\n    =${secret}\n`);
      const refused = await rawTo({ socketPath }, 'POST', '/v1/workloads', { authorization: `Bearer ${token}` }, JSON.stringify({ path: file, text: bad }));
      assert.equal(refused.status, 422, refused.body);
      assert.match(refused.body, /bad `replicas`/);
      assert.match(refused.body, /not a valid secret name/);

      // Everything a user or a log can see.
      const seen: [string, string][] = [];
      for (const name of fs.readdirSync(paths.logs(c.home), { recursive: true }) as string[]) {
        const full = path.join(paths.logs(c.home), name);
        if (fs.statSync(full).isFile()) seen.push([`logs/${name}`, fs.readFileSync(full, 'utf8')]);
      }
      assert.ok(seen.some(([n]) => n.includes('conductor')) && seen.some(([n]) => n.includes('agent')), `daemon logs: ${seen.map(([n]) => n).join(', ')}`);
      for (const entry of fs.readdirSync(paths.agentState(c.home, 'n1'))) {
        const full = path.join(paths.agentState(c.home, 'n1'), entry);
        if (fs.statSync(full).isFile()) seen.push([`agent-n1/${entry}`, fs.readFileSync(full, 'utf8')]);
      }
      seen.push(['the replicas\' log lines', JSON.stringify(lines)]);
      seen.push(['daemon stdout/stderr', c.dump()]);
      assert.ok(events.length > 20 && events.some((e) => e.type === 'step'), 'the event stream recorded the rollouts');
      seen.push(['event stream', JSON.stringify(events)]);
      const workloads = await c.client().request<WorkloadView[]>('GET', '/v1/workloads');
      assert.equal(workloads[0]!.generations.length, 3, 'the views hold every generation');
      assert.deepEqual(workloads[0]!.generations.map((g) => g.spec.secretKeys), [['MY_SECRET'], ['MY_SECRET'], ['MY_SECRET']]);
      seen.push(['GET /v1/workloads', JSON.stringify(workloads)]);
      seen.push(['GET /v1/workloads/vault', JSON.stringify(await c.client().request('GET', '/v1/workloads/vault'))]);
      for (const h of workloads[0]!.history) seen.push([`GET /v1/rollouts/${h.id}`, JSON.stringify(await c.client().request('GET', `/v1/rollouts/${h.id}`))]);
      seen.push(['GET /v1/nodes', JSON.stringify(await c.client().request('GET', '/v1/nodes'))]);
      seen.push(['GET /v1/status', JSON.stringify(await c.client().request('GET', '/v1/status'))]);
      seen.push(['422 answer', refused.body]);
      for (const args of [['list', '--json'], ['list'], ['nodes', '--json'], ['nodes'], ['status'], ['validate', file]]) {
        const r = await cli(args);
        assert.equal(r.code, 0, r.stderr);
      }
      const validate = await cli(['validate', file, '--json']);
      assert.equal(validate.code, 0, validate.stderr);
      assert.deepEqual((JSON.parse(validate.stdout) as { apps: { secretKeys: string[] }[] }).apps[0]!.secretKeys, ['MY_SECRET'], 'validate --json names the secret');
      seen.push(['CLI output (up, rollout --wait twice, logs, list, nodes, status, validate)', outputs.join('\n')]);

      for (const [where, text] of seen) {
        assert.ok(text.length > 0, `${where} is empty`);
        assert.ok(!text.includes(secret), `the secret value appears in ${where}`);
        // Nor a large part of it (a truncated or split copy).
        assert.ok(!text.includes(secret.slice(3, 27)), `part of the secret value appears in ${where}`);
      }
    });
  });

  describe('the API and the agent port', () => {
    let c: Cluster;
    let tcp: { host: string; port: number };
    let socketPath: string;
    let token: string;
    let joinToken: string;

    before(async () => {
      c = new Cluster('sec-api');
      await c.startConductor(['--listen', '127.0.0.1:0']);
      await c.startAgent('n1');
      const info = readConductorInfo(c.home)!;
      socketPath = info.socket;
      const [host, port] = info.listen!.split(':');
      tcp = { host: host!, port: Number(port) };
      token = readToken(paths.token(c.home))!;
      joinToken = readToken(paths.joinToken(c.home))!;
      assert.notEqual(token, joinToken);
    });

    afterEach(async function () {
      if (this.currentTest?.state === 'failed') console.log(c.dump());
    });

    after(async () => {
      await c.cleanup();
    });

    describe('`logs` reads only the lines agents sent for a replica', () => {
      let alpha: Awaited<ReturnType<Cluster['settled']>>;
      let beta: Awaited<ReturnType<Cluster['settled']>>;

      before(async () => {
        for (const app of ['alpha', 'beta']) {
          const file = c.manifest(`${app}.skr8tr`, [`app ${app}`, `  exec ${process.execPath}`, `  args ${FIXTURE}`, '  health GET /health 200', '  env', `    FIXTURE_VERSION ${app}-version`, ''].join('\n'));
          assert.equal((await c.cli(['up', file])).code, 0);
        }
        alpha = await c.settled('alpha', 1, 1);
        beta = await c.settled('beta', 1, 1);
        await waitFor('both apps to have logged', async () => {
          const [a, b] = await Promise.all(['alpha', 'beta'].map((n) => c.client().request<{ lines: LogLine[] }>('GET', `/v1/workloads/${n}/logs`)));
          return a!.lines.length > 0 && b!.lines.length > 0;
        });
      });

      after(async () => {
        for (const app of ['alpha', 'beta']) assert.equal((await c.cli(['down', app])).code, 0);
        await waitFor('alpha and beta to be gone', async () => (await c.client().request<WorkloadView[]>('GET', '/v1/workloads')).length === 0);
      });

      const passwd = fs.existsSync('/etc/passwd') ? fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0]! : 'root:x:0:0:';
      const assertNoFile = (answer: RawAnswer, what: string) => {
        assert.ok(!answer.body.includes(passwd) && !/root:[^:]*:0:0:/.test(answer.body), `${what} answered with the content of a file: ${answer.body}`);
        assert.ok(!answer.body.includes('"lines"'), `${what} answered with log lines: ${answer.body}`);
      };

      it('a replica id that is a path, encoded in any way, or absolute, is answered 404 with no file content', async () => {
        const paths404 = [
          `/v1/replicas/${encodeURIComponent('../../etc/passwd')}/logs`,
          `/v1/replicas/${encodeURIComponent('../../../../../../../../etc/passwd')}/logs?tail=10000`,
          '/v1/replicas/%2e%2e%2f%2e%2e%2fetc%2fpasswd/logs',
          '/v1/replicas/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd/logs',
          '/v1/replicas/..%2f..%2f..%2fetc%2fpasswd/logs',
          '/v1/replicas/%252e%252e%252fetc%252fpasswd/logs',
          '/v1/replicas/..%5c..%5cetc%5cpasswd/logs',
          '/v1/replicas/%2e%2e/%2e%2e/etc/passwd/logs',
          '/v1/replicas/../../etc/passwd/logs',
          '/v1/replicas/%2Fetc%2Fpasswd/logs',
          `/v1/replicas/${encodeURIComponent(path.join(c.home, 'token'))}/logs`,
          '/v1/replicas//etc/passwd/logs',
          '/v1/replicas/%00/logs',
          `/v1/replicas/${encodeURIComponent(`${alpha.running[0]!.id}/../${beta.running[0]!.id}`)}/logs`,
          `/v1/replicas/${encodeURIComponent(`${alpha.running[0]!.id}\u0000`)}/logs`,
          `/v1/workloads/${encodeURIComponent('../../etc/passwd')}/logs`,
          `/v1/workloads/${encodeURIComponent('alpha/../beta')}/logs`,
          // A replica id is not an app: the app resource does not serve one replica's lines.
          `/v1/workloads/${encodeURIComponent(beta.running[0]!.id)}/logs`,
        ];
        for (const p of paths404) {
          const answer = await rawTo({ socketPath }, 'GET', p, { authorization: `Bearer ${token}` });
          assert.equal(answer.status, 404, `${p}: ${answer.status} ${answer.body}`);
          assertNoFile(answer, p);
        }
      });

      it('a replica id with a broken percent-encoding is a bad request, not an internal error', async () => {
        for (const p of ['/v1/replicas/%/logs', '/v1/replicas/%E0%A4%A/logs', '/v1/replicas/..%c0%af..%c0%afetc%c0%afpasswd/logs', '/v1/workloads/%ff/logs']) {
          const answer = await rawTo({ socketPath }, 'GET', p, { authorization: `Bearer ${token}` });
          assert.equal(answer.status, 400, `${p}: ${answer.status} ${answer.body}`);
          assertNoFile(answer, p);
        }
        // And the Conductor says nothing about it in its log as if it were its own failure.
        const log = fs.readFileSync(path.join(paths.logs(c.home), 'conductor.log'), 'utf8');
        assert.doesNotMatch(log, /URIError|URI malformed/);
      });

      it('an app\'s logs hold its own replicas\' lines only', async () => {
        const a = await c.client().request<{ lines: LogLine[] }>('GET', '/v1/workloads/alpha/logs?tail=10000');
        const alphaIds = new Set(alpha.replicas.map((r) => r.id));
        assert.ok(a.lines.length > 0);
        for (const l of a.lines) {
          assert.ok(alphaIds.has(l.replica), `a line of ${l.replica} in alpha's logs`);
          assert.doesNotMatch(l.text, /beta-version/);
        }
        const b = await c.client().request<{ lines: LogLine[] }>('GET', `/v1/replicas/${encodeURIComponent(beta.running[0]!.id)}/logs`);
        assert.ok(b.lines.length > 0 && b.lines.every((l) => l.replica === beta.running[0]!.id));
      });

      it('`skr8tr logs` with a path exits non-zero saying there is no such replica', async () => {
        for (const target of ['../../etc/passwd', '/etc/passwd', './../../etc/passwd', `${alpha.running[0]!.id}/../../../../etc/passwd`]) {
          const r = await c.cli(['logs', target]);
          assert.notEqual(r.code, 0, `${target}: ${r.stdout}`);
          assert.match(r.stderr, /no replica/, target);
          assert.ok(!(r.stdout + r.stderr).includes(passwd), `${target} printed a file`);
          assert.equal(r.stdout, '');
        }
      });
    });

    describe('nothing runs without the API token in the Authorization header', () => {
      it('unauthenticated, or with the token anywhere but the header, a valid manifest POSTed to /v1/rollouts and /v1/workloads on the socket and on TCP starts nothing', async () => {
        const trap = path.join(os.tmpdir(), `PWNED-${rand()}`);
        const program = path.join(c.home, 'manifests', 'intruder.js');
        fs.mkdirSync(path.dirname(program), { recursive: true });
        fs.writeFileSync(program, `require('node:fs').writeFileSync(${JSON.stringify(trap)}, 'ran'); setInterval(() => {}, 1000);\n`);
        const text = ['app intruder', `  exec ${process.execPath}`, `  args ${program}`, '  replicas 3', '  settle 100ms', ''].join('\n');
        const body = JSON.stringify({ path: path.join(c.home, 'manifests', 'intruder.skr8tr'), text });
        const attempts: [string, Record<string, string>][] = [
          ['', {}],
          [`?token=${token}`, {}],
          [`?access_token=${token}`, {}],
          [`?authorization=${encodeURIComponent(`Bearer ${token}`)}`, {}],
          ['', { cookie: `token=${token}` }],
          ['', { 'x-skr8tr-token': token }],
          ['', { authorization: token }],
          ['', { authorization: `Basic ${Buffer.from(`skr8tr:${token}`).toString('base64')}` }],
          ['', { authorization: `Bearer ${token.slice(0, -1)}` }],
          ['', { authorization: `Bearer ${token}x` }],
          ['', { authorization: 'Bearer ' }],
        ];
        const events = await c.recordEvents();
        for (const target of [{ socketPath }, tcp]) {
          for (const resource of ['/v1/rollouts', '/v1/workloads']) {
            for (const [query, headers] of attempts) {
              const answer = await rawTo(target, 'POST', resource + query, headers, body);
              const where = `POST ${resource}${query.replace(token, 'TOKEN')} ${JSON.stringify(headers).replace(token, 'TOKEN')} on ${'socketPath' in target ? 'the socket' : 'TCP'}`;
              assert.equal(answer.status, 401, `${where}: ${answer.status} ${answer.body}`);
              assert.ok(!answer.body.includes(token), `${where}: the answer repeats the token`);
            }
          }
        }
        // A GET with the token in the query string is refused as well.
        assert.equal((await rawTo({ socketPath }, 'GET', `/v1/workloads?token=${token}`)).status, 401);
        assert.equal((await rawTo(tcp, 'GET', `/v1/status?token=${token}`)).status, 401);

        // A marker: an authenticated app submitted after every attempt, taken as far as a running
        // replica. Anything an attempt had set going would have shown in the event stream before it.
        const marker = c.manifest('marker.skr8tr', fixtureApp('marker', { replicas: 1 }));
        assert.equal((await c.cli(['up', marker])).code, 0);
        await waitFor('the marker\'s replica to be ready', () => events.some((e) => e.type === 'replica' && e.replica.app === 'marker' && e.replica.state === 'ready'));
        const intruding = events.filter((e) => JSON.stringify(e).includes('intruder'));
        assert.deepEqual(intruding, [], 'no event of the intruder before the marker was running');
        assert.equal((await c.cli(['down', 'marker'])).code, 0);
        await waitFor('the marker to be gone', async () => (await c.client().request<unknown[]>('GET', '/v1/workloads')).length === 0 && (await c.client().request<NodeView[]>('GET', '/v1/nodes'))[0]!.replicas.length === 0 && fs.readdirSync(paths.agentState(c.home, 'n1')).every((f) => !f.endsWith('.json')));
        assert.deepEqual(await c.client().request('GET', '/v1/workloads'), []);
        const nodes = await c.client().request<NodeView[]>('GET', '/v1/nodes');
        assert.deepEqual(nodes.map((n) => [n.id, n.replicas]), [['n1', []]], 'the agent runs no replica');
        assert.deepEqual(fs.readdirSync(paths.agentState(c.home, 'n1')).filter((f) => f.endsWith('.json')), [], 'the agent keeps no replica record');
        const list = await c.cli(['list', '--json']);
        assert.deepEqual(JSON.parse(list.stdout), []);
        assert.equal(fs.existsSync(trap), false, 'the intruder program ran');
      });
    });

    describe('the join token and the API token are not interchangeable', () => {
      const hello = (t: string, node: string) =>
        JSON.stringify({ t: 'hello', v: 1, token: t, node, address: null, capacity: { cpu: 1, memBytes: 1e9, gpu: false }, version: 'x', replicas: [], followsConductor: false }) + '\n';

      it('an agent hello with the API token is refused, and no node joins', async () => {
        const answer = await agentPort(c.home, hello(token, 'impostor'));
        assert.match(answer, /"t":"refused"/);
        assert.match(answer, /wrong join token/);
        assert.doesNotMatch(answer, /"t":"welcome"/);
        const nodes = await c.client().request<NodeView[]>('GET', '/v1/nodes');
        assert.deepEqual(nodes.map((n) => n.id), ['n1']);
        // The join token itself is accepted (so the refusal above is about the token).
        const ok = await agentPort(c.home, hello(joinToken, 'probe') + hello(joinToken, 'probe'));
        assert.match(ok, /"t":"welcome"/);
        await waitFor('the probe node to expire', async () => !(await c.client().request<NodeView[]>('GET', '/v1/nodes')).some((n) => n.id === 'probe'));
      });

      it('an API request with the join token gets 401, on the socket and on TCP, and changes nothing', async () => {
        const text = ['app joined', '  exec /bin/true', ''].join('\n');
        const body = JSON.stringify({ path: path.join(c.home, 'manifests', 'joined.skr8tr'), text });
        for (const target of [{ socketPath }, tcp]) {
          const auth = { authorization: `Bearer ${joinToken}` };
          for (const [method, p, b] of [['GET', '/v1/status', undefined], ['GET', '/v1/workloads', undefined], ['POST', '/v1/workloads', body], ['POST', '/v1/rollouts', body], ['POST', '/v1/shutdown', '{}']] as const) {
            const answer = await rawTo(target, method, p, auth, b);
            assert.equal(answer.status, 401, `${method} ${p}: ${answer.status} ${answer.body}`);
            assert.match(answer.body, /wrong token/);
          }
        }
        assert.deepEqual(await c.client().request('GET', '/v1/workloads'), []);
        assert.equal((await c.client().request<{ pid: number }>('GET', '/v1/status')).pid, readConductorInfo(c.home)!.pid, 'the Conductor is still running');
      });
    });
  });
});
