// A daemon's log: lines to stderr and to SKR8TR_HOME/logs/<name>.log (rotated once it passes
// 10 MiB at start-up), with secrets masked.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SecretMask, SinkLogger, type Level, type Logger } from './logger';

const ROTATE_BYTES = 10 * 1024 * 1024;

export function daemonLogger(logsDir: string, name: string, level: Level, toStderr: boolean): { log: Logger; mask: SecretMask; file: string } {
  const file = path.join(logsDir, `${name}.log`);
  let fd: number | null = null;
  let problem: string | null = null;
  try {
    fs.mkdirSync(logsDir, { recursive: true, mode: 0o700 });
    try {
      if (fs.statSync(file).size > ROTATE_BYTES) fs.renameSync(file, `${file}.1`);
    } catch {
      // no log yet
    }
    fd = fs.openSync(file, 'a', 0o600);
  } catch (err) {
    // An unwritable home is reported by whatever needs it next; the log goes to stderr alone.
    problem = `cannot write the log ${file}: ${(err as Error).message}`;
    toStderr = true;
  }
  const mask = new SecretMask();
  const log = new SinkLogger(
    (line) => {
      if (fd !== null) {
        try {
          fs.writeSync(fd, line + '\n');
        } catch {
          // a full disk must not stop the daemon
        }
      }
      if (toStderr) process.stderr.write(line + '\n');
    },
    level,
    mask,
  );
  if (problem) log.warn(problem);
  return { log, mask, file };
}
