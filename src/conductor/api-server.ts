// The Conductor's HTTP/JSON API: on a unix socket in SKR8TR_HOME (0600) and, optionally, on a
// loopback TCP address. Every request needs `Authorization: Bearer <token>`; on TCP a request with a
// browser `Origin` or a non-loopback `Host` is refused (CSRF and DNS-rebinding guard). Bodies are
// limited in size and validated; a bad request gets a clear error and changes nothing.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Logger } from '../shared/logger';
import { tokensEqual } from '../shared/secure-compare';
import { ApiError, apiErrorOf } from './api-error';

export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  raw: http.IncomingMessage;
  res: http.ServerResponse;
}

/**
 * An answer already serialized as JSON (a view kept between changes, workload-views.ts): sent as it
 * is. `T` is the type it is the JSON of, so a route still answers its own type.
 */
export class Serialized<T> {
  declare private readonly of?: T;
  constructor(readonly json: string | Buffer) {}
}

/** A handler returns a value to send as JSON (status 200, or the one it sets), or `undefined` when it answered itself (streams). */
export type Handler = (req: Request) => unknown;

export interface Route {
  method: string;
  pattern: string;
  handler: Handler;
  /** Answer with this status on success (202 for accepted work). */
  status?: number;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export class ApiServer {
  private readonly routes: CompiledRoute[];
  private readonly servers: http.Server[] = [];
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(
    routes: Route[],
    private readonly token: string,
    private readonly log: Logger,
  ) {
    this.routes = routes.map((r) => {
      const names: string[] = [];
      const regex = new RegExp(
        '^' + r.pattern.replace(/:([a-z]+)/g, (_, n: string) => {
          names.push(n);
          return '([^/]+)';
        }) + '$',
      );
      return { ...r, regex, names };
    });
  }

  private create(kind: 'unix' | 'tcp'): http.Server {
    const server = http.createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => void this.serve(kind, req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 0; // event streams and log follows stay open
    server.keepAliveTimeout = 5_000;
    this.servers.push(server);
    return server;
  }

  listenUnix(socketPath: string): Promise<void> {
    try {
      fs.unlinkSync(socketPath);
    } catch {
      // not there
    }
    const server = this.create('unix');
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      const umask = process.umask(0o177);
      server.listen(socketPath, () => {
        process.umask(umask);
        fs.chmodSync(socketPath, 0o600);
        server.off('error', reject);
        resolve();
      });
    });
  }

  listenTcp(host: string, port: number): Promise<import('node:net').AddressInfo> {
    const server = this.create('tcp');
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server.address() as import('node:net').AddressInfo);
      });
    });
  }

  private async serve(kind: 'unix' | 'tcp', req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    try {
      const refusal = this.refuse(kind, req);
      if (refusal) throw refusal;
      const url = new URL(req.url ?? '/', 'http://conductor');
      const { route, params } = this.match(req.method ?? 'GET', url.pathname);
      const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : await readJson(req);
      const result = await route.handler({ method: req.method ?? 'GET', path: url.pathname, params, query: url.searchParams, body, raw: req, res });
      if (result === undefined) return;
      send(res, route.status ?? 200, result);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const answer = apiErrorOf(err);
      if (answer) {
        send(res, answer.status, { error: answer.message, details: answer.details });
        return;
      }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS' || code === 'EACCES' || code === 'EIO') {
        this.log.error(`cannot save a change: ${(err as Error).message}`);
        send(res, 507, { error: `the Conductor cannot save the change (${code}: ${(err as Error).message}); nothing was changed`, details: [] });
        return;
      }
      this.log.error(`API ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
      send(res, 500, { error: `internal error: ${(err as Error).message}`, details: [] });
    }
  }

  private refuse(kind: 'unix' | 'tcp', req: http.IncomingMessage): ApiError | null {
    if (kind === 'tcp') {
      if (req.headers.origin !== undefined) return new ApiError(403, 'requests from a browser page (with an Origin) are refused');
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host) && !/^127\.\d+\.\d+\.\d+$/.test(host)) {
        return new ApiError(403, `requests for host "${host}" are refused; use a loopback address`);
      }
    }
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(auth);
    if (!m) return new ApiError(401, 'missing `Authorization: Bearer <token>`; the token is in SKR8TR_HOME/token');
    if (!tokensEqual(m[1]!, this.token)) return new ApiError(401, 'wrong token');
    return null;
  }

  private match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = decodeParam(m[i + 1]!)));
      return { route, params };
    }
    if (pathMatched) throw new ApiError(405, `${method} is not allowed on ${path}`);
    throw new ApiError(404, `no such resource: ${path}`);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** A path parameter, percent-decoded; a broken encoding is the client's error, not the Conductor's. */
function decodeParam(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ApiError(400, `bad percent-encoding in the path: "${text}"`);
  }
}

function send(res: http.ServerResponse, status: number, value: unknown): void {
  const body = value instanceof Serialized ? value.json : JSON.stringify(value);
  res.writeHead(status, { 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new ApiError(413, `request body of ${declared} bytes; the limit is ${MAX_BODY_BYTES}`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, `request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(new ApiError(400, `request body is not JSON: ${(err as Error).message}`));
      }
    });
  });
}
