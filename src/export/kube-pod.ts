// One app's pod for Kubernetes: the container (command, args, env, probes, resources, the preStop
// pause) and its volumes. Objects are typed with kubernetes-models' interfaces (types only: nothing
// of that package ships), so a field Kubernetes does not know fails the type check.
import * as path from 'node:path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvFromSource } from 'kubernetes-models/v1/EnvFromSource';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { AppSpec, HealthSpec } from '../shared/manifest/model';
import { dnsLabel, mapVars, mebibytes, portablePath, seconds, usesVar, type Notes, type SkrVar } from './common';

/** The container port's name, which the probes and the Service refer to. */
export const PORT_NAME = 'app';
/** How long a pod leaving a Service waits before its SIGTERM, so that endpoints stop sending to it first. */
export const PRESTOP_PAUSE_SECONDS = 5;

export interface PodParts {
  container: IContainer;
  volumes: IVolume[];
  /** Comments on fields of the container, by field name. */
  comments: Map<string, string>;
}

export interface PodContext {
  manifestDir: string;
  image: string;
  /** The Secret the app's secrets are read from. */
  secretName: string;
  /** Where SKR8TR_GENERATION comes from: a label of the pod set by its controller. */
  generationLabel: string;
  /** A service (probes, preStop) or a job. */
  service: boolean;
}

/** Kubernetes expands `$(VAR)` in command, args and env values: a literal `$(` is written `$$(`. */
const kubeLiteral = (s: string) => s.split('$(').join('$$(');

export function podParts(spec: AppSpec, ctx: PodContext, notes: Notes): PodParts {
  const comments = new Map<string, string>();
  const toVar = (v: SkrVar): string => {
    switch (v) {
      case 'PORT':
        return spec.port === null ? '' : '$(PORT)';
      case 'REPLICA':
        return '$(SKR8TR_REPLICA)';
      case 'GENERATION':
        return '$(SKR8TR_GENERATION)';
      case 'APP':
        return kubeLiteral(spec.name);
    }
  };
  const expand = (text: string) => mapVars(text, toVar, kubeLiteral);
  const exec = portablePath(spec.exec!, ctx.manifestDir);
  if (exec.startsWith('./')) notes.add(`exec ${exec}: a path in the manifest's folder, so the image's working directory (WORKDIR) must hold that folder's files`);
  if (usesVar(spec, 'GENERATION')) notes.add('${GENERATION}: Kubernetes has no generation number; SKR8TR_GENERATION is the pod template\'s hash (a new one each rollout), not a count');

  const c: IContainer = { name: dnsLabel(spec.name), image: ctx.image, command: [kubeLiteral(exec)] };
  if (spec.args.length > 0) c.args = spec.args.map(expand);
  if (path.isAbsolute(spec.cwd) && portablePath(spec.cwd, ctx.manifestDir) === spec.cwd) c.workingDir = spec.cwd;
  if (spec.port !== null) c.ports = [{ name: PORT_NAME, containerPort: spec.port, protocol: 'TCP' }];

  const { env, volumes, mounts } = environment(spec, ctx, expand, notes);
  c.env = env;
  if (spec.envFiles.length > 0) {
    const from: IEnvFromSource = { secretRef: { name: ctx.secretName } };
    c.envFrom = [from];
    comments.set('envFrom', `env-file ${spec.envFiles.map((f) => portablePath(f, ctx.manifestDir)).join(', ')}: their variables go in the Secret ${ctx.secretName}; an env entry of the same name wins, as in Skr8tr`);
  }
  if (mounts.length > 0) c.volumeMounts = mounts;

  if (spec.health && ctx.service) {
    if (spec.port === null) notes.add('health: a probe needs a port, and this app has none; no probe written');
    else probes(c, spec.health, spec.rollout.deadlineMs, comments, notes, execCommand(spec, spec.health, ctx.manifestDir));
  } else if (spec.health) {
    notes.add('health: not used for a job; no probe written');
  }

  if (ctx.service && spec.port !== null) {
    c.lifecycle = { preStop: { sleep: { seconds: PRESTOP_PAUSE_SECONDS } } };
    comments.set('lifecycle', `Skr8tr takes a replica out of the ingress before its SIGTERM; here a ${PRESTOP_PAUSE_SECONDS} s pause lets the Service's endpoints drop the pod first (the sleep action needs Kubernetes 1.30 or later)`);
  }

  const requests: Record<string, string> = {};
  if (spec.cpu !== null) requests.cpu = Number.isInteger(spec.cpu) ? String(spec.cpu) : `${Math.round(spec.cpu * 1000)}m`;
  if (spec.ramBytes !== null) requests.memory = memoryQuantity(spec.ramBytes);
  if (Object.keys(requests).length > 0) {
    c.resources = { requests };
    comments.set('resources', 'cpu and ram are requests, as in Skr8tr: no limits are set');
  }
  return { container: c, volumes, comments };
}

/** PORT, the SKR8TR_* variables every replica gets, `env`, secrets by reference, and volumes' paths. */
function environment(spec: AppSpec, ctx: PodContext, expand: (s: string) => string, notes: Notes): { env: IEnvVar[]; volumes: IVolume[]; mounts: IVolumeMount[] } {
  const env: IEnvVar[] = [];
  // Variables others refer to as $(NAME) come first: Kubernetes expands only those defined earlier.
  if (spec.port !== null) env.push({ name: 'PORT', value: String(spec.port) });
  env.push({ name: 'SKR8TR_APP', value: spec.name });
  env.push({ name: 'SKR8TR_REPLICA', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  env.push({ name: 'SKR8TR_GENERATION', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${ctx.generationLabel}']` } } });
  for (const [k, v] of Object.entries(spec.env)) {
    if (k === 'PORT' && spec.port !== null) continue; // each replica's own port, as with Skr8tr's ingress
    env.push({ name: k, value: expand(v) });
  }
  for (const k of spec.secretKeys) env.push({ name: k, valueFrom: { secretKeyRef: { name: ctx.secretName, key: k } } });

  const volumes: IVolume[] = [];
  const mounts: IVolumeMount[] = [];
  spec.volumes.forEach((v, i) => {
    if (!v.path) return;
    const name = `volume-${i + 1}`;
    const mountPath = `/volumes/${dnsLabel(path.basename(v.path))}`;
    volumes.push({ name, emptyDir: {} });
    mounts.push({ name, mountPath });
    if (v.env) env.push({ name: v.env, value: mountPath });
    notes.add(`volume ${portablePath(v.path, ctx.manifestDir)}: an emptyDir at ${mountPath}, which lives as long as the pod and is not shared between replicas; use a PersistentVolumeClaim for data that must last`);
  });
  return { env, volumes, mounts };
}

/**
 * Skr8tr probes a new replica fast from its start until it is ready, for at most `deadline`; then the
 * check's interval, timeout and retries judge it: `retries` failures in a row take it out of the
 * ingress and replace it. So: a startup probe every second up to the deadline, then readiness and
 * liveness at the check's own pace.
 */
function probes(c: IContainer, h: HealthSpec, deadlineMs: number, comments: Map<string, string>, notes: Notes, command: string[] | null): void {
  const handler: Pick<IProbe, 'httpGet' | 'tcpSocket' | 'exec'> =
    h.kind === 'http' ? { httpGet: { path: h.path!, port: PORT_NAME } } : h.kind === 'exec' ? { exec: { command: command! } } : { tcpSocket: { port: PORT_NAME } };
  if (h.kind === 'exec') notes.add(`health check exec ${command![0]}: an exec probe runs inside the container, so the image must hold that program`);
  const timeoutSeconds = seconds(h.timeoutMs, 1);
  const steady: IProbe = { ...handler, periodSeconds: seconds(h.intervalMs, 1), timeoutSeconds, failureThreshold: h.retries };
  c.startupProbe = { ...handler, periodSeconds: 1, timeoutSeconds, failureThreshold: seconds(deadlineMs, 1) };
  c.readinessProbe = { ...steady };
  c.livenessProbe = { ...steady };
  comments.set('startupProbe', `Skr8tr probes a new replica from its start until it is ready, for at most its rollout deadline (${seconds(deadlineMs, 1)} s); then readiness (out of the Service) and liveness (replaced) after ${h.retries} failures in a row`);
  if (h.kind === 'http' && h.status !== null && (h.status < 200 || h.status > 399)) {
    notes.add(`health status ${h.status}: Kubernetes counts only 200–399 as healthy; the probe cannot expect ${h.status}`);
  } else if (h.kind === 'http' && h.status !== null && h.status !== 200) {
    notes.add(`health status ${h.status}: Kubernetes accepts any status from 200 to 399, not only ${h.status}`);
  }
  if (h.intervalMs % 1000 !== 0 || h.timeoutMs % 1000 !== 0) notes.add('health interval or timeout below whole seconds: Kubernetes counts whole seconds, rounded up here');
}

/**
 * A `check exec` as an exec probe's command: Kubernetes expands no variable there, so `${PORT}` is
 * the container port itself (every pod's PORT), and a program in the manifest's folder is relative.
 */
function execCommand(spec: AppSpec, h: HealthSpec, manifestDir: string): string[] | null {
  if (h.kind !== 'exec' || !h.command) return null;
  const [program, ...args] = h.command;
  const literal = (v: SkrVar) => (v === 'PORT' ? String(spec.port) : v === 'APP' ? spec.name : `\${${v}}`);
  return [portablePath(program!, manifestDir), ...args.map((a) => mapVars(a, literal))];
}

/** Bytes as a Kubernetes quantity: whole GiB or MiB when they are, else MiB rounded up. */
function memoryQuantity(bytes: number): string {
  const mib = mebibytes(bytes);
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}
