// Every key the manifest language knows, declared once: where it may appear, what it takes and
// what it means. The builder checks keys against this table; hover, completion and the JSON schema
// are generated from it.

export type Scope = 'top' | 'app' | 'health' | 'rollout' | 'serve' | 'scale' | 'build' | 'volume' | 'vm' | 'watch';

/** What a key takes: one word, several words, the rest of the line, a block of keys, or a KEY value map. */
export type ValueKind =
  | { kind: 'word'; type: 'string' | 'path' | 'integer' | 'number' | 'duration' | 'bytes' | 'boolean' | 'percent' | 'url' | 'name' }
  | { kind: 'choice'; choices: readonly string[] }
  | { kind: 'words' }
  | { kind: 'line' }
  | { kind: 'block'; scope: Scope }
  | { kind: 'map' };

export interface KeyInfo {
  key: string;
  scope: Scope;
  value: ValueKind;
  summary: string;
  example: string;
  default?: string;
  /** May be written more than once in its scope. */
  repeatable?: boolean;
  /** Integer bounds, for words of type integer. */
  min?: number;
  max?: number;
  /** A block key that may also be written on one line: what that line takes (`health GET /health 200`, `watch src/**`). */
  oneLine?: 'words';
  /** Another name the YAML form accepts (camelCase, as YAML files tend to spell keys). */
  yamlAlias?: string;
}

const w = (type: Extract<ValueKind, { kind: 'word' }>['type']): ValueKind => ({ kind: 'word', type });
const block = (scope: Scope): ValueKind => ({ kind: 'block', scope });
const choice = (...choices: string[]): ValueKind => ({ kind: 'choice', choices });

export const KEYS: readonly KeyInfo[] = [
  { key: 'app', scope: 'top', value: block('app'), summary: 'Starts an app: a named workload. Names use letters, digits, `-`, `_`, `.` (at most 63).', example: 'app web' },

  { key: 'type', scope: 'app', value: choice('service', 'job', 'wasm', 'vm', 'process'), summary: '`service` keeps running; `job` runs to completion; `wasm` and `vm` need an agent that can run them. `process` means `service`.', example: 'type service', default: 'service' },
  { key: 'exec', scope: 'app', value: w('path'), summary: 'The program to run: a path relative to the manifest\'s folder, or a name looked up on PATH. Never run through a shell.', example: 'exec ./bin/server' },
  { key: 'bin', scope: 'app', value: w('path'), summary: 'Same as `exec`.', example: 'bin ./bin/server' },
  { key: 'args', scope: 'app', value: { kind: 'words' }, summary: 'Arguments after the program, split like a shell does (spaces separate, quotes group), never passed through a shell. `${PORT}`, `${REPLICA}` and `${GENERATION}` expand.', example: 'args --port ${PORT} --name "my service"' },
  { key: 'cwd', scope: 'app', value: w('path'), summary: 'Working directory, relative to the manifest\'s folder.', example: 'cwd ./server', default: "the manifest's folder" },
  { key: 'port', scope: 'app', value: w('integer'), min: 1, max: 65535, summary: 'The app\'s service port. With `ingress on` (the default) Skr8tr listens on it and forwards to ready replicas, each of which gets its own port in `PORT`.', example: 'port 8080' },
  { key: 'ingress', scope: 'app', value: choice('on', 'off'), summary: '`on`: Skr8tr owns the listener on `port` and rolls updates with zero downtime. `off`: each replica binds `port` itself (at most one per host).', example: 'ingress on', default: 'on when `port` is set' },
  { key: 'replicas', scope: 'app', value: w('integer'), min: 0, max: 1000, summary: 'How many replicas to run.', example: 'replicas 3', default: '1' },
  { key: 'ram', scope: 'app', value: w('bytes'), summary: 'Memory a replica needs, for placement: a number and `b`, `kb`, `mb` or `gb` (binary multiples, any case).', example: 'ram 512mb' },
  { key: 'cpu', scope: 'app', value: w('number'), summary: 'Cores a replica needs, for placement; decimals allowed.', example: 'cpu 0.5' },
  { key: 'gpu', scope: 'app', value: w('boolean'), summary: 'Whether a replica needs a node with a GPU.', example: 'gpu true', default: 'false' },
  { key: 'restart', scope: 'app', value: choice('always', 'on-failure', 'never'), summary: 'Whether the agent restarts a replica in place when it exits. The Conductor keeps the replica count either way.', example: 'restart on-failure', default: 'never' },
  { key: 'drain', scope: 'app', value: w('duration'), summary: 'Grace between the stop signal (SIGTERM) and SIGKILL.', example: 'drain 10s', default: '5s' },
  { key: 'request-timeout', scope: 'app', value: w('duration'), summary: 'How long the ingress waits for a replica to answer a request (its status and headers) before it answers the client 504 Gateway Timeout, counted as timed out. A request is tried on another replica only if the first never got it, or it is idempotent (GET, HEAD, OPTIONS, PUT, DELETE): a POST that reached a replica which then failed is answered 502, never run twice.', example: 'request-timeout 30s', default: '60s' },
  { key: 'attempts', scope: 'app', value: w('integer'), min: 1, max: 100, summary: 'For a `type job`: how many times it runs before it counts as failed (one try and `attempts - 1` retries, with backoff). Then it is marked failed, and apps that need it `completed` stop waiting and fail.', example: 'attempts 3', default: '7' },
  { key: 'settle', scope: 'app', value: w('duration'), summary: 'With no health check, how long a new replica must stay up before it counts as ready.', example: 'settle 3s', default: '8s' },
  { key: 'health', scope: 'app', value: block('health'), summary: 'How to tell a replica is ready (during rollouts) and alive (afterwards). One line works too: `health GET /health 200`.', example: 'health GET /health 200' },
  { key: 'rollout', scope: 'app', value: block('rollout'), summary: 'How a rolling update proceeds and what a failure does.', example: 'rollout\n  surge 1\n  on-failure rollback' },
  { key: 'env', scope: 'app', value: { kind: 'map' }, summary: 'Environment variables, one `KEY value` (or `KEY=value`) a line. `${PORT}`, `${REPLICA}` and `${GENERATION}` expand.', example: 'env\n  LOG_LEVEL info' },
  { key: 'secret', scope: 'app', value: { kind: 'map' }, summary: 'Like `env`, but the values are never logged, shown or sent in events.', example: 'secret\n  API_KEY s3cr3t' },
  { key: 'volume', scope: 'app', value: block('volume'), repeatable: true, summary: 'A host folder, created if missing, passed to replicas in an environment variable.', example: 'volume\n  path ./data\n  env DATA_DIR' },
  { key: 'build', scope: 'app', value: block('build'), summary: 'Commands run in the manifest\'s folder before a new generation starts; a failure stops the rollout.', example: 'build\n  run npm ci\n  run npm run build' },
  { key: 'serve', scope: 'app', value: block('serve'), summary: 'Serve static files, for apps with no `exec`.', example: 'serve\n  static ./dist\n  port 3000' },
  { key: 'scale', scope: 'app', value: block('scale'), summary: 'CPU autoscaling bounds.', example: 'scale\n  min 1\n  max 4\n  cpu-above 70' },
  { key: 'watch', scope: 'app', value: block('watch'), oneLine: 'words', summary: 'Files whose change rolls the app out again (build steps first), when watching is on (`skr8tr up --watch`, `skr8tr dev`, or Watch in the editor): globs relative to the manifest\'s folder. One line (`watch src/**/*.py`) or a block with `paths`, `ignore` and `debounce`. `.git`, `node_modules` and the build\'s `out` are never watched; env files always are.', example: 'watch src/**/*.py' },
  { key: 'env-file', scope: 'app', value: w('path'), repeatable: true, yamlAlias: 'envFile', summary: 'A dotenv file whose variables join `env` (an `env` or `secret` entry of the same name wins). Its values are treated as secrets: never shown, logged or sent in events. Read at `up` and `rollout`; a change of it is a change of the app.', example: 'env-file .env' },
  { key: 'needs', scope: 'app', value: { kind: 'words' }, summary: 'Apps this one needs, started first: each `NAME` or `NAME:CONDITION`, where the condition is `ready` (its health check passed; the default), `started` (running) or `completed` (a `type job` that exited 0, such as a migration). Names are apps of this file or of any manifest the Conductor runs.', example: 'needs db cache migrate:completed' },
  { key: 'image', scope: 'app', value: w('string'), summary: 'The container image that holds the program, for `skr8tr export --to kubernetes` only: Skr8tr itself runs plain processes and never reads it. `--image` on the command line overrides it.', example: 'image registry.example.com/web:1.4' },
  { key: 'vm', scope: 'app', value: block('vm'), summary: 'A virtual machine workload (`type vm`).', example: 'vm\n  hypervisor /usr/bin/firecracker\n  kernel ./vmlinux' },

  { key: 'check', scope: 'health', value: { kind: 'words' }, summary: '`GET /path [status]` (an HTTP probe, status 200 by default), `tcp` (a connection to the replica\'s port) or `exec PROGRAM ARGS...` (a program run on the Conductor\'s host with the check\'s `timeout`; exit 0 means healthy; never through a shell; `${PORT}` expands to the replica\'s port, so `check exec redis-cli -p ${PORT} ping`). An `exec` check places replicas only on nodes of the Conductor\'s own host.', example: 'check GET /health 200' },
  { key: 'interval', scope: 'health', value: w('duration'), summary: 'Time between liveness probes once a replica is ready. Readiness is probed much faster.', example: 'interval 10s', default: '10s' },
  { key: 'timeout', scope: 'health', value: w('duration'), summary: 'How long one probe may take.', example: 'timeout 2s', default: '2s' },
  { key: 'retries', scope: 'health', value: w('integer'), min: 1, max: 100, summary: 'Failed probes in a row after which a ready replica leaves the ingress and is replaced.', example: 'retries 3', default: '3' },

  { key: 'surge', scope: 'rollout', value: w('integer'), min: 0, max: 1000, summary: 'Extra replicas that may run during a rollout. Not written: every new replica starts at once when the nodes have room for them (their free `cpu` and `ram`; an app that requests neither always fits), fewer when room is short, at least 1. Written: exactly that many, `surge 1` going one at a time. Either way an old replica stops only once a new one is ready (with `unavailable 0`).', example: 'surge 1', default: 'as many as the nodes have room for' },
  { key: 'unavailable', scope: 'rollout', value: w('integer'), min: 0, max: 1000, summary: 'Replicas that may be missing during a rollout. `surge` and `unavailable` may not both be 0.', example: 'unavailable 0', default: '0' },
  { key: 'deadline', scope: 'rollout', value: w('duration'), summary: 'How long a new replica has to become ready before it counts as failed.', example: 'deadline 60s', default: '120s' },
  { key: 'healthy-for', scope: 'rollout', value: w('duration'), summary: 'How long a new replica must stay ready before the rollout moves on.', example: 'healthy-for 5s', default: '0s' },
  { key: 'on-failure', scope: 'rollout', value: choice('rollback', 'pause', 'continue'), summary: '`rollback` to the previous generation, `pause` the rollout, or `continue` trying. Healthy old replicas are never stopped because a new one failed.', example: 'on-failure rollback', default: 'rollback' },

  { key: 'static', scope: 'serve', value: w('path'), summary: 'Folder of files to serve, relative to the manifest\'s folder.', example: 'static ./dist' },
  { key: 'port', scope: 'serve', value: w('integer'), min: 1, max: 65535, summary: 'Port to serve on (the app\'s `port`).', example: 'port 3000' },
  { key: 'proxy', scope: 'serve', value: w('url'), summary: 'Where to forward requests that match no file.', example: 'proxy http://127.0.0.1:8080' },

  { key: 'min', scope: 'scale', value: w('integer'), min: 0, max: 1000, summary: 'Fewest replicas.', example: 'min 1' },
  { key: 'max', scope: 'scale', value: w('integer'), min: 0, max: 1000, summary: 'Most replicas.', example: 'max 4' },
  { key: 'cpu-above', scope: 'scale', value: w('percent'), summary: 'Add a replica when average CPU is above this percentage.', example: 'cpu-above 70%' },
  { key: 'cpu-below', scope: 'scale', value: w('percent'), summary: 'Remove a replica when average CPU is below this percentage.', example: 'cpu-below 20%' },

  { key: 'run', scope: 'build', value: { kind: 'line' }, repeatable: true, summary: 'A command, split like a shell does but never run through one. Repeatable; they run in order.', example: 'run npm run build' },
  { key: 'out', scope: 'build', value: w('path'), summary: 'What the build produces, relative to the manifest\'s folder.', example: 'out ./dist' },

  { key: 'path', scope: 'volume', value: w('path'), summary: 'Host folder, relative to the manifest\'s folder; created if missing.', example: 'path ./data' },
  { key: 'env', scope: 'volume', value: w('name'), summary: 'Environment variable that receives the folder\'s path.', example: 'env DATA_DIR' },

  { key: 'paths', scope: 'watch', value: { kind: 'words' }, summary: 'Globs of the files to watch, relative to the manifest\'s folder (`**` for any depth).', example: 'paths src/**/*.py templates/**' },
  { key: 'ignore', scope: 'watch', value: { kind: 'words' }, summary: 'Globs of files not to watch, besides `.git`, `node_modules` and the build\'s `out`.', example: 'ignore **/*.test.py' },
  { key: 'debounce', scope: 'watch', value: w('duration'), summary: 'How long the files must stay quiet before a rollout starts; changes within it make one rollout.', example: 'debounce 200ms', default: '100ms' },

  { key: 'hypervisor', scope: 'vm', value: w('path'), summary: 'The hypervisor program.', example: 'hypervisor /usr/bin/firecracker' },
  { key: 'kernel', scope: 'vm', value: w('path'), summary: 'Kernel image.', example: 'kernel ./vmlinux' },
  { key: 'rootfs', scope: 'vm', value: w('path'), summary: 'Root file system image.', example: 'rootfs ./rootfs.ext4' },
  { key: 'vcpus', scope: 'vm', value: w('integer'), min: 1, max: 1024, summary: 'Virtual CPUs.', example: 'vcpus 2' },
  { key: 'memory', scope: 'vm', value: w('bytes'), summary: 'Guest memory in MB (a bare number), or with a unit.', example: 'memory 512' },
  { key: 'net', scope: 'vm', value: w('string'), summary: 'Guest networking mode.', example: 'net user' },
  { key: 'args', scope: 'vm', value: { kind: 'words' }, summary: 'Extra hypervisor arguments, never passed through a shell.', example: 'args --log-level info' },
];

export function keysIn(scope: Scope): KeyInfo[] {
  return KEYS.filter((k) => k.scope === scope);
}

export function keyInfo(scope: Scope, key: string): KeyInfo | undefined {
  return KEYS.find((k) => k.scope === scope && k.key === key);
}

/** The key a YAML name stands for (its alias, `envFile`, or itself). */
export function yamlKey(scope: Scope, name: string): string {
  return KEYS.find((k) => k.scope === scope && k.yamlAlias === name)?.key ?? name;
}

/** Scope names as a user reads them in messages. */
export function scopeLabel(scope: Scope): string {
  return scope === 'top' ? 'the top level' : scope === 'app' ? 'an app' : `a \`${scope}\` block`;
}
