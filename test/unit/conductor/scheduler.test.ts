// Placement (src/conductor/scheduler.ts): which node runs a new replica. Least loaded wins, one app's
// replicas spread across nodes, CPU/memory/GPU capacity is respected, a replica that binds its own
// port goes only where the port is free on that host, and when nothing fits the reason says why.
import * as assert from 'node:assert/strict';
import { isLoopback } from '../../../src/conductor/probes';
import { place, roomFor, type Placement, type SchedNode, type SchedRequest } from '../../../src/conductor/scheduler';
import { parseManifest, type AppSpec } from '../../../src/shared/manifest';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function node(id: string, over: Partial<Omit<SchedNode, 'capacity'>> & { capacity?: Partial<SchedNode['capacity']> } = {}): SchedNode {
  const { capacity, ...rest } = over;
  return {
    id,
    address: '10.0.0.1',
    cpu: 0,
    usedCpu: 0,
    usedMemBytes: 0,
    leavingCpu: 0,
    leavingMemBytes: 0,
    replicas: 0,
    sameApp: 0,
    ...rest,
    capacity: { cpu: 8, memBytes: 16 * GiB, gpu: false, ...capacity },
  };
}

const ANY: SchedRequest = { cpu: null, ramBytes: null, gpu: false, hostPort: null };
const NO_PORTS: ReadonlyMap<string, ReadonlySet<number>> = new Map();

function spec(...body: string[]): AppSpec {
  const r = parseManifest(['app web', '  exec ./server', ...body].join('\n') + '\n', '/m/a.skr8tr');
  assert.equal(r.apps.length, 1);
  return r.apps[0]!.spec;
}

/** The request the reconciler makes for an app spec. */
function requestOf(s: AppSpec): SchedRequest {
  return { cpu: s.cpu, ramBytes: s.ramBytes, gpu: s.gpu, hostPort: s.port !== null && !s.ingress ? s.port : null };
}

function placed(p: Placement): string {
  assert.ok(p.ok, `no placement: ${p.ok ? '' : p.reason}`);
  return p.node;
}

function refused(p: Placement): string {
  assert.ok(!p.ok, `placed on ${p.ok ? p.node : ''}`);
  return p.reason;
}

describe('scheduler', () => {
  describe('least loaded', () => {
    it('picks the node with the fewest replicas', () => {
      const nodes = [node('a', { replicas: 3 }), node('b', { replicas: 1 }), node('c', { replicas: 2 })];
      assert.equal(placed(place(nodes, ANY, NO_PORTS)), 'b');
    });

    it('breaks a tie in replicas by CPU use, then by node id', () => {
      const nodes = [node('a', { replicas: 1, cpu: 0.9 }), node('b', { replicas: 1, cpu: 0.2 }), node('c', { replicas: 1, cpu: 0.5 })];
      assert.equal(placed(place(nodes, ANY, NO_PORTS)), 'b');
      const even = [node('zeta'), node('alpha'), node('mid')];
      assert.equal(placed(place(even, ANY, NO_PORTS)), 'alpha');
    });

    it('does not depend on the order the nodes are given in', () => {
      const nodes = [node('a', { replicas: 2 }), node('b', { replicas: 0, cpu: 0.7 }), node('c', { replicas: 0, cpu: 0.1 })];
      for (const order of [nodes, [...nodes].reverse(), [nodes[1]!, nodes[2]!, nodes[0]!]]) {
        assert.equal(placed(place(order, ANY, NO_PORTS)), 'c');
      }
    });

    it('places on the only node there is', () => {
      assert.equal(placed(place([node('solo', { replicas: 50 })], ANY, NO_PORTS)), 'solo');
    });

    it('does not change its input', () => {
      const nodes = [node('b', { replicas: 2 }), node('a', { replicas: 1 })];
      const copy = structuredClone(nodes);
      place(nodes, ANY, NO_PORTS);
      assert.deepEqual(nodes, copy);
    });
  });

  describe('spread', () => {
    it('prefers a node without a replica of the app, even if it is busier', () => {
      const nodes = [node('a', { replicas: 1, sameApp: 1 }), node('b', { replicas: 5, sameApp: 0 })];
      assert.equal(placed(place(nodes, ANY, NO_PORTS)), 'b');
    });

    it('spreads a whole app evenly across nodes when placed one replica at a time', () => {
      const nodes = ['a', 'b', 'c'].map((id) => node(id));
      const counts = new Map<string, number>();
      for (let i = 0; i < 9; i++) {
        const id = placed(place(nodes, ANY, NO_PORTS));
        counts.set(id, (counts.get(id) ?? 0) + 1);
        const n = nodes.find((x) => x.id === id)!;
        n.replicas++;
        n.sameApp++;
      }
      assert.deepEqual(Object.fromEntries(counts), { a: 3, b: 3, c: 3 });
    });

    it('with equal spread, the least loaded node wins', () => {
      const nodes = [node('a', { sameApp: 1, replicas: 4 }), node('b', { sameApp: 1, replicas: 2 })];
      assert.equal(placed(place(nodes, ANY, NO_PORTS)), 'b');
    });
  });

  describe('capacity', () => {
    it('skips nodes without enough free CPU', () => {
      const nodes = [node('a', { capacity: { cpu: 2 }, usedCpu: 1.5 }), node('b', { capacity: { cpu: 4 }, usedCpu: 1, replicas: 9 })];
      assert.equal(placed(place(nodes, { ...ANY, cpu: 1 }, NO_PORTS)), 'b');
    });

    it('fills a node to exactly its CPU capacity (fractions included)', () => {
      const n = node('a', { capacity: { cpu: 1 }, usedCpu: 0.1 + 0.2 });
      assert.equal(placed(place([n], { ...ANY, cpu: 0.7 }, NO_PORTS)), 'a');
      assert.ok(!place([n], { ...ANY, cpu: 0.71 }, NO_PORTS).ok);
    });

    it('skips nodes without enough free memory', () => {
      const nodes = [node('a', { capacity: { memBytes: 1 * GiB }, usedMemBytes: 768 * MiB }), node('b', { capacity: { memBytes: 2 * GiB }, replicas: 3 })];
      assert.equal(placed(place(nodes, { ...ANY, ramBytes: 512 * MiB }, NO_PORTS)), 'b');
      assert.equal(placed(place(nodes, { ...ANY, ramBytes: 256 * MiB }, NO_PORTS)), 'a');
    });

    it('a request for a GPU goes only to a GPU node', () => {
      const nodes = [node('a'), node('gpu', { capacity: { gpu: true }, replicas: 10, sameApp: 3 })];
      assert.equal(placed(place(nodes, { ...ANY, gpu: true }, NO_PORTS)), 'gpu');
      // A request without a GPU may use any node.
      assert.equal(placed(place(nodes, ANY, NO_PORTS)), 'a');
    });

    it('a `check exec` app goes only to nodes of the Conductor\'s host, even relaxed, and says why not elsewhere', () => {
      const nodes = [node('remote', { address: '10.0.0.7' }), node('local', { address: '127.0.0.1', replicas: 9, sameApp: 2 })];
      const req = { ...ANY, conductorHost: isLoopback };
      assert.equal(placed(place(nodes, req, NO_PORTS, 'relaxed')), 'local');
      assert.match(refused(place([nodes[0]!], req, NO_PORTS, 'relaxed')), /1 node: not the Conductor's host, where a `check exec` runs/);
      assert.equal(roomFor(nodes, req, NO_PORTS), Infinity);
      assert.equal(roomFor([nodes[0]!], req, NO_PORTS), 0);
    });

    it('a request with no CPU or memory figure fits a full node', () => {
      const full = node('a', { capacity: { cpu: 1, memBytes: GiB }, usedCpu: 1, usedMemBytes: GiB });
      assert.equal(placed(place([full], ANY, NO_PORTS)), 'a');
    });

    it('uses the figures of a parsed manifest (`cpu`, `ram`, `gpu`)', () => {
      const req = requestOf(spec('  cpu 2', '  ram 1gb', '  gpu yes'));
      assert.deepEqual(req, { cpu: 2, ramBytes: GiB, gpu: true, hostPort: null });
      const nodes = [
        node('small', { capacity: { cpu: 1, memBytes: 8 * GiB, gpu: true } }),
        node('nogpu', { capacity: { cpu: 8, memBytes: 8 * GiB, gpu: false } }),
        node('tight', { capacity: { cpu: 8, memBytes: 8 * GiB, gpu: true }, usedMemBytes: 7.5 * GiB }),
        node('fits', { capacity: { cpu: 4, memBytes: 2 * GiB, gpu: true }, replicas: 7 }),
      ];
      assert.equal(placed(place(nodes, req, NO_PORTS)), 'fits');
    });
  });

  describe('host ports (ingress off)', () => {
    it('a manifest with ingress off asks for its port on the host; with the ingress it does not', () => {
      assert.equal(requestOf(spec('  port 8080', '  ingress off')).hostPort, 8080);
      assert.equal(requestOf(spec('  port 8080')).hostPort, null);
    });

    it('goes only to a node whose host has the port free', () => {
      const nodes = [node('a', { address: '10.0.0.1' }), node('b', { address: '10.0.0.2', replicas: 5, sameApp: 1 })];
      const used = new Map([['10.0.0.1', new Set([8080])]]);
      assert.equal(placed(place(nodes, { ...ANY, hostPort: 8080 }, used)), 'b');
      // Another port is free everywhere: the usual order applies.
      assert.equal(placed(place(nodes, { ...ANY, hostPort: 9090 }, used)), 'a');
    });

    it('nodes on one host share its ports', () => {
      const nodes = [node('a1', { address: '10.0.0.1' }), node('a2', { address: '10.0.0.1' }), node('b', { address: '10.0.0.2', replicas: 8 })];
      // A replica on a1 holds 8080: a2, on the same host, cannot take it either.
      const used = new Map([['10.0.0.1', new Set([8080])]]);
      assert.equal(placed(place(nodes, { ...ANY, hostPort: 8080 }, used)), 'b');
    });

    it('ports in use do not matter to a replica that does not bind a host port', () => {
      const used = new Map([['10.0.0.1', new Set([8080])]]);
      assert.equal(placed(place([node('a')], ANY, used)), 'a');
    });

    it('a surge replica with the port taken on every host is refused, saying so', () => {
      const nodes = [node('a1', { address: '10.0.0.1' }), node('a2', { address: '10.0.0.1' }), node('b', { address: '10.0.0.2' })];
      const used = new Map([
        ['10.0.0.1', new Set([8080])],
        ['10.0.0.2', new Set([8080, 9000])],
      ]);
      const result = place(nodes, { ...ANY, hostPort: 8080 }, used);
      assert.equal(refused(result), 'no node fits (2 nodes: port 8080 in use on 10.0.0.1; 1 node: port 8080 in use on 10.0.0.2)');
      assert.equal(!result.ok && result.portConflict, true, 'only the port is in the way');
    });

    it('is not a port conflict when some node is refused for another reason', () => {
      const nodes = [node('a', { address: '10.0.0.1' }), node('b', { address: '10.0.0.2', capacity: { gpu: false } })];
      const used = new Map([['10.0.0.1', new Set([8080])]]);
      const result = place(nodes, { ...ANY, gpu: true, hostPort: 8080 }, used);
      assert.equal(!result.ok && result.portConflict, false);
    });
  });

  describe('when nothing fits', () => {
    it('says no node is connected when there are none', () => {
      assert.deepEqual(place([], ANY, NO_PORTS), { ok: false, reason: 'no node is connected', portConflict: false });
    });

    it('gives each reason once with the count of nodes it applies to', () => {
      const nodes = [
        node('a', { capacity: { gpu: false } }),
        node('b', { capacity: { gpu: false } }),
        node('c', { capacity: { gpu: true, cpu: 1 }, usedCpu: 1 }),
        node('d', { capacity: { gpu: true, memBytes: GiB }, usedMemBytes: GiB }),
        node('e', { capacity: { gpu: true, memBytes: GiB }, usedMemBytes: GiB }),
      ];
      const reason = refused(place(nodes, { cpu: 0.5, ramBytes: 512 * MiB, gpu: true, hostPort: null }, NO_PORTS));
      assert.equal(reason, 'no node fits (2 nodes: no GPU; 1 node: not enough free CPU for 0.5; 2 nodes: not enough free memory for 512 MiB)');
    });

    it('formats memory in GiB, MiB or bytes', () => {
      const tiny = [node('a', { capacity: { memBytes: 100 }, usedMemBytes: 100 })];
      assert.match(refused(place(tiny, { ...ANY, ramBytes: 64 }, NO_PORTS)), /not enough free memory for 64 bytes\)$/);
      assert.match(refused(place(tiny, { ...ANY, ramBytes: 1.5 * MiB }, NO_PORTS)), /for 1\.5 MiB\)$/);
      assert.match(refused(place(tiny, { ...ANY, ramBytes: 4 * GiB }, NO_PORTS)), /for 4 GiB\)$/);
    });

    it('reports the first check a node fails (GPU, then a port it binds, then CPU, then memory): what can never be shared first', () => {
      const n = node('a', { capacity: { cpu: 1, memBytes: GiB, gpu: false }, usedCpu: 1, usedMemBytes: GiB });
      const used = new Map([['10.0.0.1', new Set([80])]]);
      assert.equal(refused(place([n], { cpu: 1, ramBytes: GiB, gpu: true, hostPort: 80 }, used)), 'no node fits (1 node: no GPU)');
      assert.equal(refused(place([n], { cpu: 1, ramBytes: GiB, gpu: false, hostPort: 80 }, used)), 'no node fits (1 node: port 80 in use on 10.0.0.1)');
      assert.equal(refused(place([n], { cpu: 1, ramBytes: GiB, gpu: false, hostPort: null }, used)), 'no node fits (1 node: not enough free CPU for 1)');
      assert.equal(refused(place([n], { cpu: null, ramBytes: GiB, gpu: false, hostPort: null }, used)), 'no node fits (1 node: not enough free memory for 1 GiB)');
    });

    it('a CPU request larger than any node is refused even on an idle node', () => {
      assert.equal(refused(place([node('a', { capacity: { cpu: 2 } })], { ...ANY, cpu: 3 }, NO_PORTS)), 'no node fits (1 node: not enough free CPU for 3)');
    });
  });

  describe('requests, not walls: surge and relaxed placement', () => {
    it('a rollout\'s new replica counts the same app\'s older replicas on a node as room (the surge overcommits for a moment)', () => {
      const n = node('a', { capacity: { cpu: 2 }, usedCpu: 2, leavingCpu: 2, replicas: 1 });
      assert.equal(placed(place([n], { ...ANY, cpu: 2 }, NO_PORTS, 'strict')), 'a');
      const noLeaving = node('a', { capacity: { cpu: 2 }, usedCpu: 2, replicas: 1 });
      assert.match(refused(place([noLeaving], { ...ANY, cpu: 2 }, NO_PORTS, 'strict')), /not enough free CPU for 2/);
    });

    it('strict placement refuses a node without room; relaxed places the replica anyway and says by how much', () => {
      const n = node('local', { capacity: { cpu: 2, memBytes: GiB }, usedCpu: 4, usedMemBytes: 512 * MiB, replicas: 2 });
      assert.match(refused(place([n], { ...ANY, cpu: 2, ramBytes: 256 * MiB }, NO_PORTS, 'strict')), /not enough free CPU for 2/);
      const p = place([n], { ...ANY, cpu: 2, ramBytes: 256 * MiB }, NO_PORTS, 'relaxed');
      assert.ok(p.ok);
      assert.equal(p.node, 'local');
      assert.equal(p.overcommit, 'node local is overcommitted: 6 CPUs requested of its 2');
      const fits = place([node('b', { capacity: { cpu: 8 } })], { ...ANY, cpu: 2 }, NO_PORTS, 'relaxed');
      assert.ok(fits.ok && fits.overcommit === null, 'a placement that fits is not an overcommit');
    });

    it('relaxed placement prefers a node with room, then the least overcommitted one', () => {
      const full = node('full', { capacity: { cpu: 2 }, usedCpu: 2 });
      const roomy = node('roomy', { capacity: { cpu: 4 }, usedCpu: 0, replicas: 5 });
      assert.equal(placed(place([full, roomy], { ...ANY, cpu: 2 }, NO_PORTS, 'relaxed')), 'roomy');
      const worse = node('worse', { capacity: { cpu: 2 }, usedCpu: 6 });
      const better = node('better', { capacity: { cpu: 4 }, usedCpu: 4 });
      const p = place([worse, better], { ...ANY, cpu: 2 }, NO_PORTS, 'relaxed');
      assert.ok(p.ok && p.node === 'better' && /6 CPUs requested of its 4/.test(p.overcommit ?? ''));
    });

    it('GPU and a port the replica binds itself are never relaxed', () => {
      const n = node('a', { capacity: { cpu: 1 }, usedCpu: 1 });
      assert.match(refused(place([n], { ...ANY, gpu: true }, NO_PORTS, 'relaxed')), /no GPU/);
      assert.match(refused(place([n], { ...ANY, cpu: 1, hostPort: 80 }, new Map([['10.0.0.1', new Set([80])]]), 'relaxed')), /port 80 in use/);
    });

    it('memory overcommit is described too', () => {
      const n = node('a', { capacity: { memBytes: GiB }, usedMemBytes: GiB });
      const p = place([n], { ...ANY, ramBytes: 512 * MiB }, NO_PORTS, 'relaxed');
      assert.ok(p.ok);
      assert.equal(p.overcommit, 'node a is overcommitted: 1.5 GiB of memory requested of its 1 GiB');
    });
  });

  describe('room: how many more replicas fit (what an unwritten surge starts at once)', () => {
    it('is unbounded for a request with no CPU, memory or port of its own', () => {
      assert.equal(roomFor([node('a', { usedCpu: 100, usedMemBytes: 100 * GiB })], ANY, NO_PORTS), Infinity);
    });

    it('adds up what fits on each node, by the tighter of CPU and memory', () => {
      const a = node('a', { capacity: { cpu: 4, memBytes: 16 * GiB }, usedCpu: 1 }); // CPU: 3 more of 1
      const b = node('b', { capacity: { cpu: 8, memBytes: 2 * GiB }, usedMemBytes: GiB }); // memory: 2 more of 512 MiB
      assert.equal(roomFor([a, b], { ...ANY, cpu: 1, ramBytes: 512 * MiB }, NO_PORTS), 5);
    });

    it('counts the app\'s leaving replicas as taken (they still run), unlike placement', () => {
      const n = node('a', { capacity: { cpu: 3 }, usedCpu: 3, leavingCpu: 3 });
      assert.equal(roomFor([n], { ...ANY, cpu: 1 }, NO_PORTS), 0);
      assert.equal(placed(place([n], { ...ANY, cpu: 1 }, NO_PORTS)), 'a', 'a surge of one is still placed');
    });

    it('is 0 on a full or overcommitted node, and with no node at all', () => {
      assert.equal(roomFor([node('a', { capacity: { cpu: 2 }, usedCpu: 6 })], { ...ANY, cpu: 0.5 }, NO_PORTS), 0);
      assert.equal(roomFor([], ANY, NO_PORTS), 0);
    });

    it('fractions: 4 replicas of 0.25 CPU fit in 1 free core exactly', () => {
      assert.equal(roomFor([node('a', { capacity: { cpu: 2 }, usedCpu: 1 })], { ...ANY, cpu: 0.25 }, NO_PORTS), 4);
    });

    it('a GPU request counts only GPU nodes', () => {
      const nodes = [node('gpu', { capacity: { gpu: true } }), node('plain')];
      assert.equal(roomFor(nodes, { ...ANY, gpu: true, cpu: 1 }, NO_PORTS), 8);
    });

    it('a replica binding its own port fits once per host where the port is free', () => {
      const nodes = [node('a', { address: '10.0.0.1' }), node('b', { address: '10.0.0.1' }), node('c', { address: '10.0.0.2' }), node('d', { address: '10.0.0.3' })];
      const ports = new Map([['10.0.0.3', new Set([80])]]);
      assert.equal(roomFor(nodes, { ...ANY, hostPort: 80 }, ports), 2);
    });
  });
});
