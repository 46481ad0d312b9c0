// `skr8tr conductor` / `node dist/conductor.js`: runs the Conductor in the foreground until a
// signal (which leaves workloads running) or until its lease or a client's shutdown ends it.
import { parseArgs } from 'node:util';
import { daemonLogger } from '../shared/daemon-log';
import { paths, resolveHome } from '../shared/home';
import { parseLevel } from '../shared/logger';
import { stopOnSignals } from '../shared/shutdown';
import { Conductor } from './conductor';
import { AlreadyRunning } from '../shared/pid-lock';

export const conductorUsage =
  'skr8tr conductor [--home DIR] [--listen HOST:PORT] [--agents HOST:PORT] [--ingress-address ADDR] [--expiry MS] [--lease MS] [--port-range LO-HI] [--log-level LEVEL] [--quiet]';

export async function runConductor(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        home: { type: 'string' },
        listen: { type: 'string' },
        agents: { type: 'string' },
        expiry: { type: 'string' },
        lease: { type: 'string' },
        'port-range': { type: 'string' },
        'ingress-address': { type: 'string' },
        'log-level': { type: 'string' },
        quiet: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`skr8tr conductor: ${(err as Error).message}\nusage: ${conductorUsage}\n`);
    return 2;
  }
  const number = (name: string, text: string | undefined, fallback: number | null): number | null => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive number of milliseconds, not "${text}"`);
    return n;
  };
  const home = resolveHome(values.home);
  const { log, mask } = daemonLogger(paths.logs(home), 'conductor', parseLevel(values['log-level']), !values.quiet);
  try {
    let portRange: [number, number] | undefined;
    if (values['port-range']) {
      const m = /^(\d+)-(\d+)$/.exec(values['port-range']);
      if (!m || Number(m[1]) < 1 || Number(m[2]) > 65535 || Number(m[1]) > Number(m[2])) throw new Error(`--port-range must be LO-HI, not "${values['port-range']}"`);
      portRange = [Number(m[1]), Number(m[2])];
    }
    const conductor = await Conductor.start({
      home,
      listen: values.listen ?? null,
      agents: values.agents ?? '127.0.0.1:0',
      expiryMs: number('expiry', values.expiry, 5_000)!,
      leaseMs: number('lease', values.lease, null),
      ...(portRange ? { portRange } : {}),
      ingressAddress: values['ingress-address'] ?? '127.0.0.1',
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
