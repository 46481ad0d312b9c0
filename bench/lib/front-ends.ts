// What a user could put in front of three replicas of a small HTTP service, set up side by side for
// the ingress benchmarks: the replicas themselves (no hop), PM2 cluster mode (its daemon hands each
// connection to a worker), a 10-line Node proxy (the floor of a user-space hop), Debian's nginx
// (one worker a core, keep-alive upstream) and the Skr8tr ingress. Every process is marked
// (BENCH_MARK) or owned, and `stop` proves each gone.
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cluster, FIXTURE, fixtureApp, waitFor, type Daemon } from '../../test/integration/harness';
import { freePort } from '../../test/integration/load';
import { ensureDebian } from './debian';
import { Nginx } from './nginx';
import { ensureTool, mark, Pm2 } from './peers';

export const WAYS = ['direct', 'pm2', 'proxy', 'nginx', 'skr8tr'] as const;
export type Way = (typeof WAYS)[number];
export const LABEL: Record<Way, string> = {
  direct: 'straight to the replicas',
  pm2: 'PM2 cluster mode (-i 3)',
  proxy: 'a 10-line Node proxy process',
  nginx: 'nginx',
  skr8tr: 'the Skr8tr ingress',
};

/** The floor for a user-space HTTP hop: forwards each request to the next of the given ports, keep-alive. */
const MINIMAL_PROXY = `
const http = require('http'); const [port, ...to] = process.argv.slice(1).map(Number); let i = 0;
const agent = new http.Agent({ keepAlive: true });
http.createServer((req, res) => {
  const up = http.request({ host: '127.0.0.1', port: to[i++ % to.length], path: req.url, method: req.method, headers: req.headers, agent }, (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
  req.pipe(up);
}).listen(port, '127.0.0.1');`;

export function listening(port: number): Promise<unknown> {
  return waitFor(
    `something listening on ${port}`,
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      }),
    20_000,
    20,
  );
}

export interface FrontEnds {
  cluster: Cluster;
  conductor: Daemon;
  /** Where each way is reached (for `direct`, the first replica). */
  port: Record<Way, number>;
  /** The three replicas' own ports. */
  backends: number[];
  /** The app's manifest file in the cluster (for rollouts). */
  manifest: string;
  versions: { pm2: string; nginx: string };
  stop(): Promise<void>;
}

/** Starts a Skr8tr cluster with three replicas behind its ingress, then PM2, the proxy and nginx. */
export async function startFrontEnds(o: { conductorEnv?: NodeJS.ProcessEnv; appEnv?: Record<string, string> } = {}): Promise<FrontEnds> {
  ensureDebian({ nginx: 'nginx' });
  const { dir: pm2Dir, version: pm2Version } = await ensureTool('pm2');
  const pm2 = new Pm2(path.join(pm2Dir, 'node_modules/pm2/bin/pm2'), { PM2_KILL_SIGNAL: 'SIGTERM' });
  const cluster = new Cluster('bench-front');
  let proxy: ChildProcess | null = null;
  let nginx: Nginx | null = null;
  const stop = async () => {
    const errors: string[] = [];
    if (proxy) {
      proxy.kill('SIGKILL');
      await new Promise((r) => (proxy!.exitCode !== null || proxy!.signalCode !== null ? r(null) : proxy!.once('exit', r)));
    }
    for (const step of [() => nginx?.stop(), () => pm2.kill(), () => cluster.cleanup()]) {
      try {
        await step();
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (errors.length > 0) throw new Error(errors.join('\n'));
  };
  try {
    const conductor = await cluster.startConductor([], o.conductorEnv ?? {});
    await cluster.startAgent('n1');
    const skr8tr = await freePort();
    const manifest = cluster.manifest('web.skr8tr', fixtureApp('web', { replicas: 3, env: { BENCH_MARK: mark, ...o.appEnv }, extra: [`port ${skr8tr}`] }));
    const up = await cluster.cli(['up', manifest]);
    if (up.code !== 0) throw new Error(up.stdout + up.stderr);
    const w = await cluster.settled('web', 1, 3);
    const backends = w.running.map((r) => r.port!);

    const pm2Port = await freePort();
    await pm2.cli(['start', pm2.config('web', { script: FIXTURE, exec_mode: 'cluster', instances: 3, env: { PORT: String(pm2Port), BENCH_MARK: mark } })]);
    await listening(pm2Port);
    await pm2.recordPids();

    const proxyPort = await freePort();
    proxy = spawn(process.execPath, ['-e', MINIMAL_PROXY, String(proxyPort), ...backends.map(String)], { stdio: 'ignore', env: { ...process.env, BENCH_MARK: mark } });
    await listening(proxyPort);

    nginx = new Nginx(await freePort(), backends, os.cpus().length);
    const nginxVersion = await nginx.start();
    await listening(nginx.port);

    return {
      cluster,
      conductor,
      port: { direct: backends[0]!, pm2: pm2Port, proxy: proxyPort, nginx: nginx.port, skr8tr },
      backends,
      manifest,
      versions: { pm2: pm2Version, nginx: nginxVersion },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
