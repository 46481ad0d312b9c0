// `skr8tr agent` / `node dist/agent.js`: runs an agent in the foreground. Locally it finds the
// Conductor through SKR8TR_HOME; on another host, `--join HOST:PORT --token T`.
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { daemonLogger } from '../shared/daemon-log';
import { paths, readConductorInfo, readToken, resolveHome } from '../shared/home';
import { parseLevel } from '../shared/logger';
import { stopOnSignals } from '../shared/shutdown';
import { Agent, type Endpoint } from './agent';

export const agentUsage =
  'skr8tr agent [--home DIR] [--join HOST:PORT --token T] [--node ID] [--advertise ADDR] [--state DIR] [--cpu N] [--mem BYTES] [--gpu] [--follow-conductor] [--idle-exit MS] [--log-level LEVEL] [--quiet]';

export async function runAgent(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        home: { type: 'string' },
        join: { type: 'string' },
        token: { type: 'string' },
        node: { type: 'string' },
        advertise: { type: 'string' },
        state: { type: 'string' },
        cpu: { type: 'string' },
        mem: { type: 'string' },
        gpu: { type: 'boolean' },
        'follow-conductor': { type: 'boolean' },
        'idle-exit': { type: 'string' },
        'log-level': { type: 'string' },
        quiet: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`skr8tr agent: ${(err as Error).message}\nusage: ${agentUsage}\n`);
    return 2;
  }
  const fail = (message: string) => {
    process.stderr.write(`skr8tr agent: ${message}\nusage: ${agentUsage}\n`);
    return 2;
  };
  const home = resolveHome(values.home);
  const node = values.node ?? os.hostname().replace(/[^A-Za-z0-9_.:-]/g, '-');
  if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(node)) return fail(`--node "${node}" may use letters, digits, _ . : - only`);
  if (values.join && !values.token) return fail('--join needs --token (the join token from the Conductor\'s home: join-token)');
  let joinAddr: { host: string; port: number } | null = null;
  if (values.join) {
    const m = /^(.*):(\d+)$/.exec(values.join);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) return fail(`--join must be HOST:PORT, not "${values.join}"`);
    joinAddr = { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
  }
  const positive = (name: string, text: string | undefined): number | null => {
    if (text === undefined) return null;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not "${text}"`);
    return n;
  };
  let cpu: number | null;
  let mem: number | null;
  let idleExitMs: number | null;
  try {
    cpu = positive('cpu', values.cpu);
    mem = positive('mem', values.mem);
    idleExitMs = positive('idle-exit', values['idle-exit']);
  } catch (err) {
    return fail((err as Error).message);
  }
  const endpoint = (): Endpoint | null => {
    if (joinAddr) return { ...joinAddr, token: values.token! };
    const info = readConductorInfo(home);
    const token = readToken(paths.joinToken(home));
    if (!info || !token) return null;
    const m = /^(.*):(\d+)$/.exec(info.agents);
    if (!m) return null;
    const host = m[1] === '0.0.0.0' || m[1] === '' ? '127.0.0.1' : m[1] === '::' ? '::1' : m[1]!;
    return { host, port: Number(m[2]), token };
  };
  const { log } = daemonLogger(paths.logs(home), `agent-${node}`, parseLevel(values['log-level']), !values.quiet);
  const agent = new Agent({
    node,
    advertise: values.advertise ?? null,
    endpoint,
    capacity: { cpu: cpu ?? os.cpus().length, memBytes: mem ?? os.totalmem(), gpu: values.gpu ?? false },
    stateDir: values.state ?? paths.agentState(home, node),
    followsConductor: values['follow-conductor'] ?? false,
    idleExitMs,
    log,
  });
  stopOnSignals(() => agent.stop(), log, 120_000);
  try {
    await agent.start();
  } catch (err) {
    log.error(`cannot start the agent: ${(err as Error).message}`);
    if (values.quiet) process.stderr.write(`skr8tr agent: ${(err as Error).message}\n`);
    return 1;
  }
  await agent.stopped;
  return 0;
}
