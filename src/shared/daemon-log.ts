// A daemon's log: lines to stderr and to SKR8TR_HOME/logs/<name>.log (rotated once it passes
// 10 MiB at start-up), with secrets masked.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SecretMask, SinkLogger, type Level, type Logger } from './logger';

const ROTATE_BYTES = 10 * 1024 * 1024;

export function daemonLogger(logsDir: string, name: string, level: Level, toStderr: boolean): { log: Logger; mask: SecretMask; file: string } {
  fs.mkdirSync(logsDir, { recursive: true, mode: 0o700 });
  const file = path.join(logsDir, `${name}.log`);
  try {
    if (fs.statSync(file).size > ROTATE_BYTES) fs.renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
  const fd = fs.openSync(file, 'a', 0o600);
  const mask = new SecretMask();
  const log = new SinkLogger(
    (line) => {
      try {
        fs.writeSync(fd, line + '\n');
      } catch {
        // a full disk must not stop the daemon
      }
      if (toStderr) process.stderr.write(line + '\n');
    },
    level,
    mask,
  );
  return { log, mask, file };
}
