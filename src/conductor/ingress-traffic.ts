// The reconciler's view of the ingress: opens each app's listener as its spec says, and moves
// replicas in and out of it. Listener trouble (a port taken by another process) becomes the
// workload's problem, shown in `list`, the tree and the rollout's steps.
import type { Logger } from '../shared/logger';
import type { AppSpec } from '../shared/manifest/model';
import { Ingress } from './ingress';
import type { Replica } from './model';
import type { Traffic } from './reconciler';
import type { ConductorState } from './state';

export class IngressTraffic implements Traffic {
  readonly ingress: Ingress;

  constructor(
    address: string,
    private readonly state: ConductorState,
    private readonly log: Logger,
  ) {
    this.ingress = new Ingress(address, log, {
      error: (app, message) => {
        this.log.error(`${app}: ${message}`);
        this.state.setProblem(app, 'ingress', message);
        const w = this.state.workloads.get(app);
        if (w?.rollout) this.state.step(w.rollout, message, 'error');
      },
      listening: (app, addr, port) => {
        this.log.info(`${app}: ingress listening on ${addr}:${port}`);
        this.state.setProblem(app, 'ingress', null);
        this.state.emitWorkload(app);
      },
    });
    state.ingressOf = (app) => {
      const info = this.ingress.info(app);
      return info ? { port: info.port, address: info.address, backends: info.backends } : null;
    };
  }

  ensure(app: string, spec: AppSpec): void {
    if (spec.ingress && spec.port !== null) this.ingress.ensure(app, spec.port, spec.health?.kind === 'tcp' ? 'tcp' : 'http');
    else if (this.ingress.has(app)) void this.ingress.close(app);
  }

  release(app: string): void {
    void this.ingress.close(app);
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
