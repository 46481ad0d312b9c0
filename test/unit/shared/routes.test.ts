// The API's route table (src/shared/protocol/routes.ts): the wire format it fixes (methods, patterns,
// statuses), and the paths it builds: path parameters percent-encoded so the Conductor decodes
// exactly them back (it matches `[^/]+` per parameter, then decodeURIComponent), query appended.
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { pathOf, ROUTES, type RouteName } from '../../../src/shared/protocol/routes';

const SEED = 42;

describe('route table', () => {
  it('fixes every route: method, pattern and status on success', () => {
    const wire = Object.fromEntries(Object.entries(ROUTES).map(([name, r]) => [name, `${r.method} ${r.pattern} ${r.status}`]));
    assert.deepEqual(wire, {
      status: 'GET /v1/status 200',
      nodes: 'GET /v1/nodes 200',
      workloads: 'GET /v1/workloads 200',
      workload: 'GET /v1/workloads/:name 200',
      up: 'POST /v1/workloads 200',
      down: 'DELETE /v1/workloads/:name 200',
      downMany: 'POST /v1/down 202',
      workspace: 'POST /v1/workspace 202',
      scale: 'POST /v1/workloads/:name/scale 200',
      rollback: 'POST /v1/workloads/:name/rollback 202',
      abort: 'POST /v1/workloads/:name/abort 202',
      pause: 'POST /v1/workloads/:name/pause 200',
      resume: 'POST /v1/workloads/:name/resume 200',
      watch: 'POST /v1/workloads/:name/watch 200',
      workloadLogs: 'GET /v1/workloads/:name/logs 200',
      logs: 'GET /v1/logs 200',
      rollout: 'POST /v1/rollouts 202',
      getRollout: 'GET /v1/rollouts/:id 200',
      rolloutTimeline: 'GET /v1/rollouts/:id/timeline 200',
      traffic: 'GET /v1/workloads/:name/traffic 200',
      replicaLogs: 'GET /v1/replicas/:id/logs 200',
      stopReplica: 'POST /v1/replicas/:id/stop 202',
      events: 'GET /v1/events 200',
      shutdown: 'POST /v1/shutdown 202',
    });
  });

  it('no two routes share a method and a pattern', () => {
    const keys = Object.values(ROUTES).map((r) => `${r.method} ${r.pattern}`);
    assert.equal(new Set(keys).size, keys.length);
  });

  describe('paths', () => {
    it('a route without parameters is its pattern', () => {
      assert.equal(pathOf('status', {}), '/v1/status');
      assert.equal(pathOf('rollout', {}), '/v1/rollouts');
      assert.equal(pathOf('events', {}), '/v1/events');
    });

    it('puts path parameters in their place', () => {
      assert.equal(pathOf('scale', { name: 'web' }), '/v1/workloads/web/scale');
      assert.equal(pathOf('getRollout', { id: 'web-3-k2' }), '/v1/rollouts/web-3-k2');
      assert.equal(pathOf('stopReplica', { id: 'web-2-a' }), '/v1/replicas/web-2-a/stop');
    });

    it('percent-encodes path parameters, so none can reach another resource', () => {
      assert.equal(pathOf('workload', { name: '../status' }), '/v1/workloads/..%2Fstatus');
      assert.equal(pathOf('down', { name: 'a b?c#d%e' }), '/v1/workloads/a%20b%3Fc%23d%25e');
      assert.equal(pathOf('replicaLogs', { id: 'wéb/1' }), '/v1/replicas/w%C3%A9b%2F1/logs');
    });

    it('appends the query in the order given; `true` is 1, false and undefined are left out', () => {
      assert.equal(pathOf('workloadLogs', { name: 'web', tail: 500, follow: true }), '/v1/workloads/web/logs?tail=500&follow=1');
      assert.equal(pathOf('replicaLogs', { id: 'web-1-a', tail: 0 }), '/v1/replicas/web-1-a/logs?tail=0');
      assert.equal(pathOf('replicaLogs', { id: 'web-1-a', tail: 10, follow: false }), '/v1/replicas/web-1-a/logs?tail=10');
      assert.equal(pathOf('replicaLogs', { id: 'web-1-a', tail: undefined }), '/v1/replicas/web-1-a/logs');
    });

    it('percent-encodes query values', () => {
      assert.equal(pathOf('events', { since: 41, epoch: 'e 1&x=2' }), '/v1/events?since=41&epoch=e%201%26x%3D2');
      assert.deepEqual(Object.fromEntries(new URL(pathOf('events', { since: 41, epoch: 'a+b/c' }), 'http://conductor').searchParams), { since: '41', epoch: 'a+b/c' });
    });

    it('every parameter survives the trip to the Conductor: one segment each, decoded back unchanged', () => {
      const withParams = (Object.keys(ROUTES) as RouteName[]).filter((n) => ROUTES[n].pattern.includes(':'));
      assert.ok(withParams.length > 5);
      fc.assert(
        fc.property(fc.constantFrom(...withParams), fc.string({ minLength: 1, unit: 'binary' }), (name, value) => {
          const pattern = ROUTES[name].pattern.split('/');
          const param = pattern.find((s) => s.startsWith(':'))!.slice(1);
          const path = pathOf(name, { [param]: value } as never);
          const segments = path.split('/');
          assert.equal(segments.length, pattern.length);
          pattern.forEach((p, i) => {
            if (p.startsWith(':')) {
              assert.match(segments[i]!, /^[^/?#]+$/);
              assert.equal(decodeURIComponent(segments[i]!), value);
            } else {
              assert.equal(segments[i], p);
            }
          });
        }),
        { seed: SEED, numRuns: 300 },
      );
    });
  });
});
