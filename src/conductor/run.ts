// `skr8tr conductor` / `node dist/conductor.js`: runs the Conductor in the foreground until a
// signal (which leaves workloads running) or until its lease or a client's shutdown ends it.
import { DaemonUsageError, hostPortOption, parseDaemonArgs, positiveOption, usageFailure } from '../shared/daemon-args';
import { daemonLogger } from '../shared/daemon-log';
import { paths, resolveHome } from '../shared/home';
import { parseLevel } from '../shared/logger';
import { stopOnSignals } from '../shared/shutdown';
import { Conductor } from './conductor';
import type { PlacementMode } from './scheduler';
import { AlreadyRunning } from '../shared/pid-lock';

import { conductorUsage } from './usage';

export { conductorUsage };

export async function runConductor(argv: string[]): Promise<number> {
  let values;
  let expiryMs: number;
  let nodeGraceMs: number | null;
  let leaseMs: number | null;
  let portRange: [number, number] | undefined;
  let placement: PlacementMode | 'auto';
  let logBudgetBytes: number | null;
  try {
    values = parseDaemonArgs(argv, {
      home: { type: 'string' },
      listen: { type: 'string' },
      agents: { type: 'string' },
      expiry: { type: 'string' },
      'node-grace': { type: 'string' },
      lease: { type: 'string' },
      'port-range': { type: 'string' },
      'ingress-address': { type: 'string' },
      placement: { type: 'string' },
      'log-budget': { type: 'string' },
      'log-level': { type: 'string' },
      quiet: { type: 'boolean' },
    });
    expiryMs = positiveOption('expiry', values.expiry, 5_000, true)!;
    nodeGraceMs = positiveOption('node-grace', values['node-grace'], null, true);
    if (nodeGraceMs !== null && nodeGraceMs < expiryMs) throw new DaemonUsageError(`--node-grace (${nodeGraceMs} ms) must be at least --expiry (${expiryMs} ms)`);
    leaseMs = positiveOption('lease', values.lease, null, true);
    if (values.listen) hostPortOption('listen', values.listen, true);
    if (values.agents) hostPortOption('agents', values.agents, true);
    if (values['port-range']) {
      const m = /^(\d+)-(\d+)$/.exec(values['port-range']);
      if (!m || Number(m[1]) < 1 || Number(m[2]) > 65535 || Number(m[1]) > Number(m[2])) throw new DaemonUsageError(`--port-range must be LO-HI, not "${values['port-range']}"`);
      portRange = [Number(m[1]), Number(m[2])];
    }
    const p = values.placement ?? 'auto';
    if (p !== 'auto' && p !== 'strict' && p !== 'relaxed') throw new DaemonUsageError(`--placement must be auto, strict or relaxed, not "${p}"`);
    placement = p;
    logBudgetBytes = positiveOption('log-budget', values['log-budget'], null, true);
  } catch (err) {
    if (err instanceof DaemonUsageError) return usageFailure('conductor', conductorUsage, err);
    throw err;
  }
  const home = resolveHome(values.home);
  const { log, mask } = daemonLogger(paths.logs(home), 'conductor', parseLevel(values['log-level']), !values.quiet);
  try {
    const conductor = await Conductor.start({
      home,
      listen: values.listen ?? null,
      agents: values.agents ?? '127.0.0.1:0',
      expiryMs,
      ...(nodeGraceMs !== null ? { nodeGraceMs } : {}),
      leaseMs,
      ...(portRange ? { portRange } : {}),
      ingressAddress: values['ingress-address'] ?? '127.0.0.1',
      placement,
      ...(logBudgetBytes !== null ? { logBudgetBytes } : {}),
      log,
      mask,
    });
    stopOnSignals(() => conductor.stop(false), log, 15_000);
    await conductor.stopped;
    return 0;
  } catch (err) {
    const message = err instanceof AlreadyRunning || err instanceof Error ? err.message : String(err);
    log.error(`cannot start the Conductor: ${message}`);
    if (values.quiet) process.stderr.write(`skr8tr conductor: ${message}\n`);
    return 1;
  }
}
