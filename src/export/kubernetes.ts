// A manifest as Kubernetes objects: per app a Deployment (a `type job` app: a Job), a Service for
// an app with a port, a HorizontalPodAutoscaler for one with `scale`; rendered as one YAML stream
// with comments where Skr8tr's meaning does not carry over. Pure: the model in, text out.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IService } from 'kubernetes-models/v1/Service';
import * as YAML from 'yaml';
import { DEFAULTS, type AppSpec } from '../shared/manifest/model';
import { dnsLabel, ExportRefused, Notes, portablePath, seconds } from './common';
import { podParts, PORT_NAME, PRESTOP_PAUSE_SECONDS } from './kube-pod';

export type KubeObject = IDeployment | IJob | IService | IHorizontalPodAutoscaler;

/** One object and what to say about it: a header, and comments above fields (by their path). */
export interface KubeDoc {
  object: KubeObject;
  header: string[];
  comments: { path: string[]; text: string }[];
}

export interface KubeContext {
  manifestDir: string;
  manifestName: string;
  /** `--image`, over the app's own. */
  image: string | null;
}

const NAME_LABEL = 'app.kubernetes.io/name';
/** maxSurge for a manifest that does not write `surge`: Kubernetes' own default. */
export const UNWRITTEN_SURGE = '25%';
const MANAGED = { 'app.kubernetes.io/managed-by': 'skr8tr-export' };
const meta = (name: string, labels: Record<string, string>) => ({ name, labels: { ...labels, ...MANAGED } });

/** The objects of one app with an `exec`; refuses one with no image. */
export function appObjects(spec: AppSpec, ctx: KubeContext, notes: Notes): KubeDoc[] {
  const image = ctx.image ?? spec.image;
  if (!image) {
    throw new ExportRefused(
      `app \`${spec.name}\` has no image: Kubernetes runs containers, and export never invents one. Add \`image NAME\` to the app in ${ctx.manifestName}, or pass --image NAME`,
      'no-image',
      spec.name,
    );
  }
  const name = dnsLabel(spec.name);
  if (name !== spec.name) notes.add(`name: Kubernetes names are lowercase DNS labels, so \`${spec.name}\` is \`${name}\` here`);
  const labels = { [NAME_LABEL]: name };
  const service = spec.type === 'service';
  const pod = podParts(spec, { manifestDir: ctx.manifestDir, image, secretName: name, generationLabel: service ? 'pod-template-hash' : 'batch.kubernetes.io/controller-uid', service }, notes);
  const podPath = ['spec', 'template', 'spec'];
  const comments = [...pod.comments].map(([field, text]) => ({ path: [...podPath, 'containers', '0', field], text }));
  const grace = seconds(spec.drainMs) + (service && spec.port !== null ? PRESTOP_PAUSE_SECONDS : 0);
  const podSpec = { terminationGracePeriodSeconds: grace, containers: [pod.container], ...(pod.volumes.length > 0 ? { volumes: pod.volumes } : {}) };
  comments.push({
    path: [...podPath, 'terminationGracePeriodSeconds'],
    text: service && spec.port !== null ? `drain ${seconds(spec.drainMs)} s after SIGTERM, plus the ${PRESTOP_PAUSE_SECONDS} s preStop pause` : `drain: ${seconds(spec.drainMs)} s between SIGTERM and SIGKILL`,
  });

  const docs: KubeDoc[] = [];
  if (service) {
    const r = spec.rollout;
    const probed = spec.health !== null && spec.port !== null;
    const minReady = seconds(r.healthyForMs + (probed ? 0 : spec.settleMs));
    const deployment: IDeployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(name, labels),
      spec: {
        replicas: spec.replicas,
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: r.surge ?? UNWRITTEN_SURGE, maxUnavailable: r.unavailable } },
        minReadySeconds: minReady,
        progressDeadlineSeconds: Math.max(seconds(r.deadlineMs, 1), minReady + 1),
        template: { metadata: { labels }, spec: podSpec },
      },
    };
    comments.push({ path: ['spec', 'strategy'], text: onFailureComment(spec, name) });
    if (r.surge === null) {
      comments.push({
        path: ['spec', 'strategy', 'rollingUpdate', 'maxSurge'],
        text: `surge not written: Kubernetes' own default; Skr8tr starts as many new replicas at once as the nodes have room for ("100%" comes closest, asking the cluster for twice the app's requests for a moment)`,
      });
    }
    if (r.onFailure === 'pause') notes.add('on-failure pause: Kubernetes cannot pause on a failure; it reports ProgressDeadlineExceeded while new pods keep retrying');
    if (r.onFailure === 'rollback') notes.add(`on-failure rollback: Kubernetes does not roll back by itself; \`kubectl rollout undo deployment/${name}\` does`);
    comments.push({
      path: ['spec', 'minReadySeconds'],
      text: probed ? `healthy-for: how long a new pod stays ready before the rollout goes on` : `no health check: settle (${seconds(spec.settleMs)} s) plus healthy-for, as a pod with no probe is ready once it runs`,
    });
    comments.push({ path: ['spec', 'progressDeadlineSeconds'], text: 'deadline: Skr8tr gives each new replica this long to get ready; Kubernetes counts time without progress of the whole rollout' });
    docs.push({ object: deployment, header: [], comments });
  } else {
    const job: IJob = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta(name, labels),
      spec: {
        completions: spec.replicas,
        parallelism: spec.replicas,
        backoffLimit: attemptsOf(spec) - 1,
        template: { metadata: { labels }, spec: { restartPolicy: spec.restart === 'never' ? 'Never' : 'OnFailure', ...podSpec } },
      },
    };
    comments.push({ path: ['spec', 'backoffLimit'], text: `attempts ${attemptsOf(spec)}: one try and ${attemptsOf(spec) - 1} retr${attemptsOf(spec) === 2 ? 'y' : 'ies'}, then the job has failed` });
    if (spec.port !== null) notes.add(`port ${spec.port}: a job gets no Service`);
    docs.push({ object: job, header: [], comments });
  }

  const timeout = spec.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  if (service && spec.port !== null && spec.ingress && timeout !== DEFAULTS.requestTimeoutMs) {
    notes.add(`request-timeout ${seconds(timeout, 1)} s: a Service does not bound a request; set it where traffic enters (ingress-nginx: the annotation nginx.ingress.kubernetes.io/proxy-read-timeout: "${seconds(timeout, 1)}")`);
  }
  if (service && spec.port !== null) {
    const svc: IService = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name, labels),
      spec: { selector: labels, ports: [{ name: PORT_NAME, port: spec.port, targetPort: PORT_NAME, protocol: 'TCP' }] },
    };
    const ingress = spec.ingress ? 'the ingress: one stable address on the port, spread over the ready replicas' : '`ingress off`: each pod binds the port itself, on its own address';
    docs.push({ object: svc, header: [`port ${spec.port}: ${ingress}; each pod listens on ${spec.port} (PORT is set to it)`], comments: [] });
  }
  if (service && spec.scale?.max != null) docs.push(autoscaler(spec, name, labels, notes));
  else if (spec.scale) notes.add('scale: no `max`, so no HorizontalPodAutoscaler (it needs one)');

  const create = secretCommand(spec, ctx.manifestDir);
  if (create) notes.add(`secrets: read from the Secret \`${name}\` (values are never exported); create it first: ${create}`);
  docs[0]!.header = [`app ${spec.name} from ${ctx.manifestName}, exported by skr8tr`, ...notes.lines.map((n) => `- ${n}`)];
  return docs;
}

/** A job's `attempts` (a spec journaled before the key existed has none). */
function attemptsOf(spec: AppSpec): number {
  return spec.attempts ?? DEFAULTS.attempts;
}

/** The command that creates an app's Secret, with placeholders for the values. */
export function secretCommand(spec: AppSpec, manifestDir: string): string | null {
  if (spec.secretKeys.length === 0 && spec.envFiles.length === 0) return null;
  const parts = [`kubectl create secret generic ${dnsLabel(spec.name)}`];
  for (const k of spec.secretKeys) parts.push(`--from-literal=${k}=<value>`);
  for (const f of spec.envFiles) parts.push(`--from-env-file=${portablePath(f, manifestDir)}`);
  return parts.join(' ');
}

function onFailureComment(spec: AppSpec, name: string): string {
  const undo = `kubectl rollout undo deployment/${name}`;
  switch (spec.rollout.onFailure) {
    case 'rollback':
      return `on-failure rollback has no equivalent: Kubernetes takes no action on a stalled rollout other than to report ProgressDeadlineExceeded; roll back with \`${undo}\``;
    case 'pause':
      return `on-failure pause: Kubernetes stops counting at the deadline and reports ProgressDeadlineExceeded, but new pods keep retrying; \`kubectl rollout pause deployment/${name}\` holds it, \`${undo}\` goes back`;
    case 'continue':
      return 'on-failure continue: Kubernetes keeps retrying the new pods, as Skr8tr does; the deadline only reports ProgressDeadlineExceeded';
  }
}

function autoscaler(spec: AppSpec, name: string, labels: Record<string, string>, notes: Notes): KubeDoc {
  const s = spec.scale!;
  const hpa: IHorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(name, labels),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: Math.max(1, s.min ?? 1),
      maxReplicas: s.max!,
      ...(s.cpuAbove !== null ? { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: s.cpuAbove } } }] } : {}),
    },
  };
  const header = ['scale: the HorizontalPodAutoscaler aims at cpu-above and removes pods by itself'];
  if (s.cpuBelow !== null) header.push(notes.add(`scale cpu-below ${s.cpuBelow}%: the HorizontalPodAutoscaler has no such field; it scales down by itself`));
  if (s.min === 0) notes.add('scale min 0: a HorizontalPodAutoscaler keeps at least 1');
  if (spec.cpu === null && s.cpuAbove !== null) notes.add('scale: CPU utilization is relative to the pod\'s cpu request; add `cpu` to the app');
  return { object: hpa, header, comments: [] };
}

/** The objects as one YAML stream, each with its comments. */
export function kubernetesYaml(docs: readonly KubeDoc[]): string {
  return docs
    .map((d) => {
      const doc = new YAML.Document(d.object, { aliasDuplicateObjects: false });
      if (d.header.length > 0) doc.commentBefore = d.header.map((l) => ` ${l}`).join('\n');
      for (const c of d.comments) {
        const parent = doc.getIn(c.path.slice(0, -1).map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
        if (!YAML.isMap(parent)) continue;
        const pair = parent.items.find((p) => YAML.isScalar(p.key) && p.key.value === c.path[c.path.length - 1]);
        if (pair && YAML.isScalar(pair.key)) pair.key.commentBefore = ` ${c.text}`;
      }
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}
