// A manifest as Nomad jobs, in the shape of Nomad's API (what `nomad job run -json` reads and
// `nomad job inspect` prints; durations in nanoseconds): a group per app, each with one `raw_exec`
// task, so the same command runs without an image. nomad-hcl.ts writes the same jobs as HCL, with
// the comments gathered here. Pure: the model in, objects out.
import { DEFAULTS, type AppSpec } from '../shared/manifest/model';
import { dnsLabel, mapVars, mebibytes, type Notes, portablePath, type SkrVar, usesVar } from './common';

export interface NomadCheck {
  Type: 'http' | 'tcp' | 'script';
  Path?: string;
  Method?: string;
  /** A script check's program and arguments, run inside the task named. */
  Command?: string;
  Args?: string[];
  Task?: string;
  Interval: number;
  Timeout: number;
  CheckRestart: { Limit: number; Grace: number };
}

export interface NomadTask {
  Name: string;
  Driver: 'raw_exec';
  Config: { command: string; args?: string[] };
  Env: Record<string, string>;
  KillSignal: 'SIGTERM';
  KillTimeout: number;
  ShutdownDelay?: number;
  Resources?: { CPU?: number; MemoryMB?: number };
  Templates?: { EmbeddedTmpl: string; DestPath: string; Envvar: true }[];
}

export interface NomadUpdate {
  MaxParallel: number;
  HealthCheck: 'checks' | 'task_states';
  MinHealthyTime: number;
  HealthyDeadline: number;
  ProgressDeadline: number;
  AutoRevert: boolean;
}

export interface NomadGroup {
  Name: string;
  Count: number;
  Networks?: { DynamicPorts?: { Label: string }[]; ReservedPorts?: { Label: string; Value: number }[] }[];
  Services?: { Name: string; PortLabel: string; Provider: 'nomad' | 'consul'; Checks?: NomadCheck[] }[];
  Update?: NomadUpdate;
  /** A batch group's restarts: `attempts` less the first try, then the allocation fails. */
  RestartPolicy?: { Attempts: number; Mode: 'fail' };
  Scaling?: { Enabled: true; Min: number; Max: number };
  Tasks: NomadTask[];
}

export interface NomadJob {
  ID: string;
  Name: string;
  Type: 'service' | 'batch';
  TaskGroups: NomadGroup[];
}

/** Comments for the HCL form, by group and by the block they stand above. */
export type GroupComments = Map<'group' | 'network' | 'service' | 'update' | 'restart' | 'task' | 'kill' | 'resources' | 'template' | 'scaling', string[]>;

export const PORT_LABEL = 'app';
/** How long a task whose service is deregistered waits before its kill signal. */
export const SHUTDOWN_DELAY_MS = 5_000;
const NS = 1_000_000;
/** Nomad's own progress_deadline; raised when healthy_deadline reaches it. */
const PROGRESS_DEADLINE_MS = 600_000;

/** A health check Nomad can run: it needs the port to check. */
const hasChecks = (spec: AppSpec) => spec.health !== null && spec.port !== null;

/** The path of the Nomad variable a group's template reads its secrets from. */
export const variablePath = (job: string, group: string) => `nomad/jobs/${job}/${group}`;

/** The update block's values, from the app's rollout policy (exported for the tests' sake too). */
export function updateOf(spec: AppSpec): NomadUpdate {
  const r = spec.rollout;
  const checked = hasChecks(spec);
  const minHealthy = r.healthyForMs + (checked ? 0 : spec.settleMs);
  const healthyDeadline = r.deadlineMs + minHealthy;
  return {
    // An unwritten surge: Nomad's own default, 1 (its updates are destructive: fewer at a time, fewer missing).
    MaxParallel: r.surge === null ? 1 : r.surge > 0 ? r.surge : r.unavailable,
    HealthCheck: checked ? 'checks' : 'task_states',
    MinHealthyTime: minHealthy * NS,
    HealthyDeadline: healthyDeadline * NS,
    ProgressDeadline: Math.max(PROGRESS_DEADLINE_MS, healthyDeadline + 60_000) * NS,
    AutoRevert: r.onFailure === 'rollback',
  };
}

export function appGroup(spec: AppSpec, job: NomadJob, manifestDir: string, notes: Notes): { group: NomadGroup; comments: GroupComments } {
  const name = dnsLabel(spec.name);
  if (name !== spec.name) notes.add(`name: \`${spec.name}\` is \`${name}\` here (lowercase, letters, digits and -)`);
  const comments: GroupComments = new Map();
  const service = job.Type === 'service';
  const expand = nomadExpand(spec);
  if (usesVar(spec, 'GENERATION')) notes.add('${GENERATION}: Nomad gives a task no job version; it is left as written');

  const exec = portablePath(spec.exec!, manifestDir);
  if (exec.startsWith('./')) notes.add(`exec ${exec}: raw_exec runs it from the task's own folder; ship the files with an \`artifact\` block, or use a path present on every node`);
  const env: Record<string, string> = {};
  if (spec.port !== null) env.PORT = `\${NOMAD_PORT_${PORT_LABEL}}`;
  env.SKR8TR_APP = spec.name;
  env.SKR8TR_REPLICA = '${NOMAD_ALLOC_ID}';
  for (const [k, v] of Object.entries(spec.env)) if (!(k === 'PORT' && spec.port !== null)) env[k] = expand(v);
  spec.volumes.forEach((v) => {
    if (!v.path || !v.env) return;
    const to = `\${NOMAD_ALLOC_DIR}/${dnsLabel(v.path.split('/').pop() ?? 'data')}`;
    env[v.env] = to;
    notes.add(`volume ${portablePath(v.path, manifestDir)}: ${v.env} points into the allocation's folder (${to}), which Nomad neither creates nor keeps; use a host volume for data that must last`);
  });

  const task: NomadTask = {
    Name: name,
    Driver: 'raw_exec',
    Config: { command: exec, ...(spec.args.length > 0 ? { args: spec.args.map(expand) } : {}) },
    Env: env,
    KillSignal: 'SIGTERM',
    KillTimeout: spec.drainMs * NS,
  };
  comments.set('kill', ['drain: SIGTERM (Nomad would send SIGINT), then SIGKILL after kill_timeout']);
  if (service && spec.port !== null) {
    task.ShutdownDelay = SHUTDOWN_DELAY_MS * NS;
    comments.get('kill')!.push('shutdown_delay: the service is deregistered first, so new requests stop before the signal');
  }
  const resources: NonNullable<NomadTask['Resources']> = {};
  if (spec.cpu !== null) resources.CPU = Math.max(1, Math.round(spec.cpu * 1000));
  if (spec.ramBytes !== null) resources.MemoryMB = mebibytes(spec.ramBytes);
  if (Object.keys(resources).length > 0) {
    task.Resources = resources;
    if (spec.cpu !== null) comments.set('resources', [`cpu ${spec.cpu}: Nomad counts MHz; ${spec.cpu} core${spec.cpu === 1 ? '' : 's'} written as ${resources.CPU} MHz (1,000 a core): adjust to your nodes' clock`]);
  } else {
    notes.add('cpu and ram: none given, so Nomad reserves its defaults (100 MHz, 300 MB)');
  }
  if (spec.secretKeys.length > 0 || spec.envFiles.length > 0) {
    const path = variablePath(job.ID, name);
    const lines = spec.envFiles.length > 0 ? ['{{ range $k, $v := . }}{{ $k }}={{ $v }}', '{{ end }}'] : spec.secretKeys.map((k) => `${k}={{ .${k} }}`);
    task.Templates = [{ EmbeddedTmpl: [`{{ with nomadVar "${path}" }}`, ...lines, '{{ end }}'].join('\n') + '\n', DestPath: 'secrets/skr8tr.env', Envvar: true }];
    comments.set('template', [`secrets: read from the Nomad variable ${path}, which you create (values are never exported)`]);
  }

  const group: NomadGroup = { Name: name, Count: spec.replicas, Tasks: [task] };
  if (service && spec.port !== null) networkAndService(spec, group, name, manifestDir, comments, notes);
  else if (spec.port !== null) notes.add(`port ${spec.port}: a batch job gets no service`);
  if (!service) {
    const attempts = spec.attempts ?? DEFAULTS.attempts;
    group.RestartPolicy = { Attempts: attempts - 1, Mode: 'fail' };
    comments.set('restart', [`attempts ${attempts}: one try and ${attempts - 1} restart${attempts === 2 ? '' : 's'}, then the allocation fails (Nomad may still reschedule it elsewhere: its reschedule block)`]);
  }
  const timeout = spec.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  if (service && spec.port !== null && spec.ingress && timeout !== DEFAULTS.requestTimeoutMs) {
    notes.add(`request-timeout ${Math.round(timeout / 1000)} s: Nomad's service does not bound a request; set it on the proxy in front of it`);
  }
  if (service) {
    group.Update = updateOf(spec);
    comments.set('update', updateComments(spec));
    const surge = spec.rollout.surge;
    if (surge === null) notes.add('surge not written: Skr8tr starts as many new replicas at once as the nodes have room for; Nomad updates destructively (stops old allocations, then starts new ones), max_parallel 1 (its default) at a time, so one replica may be missing during a rollout; `canary` with `auto_promote` comes closest');
    else if (surge > 0) notes.add(`surge ${surge}: Nomad updates destructively (stops old allocations, then starts new ones), so replicas may be missing during a rollout; \`canary\` with \`auto_promote\` comes closest`);
    if (spec.rollout.onFailure === 'pause') notes.add('on-failure pause: Nomad cannot pause on a failure; the deployment fails and what runs stays');
    if (spec.rollout.onFailure === 'continue') notes.add('on-failure continue: Nomad fails the deployment at progress_deadline instead of trying on');
    if (spec.health && spec.port === null) notes.add('health: a check needs a port, and this app has none; no check written');
    if (spec.scale?.max != null) {
      group.Scaling = { Enabled: true, Min: spec.scale.min ?? 0, Max: spec.scale.max };
      comments.set('scaling', ['scale: the bounds only; cpu-above/cpu-below need the Nomad Autoscaler and a policy of its own']);
      notes.add('scale: only min and max are written; cpu-above and cpu-below need the Nomad Autoscaler and a policy of its own');
    }
  }
  if (spec.health && !service) notes.add('health: not used for a batch job');
  return { group, comments };
}

function networkAndService(spec: AppSpec, group: NomadGroup, name: string, manifestDir: string, comments: GroupComments, notes: Notes): void {
  const port = spec.port!;
  if (spec.ingress) {
    group.Networks = [{ DynamicPorts: [{ Label: PORT_LABEL }] }];
    comments.set('network', [
      `port ${port} with the ingress: each allocation gets its own port (in PORT), as each replica does in Skr8tr;`,
      `Nomad has no ingress: put a proxy on ${port} that reads the service \`${name}\` (Traefik, Fabio, or nginx with a template)`,
    ]);
  } else {
    group.Networks = [{ ReservedPorts: [{ Label: PORT_LABEL, Value: port }] }];
    comments.set('network', [`ingress off: each allocation binds ${port} itself, so at most one per node`]);
  }
  const svc: NonNullable<NomadGroup['Services']>[number] = { Name: name, PortLabel: PORT_LABEL, Provider: 'nomad' };
  const h = spec.health;
  if (h) {
    const script = h.kind === 'exec' ? scriptCheck(spec, h.command!, name, manifestDir) : {};
    if (h.kind === 'exec') {
      // Nomad's own service provider runs only http and tcp checks; a script check needs Consul.
      svc.Provider = 'consul';
      notes.add(`health check exec: a script check that Nomad runs inside the task, so the node must hold ${h.command![0]}; script checks need Consul, so the service \`${name}\` uses provider "consul"`);
    }
    svc.Checks = [
      {
        Type: h.kind === 'exec' ? 'script' : h.kind,
        ...(h.kind === 'http' ? { Path: h.path!, Method: 'GET' } : {}),
        ...script,
        Interval: Math.max(1000, h.intervalMs) * NS,
        Timeout: Math.max(1000, h.timeoutMs) * NS,
        CheckRestart: { Limit: h.retries, Grace: spec.rollout.deadlineMs * NS },
      },
    ];
    const lines = [
      'health: Skr8tr probes a starting replica every few milliseconds; Nomad checks every interval from the start, so a rollout may wait up to one interval more per allocation.',
      `check_restart: ${h.retries} failures in a row restart the task, after a grace of the rollout deadline`,
    ];
    if (h.kind === 'http' && h.status !== null && h.status !== 200) lines.push(`status ${h.status}: Nomad counts any 2xx as passing and nothing else`);
    if (h.intervalMs < 1000 || h.timeoutMs < 1000) notes.add('health interval or timeout below 1s: Nomad\'s minimum is 1s');
    comments.set('service', lines);
  }
  group.Services = [svc];
  if (svc.Provider === 'nomad') notes.add(`service \`${name}\` is registered with Nomad's own service discovery (provider "nomad"); use "consul" if you run Consul`);
}

/** Skr8tr's variables in a value as Nomad's (`${PORT}` as the allocation's port). */
function nomadExpand(spec: AppSpec): (text: string) => string {
  const toVar = (v: SkrVar): string => (v === 'PORT' ? (spec.port === null ? '' : `\${NOMAD_PORT_${PORT_LABEL}}`) : v === 'REPLICA' ? '${NOMAD_ALLOC_ID}' : v === 'APP' ? spec.name : '${GENERATION}');
  return (text) => mapVars(text, toVar);
}

/** A `check exec` as a script check: the program, and its arguments as the task's are expanded. */
function scriptCheck(spec: AppSpec, command: readonly string[], task: string, manifestDir: string): Pick<NomadCheck, 'Command' | 'Args' | 'Task'> {
  const [program, ...args] = command;
  return { Command: portablePath(program!, manifestDir), ...(args.length > 0 ? { Args: args.map(nomadExpand(spec)) } : {}), Task: task };
}

function updateComments(spec: AppSpec): string[] {
  const r = spec.rollout;
  const lines = [
    r.surge === null
      ? `surge not written, unavailable ${r.unavailable}: Skr8tr starts as many new replicas as the nodes have room for; Nomad replaces allocations destructively (stop old, then start new), max_parallel (its default, 1) at a time, so one may be missing where Skr8tr starts new ones first; \`canary\` with \`auto_promote = true\` comes closest`
      : r.surge > 0
        ? `surge ${r.surge}, unavailable ${r.unavailable}: Nomad replaces allocations destructively (stop old, then start new), max_parallel at a time, so up to ${r.surge} may be missing where Skr8tr starts new ones first; \`canary = ${r.surge}\` with \`auto_promote = true\` comes closest`
        : `unavailable ${r.unavailable}: Nomad stops max_parallel old allocations, then starts new ones, as Skr8tr does with surge 0`,
    `healthy_deadline: deadline plus min_healthy_time (Skr8tr's deadline is to get ready; Nomad's includes the healthy time)`,
  ];
  if (!hasChecks(spec)) lines.push(`no health check: min_healthy_time is settle plus healthy-for, with task states as health`);
  if (r.onFailure === 'rollback') lines.push('on-failure rollback: auto_revert returns to the last stable version');
  if (r.onFailure === 'pause') lines.push('on-failure pause: Nomad fails the deployment instead and keeps what runs; `nomad job revert` goes back');
  if (r.onFailure === 'continue') lines.push('on-failure continue: Nomad fails the deployment at progress_deadline instead of trying on');
  return lines;
}
