// The ingress's request and answer heads (src/conductor/ingress-http.ts): what of the client's
// headers goes to the replica, and what of the replica's comes back. Pure: raw header lists in and
// out (the forwarding itself runs over real sockets in test/integration/ingress.test.ts).
import * as assert from 'node:assert/strict';
import { endToEnd, mayRetry, requestHead, type UpstreamFailure } from '../../../src/conductor/ingress-http';

const head = (rawHeaders: string[], remoteAddress = '127.0.0.1') => requestHead({ rawHeaders, socket: { remoteAddress } });

describe('ingress heads', () => {
  it('keeps end-to-end headers as written (case, order, repeats) and adds x-forwarded-*', () => {
    const h = head(['Host', 'example.test', 'Accept', '*/*', 'X-Trace', 'one', 'x-trace', 'two']);
    assert.deepEqual(h.headers, ['Host', 'example.test', 'Accept', '*/*', 'X-Trace', 'one', 'x-trace', 'two', 'x-forwarded-for', '127.0.0.1', 'x-forwarded-proto', 'http', 'x-forwarded-host', 'example.test']);
    assert.equal(h.hasHost, true);
    assert.equal(h.bodyless, true);
  });

  it('drops hop-by-hop headers, whatever their case', () => {
    const h = head(['Host', 'h', 'Connection', 'keep-alive', 'KEEP-ALIVE', 'timeout=5', 'TE', 'trailers', 'Upgrade', 'x', 'Proxy-Authorization', 'secret', 'Trailer', 'X']);
    assert.deepEqual(h.headers.filter((_, i) => i % 2 === 0), ['Host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);
  });

  it('appends the client to x-forwarded-for (all of its lines, in order) and replaces the other x-forwarded-* the client sent', () => {
    const h = head(['Host', 'h', 'X-Forwarded-For', '203.0.113.7', 'X-Forwarded-For', '198.51.100.2', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'evil'], '10.0.0.9');
    const pairs = Array.from({ length: h.headers.length / 2 }, (_, i) => `${h.headers[2 * i]}: ${h.headers[2 * i + 1]}`);
    assert.deepEqual(pairs, ['Host: h', 'x-forwarded-for: 203.0.113.7, 198.51.100.2, 10.0.0.9', 'x-forwarded-proto: http', 'x-forwarded-host: h']);
  });

  it('a body follows a content-length above 0 or any transfer-encoding (which itself is not passed on)', () => {
    assert.equal(head(['Host', 'h', 'Content-Length', '0']).bodyless, true);
    assert.equal(head(['Host', 'h', 'Content-Length', '12']).bodyless, false);
    const chunked = head(['Host', 'h', 'Transfer-Encoding', 'chunked']);
    assert.equal(chunked.bodyless, false);
    assert.ok(!chunked.headers.some((v) => v.toLowerCase() === 'transfer-encoding'));
  });

  it('says when the client sent no host (an HTTP/1.0 client), and adds no x-forwarded-host then', () => {
    const h = head(['Accept', '*/*']);
    assert.equal(h.hasHost, false);
    assert.ok(!h.headers.includes('x-forwarded-host'));
  });

  it('an answer keeps its end-to-end headers (repeated cookies apart) and loses the hop-by-hop ones', () => {
    assert.deepEqual(endToEnd(['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked']), [
      'Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2',
    ]);
  });
});

describe('ingress retries', () => {
  const failure = (over: Partial<UpstreamFailure>): UpstreamFailure => ({ method: 'GET', reached: true, error: 'ECONNRESET', replayable: true, clientGone: false, ...over });

  it('a request no replica got (refused at connect) is tried on another, whatever its method', () => {
    for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) assert.equal(mayRetry(failure({ method, reached: false, error: 'ECONNREFUSED' })), true, method);
  });

  it('a request a replica may have received is tried again only if it is idempotent', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'get']) assert.equal(mayRetry(failure({ method })), true, method);
    for (const method of ['POST', 'PATCH', 'CONNECT']) assert.equal(mayRetry(failure({ method })), false, method);
    assert.equal(mayRetry(failure({ method: 'POST', error: 'socket hang up' })), false);
    assert.equal(mayRetry(failure({ method: 'GET', error: 'socket hang up' })), true);
  });

  it('never when the client left, the body was not kept, or the error is not a connection failing', () => {
    assert.equal(mayRetry(failure({ clientGone: true })), false);
    assert.equal(mayRetry(failure({ replayable: false, reached: false, error: 'ECONNREFUSED' })), false);
    assert.equal(mayRetry(failure({ error: 'HPE_INVALID_CONTENT_LENGTH' })), false);
  });
});
