// Running a daemon until SIGTERM or SIGINT, then stopping it within a bound: a stop that hangs is
// ended by exiting anyway.
import type { Logger } from './logger';

export function stopOnSignals(stop: (signal: NodeJS.Signals) => Promise<void>, log: Logger, hardLimitMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal}: stopping`);
    const hard = setTimeout(() => {
      log.error(`stop did not finish within ${hardLimitMs} ms; exiting`);
      process.exit(1);
    }, hardLimitMs);
    hard.unref();
    stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error(`stop failed: ${(err as Error).stack ?? String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
