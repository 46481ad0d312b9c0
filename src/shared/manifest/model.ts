// The manifest model: what one `app` in a manifest means, whichever syntax it was written in.
// Field names and shapes are those of `skr8tr validate --json` (see MANIFEST.md); absent optional
// values are null, empty collections are empty. Secret values are kept apart from the spec (in
// `ParsedApp.secrets`) so that a spec can be logged, sent in events or printed without leaking them.

export type AppType = 'service' | 'job' | 'wasm' | 'vm';
export type RestartPolicy = 'always' | 'on-failure' | 'never';
export type FailurePolicy = 'rollback' | 'pause' | 'continue';

export interface HealthSpec {
  kind: 'http' | 'tcp' | 'exec';
  method: 'GET' | null;
  path: string | null;
  status: number | null;
  /** `check exec`: the program and its arguments (exit 0 = healthy), never run through a shell; null otherwise. */
  command: string[] | null;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
}

export interface RolloutPolicy {
  /**
   * Extra replicas that may run during a rollout; null when not written: as many as the nodes have
   * room for (their free `cpu` and `ram`, every new replica at once when the app requests neither),
   * and at least 1.
   */
  surge: number | null;
  unavailable: number;
  deadlineMs: number;
  healthyForMs: number;
  onFailure: FailurePolicy;
}

export interface ScaleSpec {
  min: number | null;
  max: number | null;
  cpuAbove: number | null;
  cpuBelow: number | null;
}

export interface BuildSpec {
  run: string[];
  out: string | null;
}

export interface ServeSpec {
  static: string | null;
  port: number | null;
  proxy: string | null;
}

export interface VolumeSpec {
  path: string | null;
  env: string | null;
}

export interface VmSpec {
  hypervisor: string | null;
  kernel: string | null;
  rootfs: string | null;
  vcpus: number | null;
  /** MB */
  memory: number | null;
  net: string | null;
  args: string[];
}

/** Files whose change rolls the app out again (when watching is on). */
export interface WatchSpec {
  /** Globs relative to the manifest's folder. */
  paths: string[];
  ignore: string[];
  debounceMs: number;
}

/** When what an app needs counts as there: its health check passed, it runs, or (a job) it exited 0. */
export type NeedCondition = 'ready' | 'started' | 'completed';

export interface Need {
  app: string;
  condition: NeedCondition;
}

export interface AppSpec {
  name: string;
  type: AppType;
  exec: string | null;
  args: string[];
  cwd: string;
  port: number | null;
  ingress: boolean;
  replicas: number;
  ramBytes: number | null;
  cpu: number | null;
  gpu: boolean;
  restart: RestartPolicy;
  drainMs: number;
  settleMs: number;
  env: Record<string, string>;
  secretKeys: string[];
  health: HealthSpec | null;
  rollout: RolloutPolicy;
  scale: ScaleSpec | null;
  build: BuildSpec | null;
  serve: ServeSpec | null;
  volumes: VolumeSpec[];
  vm: VmSpec | null;
  /** Apps started before this one, and when they count as there. */
  needs: Need[];
  watch: WatchSpec | null;
  /** Dotenv files (absolute paths) whose variables join the environment as secrets. */
  envFiles: string[];
  /** The container image that holds the program; only `skr8tr export` reads it. */
  image: string | null;
  /** How long the ingress waits for a replica's answer before it answers 504. */
  requestTimeoutMs: number;
  /** A `type job`: how many times it is started before it counts as failed. */
  attempts: number;
}

/** A position in a manifest, 1-based. */
export interface Pos {
  line: number;
  column: number;
}

export interface ParsedApp {
  spec: AppSpec;
  /** Secret values by name; never logged, never shown, never sent in events. */
  secrets: Record<string, string>;
  /** Where the `app` line is. */
  pos: Pos;
  /** Where each written value is, by dotted path: `port`, `health.check`, `env.RUST_LOG`. */
  positions: Map<string, Pos>;
}

export const DEFAULTS = {
  type: 'service' as AppType,
  replicas: 1,
  restart: 'never' as RestartPolicy,
  drainMs: 5_000,
  settleMs: 8_000,
  /** nginx's proxy_read_timeout. */
  requestTimeoutMs: 60_000,
  /** One try and six more, as Kubernetes' backoffLimit of 6 retries. */
  attempts: 7,
  health: { status: 200, intervalMs: 10_000, timeoutMs: 2_000, retries: 3 },
  watchDebounceMs: 100,
  rollout: {
    surge: null as number | null,
    unavailable: 0,
    deadlineMs: 120_000,
    healthyForMs: 0,
    onFailure: 'rollback' as FailurePolicy,
  },
};

export const LIMITS = {
  fileBytes: 1024 * 1024,
  lineBytes: 8 * 1024,
  apps: 100,
  envEntries: 256,
  replicas: 1000,
  nameLength: 63,
};
