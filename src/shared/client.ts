// A client of the Conductor API, for the CLI and the extension: JSON requests over the unix socket
// (or a loopback TCP address) with the bearer token, and NDJSON streams (events, log follows).
// Callers name a route of protocol/routes.ts (`call`, `callStream`); `request` and `stream` take a
// path as it goes on the wire (for the tests of the wire format itself).
import * as http from 'node:http';
import { paths, readConductorInfo, readToken, type ConductorInfo } from './home';
import type { ApiEvent } from './protocol/api';
import { pathOf, ROUTES, type AnswerOf, type BodyArgs, type ItemOf, type JsonRoute, type ParamsOf, type StreamRoute } from './protocol/routes';
import { isAlive } from './platform/process';

export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export class NotRunning extends Error {
  constructor(home: string, why: string) {
    super(`no Conductor is running for ${home} (${why})`);
  }
}

export type Transport = { socketPath: string } | { host: string; port: number };

export class ConductorClient {
  constructor(
    readonly transport: Transport,
    private readonly token: string,
  ) {}

  /** The Conductor named by a home's conductor.json, if its process is alive. */
  static fromHome(home: string): ConductorClient {
    const info = readConductorInfo(home);
    if (!info) throw new NotRunning(home, 'no conductor.json');
    if (!isAlive(info.pid)) throw new NotRunning(home, `its pid ${info.pid} is gone`);
    const token = readToken(paths.token(home));
    if (!token) throw new NotRunning(home, 'no token file');
    return new ConductorClient({ socketPath: info.socket }, token);
  }

  static infoOf(home: string): ConductorInfo | null {
    return readConductorInfo(home);
  }

  private options(method: string, path: string, extra: http.RequestOptions = {}): http.RequestOptions {
    const base = 'socketPath' in this.transport ? { socketPath: this.transport.socketPath } : { host: this.transport.host, port: this.transport.port };
    return {
      ...base,
      method,
      path,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', host: '127.0.0.1' },
      agent: false,
      ...extra,
    };
  }

  request<T>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(this.options(method, path), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let value: unknown;
          try {
            value = text ? JSON.parse(text) : null;
          } catch {
            reject(new ApiClientError(res.statusCode ?? 0, `the Conductor answered with something that is not JSON (status ${res.statusCode})`));
            return;
          }
          if ((res.statusCode ?? 500) >= 400) {
            const v = value as { error?: string; details?: string[] } | null;
            reject(new ApiClientError(res.statusCode ?? 500, v?.error ?? `status ${res.statusCode}`, v?.details ?? []));
            return;
          }
          resolve(value as T);
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from the Conductor within ${timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') reject(new ApiClientError(0, 'the Conductor is not answering (its socket refused the connection)'));
        else reject(err);
      });
      if (payload !== undefined) req.end(payload);
      else req.end();
    });
  }

  /**
   * Reads an NDJSON stream, calling `onItem` for each line, until the stream ends (resolves), fails
   * (rejects) or `signal` aborts it (resolves).
   */
  stream<T>(path: string, onItem: (item: T) => void, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return resolve();
      const req = http.request(this.options('GET', path), (res) => {
        if ((res.statusCode ?? 500) >= 400) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            let message = `status ${res.statusCode}`;
            try {
              message = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error: string }).error;
            } catch {
              // keep the status
            }
            reject(new ApiClientError(res.statusCode ?? 500, message));
          });
          return;
        }
        res.setEncoding('utf8');
        let partial = '';
        res.on('data', (chunk: string) => {
          partial += chunk;
          let nl: number;
          while ((nl = partial.indexOf('\n')) >= 0) {
            const line = partial.slice(0, nl);
            partial = partial.slice(nl + 1);
            if (line.trim() === '') continue;
            try {
              onItem(JSON.parse(line) as T);
            } catch (err) {
              req.destroy(err as Error);
              return;
            }
          }
        });
        res.on('end', () => resolve());
        res.on('error', (err) => (signal?.aborted ? resolve() : reject(err)));
      });
      req.on('error', (err) => (signal?.aborted ? resolve() : reject(err)));
      signal?.addEventListener('abort', () => req.destroy(), { once: true });
      req.end();
    });
  }

  /** Calls a route of the API by name: its path from `params`, its body, its answer typed. */
  call<K extends JsonRoute>(name: K, params: ParamsOf<K>, ...body: BodyArgs<K>): Promise<AnswerOf<K>> {
    return this.request<AnswerOf<K>>(ROUTES[name].method, pathOf(name, params), body[0]);
  }

  /** `call`, failing after `timeoutMs` (for a liveness check that must not hang). */
  callWithin<K extends JsonRoute>(timeoutMs: number, name: K, params: ParamsOf<K>, ...body: BodyArgs<K>): Promise<AnswerOf<K>> {
    return this.request<AnswerOf<K>>(ROUTES[name].method, pathOf(name, params), body[0], timeoutMs);
  }

  /** Reads a streaming route (`stream` says how it ends). */
  callStream<K extends StreamRoute>(name: K, params: ParamsOf<K>, onItem: (item: ItemOf<K>) => void, signal?: AbortSignal): Promise<void> {
    return this.stream<ItemOf<K>>(pathOf(name, params), onItem, signal);
  }

  /** The event stream from a position (or a snapshot first, with no position). */
  events(onEvent: (e: ApiEvent) => void, since: { seq: number; epoch: string } | null, signal?: AbortSignal): Promise<void> {
    return this.callStream('events', since ? { since: since.seq, epoch: since.epoch } : {}, onEvent, signal);
  }
}
