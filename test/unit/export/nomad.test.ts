// Export to Nomad: golden files; every HCL file parses back with HashiCorp's own HCL parser
// (@cdktf/hcl2json, hcl2json compiled to WebAssembly), and its update block holds the manifest's
// rollout policy; the API's JSON says the same in nanoseconds.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { exportApps } from '../../../src/export';
import { goDuration } from '../../../src/export/common';
import { parseManifest, type AppSpec } from '../../../src/shared/manifest';
import { allManifests, golden, GOLDEN, hasExec, load, parseHcl, ROOT } from './fixtures';

/** A Go duration (`90s`, `2m`, `1500ms`, `1h`) in milliseconds. */
function ms(d: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  assert.ok(m, `a duration: ${d}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms']!;
}

/** hcl2json's shape: every block is a list, labelled blocks are maps of lists. */
type Parsed = Record<string, any>;

async function jobsOf(file: string, specs: AppSpec[]): Promise<Parsed[]> {
  const r = exportApps(specs, 'nomad', { manifestPath: file });
  const jobs: Parsed[] = [];
  for (const d of r.documents) {
    assert.equal(d.language, 'hcl');
    const parsed = await parseHcl(d.name, d.text);
    const names = Object.keys(parsed.job ?? {});
    assert.equal(names.length, 1, `${d.name} holds one job`);
    jobs.push({ id: names[0], ...parsed.job[names[0]!][0] });
  }
  return jobs;
}

const groupsOf = (jobs: Parsed[]): Map<string, Parsed & { jobType: string }> =>
  new Map(jobs.flatMap((j) => Object.entries(j.group ?? {}).map(([name, g]) => [name, { ...(g as Parsed[])[0], jobType: j.type }] as const)));

describe('export to Nomad', () => {
  describe('every manifest with an exec: the HCL parses back, and the update block holds the rollout policy', () => {
    for (const file of allManifests()) {
      const { specs } = load(file);
      if (!hasExec(specs)) continue;
      it(path.relative(ROOT, file), async () => {
        const groups = groupsOf(await jobsOf(file, specs));
        for (const spec of specs.filter((s) => s.exec !== null && (s.type === 'service' || s.type === 'job'))) {
          const g = groups.get(spec.name);
          assert.ok(g, `a group for ${spec.name}`);
          assert.equal(g.count, spec.replicas);
          const task = g.task[spec.name][0];
          assert.equal(task.driver, 'raw_exec');
          assert.equal(task.kill_signal, 'SIGTERM');
          assert.equal(ms(task.kill_timeout), spec.drainMs);
          if (spec.type === 'job') {
            assert.equal(g.jobType, 'batch');
            assert.equal(g.update, undefined, 'a batch job has no rolling update');
            continue;
          }
          assert.equal(g.jobType, 'service');
          const u = g.update[0];
          const r = spec.rollout;
          const checked = spec.health !== null && spec.port !== null;
          assert.equal(u.max_parallel, r.surge === null ? 1 : r.surge > 0 ? r.surge : r.unavailable, 'max_parallel from surge (unavailable when surge is 0; 1, Nomad\'s default, when not written)');
          assert.ok(u.max_parallel >= 1);
          assert.equal(u.health_check, checked ? 'checks' : 'task_states');
          assert.equal(ms(u.min_healthy_time), r.healthyForMs + (checked ? 0 : spec.settleMs), 'min_healthy_time from healthy-for (plus settle with no check)');
          assert.equal(ms(u.healthy_deadline) - ms(u.min_healthy_time), r.deadlineMs, 'healthy_deadline: the deadline to get ready, plus the healthy time');
          assert.ok(ms(u.progress_deadline) > ms(u.healthy_deadline), 'Nomad needs progress_deadline above healthy_deadline');
          assert.equal(u.auto_revert, r.onFailure === 'rollback', 'auto_revert from on-failure rollback');
          if (checked) {
            const check = g.service[0].check[0];
            assert.equal(check.type, spec.health!.kind === 'exec' ? 'script' : spec.health!.kind);
            assert.equal(ms(check.interval), Math.max(1000, spec.health!.intervalMs));
            assert.equal(check.check_restart[0].limit, spec.health!.retries);
          }
        }
      });
    }
  });

  describe('golden files', () => {
    for (const file of GOLDEN) {
      it(path.relative(ROOT, file), () => {
        const r = exportApps(load(file).specs, 'nomad', { manifestPath: file });
        for (const d of r.documents) golden(d.name, d.text);
      });
    }
    it('rich.skr8tr as the API\'s JSON', () => {
      const file = GOLDEN.find((f) => f.endsWith('rich.skr8tr'))!;
      const r = exportApps(load(file).specs, 'nomad', { manifestPath: file, json: true });
      for (const d of r.documents) golden(d.name, d.text);
    });
  });

  it('HCL and the API\'s JSON say the same about the update', async () => {
    const file = GOLDEN.find((f) => f.endsWith('rich.skr8tr'))!;
    const { specs } = load(file);
    const json = JSON.parse(exportApps(specs, 'nomad', { manifestPath: file, json: true }).documents[0]!.text);
    const hcl = groupsOf(await jobsOf(file, specs));
    for (const g of json.Job.TaskGroups) {
      const u = hcl.get(g.Name)!.update[0];
      assert.equal(g.Update.MaxParallel, u.max_parallel);
      assert.equal(g.Update.AutoRevert, u.auto_revert);
      assert.equal(g.Update.MinHealthyTime, ms(u.min_healthy_time) * 1e6);
      assert.equal(g.Update.HealthyDeadline, ms(u.healthy_deadline) * 1e6);
    }
  });

  function inline(text: string, json = false) {
    const r = parseManifest(text, '/m/shop.skr8tr');
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
    return exportApps(r.apps.map((a) => a.spec), 'nomad', { manifestPath: '/m/shop.skr8tr', json });
  }

  it('a port: with the ingress, a dynamic port in PORT and a proxy to put on the port; ingress off, the static port', () => {
    const on = JSON.parse(inline(['app web', '  exec /srv/web', '  args --port ${PORT}', '  port 8080'].join('\n'), true).documents[0]!.text).Job.TaskGroups[0];
    assert.deepEqual(on.Networks, [{ DynamicPorts: [{ Label: 'app' }] }]);
    assert.equal(on.Tasks[0].Env.PORT, '${NOMAD_PORT_app}');
    assert.deepEqual(on.Tasks[0].Config.args, ['--port', '${NOMAD_PORT_app}']);
    assert.deepEqual(on.Services[0], { Name: 'web', PortLabel: 'app', Provider: 'nomad' });
    const off = JSON.parse(inline(['app web', '  exec /srv/web', '  port 8080', '  ingress off'].join('\n'), true).documents[0]!.text).Job.TaskGroups[0];
    assert.deepEqual(off.Networks, [{ ReservedPorts: [{ Label: 'app', Value: 8080 }] }]);
  });

  it('secrets: a template reading a Nomad variable, the command that creates it; never a value', async () => {
    const r = inline(['app web', '  exec /srv/web', '  secret', '    API_KEY s3cr3t-value'].join('\n'));
    const text = r.documents[0]!.text;
    assert.ok(!text.includes('s3cr3t-value'));
    const task = groupsOf(await jobsOf('/m/shop.skr8tr', parseManifest(['app web', '  exec /srv/web', '  secret', '    API_KEY x'].join('\n'), '/m/shop.skr8tr').apps.map((a) => a.spec))).get('web')!.task.web[0];
    assert.equal(task.template[0].env, true);
    assert.match(task.template[0].data, /nomadVar "nomad\/jobs\/web\/web"/);
    assert.match(task.template[0].data, /API_KEY=\{\{ \.API_KEY \}\}/);
    assert.deepEqual(r.toCreate, ['nomad var put nomad/jobs/web/web API_KEY=<value>']);
  });

  it('services and jobs of one manifest are two Nomad jobs, said', () => {
    const r = inline(['app web', '  exec /srv/web', 'app migrate', '  type job', '  exec /srv/migrate'].join('\n'));
    assert.deepEqual(r.documents.map((d) => d.name), ['shop.nomad.hcl', 'shop-batch.nomad.hcl']);
    assert.ok(r.notes.some((n) => n.includes('two Nomad jobs')));
  });

  it('on-failure pause and continue: auto_revert off, and said', () => {
    for (const policy of ['pause', 'continue']) {
      const r = inline(['app web', '  exec /srv/web', '  rollout', `    on-failure ${policy}`].join('\n'), true);
      assert.equal(JSON.parse(r.documents[0]!.text).Job.TaskGroups[0].Update.AutoRevert, false);
      assert.ok(r.notes.some((n) => n.startsWith(`web: on-failure ${policy}`)), policy);
    }
  });

  it('writes durations as Go reads them', () => {
    assert.deepEqual([0, 1500, 5000, 90_000, 120_000, 3_600_000].map(goDuration), ['0s', '1500ms', '5s', '90s', '2m', '1h']);
  });
});
