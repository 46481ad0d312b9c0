// The reconciler's view of the ingress: opens each app's listener as its spec says, and moves
// replicas in and out of it; and what the ingress reports, told through the state. Listener trouble
// (a port taken by another process) becomes the workload's problem, shown in `list`, the tree and
// the rollout's steps.
import type { Logger } from '../shared/logger';
import { DEFAULTS, type AppSpec } from '../shared/manifest/model';
import type { Ingress } from './ingress';
import type { Replica } from './model';
import type { Traffic } from './replica-lifecycle';
import type { ConductorState, IngressInfo } from './state';

/** What the ingress reports about its listeners, as the state shows it. */
export function ingressReports(state: ConductorState, log: Logger) {
  return {
    error: (app: string, message: string) => {
      if (state.problemOf(app, 'ingress') === message) return; // the same trouble, tried again
      log.error(`${app}: ${message}`);
      state.setProblem(app, 'ingress', message);
      state.say(app, message, 'error');
    },
    listening: (app: string, addr: string, port: number) => {
      log.info(`${app}: ingress listening on ${addr}:${port}`);
      state.setProblem(app, 'ingress', null);
      state.emitWorkload(app);
    },
  };
}

/** What the views show of an app's ingress. */
export function ingressInfo(ingress: Ingress, app: string): IngressInfo | null {
  const info = ingress.info(app);
  return info ? { port: info.port, address: info.address, backends: info.backends } : null;
}

export class IngressTraffic implements Traffic {
  constructor(
    readonly ingress: Ingress,
    private readonly state: ConductorState,
  ) {}

  ensure(app: string, spec: AppSpec): void {
    if (spec.ingress && spec.port !== null) {
      this.ingress.ensure(app, spec.port, spec.health?.kind === 'tcp' ? 'tcp' : 'http', spec.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs);
    }
    else if (this.ingress.has(app)) void this.ingress.close(app);
  }

  release(app: string): void {
    void this.ingress.close(app);
    this.ingress.meter.forget(app);
  }

  join(r: Replica): boolean {
    if (r.address === null || r.port === null) return false;
    const joined = this.ingress.join(r.app, { id: r.id, host: r.address, port: r.port });
    if (joined) this.state.emitWorkload(r.app);
    return joined;
  }

  async leave(r: Replica, capMs: number): Promise<void> {
    await this.ingress.leave(r.app, r.id, capMs);
    this.state.emitWorkload(r.app);
  }

  close(): Promise<void> {
    return this.ingress.closeAll();
  }
}
