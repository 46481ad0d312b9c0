// What an import works on and produces: the project as read (a snapshot of the files it needs, the
// variables, the programs on PATH), the draft apps a source maps to, and the notes: every loss,
// guess and TODO, with the source's file and line. Pure data; the sources fill it, write.ts turns
// the drafts into manifest text.

export type SourceKind = 'compose' | 'procfile' | 'process-compose' | 'pm2' | 'npm' | 'python';
export const SOURCE_KINDS: readonly SourceKind[] = ['compose', 'procfile', 'process-compose', 'pm2', 'npm', 'python'];

/** How to run a service that only names a container image (postgres, redis...). */
export type ImageMode = 'native' | 'image' | 'todo';

/** The project as read: files by path relative to its folder (forward slashes). */
export interface ProjectSnapshot {
  files: ReadonlyMap<string, string>;
  /** The shell's variables, for compose interpolation (tests pass none). */
  env: Readonly<Record<string, string>>;
  /** Programs found on PATH (for native recipes), by name: the path to write (the name itself when on PATH). */
  programs: ReadonlyMap<string, string>;
  /** CPUs of this machine (PM2's `instances: 'max'`). */
  cpus: number;
  /** The PM2 ecosystem file as evaluated in a trusted workspace (`module.exports`), when it was. */
  pm2Evaluated?: unknown;
}

export interface ImportOptions {
  /** The source to import; by default the first detected. */
  from?: SourceKind;
  /** Its file (relative), when several of one kind exist. */
  file?: string;
  /** Only these apps (names as imported); by default all but those behind a compose profile. */
  apps?: readonly string[];
  /** Image-only services: native where the program is on PATH (the default), else from the image; or all from the image, or all TODO. */
  images?: ImageMode;
}

export type Severity = 'error' | 'warning' | 'info';

export interface ImportNote {
  severity: Severity;
  /** The source file (relative to the project's folder) and line (1-based; 0 when the whole file). */
  file: string;
  line: number;
  /** The app it is about, as imported (null: the whole source). */
  app: string | null;
  message: string;
  /** Something the source says that the manifest does not carry: `--strict` fails on it. */
  loss: boolean;
}

export interface DraftHealth {
  /** What follows `check`: `GET /path 200`, `tcp`, `exec PROGRAM ARGS...` (words). */
  check: string[];
  interval: string | null;
  timeout: string | null;
  retries: number | null;
}

export interface DraftApp {
  name: string;
  type: 'service' | 'job';
  exec: string | null;
  args: string[];
  /** Relative to the project's folder; null: the folder itself. */
  cwd: string | null;
  port: number | null;
  /** Written only when off. */
  ingressOff: boolean;
  replicas: number | null;
  restart: 'always' | 'on-failure' | null;
  drain: string | null;
  cpu: number | null;
  ram: string | null;
  env: [string, string][];
  envFiles: string[];
  health: DraftHealth | null;
  /** `NAME` or `NAME:CONDITION`. */
  needs: string[];
  watch: string[] | null;
  watchIgnore: string[];
  volumes: { path: string; env: string }[];
  image: string | null;
  deadline: string | null;
  /** Where the app comes from, for notes: file and line. */
  from: { file: string; line: number };
}

export function draft(name: string, from: { file: string; line: number }): DraftApp {
  return {
    name, type: 'service', exec: null, args: [], cwd: null, port: null, ingressOff: false, replicas: null, restart: null, drain: null,
    cpu: null, ram: null, env: [], envFiles: [], health: null, needs: [], watch: null, watchIgnore: [], volumes: [], image: null, deadline: null, from,
  };
}

/** What a source maps to: the apps, in order, and the notes. */
export interface SourceResult {
  apps: DraftApp[];
  notes: ImportNote[];
  /** Apps the source has but the import leaves out (a compose profile), with why. */
  skipped: { name: string; why: string }[];
}

/** Collects notes for one source file. */
export class Notes {
  readonly items: ImportNote[] = [];
  constructor(readonly file: string) {}

  add(severity: Severity, line: number, app: string | null, message: string, loss = false, file = this.file): void {
    this.items.push({ severity, file, line, app, message, loss });
  }
  /** A field not carried over. */
  dropped(line: number, app: string | null, message: string): void {
    this.add('warning', line, app, message, true);
  }
  info(line: number, app: string | null, message: string): void {
    this.add('info', line, app, message);
  }
  warn(line: number, app: string | null, message: string): void {
    this.add('warning', line, app, message);
  }
  error(line: number, app: string | null, message: string): void {
    this.add('error', line, app, message, true);
  }
}

/** An app name the manifest accepts, from any name. */
export function appName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return clean === '' ? 'app' : clean;
}
