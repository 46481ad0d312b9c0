// The built-in static file server that runs an app with `serve static DIR` and no `exec`: the agent
// starts it as the replica's process (`agent.js serve-static DIR --port N [--proxy URL]`), so it is
// stopped, restarted, probed and routed like any other replica. Files only from DIR (no listing,
// nothing outside it); a directory serves its index.html; a miss goes to `proxy` when there is one.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** The file a URL path names inside `root`, or null when it would leave it. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  return full === root || full.startsWith(root + path.sep) ? full : null;
}

export function createStaticServer(dir: string, proxy: string | null): http.Server {
  const root = path.resolve(dir);
  return http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let file = resolveInside(root, req.url ?? '/');
    if (file === null) {
      res.writeHead(400).end('bad path\n');
      return;
    }
    fs.stat(file, (err, st) => {
      if (!err && st.isDirectory()) {
        file = path.join(file!, 'index.html');
        return fs.stat(file, (err2, st2) => send(err2 ? null : st2));
      }
      send(err ? null : st);
    });
    const send = (st: fs.Stats | null) => {
      if (!st || !st.isFile()) return miss();
      res.writeHead(200, { 'content-type': TYPES[path.extname(file!).toLowerCase()] ?? 'application/octet-stream', 'content-length': st.size });
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file!).on('error', () => res.destroy()).pipe(res);
    };
    const miss = () => {
      if (!proxy) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      const target = new URL(req.url ?? '/', proxy);
      const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end('proxy failed\n'));
      upstream.end();
    };
  });
}

/** `serve-static DIR --port N [--proxy URL]`: runs until SIGTERM. */
export function runStaticServer(argv: string[]): Promise<number> {
  const [dir, ...rest] = argv;
  const opt = (name: string) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const port = Number(opt('port') ?? process.env.PORT);
  if (!dir || !Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write('usage: serve-static DIR --port N [--proxy URL]\n');
    return Promise.resolve(2);
  }
  const server = createStaticServer(dir, opt('proxy') ?? null);
  return new Promise((resolve) => {
    server.on('error', (err) => {
      process.stderr.write(`serve-static: ${err.message}\n`);
      resolve(1);
    });
    server.listen(port, opt('host') ?? '0.0.0.0', () => console.log(`serving ${path.resolve(dir)} on port ${port}`));
    process.on('SIGTERM', () => {
      server.close(() => resolve(0));
      server.closeIdleConnections();
    });
  });
}
