// The Conductor's links to its nodes: which connection speaks for which node, and the frames sent
// over it (launch, stop, shutdown). The agent listener (agent-server.ts) attaches and detaches
// connections; the reconciler sends through here. Owning this apart from the listener lets both be
// built without knowing each other.
import { MAX_FRAME_BYTES, type ConductorFrame, type LaunchSpec } from '../shared/protocol/agent';
import { encodeLine } from '../shared/protocol/ndjson';
import type { AgentLink } from './replica-lifecycle';

/** One agent connection, as far as sending goes. */
export interface NodeConnection {
  readonly followsConductor: boolean;
  send(frame: ConductorFrame): boolean;
  /** Closes it, saying why. */
  close(reason: string): void;
}

export class NodeLinks implements AgentLink {
  private readonly byNode = new Map<string, NodeConnection>();

  /** The connection now speaking for `node`; returns the one it replaced, if any. */
  attach(node: string, c: NodeConnection): NodeConnection | null {
    const previous = this.byNode.get(node) ?? null;
    this.byNode.set(node, c);
    return previous === c ? null : previous;
  }

  /** Forgets `c` for `node`; false when another connection speaks for it now. */
  detach(node: string, c?: NodeConnection): boolean {
    if (c && this.byNode.get(node) !== c) return false;
    return this.byNode.delete(node);
  }

  get(node: string): NodeConnection | undefined {
    return this.byNode.get(node);
  }

  launch(node: string, id: string, spec: LaunchSpec): string | null {
    const c = this.byNode.get(node);
    if (!c) return `node ${node} is not connected`;
    const frame: ConductorFrame = { t: 'launch', id, spec };
    const bytes = Buffer.byteLength(encodeLine(frame));
    if (bytes > MAX_FRAME_BYTES) {
      return `its launch spec is ${bytes} bytes once \${...} variables are expanded, more than an agent accepts (${MAX_FRAME_BYTES}); shorten its env or args`;
    }
    return c.send(frame) ? null : `node ${node} is not connected`;
  }

  stop(node: string, id: string, graceMs: number): boolean {
    return this.byNode.get(node)?.send({ t: 'stop', id, graceMs }) ?? false;
  }

  /** Tells agents that follow the Conductor that it is going away for good. */
  shutdownFollowers(): void {
    for (const c of this.byNode.values()) if (c.followsConductor) c.send({ t: 'shutdown' });
  }
}
