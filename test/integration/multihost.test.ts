// Several hosts: agents in network namespaces made by the test (veth pairs, private addresses),
// joining the Conductor across them with the join token. A rollout spreads across the hosts; a host
// cut off (its link down) is survived, and when it comes back its duplicates are stopped. Needs
// root for `ip netns`: CI runs it; elsewhere it is skipped with a loud message.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { paths, readConductorInfo, readToken } from '../../src/shared/home';
import { isAlive } from '../../src/shared/platform/process';
import { Cluster, fixtureApp, waitFor } from './harness';
import { requireOrSkip, requirePrograms } from './requires';
import { Load, freePort } from './load';

interface Host {
  ns: string;
  hostIf: string;
  subnet: number;
  /** The host's address, as the Conductor reaches it. */
  address: string;
  /** The root namespace's address on that link. */
  gateway: string;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeHost(tag: string, letter: string, subnet: number): Host {
  const ns = `sk8-${tag}-${letter}`;
  const hostIf = `s8h${tag}${letter}`;
  const nsIf = `s8n${tag}${letter}`;
  ip('netns', 'add', ns);
  ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
  ip('link', 'set', nsIf, 'netns', ns);
  ip('addr', 'add', `10.231.${subnet}.1/24`, 'dev', hostIf);
  ip('link', 'set', hostIf, 'up');
  ip('-n', ns, 'addr', 'add', `10.231.${subnet}.2/24`, 'dev', nsIf);
  ip('-n', ns, 'link', 'set', nsIf, 'up');
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  return { ns, hostIf, subnet, address: `10.231.${subnet}.2`, gateway: `10.231.${subnet}.1` };
}

function removeHost(h: Host): void {
  try {
    ip('netns', 'del', h.ns);
  } catch {
    // already gone
  }
  try {
    ip('link', 'del', h.hostIf);
  } catch {
    // went with the namespace
  }
}

function canMakeNamespaces(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  const probe = `sk8-probe-${crypto.randomBytes(3).toString('hex')}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return null;
  } catch (err) {
    return `ip netns add failed: ${(err as Error).message}`;
  }
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 3000 }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('several hosts (network namespaces)', function () {
  this.timeout(180_000);
  let c: Cluster;
  const hosts: Host[] = [];

  before(function () {
    requirePrograms(this, 'the multi-host tests', ['ip']);
    const why = canMakeNamespaces();
    requireOrSkip(this, 'the multi-host tests', why && `they need network namespaces (${why}); CI runs them as root`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(c.dump());
    for (const h of hosts) {
      try {
        ip('link', 'set', h.hostIf, 'up');
      } catch {
        // gone
      }
    }
    try {
      await c.cleanup();
    } finally {
      for (const h of hosts.splice(0)) removeHost(h);
    }
  });

  it('spreads a rollout across hosts, survives one cut off, and stops its duplicates when it returns', async () => {
    const tag = crypto.randomBytes(2).toString('hex');
    const base = 10 + (parseInt(tag, 16) % 120) * 2;
    hosts.push(makeHost(tag, 'a', base), makeHost(tag, 'b', base + 1));
    c = new Cluster('multihost');
    await c.startConductor(['--agents', '0.0.0.0:0']);
    const agentsPort = Number(readConductorInfo(c.home)!.agents.split(':').pop());
    const token = readToken(paths.joinToken(c.home))!;
    const agents = [];
    for (const [i, h] of hosts.entries()) {
      const node = `host-${'ab'[i]}`;
      agents.push(await c.startAgent(node, ['--join', `${h.gateway}:${agentsPort}`, '--token', token], {}, ['ip', 'netns', 'exec', h.ns]));
    }
    const nodes = await c.client().request<{ id: string; address: string }[]>('GET', '/v1/nodes');
    assert.deepEqual(nodes.map((n) => [n.id, n.address]).sort(), [['host-a', hosts[0]!.address], ['host-b', hosts[1]!.address]]);

    const port = await freePort();
    const app = (version: string) =>
      fixtureApp('web', {
        replicas: 4,
        version,
        env: { FIXTURE_HOST: '0.0.0.0' },
        health: null,
        extra: [`port ${port}`, 'health', '  check GET /health 200', '  interval 300ms', '  timeout 300ms', '  retries 2', 'rollout', '  deadline 30s'],
      });
    const file = c.manifest('web.skr8tr', app('v1'));
    assert.equal((await c.cli(['up', file])).code, 0);
    const v1 = await c.settled('web', 1, 4, 30_000);
    const perNode = (w: typeof v1) => w.replicas.filter((r) => r.state === 'ready').reduce<Record<string, number>>((m, r) => ({ ...m, [r.node!]: (m[r.node!] ?? 0) + 1 }), {});
    assert.deepEqual(perNode(v1), { 'host-a': 2, 'host-b': 2 }, 'spread over both hosts');

    // A rollout across both hosts, under load through the ingress: no failed request.
    const load = new Load({ port, keepAliveClients: 3, freshClients: 1, maxMs: 60_000, maxRequests: 100_000 });
    await waitFor('load', () => load.result.requests > 50);
    c.manifest('web.skr8tr', app('v2'));
    const out = await c.cli(['rollout', file, '--wait']);
    assert.equal(out.code, 0, out.stdout + out.stderr);
    const v2 = await c.settled('web', 2, 4, 30_000);
    const during = await load.stop();
    assert.equal(during.failures, 0, during.failureSamples.join('; '));
    assert.deepEqual(perNode(v2), { 'host-a': 2, 'host-b': 2 });
    const cutPids = v2.replicas.filter((r) => r.node === 'host-a' && r.state === 'ready').map((r) => r.pid!);

    // Cut host-a off. Its replicas stop answering probes and leave the ingress; its node expires;
    // four replicas run on host-b.
    ip('link', 'set', hosts[0]!.hostIf, 'down');
    const moved = await waitFor('all four replicas on host-b', async () => {
      const w = await c.workload('web');
      const ready = w.replicas.filter((r) => r.state === 'ready');
      return ready.length === 4 && ready.every((r) => r.node === 'host-b') ? w : null;
    }, 60_000, 100);
    assert.equal(moved.generation, 2);
    for (let i = 0; i < 20; i++) assert.match(await get(port), /^v2 /);
    assert.ok(cutPids.every((p) => isAlive(p)), 'the cut-off host kept its replicas running');

    // The link comes back: host-a's agent redials with its old replicas, which are stopped, not kept.
    ip('link', 'set', hosts[0]!.hostIf, 'up');
    await waitFor('host-a to rejoin', async () => (await c.client().request<{ id: string; connected: boolean }[]>('GET', '/v1/nodes')).some((n) => n.id === 'host-a' && n.connected), 30_000);
    await waitFor('the duplicates on host-a to be stopped', () => cutPids.every((p) => !isAlive(p)), 30_000);
    const after = await c.workload('web');
    assert.equal(after.replicas.filter((r) => r.state === 'ready').length, 4);
  });
});
