// What a CLI command may touch: its output streams and environment, passed in so tests can
// run commands in-process.

export interface CommandContext {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Standard output is a terminal (colours are welcome). */
  tty?: boolean;
  /** The folder `--home` or `SKR8TR_HOME` named, resolved lazily by the commands that need it. */
  home?: string;
}
