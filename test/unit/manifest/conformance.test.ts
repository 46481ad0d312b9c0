// Every manifest written for the original Skr8tr parses into what its author meant.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasErrors, parseManifest, type AppSpec } from '../../../src/shared/manifest';

const DIR = path.resolve(__dirname, '../../fixtures/conformance');

function load(name: string): { spec: AppSpec; warnings: string[] } {
  const file = path.join(DIR, name);
  const r = parseManifest(fs.readFileSync(file), file);
  assert.equal(hasErrors(r.diagnostics), false, JSON.stringify(r.diagnostics));
  assert.equal(r.apps.length, 1);
  return { spec: r.apps[0]!.spec, warnings: r.diagnostics.map((d) => d.message) };
}

const SOVEREIGN = [
  // file, app, port, scale max, cpu-above, cpu-below
  ['cart-svc.skr8tr', 'cart-svc', 8004, 1, 4, 70, 20],
  ['inventory-svc.skr8tr', 'inventory-svc', 8002, 1, 4, 70, 20],
  ['order-svc.skr8tr', 'order-svc', 8005, 1, 4, 70, 20],
  ['product-svc.skr8tr', 'product-svc', 8001, 1, 4, 70, 20],
  ['recommendation-svc.skr8tr', 'recommendation-svc', 8008, 1, 4, 70, 20],
  ['review-svc.skr8tr', 'review-svc', 8007, 1, 4, 70, 20],
  ['search-svc.skr8tr', 'search-svc', 8003, 1, 6, 65, 15],
  ['user-svc.skr8tr', 'user-svc', 8006, 1, 4, 70, 20],
] as const;

describe('conformance manifests', () => {
  it('covers every file in the conformance folder', () => {
    const tested = new Set<string>([
      ...SOVEREIGN.map((s) => s[0]),
      'frontend.skr8tr', 'analytics-job.skr8tr', 'my-server.skr8tr', 'react-app.skr8tr', 'vm-workload.skr8tr',
    ]);
    assert.deepEqual(fs.readdirSync(DIR).filter((f) => f.endsWith('.skr8tr')).sort(), [...tested].sort());
  });

  for (const [file, name, port, min, max, above, below] of SOVEREIGN) {
    it(`${file}: a two-replica HTTP service with braces around env, health and scale`, () => {
      const { spec, warnings } = load(file);
      assert.equal(spec.name, name);
      assert.equal(spec.type, 'service');
      assert.equal(spec.exec, `/opt/sovereign-market/bin/${name}`);
      assert.deepEqual(spec.args, []);
      assert.equal(spec.port, port);
      assert.equal(spec.ingress, true);
      assert.equal(spec.replicas, 2);
      assert.deepEqual(spec.env, { PORT: String(port), RUST_LOG: 'info' });
      assert.deepEqual(spec.health, { kind: 'http', method: 'GET', path: '/health', status: 200, command: null, intervalMs: 10_000, timeoutMs: 3_000, retries: 3 });
      assert.deepEqual(spec.scale, { min, max, cpuAbove: above, cpuBelow: below });
      assert.equal(spec.build, null);
      assert.equal(spec.serve, null);
      assert.equal(spec.vm, null);
      // The author's `env PORT` is the service port; with the ingress each replica gets its own.
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /env PORT .* is replaced/);
    });
  }

  it('frontend.skr8tr: env with three entries, a health check on /', () => {
    const { spec } = load('frontend.skr8tr');
    assert.equal(spec.name, 'frontend');
    assert.equal(spec.exec, '/opt/sovereign-market/bin/frontend-svc');
    assert.equal(spec.port, 4200);
    assert.equal(spec.replicas, 2);
    assert.deepEqual(spec.env, { PORT: '4200', STATIC_DIR: '/opt/sovereign-market/www', RUST_LOG: 'info' });
    assert.deepEqual(spec.health, { kind: 'http', method: 'GET', path: '/', status: 200, command: null, intervalMs: 15_000, timeoutMs: 5_000, retries: 3 });
    assert.deepEqual(spec.scale, { min: 2, max: 8, cpuAbove: 60, cpuBelow: 10 });
  });

  it('analytics-job.skr8tr: a job with `bin`, `ram 4gb`, `cpu 8` and an env block without braces', () => {
    const { spec, warnings } = load('analytics-job.skr8tr');
    assert.equal(spec.name, 'nyc-fare-analysis');
    assert.equal(spec.type, 'job');
    assert.equal(spec.exec, path.join(DIR, 'bin/fare_analysis'));
    assert.equal(spec.ramBytes, 4 * 1024 ** 3);
    assert.equal(spec.cpu, 8);
    assert.equal(spec.port, null);
    assert.equal(spec.ingress, false);
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.env, {
      INPUT_PATH: '/data/nyc_yellow_2024.csv',
      OUTPUT_PATH: '/data/fare_results.csv',
      YEAR: '2024',
    });
    assert.equal(spec.health, null);
    assert.deepEqual(warnings, []);
  });

  it('my-server.skr8tr: `type process` is a service; args are argv', () => {
    const { spec, warnings } = load('my-server.skr8tr');
    assert.equal(spec.name, 'my-server');
    assert.equal(spec.type, 'service');
    assert.equal(spec.exec, '/bin/sleep');
    assert.deepEqual(spec.args, ['3600']);
    assert.equal(spec.replicas, 1);
    assert.equal(spec.port, null);
    assert.deepEqual(warnings, []);
  });

  it('react-app.skr8tr: build, static serving on 3000, three replicas, percentages', () => {
    const { spec, warnings } = load('react-app.skr8tr');
    assert.equal(spec.name, 'my-react-app');
    assert.equal(spec.exec, null);
    assert.deepEqual(spec.build, { run: ['npm ci', 'npm run build'], out: path.join(DIR, 'dist') });
    assert.deepEqual(spec.serve, { static: path.join(DIR, 'dist'), port: 3000, proxy: null });
    assert.equal(spec.port, 3000);
    assert.equal(spec.ingress, true);
    assert.equal(spec.replicas, 3);
    assert.equal(spec.ramBytes, 256 * 1024 ** 2);
    assert.equal(spec.cpu, 2);
    assert.deepEqual(spec.health, { kind: 'http', method: 'GET', path: '/index.html', status: 200, command: null, intervalMs: 30_000, timeoutMs: 5_000, retries: 3 });
    assert.deepEqual(spec.scale, { min: 1, max: 10, cpuAbove: 70, cpuBelow: 20 });
    assert.deepEqual(spec.env, { NODE_ENV: 'production', API_URL: 'https://api.myapp.com' });
    assert.deepEqual(warnings, []);
  });

  it('vm-workload.skr8tr: a VM with no exec; health without timeout keeps the default', () => {
    const { spec, warnings } = load('vm-workload.skr8tr');
    assert.equal(spec.name, 'ubuntu-web');
    assert.equal(spec.type, 'vm');
    assert.equal(spec.exec, null);
    assert.equal(spec.port, 8080);
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.vm, {
      hypervisor: '/usr/bin/firecracker',
      kernel: '/var/skr8tr/kernels/vmlinux-6.1.102',
      rootfs: '/var/skr8tr/images/ubuntu-22.04.ext4',
      vcpus: 2,
      memory: 512,
      net: 'user',
      args: [],
    });
    assert.deepEqual(spec.health, { kind: 'http', method: 'GET', path: '/', status: 200, command: null, intervalMs: 30_000, timeoutMs: 2_000, retries: 3 });
    assert.deepEqual(spec.scale, { min: 1, max: 4, cpuAbove: 70, cpuBelow: 20 });
    assert.deepEqual(warnings, []);
  });

  it('every conformance manifest keeps the rollout defaults of the original, but for surge (not written: as many as fit)', () => {
    for (const f of fs.readdirSync(DIR)) {
      const { spec } = load(f);
      assert.deepEqual(spec.rollout, { surge: null, unavailable: 0, deadlineMs: 120_000, healthyForMs: 0, onFailure: 'rollback' }, f);
      assert.equal(spec.settleMs, 8_000, f);
      assert.equal(spec.drainMs, 5_000, f);
    }
  });
});
