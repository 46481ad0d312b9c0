// Export: the apps of one manifest as Kubernetes objects (YAML) or Nomad jobs (HCL, or the API's
// JSON), with what does not carry over said in comments and gathered in the result. A pure
// function of the manifest model: it never reads a file, a secret's value or the clock. The CLI
// bundles it; the extension loads it as its own bundle (dist/export.js) when an Export command runs.
import * as path from 'node:path';
import type { AppSpec } from '../shared/manifest/model';
import { commonNotes, dnsLabel, type Engine, ExportRefused, type ExportDocument, type ExportOptions, type ExportResult, manifestBase, Notes, portablePath } from './common';
import { appObjects, type KubeDoc, kubernetesYaml, secretCommand } from './kubernetes';
import { appGroup, type GroupComments, type NomadJob, variablePath } from './nomad';
import { nomadHcl } from './nomad-hcl';

export { ExportRefused, type Engine, type ExportDocument, type ExportOptions, type ExportResult } from './common';

export const ENGINES: readonly Engine[] = ['kubernetes', 'nomad'];

export function exportApps(apps: readonly AppSpec[], engine: Engine, options: ExportOptions): ExportResult {
  const manifestDir = path.dirname(path.resolve(options.manifestPath));
  const manifestName = path.basename(options.manifestPath);
  const notes: string[] = [];
  const exported: AppSpec[] = [];
  const names = new Map<string, string>();
  for (const spec of apps) {
    const why = notExported(spec);
    if (why) {
      notes.push(`${spec.name}: ${why}; not exported`);
      continue;
    }
    const name = dnsLabel(spec.name);
    const other = names.get(name);
    if (other !== undefined) throw new ExportRefused(`apps \`${other}\` and \`${spec.name}\` would both be named \`${name}\` (lowercase DNS labels); rename one`, 'names');
    names.set(name, spec.name);
    exported.push(spec);
  }
  if (exported.length === 0) throw new ExportRefused(`nothing in ${manifestName} carries over to ${engine === 'kubernetes' ? 'Kubernetes' : 'Nomad'}: ${notes.join('; ')}`, 'nothing');
  const ctx = { manifestDir, manifestName, base: dnsLabel(manifestBase(options.manifestPath)) };
  const result = engine === 'kubernetes' ? kubernetes(exported, ctx, options.image ?? null) : nomad(exported, ctx, options.json === true);
  return { ...result, notes: [...notes, ...result.notes] };
}

/** Why an app has nothing an engine can run, or null. */
function notExported(spec: AppSpec): string | null {
  if (spec.type === 'vm' || spec.type === 'wasm') return `type ${spec.type} is run by Skr8tr's own agents`;
  if (spec.exec === null) return '`serve static` is Skr8tr\'s built-in file server; serve the folder with a web server of your own';
  return null;
}

interface Ctx {
  manifestDir: string;
  manifestName: string;
  /** The manifest's name as a DNS label: names the file and a job of several apps. */
  base: string;
}

function kubernetes(apps: readonly AppSpec[], ctx: Ctx, image: string | null): ExportResult {
  const docs: KubeDoc[] = [];
  const notes: string[] = [];
  const toCreate: string[] = [];
  for (const spec of apps) {
    const n = new Notes(spec.name);
    commonNotes(spec, ctx.manifestDir, n, 'kubernetes');
    docs.push(...appObjects(spec, { manifestDir: ctx.manifestDir, manifestName: ctx.manifestName, image }, n));
    notes.push(...n.lines.map((l) => `${spec.name}: ${l}`));
    const create = secretCommand(spec, ctx.manifestDir);
    if (create) toCreate.push(create);
  }
  return { documents: [{ name: `${ctx.base}.k8s.yaml`, language: 'yaml', text: kubernetesYaml(docs) }], notes, toCreate };
}

function nomad(apps: readonly AppSpec[], ctx: Ctx, json: boolean): ExportResult {
  const services = apps.filter((a) => a.type === 'service');
  const batch = apps.filter((a) => a.type === 'job');
  // A Nomad job has one type: services and run-to-completion jobs go in separate jobs.
  const jobs: { job: NomadJob; apps: AppSpec[] }[] = [];
  const id = (list: AppSpec[], suffix: string) => (apps.length === 1 ? dnsLabel(list[0]!.name) : `${ctx.base}${suffix}`);
  if (services.length > 0) jobs.push({ job: { ID: id(services, ''), Name: id(services, ''), Type: 'service', TaskGroups: [] }, apps: services });
  if (batch.length > 0) {
    const suffix = services.length > 0 ? '-batch' : '';
    jobs.push({ job: { ID: id(batch, suffix), Name: id(batch, suffix), Type: 'batch', TaskGroups: [] }, apps: batch });
  }
  const documents: ExportDocument[] = [];
  const notes: string[] = [];
  const toCreate: string[] = [];
  if (jobs.length > 1) notes.push(`${ctx.manifestName}: services and \`type job\` apps are two Nomad jobs (a job has one type): ${jobs.map((j) => j.job.ID).join(' and ')}`);
  for (const { job, apps: members } of jobs) {
    const comments = new Map<string, GroupComments>();
    const header = [`${ctx.manifestName} exported by skr8tr: Nomad ${job.Type} job \`${job.ID}\`, a group per app, each a raw_exec task (no image needed)`];
    for (const spec of members) {
      const n = new Notes(spec.name);
      commonNotes(spec, ctx.manifestDir, n, 'nomad');
      const { group, comments: c } = appGroup(spec, job, ctx.manifestDir, n);
      job.TaskGroups.push(group);
      comments.set(group.Name, c);
      notes.push(...n.lines.map((l) => `${spec.name}: ${l}`));
      header.push(...n.lines.map((l) => `- ${spec.name}: ${l}`));
      if (spec.secretKeys.length > 0 || spec.envFiles.length > 0) {
        const items = [...spec.secretKeys.map((k) => `${k}=<value>`), ...spec.envFiles.map((f) => `<each KEY=value of ${portablePath(f, ctx.manifestDir)}>`)];
        const create = `nomad var put ${variablePath(job.ID, group.Name)} ${items.join(' ')}`;
        toCreate.push(create);
        header.push(`- ${spec.name}: create its secrets first: ${create}`);
      }
    }
    documents.push(
      json
        ? { name: `${job.ID}.nomad.json`, language: 'json', text: JSON.stringify({ Job: job }, null, 2) + '\n' }
        : { name: `${job.ID}.nomad.hcl`, language: 'hcl', text: nomadHcl(job, comments, header) },
    );
  }
  return { documents, notes, toCreate };
}
