// What the Kubernetes and the Nomad export share: the options and the result, the notes about what
// does not carry over, names an engine accepts, paths written relative to the manifest, durations,
// and the `${PORT}`-style variables Skr8tr expands. Pure: nothing here reads a file or a secret.
import * as path from 'node:path';
import type { AppSpec } from '../shared/manifest/model';

export type Engine = 'kubernetes' | 'nomad';

export interface ExportOptions {
  /** The manifest's path: its folder anchors relative paths, its name names the output. */
  manifestPath: string;
  /** `--image`: the image of every app, over the apps' own `image`. */
  image?: string | null;
  /** Nomad: the API's JSON instead of HCL. */
  json?: boolean;
}

/** One file of the result. */
export interface ExportDocument {
  /** A file name (no folder), such as `web.k8s.yaml`. */
  name: string;
  language: 'yaml' | 'hcl' | 'json';
  text: string;
}

export interface ExportResult {
  documents: ExportDocument[];
  /** What does not carry over, one line each, naming the app. */
  notes: string[];
  /** What the user must create before deploying (Secrets, variables): commands with placeholders. */
  toCreate: string[];
}

/** A manifest export cannot carry at all: exit 1 with the message. `app`: the app that has no image. */
export class ExportRefused extends Error {
  constructor(
    message: string,
    readonly reason: 'no-image' | 'nothing' | 'names',
    readonly app: string | null = null,
  ) {
    super(message);
  }
}

/** Notes of one app, said in a comment beside what they are about and gathered for the summary. */
export class Notes {
  readonly lines: string[] = [];
  constructor(readonly app: string) {}
  add(text: string): string {
    this.lines.push(text);
    return text;
  }
}

/**
 * A DNS label (RFC 1123, at most 63 characters, starting with a letter): what Kubernetes needs for
 * Service and container names and what Nomad jobs are best named. Skr8tr names also allow
 * capitals, `_` and `.`.
 */
export function dnsLabel(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label === '' ? 'app' : label;
}

/** The manifest's base name without `.skr8tr`, `.skr8tr.yaml` or `.skr8tr.yml`. */
export function manifestBase(manifestPath: string): string {
  return path.basename(manifestPath).replace(/\.skr8tr(\.ya?ml)?$/i, '').replace(/\.ya?ml$/i, '');
}

/**
 * A path as the manifest would write it: under the manifest's folder it becomes `./rel` (the
 * image or the node holds the same tree), elsewhere it stays absolute. A bare program name stays.
 */
export function portablePath(p: string, manifestDir: string): string {
  if (!path.isAbsolute(p)) return p;
  const rel = path.relative(manifestDir, p);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return p;
  return `./${rel.split(path.sep).join('/')}`;
}

/** Whole seconds, rounded up (a probe's period, a grace period), at least `min`. */
export function seconds(ms: number, min = 0): number {
  return Math.max(min, Math.ceil(ms / 1000));
}

/** A Go duration string as Nomad reads it: `10s`, `2m`, `1h`, `1500ms`. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export type SkrVar = 'PORT' | 'REPLICA' | 'GENERATION' | 'APP';
const VAR = /\$\{(PORT|REPLICA|GENERATION|APP)\}/g;

/**
 * A value with Skr8tr's `${PORT}`, `${REPLICA}`, `${GENERATION}` and `${APP}` replaced by what
 * `to` makes of each, and the text between them passed through `literal` (an engine's escaping).
 */
export function mapVars(text: string, to: (v: SkrVar) => string, literal: (s: string) => string = (s) => s): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(VAR)) {
    out += literal(text.slice(last, m.index)) + to(m[1] as SkrVar);
    last = m.index + m[0].length;
  }
  return out + literal(text.slice(last));
}

export function usesVar(spec: AppSpec, v: SkrVar): boolean {
  const needle = `\${${v}}`;
  return spec.args.some((a) => a.includes(needle)) || Object.values(spec.env).some((e) => e.includes(needle));
}

/** Memory in MiB, rounded up. */
export function mebibytes(bytes: number): number {
  return Math.ceil(bytes / (1024 * 1024));
}

/**
 * The notes every engine shares: what Skr8tr does around the process that no engine does for it.
 * Engine-specific ones are added by each exporter.
 */
export function commonNotes(spec: AppSpec, manifestDir: string, notes: Notes, engine: Engine): void {
  const k8s = engine === 'kubernetes';
  if (spec.needs.length > 0) {
    const list = spec.needs.map((n) => `${n.app} (${n.condition})`).join(', ');
    notes.add(
      k8s
        ? `needs ${list}: Kubernetes has no start order between Deployments; make the program wait for what it needs (retry, or an initContainer that polls it)`
        : `needs ${list}: Nomad has no start order between groups; make the program wait for what it needs (retry, or a prestart task that polls it)`,
    );
  }
  if (spec.build) notes.add(`build (${spec.build.run.join('; ') || 'no commands'}): not run by the engine; build ${k8s ? 'the image' : 'the files the job runs'} before deploying`);
  if (spec.watch) notes.add('watch: rolling out on a saved file is Skr8tr\'s inner loop; the engine rolls out when you apply a new version');
  if (spec.gpu) notes.add(k8s ? 'gpu: request your cluster\'s GPU resource (such as `nvidia.com/gpu: 1` in resources.limits); not written' : 'gpu: add a `device` block for your GPUs (such as `device "nvidia/gpu" {}`); not written');
  if (spec.cwd !== manifestDir) {
    const cwd = portablePath(spec.cwd, manifestDir);
    // Kubernetes takes an absolute working directory (written as workingDir); a folder of the manifest's is the image's business.
    if (!k8s) notes.add(`cwd ${cwd}: raw_exec runs the program in the task's own folder; not written`);
    else if (cwd !== spec.cwd) notes.add(`cwd ${cwd}: set the image's WORKDIR to this folder; not written`);
  }
}
