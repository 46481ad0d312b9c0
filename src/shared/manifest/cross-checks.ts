// The rules between the keys of one app, checked once all its keys are read: `serve` port against
// `port`, `ingress` without a port, no program to run, a name in both `env` and `secret`, PORT
// advice, rollout progress, scale bounds, a volume's variable. It also settles what depends on more
// than one key (`port` from `serve`, `ingress` on by default with a port). Checks across the apps of
// a manifest are in buildApps (build-app.ts).
import type { DiagnosticSink } from './diagnostics';
import type { AppSpec, Pos } from './model';

/** What the app's keys said that the spec does not keep. */
export interface Written {
  /** Where the app starts: the position of rules about the app as a whole. */
  at: Pos;
  /** `ingress` as written, if it was. */
  ingress: { value: boolean; pos: Pos } | null;
  /** `exec` or `bin`, whichever named the program. */
  execAt: { key: string; pos: Pos } | null;
}

export function crossCheck(spec: AppSpec, written: Written, positions: ReadonlyMap<string, Pos>, sink: DiagnosticSink): void {
  const { at, ingress, execAt } = written;
  if (spec.serve?.port != null) {
    if (spec.port !== null && spec.port !== spec.serve.port) {
      sink.error(positions.get('serve.port')!, `\`serve\` port ${spec.serve.port} differs from the app's \`port\` ${spec.port}; keep one`);
    } else {
      spec.port = spec.serve.port;
    }
  }
  spec.ingress = ingress?.value ?? spec.port !== null;
  if (spec.ingress && spec.port === null) {
    sink.error(ingress!.pos, '`ingress on` needs a `port` to listen on');
  }
  if (!execAt && !spec.serve?.static && spec.type !== 'vm') {
    if (spec.image !== null) {
      // An app that names only its image (imported from a compose file): container apps are not run
      // yet, so it is said here and its replicas fail to launch, but the rest of the file runs.
      sink.warning(positions.get('image') ?? at, `app \`${spec.name}\` names only its image \`${spec.image}\`: Skr8tr runs programs, not images (yet), so its replicas fail to launch; add \`exec\` with a program that runs it natively, or set \`replicas 0\``);
    } else if (spec.replicas === 0) {
      sink.warning(positions.get('replicas') ?? at, `app \`${spec.name}\` has no \`exec\` yet (with \`replicas 0\` nothing starts): write the program to run, then set \`replicas\``);
    } else {
      sink.error(at, `app \`${spec.name}\` needs \`exec\`: the program to run (or \`serve\` with \`static\` files)`);
    }
  }
  if (spec.type === 'vm' && spec.vm === null && !execAt) {
    sink.error(at, `app \`${spec.name}\` is \`type vm\` and needs a \`vm\` block`);
  }
  for (const key of spec.secretKeys) {
    if (Object.hasOwn(spec.env, key)) {
      sink.error(positions.get(`secret.${key}`)!, `\`${key}\` is in both \`env\` and \`secret\`; keep it in one`);
    }
  }
  const envPort = spec.env.PORT;
  if (spec.ingress && spec.port !== null && envPort !== undefined) {
    const note = envPort === String(spec.port)
      ? `\`env PORT ${envPort}\` is replaced: with \`ingress on\` Skr8tr listens on ${spec.port} and gives each replica its own PORT; remove it, or set \`ingress off\``
      : `\`env PORT ${envPort}\` is replaced: with \`ingress on\` each replica gets its own PORT; remove it, or set \`ingress off\``;
    sink.warning(positions.get('env.PORT')!, note);
  } else if (spec.ingress && spec.port !== null && execAt && !mentionsPort(spec)) {
    // The most common first mistake: a program that binds the manifest's port itself collides
    // with the ingress, which holds it. Each replica is told its own port in PORT.
    sink.info(positions.get('port') ?? positions.get('serve.port') ?? at, portAdvice(spec.port));
  }
  if (spec.rollout.surge === 0 && spec.rollout.unavailable === 0) {
    sink.error(positions.get('rollout') ?? at, '`surge` and `unavailable` are both 0, so a rollout could never make progress; allow one of them');
  }
  if (spec.scale) {
    const { min, max, cpuAbove, cpuBelow } = spec.scale;
    if (min !== null && max !== null && min > max) {
      sink.error(positions.get('scale.min')!, `scale \`min\` ${min} is above \`max\` ${max}`);
    }
    if (cpuAbove !== null && cpuBelow !== null && cpuBelow >= cpuAbove) {
      sink.error(positions.get('scale.cpu-below')!, `\`cpu-below\` ${cpuBelow}% must be below \`cpu-above\` ${cpuAbove}%`);
    }
    if ((min !== null && spec.replicas < min) || (max !== null && spec.replicas > max)) {
      sink.warning(positions.get('replicas') ?? positions.get('scale')!, `\`replicas\` ${spec.replicas} is outside the scale bounds ${min ?? 0}–${max ?? '∞'}`);
    }
  }
  if (positions.has('request-timeout') && !spec.ingress) {
    sink.warning(positions.get('request-timeout')!, '`request-timeout` bounds what the ingress waits for; without `port` (and `ingress on`) it does nothing');
  }
  if (positions.has('attempts') && spec.type !== 'job') {
    sink.warning(positions.get('attempts')!, '`attempts` counts the runs of a `type job`; a service is replaced whenever it fails (`restart` says what its agent does)');
  }
  if (spec.volumes.some((v) => v.env === 'PORT')) {
    sink.error(positions.get('volume')!, 'a volume may not use `PORT` as its variable');
  }
}

const portAdvice = (port: number) =>
  `each replica gets its own port in $PORT (the ingress holds ${port}); neither \`args\` nor \`env\` mention PORT, so make sure the program listens on $PORT, or set \`ingress off\` if it must bind ${port} itself`;

/** Whether a diagnostic is the advice above (the editor shows it as a hint until a replica actually failed to bind the port). */
export function isPortAdvice(message: string): boolean {
  return /^each replica gets its own port in \$PORT \(the ingress holds (\d+)\)/.test(message);
}

/** Whether the app's args or env hand the replica's port on (`${PORT}`, `$PORT`, `--port=$PORT`...). */
function mentionsPort(spec: AppSpec): boolean {
  return spec.args.some((a) => a.includes('PORT')) || Object.entries(spec.env).some(([k, v]) => k.includes('PORT') || v.includes('PORT'));
}
