// `skr8tr agent` / `node dist/agent.js`: runs an agent in the foreground. Locally it finds the
// Conductor through SKR8TR_HOME; on another host, `--join HOST:PORT --token T`.
import * as os from 'node:os';
import { DaemonUsageError, hostPortOption, parseDaemonArgs, positiveOption, usageFailure } from '../shared/daemon-args';
import { daemonLogger } from '../shared/daemon-log';
import { paths, readConductorInfo, readToken, resolveHome } from '../shared/home';
import { parseLevel } from '../shared/logger';
import { stopOnSignals } from '../shared/shutdown';
import { Agent, type Endpoint } from './agent';

import { agentUsage } from './usage';

export { agentUsage };

export async function runAgent(argv: string[]): Promise<number> {
  let values;
  let node: string;
  let joinAddr: { host: string; port: number } | null = null;
  let cpu: number | null;
  let mem: number | null;
  let idleExitMs: number | null;
  try {
    values = parseDaemonArgs(argv, {
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
    });
    node = values.node ?? os.hostname().replace(/[^A-Za-z0-9_.:-]/g, '-');
    if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(node)) throw new DaemonUsageError(`--node "${node}" may use letters, digits, _ . : - only`);
    if (values.join && !values.token) throw new DaemonUsageError("--join needs --token (the join token from the Conductor's home: join-token)");
    if (values.join) joinAddr = hostPortOption('join', values.join, false);
    cpu = positiveOption('cpu', values.cpu, null);
    mem = positiveOption('mem', values.mem, null, true);
    idleExitMs = positiveOption('idle-exit', values['idle-exit'], null, true);
  } catch (err) {
    if (err instanceof DaemonUsageError) return usageFailure('agent', agentUsage, err);
    throw err;
  }
  const home = resolveHome(values.home);
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
