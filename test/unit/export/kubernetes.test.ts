// Export to Kubernetes: every object of every manifest with an `exec` passes the Kubernetes OpenAPI
// schema (kubernetes-models), a few manifests match golden files, and each key lands where the
// README's table says, with what does not carry over said.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Service } from 'kubernetes-models/v1/Service';
import * as YAML from 'yaml';
import { exportApps, ExportRefused } from '../../../src/export';
import { parseManifest } from '../../../src/shared/manifest';
import { allManifests, golden, GOLDEN, hasExec, load, ROOT, TEST_IMAGE } from './fixtures';

const MODELS: Record<string, new (data: any) => { validate(): void }> = { Deployment, Service, Job, HorizontalPodAutoscaler };

/** The YAML as Kubernetes would read it: every document parsed, none with errors. */
function objects(text: string): any[] {
  return YAML.parseAllDocuments(text).map((d) => {
    assert.deepEqual(d.errors, [], text);
    return d.toJS();
  });
}

function exportText(file: string, image: string | null = TEST_IMAGE): { text: string; notes: string[]; toCreate: string[] } {
  const { specs } = load(file);
  const r = exportApps(specs, 'kubernetes', { manifestPath: file, image });
  assert.equal(r.documents.length, 1);
  assert.equal(r.documents[0]!.name, path.basename(file).replace(/\.skr8tr(\.ya?ml)?$/, '') + '.k8s.yaml');
  return { text: r.documents[0]!.text, notes: r.notes, toCreate: r.toCreate };
}

function inline(text: string, file = '/m/web.skr8tr', image: string | null = TEST_IMAGE) {
  const r = parseManifest(text, file);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  const out = exportApps(r.apps.map((a) => a.spec), 'kubernetes', { manifestPath: file, image });
  return { ...out, objects: objects(out.documents[0]!.text), text: out.documents[0]!.text };
}

describe('export to Kubernetes', () => {
  describe('every manifest with an exec: objects the Kubernetes schema accepts', () => {
    for (const file of allManifests()) {
      const rel = path.relative(ROOT, file);
      const { specs, secrets } = load(file);
      if (!hasExec(specs)) continue;
      it(rel, () => {
        const { text } = exportText(file, specs.every((s) => s.image) ? null : TEST_IMAGE);
        const objs = objects(text);
        assert.ok(objs.length > 0);
        for (const o of objs) {
          const Model = MODELS[o.kind];
          assert.ok(Model, `a kind export makes: ${o.kind}`);
          new Model(o).validate();
        }
        for (const value of secrets) assert.ok(!text.includes(value), `the secret value "${value}" is not in the export`);
      });
    }
  });

  it('the schema check is live: a wrong field type fails it', () => {
    const [dep] = inline(['app web', '  exec /srv/web', '  port 8080'].join('\n')).objects;
    dep.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
    assert.throws(() => new Deployment(dep).validate(), /containerPort must be integer/);
  });

  describe('golden files', () => {
    for (const file of GOLDEN) {
      const name = path.basename(file).replace(/\.skr8tr(\.ya?ml)?$/, '');
      it(`${path.relative(ROOT, file)} → ${name}.k8s.yaml`, () => {
        const { specs } = load(file);
        golden(`${name}.k8s.yaml`, exportText(file, specs.every((s) => s.image) ? null : TEST_IMAGE).text);
      });
    }
  });

  it('maps replicas, the rollout budgets, healthy-for, deadline, drain and resources', () => {
    const { objects: [dep] } = inline(
      ['app web', '  exec /srv/web', '  port 8080', '  replicas 4', '  ram 1gb', '  cpu 1.5', '  drain 7s', '  health GET /health', '  rollout', '    surge 2', '    unavailable 1', '    deadline 45s', '    healthy-for 3s'].join('\n'),
    );
    assert.equal(dep.kind, 'Deployment');
    assert.equal(dep.spec.replicas, 4);
    assert.deepEqual(dep.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } });
    assert.equal(dep.spec.minReadySeconds, 3);
    assert.equal(dep.spec.progressDeadlineSeconds, 45);
    const pod = dep.spec.template.spec;
    assert.equal(pod.terminationGracePeriodSeconds, 7 + 5, 'drain plus the preStop pause');
    const c = pod.containers[0];
    assert.deepEqual(c.lifecycle, { preStop: { sleep: { seconds: 5 } } });
    assert.deepEqual(c.resources, { requests: { cpu: '1500m', memory: '1Gi' } });
    assert.deepEqual(c.command, ['/srv/web']);
    assert.deepEqual(c.ports, [{ name: 'app', containerPort: 8080, protocol: 'TCP' }]);
  });

  it('health: a startup probe up to the deadline, then readiness and liveness at interval, timeout, retries', () => {
    const { objects: [dep] } = inline(['app web', '  exec /srv/web', '  port 8080', '  health', '    check GET /ready 200', '    interval 15s', '    timeout 3s', '    retries 5', '  rollout', '    deadline 30s'].join('\n'));
    const c = dep.spec.template.spec.containers[0];
    const http = { httpGet: { path: '/ready', port: 'app' } };
    assert.deepEqual(c.startupProbe, { ...http, periodSeconds: 1, timeoutSeconds: 3, failureThreshold: 30 });
    assert.deepEqual(c.readinessProbe, { ...http, periodSeconds: 15, timeoutSeconds: 3, failureThreshold: 5 });
    assert.deepEqual(c.livenessProbe, c.readinessProbe);
    const tcp = inline(['app db', '  exec /srv/db', '  port 6379', '  health tcp'].join('\n')).objects[0].spec.template.spec.containers[0];
    assert.deepEqual(tcp.readinessProbe.tcpSocket, { port: 'app' });
  });

  it('no health check: minReadySeconds holds settle plus healthy-for, and no probe is written', () => {
    const { objects: [dep] } = inline(['app web', '  exec /srv/web', '  port 8080', '  settle 4s', '  rollout', '    healthy-for 2s'].join('\n'));
    assert.equal(dep.spec.minReadySeconds, 6);
    assert.equal(dep.spec.template.spec.containers[0].readinessProbe, undefined);
  });

  it('a port: a Service on it, the pod listening on it with PORT set to it', () => {
    const { objects: objs } = inline(['app web', '  exec /srv/web', '  args --port ${PORT}', '  port 9090', '  env', '    PORT 1', '    URL http://x/$(HOME)/${APP}'].join('\n'));
    const [dep, svc] = objs;
    assert.equal(svc.kind, 'Service');
    assert.deepEqual(svc.spec.ports, [{ name: 'app', port: 9090, targetPort: 'app', protocol: 'TCP' }]);
    assert.deepEqual(svc.spec.selector, dep.spec.selector.matchLabels);
    const c = dep.spec.template.spec.containers[0];
    assert.deepEqual(c.args, ['--port', '$(PORT)'], '${PORT} is Kubernetes\' $(PORT)');
    assert.deepEqual(c.env[0], { name: 'PORT', value: '9090' }, 'PORT first, so that later values may refer to it');
    assert.equal(c.env.filter((e: any) => e.name === 'PORT').length, 1, 'the manifest\'s own PORT is replaced, as the ingress does');
    assert.equal(c.env.find((e: any) => e.name === 'URL').value, 'http://x/$$(HOME)/web', 'a literal $( is escaped');
  });

  it('secrets: a reference to a Secret named after the app, and the command that creates it; never a value', () => {
    const r = inline(['app web', '  exec /srv/web', '  env-file .env', '  secret', '    API_KEY s3cr3t-value'].join('\n'));
    assert.ok(!r.text.includes('s3cr3t-value'));
    const c = r.objects[0].spec.template.spec.containers[0];
    assert.deepEqual(c.env.find((e: any) => e.name === 'API_KEY'), { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'web', key: 'API_KEY' } } });
    assert.deepEqual(c.envFrom, [{ secretRef: { name: 'web' } }]);
    assert.deepEqual(r.toCreate, ['kubectl create secret generic web --from-literal=API_KEY=<value> --from-env-file=./.env']);
  });

  it('on-failure rollback: a comment saying Kubernetes has none, and how to undo', () => {
    const r = inline(['app web', '  exec /srv/web'].join('\n'));
    assert.match(r.text, /# on-failure rollback has no equivalent: .*kubectl rollout undo deployment\/web/);
    assert.ok(r.notes.some((n) => n.startsWith('web: on-failure rollback')));
  });

  it('needs, build and watch: said plainly, in the file and in the notes', () => {
    const r = inline(['app db', '  exec /srv/db', 'app web', '  exec /srv/web', '  needs db', '  watch src/**', '  build', '    run make'].join('\n'));
    for (const what of ['needs db (ready)', 'build (make)', 'watch']) {
      assert.ok(r.notes.some((n) => n.startsWith(`web: ${what}`)), what);
      assert.ok(r.text.includes(`# - ${what}`), what);
    }
  });

  it('type job: a Job that runs `replicas` completions, with no Service', () => {
    const r = inline(['app migrate', '  type job', '  exec /srv/migrate', '  port 5000', '  restart on-failure', '  replicas 2'].join('\n'));
    assert.deepEqual(r.objects.map((o) => o.kind), ['Job']);
    assert.equal(r.objects[0].spec.completions, 2);
    assert.equal(r.objects[0].spec.template.spec.restartPolicy, 'OnFailure');
  });

  it('scale: a HorizontalPodAutoscaler within min and max, aiming at cpu-above', () => {
    const r = inline(['app web', '  exec /srv/web', '  cpu 1', '  scale', '    min 2', '    max 5', '    cpu-above 60'].join('\n'));
    const hpa = r.objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
    assert.equal(hpa.spec.minReplicas, 2);
    assert.equal(hpa.spec.maxReplicas, 5);
    assert.equal(hpa.spec.metrics[0].resource.target.averageUtilization, 60);
  });

  it('refuses an app with no image, naming the key, and never invents one', () => {
    assert.throws(
      () => inline(['app web', '  exec /srv/web'].join('\n'), '/m/web.skr8tr', null),
      (err: unknown) => err instanceof ExportRefused && err.reason === 'no-image' && err.app === 'web' && /`image NAME`/.test(err.message) && /--image/.test(err.message),
    );
  });

  it('--image goes over the app\'s own image', () => {
    const own = inline(['app web', '  image a/b:1', '  exec /srv/web'].join('\n'), '/m/web.skr8tr', null);
    assert.equal(own.objects[0].spec.template.spec.containers[0].image, 'a/b:1');
    const over = inline(['app web', '  image a/b:1', '  exec /srv/web'].join('\n'), '/m/web.skr8tr', 'c/d:2');
    assert.equal(over.objects[0].spec.template.spec.containers[0].image, 'c/d:2');
  });

  it('names: made DNS labels (said), and two apps that would share one are refused', () => {
    const r = inline(['app My_Web', '  exec /srv/web'].join('\n'));
    assert.equal(r.objects[0].metadata.name, 'my-web');
    assert.ok(r.notes.some((n) => n.includes('`My_Web` is `my-web`')));
    assert.throws(() => inline(['app a_b', '  exec /x', 'app a.b', '  exec /y'].join('\n')), (err: unknown) => err instanceof ExportRefused && err.reason === 'names');
  });

  it('apps with nothing to run (serve static, vm) are left out, said; a manifest of only those is refused', () => {
    const r = inline(['app web', '  exec /srv/web', 'app site', '  serve', '    static ./public', '    port 3000'].join('\n'));
    assert.deepEqual(r.objects.map((o) => o.metadata.name), ['web']);
    assert.ok(r.notes.some((n) => n.startsWith('site: `serve static`')));
    assert.throws(() => inline(['app site', '  serve', '    static ./public'].join('\n')), (err: unknown) => err instanceof ExportRefused && err.reason === 'nothing');
  });

  it('paths in the manifest\'s folder are written relative to it; others stay absolute', () => {
    const r = inline(['app web', '  exec ./bin/web', '  cwd /srv/web'].join('\n'), '/m/web.skr8tr');
    const c = r.objects[0].spec.template.spec.containers[0];
    assert.deepEqual(c.command, ['./bin/web']);
    assert.equal(c.workingDir, '/srv/web');
  });
});
