// `skr8tr export`, run as the built CLI (dist/cli.js): stdout holds only the export, stderr what
// does not carry over; exit 0, 1 when export refuses (no image, errors), 2 for a usage problem.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

describe('skr8tr export (built CLI)', () => {
  let tmp = '';
  before(() => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run \`npm run build\` before the unit tests`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-cli-export-'));
    fs.writeFileSync(path.join(tmp, 'web.skr8tr'), ['app web', '  exec ./server', '  port 8080', '  secret', '    TOKEN s3cr3t-token'].join('\n') + '\n');
    fs.writeFileSync(path.join(tmp, 'bad.skr8tr'), ['app web', '  port seventy'].join('\n') + '\n');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, 'export', ...args], { cwd: tmp, encoding: 'utf8' });
    assert.ok(!/^\s+at /m.test(r.stderr), r.stderr);
    return r;
  };

  it('prints the Kubernetes objects on stdout and the notes and the Secret to create on stderr', () => {
    const r = run('--to', 'kubernetes', 'web.skr8tr', '--image', 'reg.example/web:1');
    assert.equal(r.status, 0, r.stderr);
    const kinds = YAML.parseAllDocuments(r.stdout).map((d) => d.toJS().kind);
    assert.deepEqual(kinds, ['Deployment', 'Service']);
    assert.ok(!r.stdout.includes('s3cr3t-token') && !r.stderr.includes('s3cr3t-token'));
    assert.match(r.stderr, /does not carry over:\n {2}web: /);
    assert.match(r.stderr, /create first .*\n {2}kubectl create secret generic web --from-literal=TOKEN=<value>/);
  });

  it('refuses an app with no image: exit 1, naming the key and the flag', () => {
    const r = run('--to', 'kubernetes', 'web.skr8tr');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /app `web` has no image.*`image NAME`.*--image NAME/);
  });

  it('-o DIR writes one file per document; --json writes the Nomad API\'s JSON', () => {
    const out = path.join(tmp, 'out');
    const r = run('--to', 'nomad', 'web.skr8tr', '-o', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual(fs.readdirSync(out), ['web.nomad.json']);
    const job = JSON.parse(fs.readFileSync(path.join(out, 'web.nomad.json'), 'utf8')).Job;
    assert.equal(job.TaskGroups[0].Tasks[0].Driver, 'raw_exec');
    assert.match(r.stderr, /wrote .*web\.nomad\.json/);
  });

  it('a manifest with errors exports nothing: exit 1 with its diagnostics', () => {
    const r = run('--to', 'nomad', 'bad.skr8tr');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /bad\.skr8tr:2:\d+: error: /);
    assert.match(r.stderr, /nothing was exported/);
  });

  it('usage problems exit 2: no --to, an unknown engine, --json for Kubernetes, no file', () => {
    for (const args of [['web.skr8tr'], ['--to', 'swarm', 'web.skr8tr'], ['--to', 'kubernetes', '--json', 'web.skr8tr'], ['--to', 'nomad']]) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /usage: skr8tr export --to kubernetes\|nomad/);
    }
  });
});
