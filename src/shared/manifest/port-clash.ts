// Two apps on one port: the rule the Conductor refuses an `up` by and the editor warns with. Two
// ingress listeners (or an ingress and a replica that binds the port itself) cannot share a port on
// the Conductor's host; apps that both bind it themselves (`ingress off`) may, on different hosts,
// and placement keeps them apart. Pure.
import type { Diagnostic } from './diagnostics';
import type { ParsedApp } from './model';

export interface PortUser {
  name: string;
  port: number | null;
  ingress: boolean;
  manifestPath: string;
}

/** The apps among `others` whose port `app` cannot have too. */
export function portHolders(app: Omit<PortUser, 'manifestPath'>, others: Iterable<PortUser>): PortUser[] {
  if (app.port === null) return [];
  const out: PortUser[] = [];
  for (const o of others) if (o.name !== app.name && o.port === app.port && (o.ingress || app.ingress)) out.push(o);
  return out;
}

export function portHeldMessage(app: string, port: number, holder: PortUser): string {
  return `port ${port} of app ${app} is already the port of app ${holder.name} (${holder.manifestPath}); give ${app} another port, or take ${holder.name} down first (skr8tr down ${holder.name})`;
}

/** The editor's view: each app of a manifest whose port a running app already has, at its `port` line. */
export function portClashDiagnostics(apps: readonly ParsedApp[], running: readonly PortUser[], file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const a of apps) {
    const pos = a.positions.get('port') ?? a.positions.get('serve.port') ?? a.pos;
    for (const h of portHolders(a.spec, running)) {
      out.push({ severity: 'error', file, line: pos.line, column: pos.column, message: portHeldMessage(a.spec.name, a.spec.port!, h) });
    }
  }
  return out;
}
