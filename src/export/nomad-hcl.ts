// Nomad jobs (the API's shape, from nomad.ts) as HCL job files, with the comments gathered there.
import { goDuration } from './common';
import { attr, block, Heredoc, hcl, type HclItem } from './hcl';
import type { GroupComments, NomadGroup, NomadJob, NomadTask } from './nomad';

const ms = (ns: number) => Math.round(ns / 1_000_000);
const dur = (ns: number) => goDuration(ms(ns));

export function nomadHcl(job: NomadJob, comments: ReadonlyMap<string, GroupComments>, header: readonly string[]): string {
  const body: HclItem[] = [attr('type', job.Type), ...job.TaskGroups.map((g) => group(g, comments.get(g.Name) ?? new Map()))];
  return hcl([block('job', [job.ID], body)], header);
}

function group(g: NomadGroup, c: GroupComments): HclItem {
  const body: HclItem[] = [attr('count', g.Count)];
  for (const n of g.Networks ?? []) {
    const ports = [
      ...(n.DynamicPorts ?? []).map((p) => block('port', [p.Label], [])),
      ...(n.ReservedPorts ?? []).map((p) => block('port', [p.Label], [attr('static', p.Value)])),
    ];
    body.push(block('network', [], ports, c.get('network')));
  }
  for (const s of g.Services ?? []) {
    const items: HclItem[] = [attr('name', s.Name), attr('provider', s.Provider), attr('port', s.PortLabel)];
    for (const k of s.Checks ?? []) {
      const check: HclItem[] = [attr('type', k.Type)];
      if (k.Path !== undefined) check.push(attr('path', k.Path));
      if (k.Method !== undefined) check.push(attr('method', k.Method));
      if (k.Command !== undefined) check.push(attr('command', k.Command));
      if (k.Args !== undefined) check.push(attr('args', k.Args));
      if (k.Task !== undefined) check.push(attr('task', k.Task));
      check.push(attr('interval', dur(k.Interval)), attr('timeout', dur(k.Timeout)));
      check.push(block('check_restart', [], [attr('limit', k.CheckRestart.Limit), attr('grace', dur(k.CheckRestart.Grace))]));
      items.push(block('check', [], check));
    }
    body.push(block('service', [], items, c.get('service')));
  }
  if (g.Update) {
    const u = g.Update;
    body.push(
      block(
        'update',
        [],
        [
          attr('max_parallel', u.MaxParallel),
          attr('health_check', u.HealthCheck),
          attr('min_healthy_time', dur(u.MinHealthyTime)),
          attr('healthy_deadline', dur(u.HealthyDeadline)),
          attr('progress_deadline', dur(u.ProgressDeadline)),
          attr('auto_revert', u.AutoRevert),
        ],
        c.get('update'),
      ),
    );
  }
  if (g.RestartPolicy) body.push(block('restart', [], [attr('attempts', g.RestartPolicy.Attempts), attr('mode', g.RestartPolicy.Mode)], c.get('restart')));
  if (g.Scaling) body.push(block('scaling', [], [attr('enabled', g.Scaling.Enabled), attr('min', g.Scaling.Min), attr('max', g.Scaling.Max)], c.get('scaling')));
  for (const t of g.Tasks) body.push(task(t, c));
  return block('group', [g.Name], body, c.get('group'));
}

function task(t: NomadTask, c: GroupComments): HclItem {
  const kill = c.get('kill') ?? [];
  const items: HclItem[] = [
    attr('driver', t.Driver),
    block('config', [], [attr('command', t.Config.command), ...(t.Config.args ? [attr('args', t.Config.args)] : [])]),
    block('env', [], Object.entries(t.Env).map(([k, v]) => attr(k, v))),
    attr('kill_signal', t.KillSignal, kill),
    attr('kill_timeout', dur(t.KillTimeout)),
  ];
  if (t.ShutdownDelay !== undefined) items.push(attr('shutdown_delay', dur(t.ShutdownDelay)));
  for (const tpl of t.Templates ?? []) {
    items.push(block('template', [], [attr('data', new Heredoc(tpl.EmbeddedTmpl)), attr('destination', tpl.DestPath), attr('env', tpl.Envvar)], c.get('template')));
  }
  if (t.Resources) {
    const r: HclItem[] = [];
    if (t.Resources.CPU !== undefined) r.push(attr('cpu', t.Resources.CPU));
    if (t.Resources.MemoryMB !== undefined) r.push(attr('memory', t.Resources.MemoryMB));
    items.push(block('resources', [], r, c.get('resources')));
  }
  return block('task', [t.Name], items, c.get('task'));
}
