// Bad input on every interface is refused with a clear reason; the daemons keep running and other
// clients and agents are unaffected.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConductorClient } from '../../src/shared/client';
import { paths, readConductorInfo, readToken } from '../../src/shared/home';
import { MAX_FRAME_BYTES } from '../../src/shared/protocol/agent';
import { Cluster, fixtureApp, waitFor } from './harness';
import { agentPort, rawRequest } from './raw';

describe('bad input', function () {
  this.timeout(60_000);
  let c: Cluster;

  before(async () => {
    c = new Cluster('bad');
    await c.startConductor(['--listen', '127.0.0.1:0']);
    await c.startAgent('n1');
  });

  after(async function () {
    await c.cleanup();
  });

  async function stillWell(): Promise<void> {
    const status = await c.client().request<{ nodes: number }>('GET', '/v1/status');
    assert.equal(status.nodes, 1);
    const nodes = await c.client().request<{ id: string; connected: boolean }[]>('GET', '/v1/nodes');
    assert.ok(nodes.find((n) => n.id === 'n1')?.connected, 'the real agent stays connected');
  }

  describe('on the agent port', () => {
    const cases: [string, Buffer | string, RegExp][] = [
      ['random bytes', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a]), /not JSON/],
      ['JSON that is not a frame', '{"hello": "world"}\n', /invalid frame/],
      ['a frame of an unknown type', '{"t":"launch-everything"}\n', /invalid frame/],
      ['a heartbeat before hello', '{"t":"heartbeat","cpu":0.1,"memFree":1}\n', /`heartbeat` before `hello`/],
      ['a hello with the wrong join token', JSON.stringify({ t: 'hello', v: 1, token: 'nope', node: 'evil', address: null, capacity: { cpu: 1, memBytes: 1, gpu: false }, version: 'x', replicas: [], followsConductor: false }) + '\n', /wrong join token/],
      ['a hello with a bad field', JSON.stringify({ t: 'hello', v: 1, token: 'x', node: 'bad node!', address: null, capacity: { cpu: 1, memBytes: 1, gpu: false }, version: 'x', replicas: [], followsConductor: false }) + '\n', /invalid frame: node/],
    ];
    for (const [what, payload, reason] of cases) {
      it(`closes a connection that sends ${what}, and only that one`, async () => {
        const answer = await agentPort(c.home, payload);
        assert.match(answer, /"t":"refused"/);
        assert.match(answer, reason);
        await stillWell();
      });
    }

    it('closes a connection whose frame is larger than the limit', async () => {
      const answer = await agentPort(c.home, Buffer.alloc(MAX_FRAME_BYTES + 1024 * 1024, 0x61));
      assert.match(answer, /frame of more than/);
      await stillWell();
    });

    it('a second hello on a joined connection is refused', async () => {
      const token = readToken(paths.joinToken(c.home))!;
      const hello = JSON.stringify({ t: 'hello', v: 1, token, node: 'tmp', address: null, capacity: { cpu: 1, memBytes: 1e9, gpu: false }, version: 'x', replicas: [], followsConductor: false }) + '\n';
      const answer = await agentPort(c.home, hello + hello);
      assert.match(answer, /"t":"welcome"/);
      assert.match(answer, /a second `hello`/);
      await waitFor('the test node to expire', async () => {
        const nodes = await c.client().request<{ id: string }[]>('GET', '/v1/nodes');
        return !nodes.some((n) => n.id === 'tmp');
      });
      await stillWell();
    });
  });

  describe('on the API', () => {
    const socket = () => readConductorInfo(c.home)!.socket;
    const token = () => readToken(paths.token(c.home))!;

    it('refuses requests without a token, or with a wrong one', async () => {
      const none = await rawRequest({ socketPath: socket(), path: '/v1/status' });
      assert.equal(none.status, 401);
      assert.match(JSON.parse(none.body).error, /missing `Authorization: Bearer/);
      const wrong = await rawRequest({ socketPath: socket(), path: '/v1/status', headers: { authorization: 'Bearer nope' } });
      assert.equal(wrong.status, 401);
      const submit = await rawRequest({ socketPath: socket(), path: '/v1/workloads', method: 'POST', headers: { 'content-type': 'application/json' } }, JSON.stringify({ path: '/x/a.skr8tr', text: 'app a\n  exec /bin/true\n' }));
      assert.equal(submit.status, 401);
      assert.deepEqual(await c.client().request('GET', '/v1/workloads'), []);
    });

    it('on TCP, refuses a browser Origin and a foreign Host even with the token', async () => {
      const listen = readConductorInfo(c.home)!.listen!;
      const [host, port] = [listen.split(':')[0]!, Number(listen.split(':')[1])];
      const auth = { authorization: `Bearer ${token()}` };
      const ok = await rawRequest({ host, port, path: '/v1/status', headers: auth });
      assert.equal(ok.status, 200);
      const origin = await rawRequest({ host, port, path: '/v1/status', headers: { ...auth, origin: 'https://evil.example' } });
      assert.equal(origin.status, 403);
      const rebinding = await rawRequest({ host, port, path: '/v1/status', headers: { ...auth, host: 'evil.example:80' } });
      assert.equal(rebinding.status, 403);
      const noToken = await rawRequest({ host, port, path: '/v1/status' });
      assert.equal(noToken.status, 401);
    });

    it('keeps its socket and token files private (0600)', () => {
      assert.equal(fs.statSync(socket()).mode & 0o777, 0o600);
      assert.equal(fs.statSync(paths.token(c.home)).mode & 0o777, 0o600);
      assert.equal(fs.statSync(paths.joinToken(c.home)).mode & 0o777, 0o600);
      assert.equal(fs.statSync(c.home).mode & 0o777, 0o700);
    });

    const bodies: [string, string, number, RegExp][] = [
      ['a body that is not JSON', '{"path": ', 400, /not JSON/],
      ['a body missing `text`', JSON.stringify({ path: '/x/a.skr8tr' }), 400, /`text`/],
      ['a relative manifest path', JSON.stringify({ path: 'a.skr8tr', text: 'app a\n  exec /bin/true\n' }), 400, /must be absolute/],
      ['a manifest with errors', JSON.stringify({ path: '/x/a.skr8tr', text: 'app a\n  port 99999\n' }), 422, /error/],
    ];
    for (const [what, body, status, message] of bodies) {
      it(`refuses ${what} with ${status}`, async () => {
        const r = await rawRequest({ socketPath: socket(), path: '/v1/workloads', method: 'POST', headers: { authorization: `Bearer ${token()}` } }, body);
        assert.equal(r.status, status, r.body);
        assert.match(r.body, message);
        await stillWell();
        assert.deepEqual(await c.client().request('GET', '/v1/workloads'), []);
      });
    }

    it('refuses an oversized body with 413', async () => {
      const r = await rawRequest({ socketPath: socket(), path: '/v1/workloads', method: 'POST', headers: { authorization: `Bearer ${token()}` } }, Buffer.alloc(3 * 1024 * 1024, 0x20));
      assert.equal(r.status, 413);
      await stillWell();
    });

    it('answers unknown resources with 404 and wrong methods with 405', async () => {
      const client = new ConductorClient({ socketPath: socket() }, token());
      await assert.rejects(client.request('GET', '/v1/nope'), /no such resource/);
      await assert.rejects(client.request('PUT', '/v1/status'), /not allowed/);
      await assert.rejects(client.request('GET', '/v1/workloads/ghost'), /no workload named ghost/);
    });
  });

  describe('on the command line', () => {
    it('refuses a manifest with errors before submitting it, naming the place', async () => {
      const file = c.manifest('bad.skr8tr', 'app bad\n  exec /bin/true\n  replicas lots\n');
      const r = await c.cli(['up', file]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /bad\.skr8tr:3:12: error: bad `replicas`/);
      assert.match(r.stderr, /nothing was submitted/);
    });

    it('gives usage errors exit code 2', async () => {
      const daemons = [['conductor', '--expiry', 'soon'], ['conductor', '--agents', 'nowhere'], ['agent', '--join', 'h:1'], ['agent', '--cpu', '-1'], ['agent', '--node', 'bad node']];
      const waits = [['up', 'x', '--timeout', '5m'], ['rollout', 'x', '--wait', '--timeout', 'soon'], ['shutdown', 'extra']];
      for (const args of [['scale', 'a'], ['scale', 'a', 'many'], ['rollout'], ['list', 'extra'], ['nope'], ['up', '--bogus', 'x'], ...waits, ...daemons]) {
        const r = await c.cli(args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
      }
    });

    it('says clearly when no Conductor runs for a home (status starts none: exit 3)', async () => {
      const empty = path.join(c.home, 'no-such-home');
      const r = await c.cli(['status', '--home', empty]);
      assert.equal(r.code, 3);
      assert.match(r.stdout, /no Conductor is running for .*no-such-home/);
      assert.equal(fs.existsSync(empty), false, 'nothing was started there');
    });

    it('a replica of an app whose program does not exist fails with a clear reason', async () => {
      const file = c.manifest('ghost.skr8tr', fixtureApp('ghost', { replicas: 1 }).replace(`exec ${process.execPath}`, 'exec /nonexistent/program'));
      assert.equal((await c.cli(['up', file])).code, 0);
      const w = await waitFor('the launch to fail', async () => {
        const v = await c.workload('ghost');
        return v.replicas.find((r) => r.state === 'failed') ?? null;
      });
      assert.match(w.reason ?? '', /program not found: \/nonexistent\/program/);
      assert.equal((await c.cli(['down', 'ghost'])).code, 0);
    });
  });
});
