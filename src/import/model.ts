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
  /** Whether the import runs as root (uid 0): PostgreSQL refuses to, so its native recipe is not offered. */
  root?: boolean;
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
  /** Compose profiles to activate (`*`: all), as `docker compose --profile`; a service named in `apps` is active too. */
  profiles?: readonly string[];
}

export type Severity = 'error' | 'warning' | 'info';

/** A place in a source: its file (relative to the project's folder) and line. */
export interface Where {
  file: string;
  line: number;
}

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
  /** Manifest lines that replace the key the import wrote (or are added): from compose's `x-skr8tr`. */
  overrides: { key: string; lines: string[] }[];
  /** Where the app comes from, for notes: file and line. */
  from: Where;
}

export function draft(name: string, from: Where): DraftApp {
  return {
    name, type: 'service', exec: null, args: [], cwd: null, port: null, ingressOff: false, replicas: null, restart: null, drain: null,
    cpu: null, ram: null, env: [], envFiles: [], health: null, needs: [], watch: null, watchIgnore: [], volumes: [], image: null, deadline: null,
    overrides: [], from,
  };
}

/** What a source maps to: the apps, in order, and the notes. */
export interface SourceResult {
  apps: DraftApp[];
  notes: ImportNote[];
  /** Apps the source has but the import leaves out (a compose profile), with why. */
  skipped: { name: string; why: string }[];
}

/** Collects notes, at a line of its source file or at a place in another (a compose `include` or `extends`). */
export class Notes {
  readonly items: ImportNote[] = [];
  constructor(readonly file: string) {}

  add(severity: Severity, at: number | Where, app: string | null, message: string, loss = false): void {
    const { file, line } = typeof at === 'number' ? { file: this.file, line: at } : at;
    this.items.push({ severity, file, line, app, message, loss });
  }
  /** A field not carried over. */
  dropped(at: number | Where, app: string | null, message: string): void {
    this.add('warning', at, app, message, true);
  }
  info(at: number | Where, app: string | null, message: string): void {
    this.add('info', at, app, message);
  }
  warn(at: number | Where, app: string | null, message: string): void {
    this.add('warning', at, app, message);
  }
  error(at: number | Where, app: string | null, message: string): void {
    this.add('error', at, app, message, true);
  }
}

/** An app name the manifest accepts, from any name. */
export function appName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return clean === '' ? 'app' : clean;
}
