// `npm run demo`: the main job, end to end. In a throwaway home, `skr8tr up --wait` starts a
// Conductor and a local agent (as any command that needs them does) and brings up examples/hello
// (3 replicas behind port 8080); then it rolls it out to a new version while a client keeps
// requesting it, shows the progress and the result, and `skr8tr shutdown` stops everything.
// `--keep` leaves it all running (and prints how to stop it).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (f) => path.join(root, 'dist', f);
const keep = process.argv.includes('--keep');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-demo-'));
const manifest = path.join(root, 'examples/hello/hello.skr8tr');
const v2 = path.join(root, 'examples/hello/.hello-v2.skr8tr');
const env = { ...process.env, SKR8TR_HOME: home };

const say = (text) => console.log(`\n\x1b[1m▶ ${text}\x1b[0m`);

function cli(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [dist('cli.js'), ...args], { env, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** Requests GET / on the app's port in a loop, counting answers and failures. */
function traffic(port) {
  const stats = { ok: 0, failed: 0, versions: new Map(), stop: false };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const once = () =>
    new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent, timeout: 2000 }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          if (res.statusCode === 200) {
            stats.ok++;
            const v = body.split(' ')[2] ?? '?';
            stats.versions.set(v, (stats.versions.get(v) ?? 0) + 1);
          } else stats.failed++;
          resolve();
        });
      });
      req.on('error', () => {
        stats.failed++;
        resolve();
      });
      req.on('timeout', () => req.destroy());
    });
  stats.done = (async () => {
    while (!stats.stop) {
      await once();
      await new Promise((r) => setTimeout(r, 5));
    }
    agent.destroy();
  })();
  return stats;
}

async function cleanup() {
  try {
    fs.rmSync(v2, { force: true });
  } catch {}
  if (keep) return;
  say('Stopping: skr8tr shutdown (the workloads, then the Conductor and the agent)');
  await cli(['shutdown']);
  fs.rmSync(home, { recursive: true, force: true });
  console.log('All stopped.');
}

process.on('SIGINT', () => {
  cleanup().finally(() => process.exit(130));
});

try {
  say(`skr8tr up examples/hello/hello.skr8tr --wait (it starts a Conductor and a local agent for ${home})`);
  if ((await cli(['up', manifest, '--wait'])) !== 0) throw new Error('hello did not get ready');
  await cli(['list']);

  const port = 8080;
  const load = traffic(port);
  say(`Rolling out VERSION v2 while a client requests http://127.0.0.1:${port}/ in a loop`);
  fs.writeFileSync(v2, fs.readFileSync(manifest, 'utf8').replace('VERSION v1', 'VERSION v2'));
  const code = await cli(['rollout', v2, '--wait']);
  load.stop = true;
  await load.done;
  await cli(['list']);
  const versions = [...load.versions].map(([v, n]) => `${n} from ${v}`).join(', ');
  say(`During the rollout: ${load.ok} requests answered (${versions || 'none'}), ${load.failed} failed`);
  if (code !== 0) process.exitCode = 1;
  if (keep) {
    console.log(`\nStill running. Try: SKR8TR_HOME=${home} npx skr8tr list`);
    console.log(`Stop it all with: SKR8TR_HOME=${home} npx skr8tr shutdown`);
  }
} catch (err) {
  console.error(`demo failed: ${err.message}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
