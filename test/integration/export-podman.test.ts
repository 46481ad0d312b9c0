// The exported Kubernetes YAML on a real engine that consumes it: podman (`podman kube play`), set
// up here as ../shared/e2e/podman.md describes: runc, ulimits and file events in a containers.conf
// of the test's own, storage of its own, and an image imported from a rootfs holding this host's
// `node` (no registry). A one-replica Node service with a port is exported, played, reached on
// 127.0.0.1, and `podman kube down` must leave no container and no pod.
//
// podman ignores readinessProbe and strategy (and turns the livenessProbe into a healthcheck that
// needs systemd), so the rollout fields and the probes are checked against the Kubernetes schema in
// the unit tests (test/unit/export), not here.
//
// podman and runc come from Debian (scripts/setup.sh, which `npm test` runs first, installs them).
// Under CI a missing podman fails this test; elsewhere it is skipped, loudly.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DIST, exec, FIXTURE, waitFor } from './harness';
import { requirePrograms } from './requires';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A root file system holding this host's node, the libraries `ldd` lists and the loader, and the app in /app. */
function nodeRootfs(dir: string, app: string): void {
  const node = fs.realpathSync(process.execPath);
  const libs = execFileSync('ldd', [node], { encoding: 'utf8' }).match(/\/\S+/g) ?? [];
  for (const file of [node, ...libs]) {
    const to = path.join(dir, node === file ? '/usr/bin/node' : file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(file, to); // follows symbolic links, as the loader wants real files
  }
  fs.chmodSync(path.join(dir, 'usr/bin/node'), 0o755);
  fs.mkdirSync(path.join(dir, 'app'));
  fs.copyFileSync(app, path.join(dir, 'app/server.js'));
}

describe('export to Kubernetes, played by podman', function () {
  this.timeout(120_000);
  let tmp = '';
  let podmanEnv: NodeJS.ProcessEnv = {};
  /** podman with this test's own storage: nothing of the host's images or containers is touched. */
  const podman = (...args: string[]) => exec('podman', ['--root', path.join(tmp, 'storage'), '--runroot', path.join(tmp, 'run'), ...args], podmanEnv, 60_000);

  before(function () {
    requirePrograms(this, 'the podman test', ['podman', 'runc']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-podman-'));
    const conf = path.join(tmp, 'containers.conf');
    // crun refuses the hybrid cgroup layout, and the default ulimits cannot be raised here (podman.md).
    fs.writeFileSync(
      conf,
      ['[containers]', 'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]', '[engine]', 'runtime = "runc"', 'cgroup_manager = "cgroupfs"', 'events_logger = "file"', ''].join('\n'),
    );
    podmanEnv = { ...process.env, CONTAINERS_CONF: conf };
  });

  after(async function () {
    if (!tmp) return;
    // Whatever a failure left: pods, containers, images, then the storage itself.
    await podman('pod', 'rm', '--all', '--force').catch(() => undefined);
    await podman('rm', '--all', '--force').catch(() => undefined);
    await podman('rmi', '--all', '--force').catch(() => undefined);
    const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(tmp));
    for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('plays the export of a one-replica Node service; it answers on 127.0.0.1; kube down leaves nothing', async () => {
    const t0 = Date.now();
    const rootfs = path.join(tmp, 'rootfs');
    nodeRootfs(rootfs, FIXTURE);
    execFileSync('tar', ['-C', rootfs, '-cf', path.join(tmp, 'node.tar'), '.']);
    const image = `localhost/skr8tr-export-test:${process.pid}`;
    const imported = await podman('import', '--change', 'ENV PATH=/usr/bin:/bin', '--change', 'WORKDIR /app', path.join(tmp, 'node.tar'), image);
    assert.equal(imported.code, 0, imported.stderr);

    const port = await freePort();
    const version = `exported-${process.pid}`;
    const manifest = path.join(tmp, 'web.skr8tr');
    fs.writeFileSync(
      manifest,
      ['app web', `  image ${image}`, '  exec node', '  args server.js', `  port ${port}`, '  replicas 1', '  health GET /health 200', '  env', '    FIXTURE_HOST 0.0.0.0', `    FIXTURE_VERSION ${version}`, ''].join('\n'),
    );
    const out = path.join(tmp, 'out');
    const exported = await exec(process.execPath, [path.join(DIST, 'cli.js'), 'export', '--to', 'kubernetes', manifest, '-o', out], process.env, 20_000);
    assert.equal(exported.code, 0, exported.stderr);
    const yaml = path.join(out, 'web.k8s.yaml');
    assert.match(fs.readFileSync(yaml, 'utf8'), /kind: Deployment[\s\S]*kind: Service/);

    const played = await podman('kube', 'play', yaml);
    assert.equal(played.code, 0, `${played.stdout}\n${played.stderr}`);
    // A containerPort is published on the host by podman (no hostPort needed); PORT is set to it.
    const answer = await waitFor(
      `the exported app on 127.0.0.1:${port}`,
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        return res.ok ? res.text() : null;
      },
      30_000,
      100,
    );
    assert.match(answer, new RegExp(`^${version} `));
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200);

    const down = await podman('kube', 'down', yaml);
    assert.equal(down.code, 0, `${down.stdout}\n${down.stderr}`);
    const containers = await podman('ps', '--all', '--format', 'json');
    const pods = await podman('pod', 'ps', '--format', 'json');
    assert.deepEqual(JSON.parse(containers.stdout || '[]'), [], 'no container is left');
    assert.deepEqual(JSON.parse(pods.stdout || '[]'), [], 'no pod is left');
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`), 'nothing answers on the port any more');
    console.log(`      (set up, exported, played, reached and taken down in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  });
});
