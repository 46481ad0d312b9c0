// Replica logs on demand: one output channel per app or replica, filled with its recent lines and
// then followed from the Conductor until the channel is closed or the Conductor goes away.
import * as vscode from 'vscode';
import type { ConductorClient } from '../shared/client';
import type { LogLine } from '../shared/protocol/api';

interface Follow {
  channel: vscode.OutputChannel;
  abort: AbortController;
}

export class ReplicaLogs implements vscode.Disposable {
  private readonly follows = new Map<string, Follow>();

  /** Shows (and follows) the logs of an app (`kind` app) or of one replica. */
  show(client: ConductorClient, kind: 'app' | 'replica', name: string): void {
    const key = `${kind}:${name}`;
    const existing = this.follows.get(key);
    if (existing && !existing.abort.signal.aborted) {
      existing.channel.show(true);
      return;
    }
    existing?.channel.dispose();
    const channel = vscode.window.createOutputChannel(`Skr8tr: ${name}`);
    const abort = new AbortController();
    this.follows.set(key, { channel, abort });
    channel.show(true);
    const prefix = kind === 'app';
    const write = (l: LogLine) => channel.appendLine(`${prefix ? `${l.replica} | ` : ''}${l.stream === 'err' ? '! ' : ''}${l.text}`);
    const following = { tail: 500, follow: true };
    (kind === 'app' ? client.callStream('workloadLogs', { name, ...following }, write, abort.signal) : client.callStream('replicaLogs', { id: name, ...following }, write, abort.signal))
      .then(
        () => {
          if (!abort.signal.aborted) channel.appendLine('— the log stream ended (the Conductor went away) —');
        },
        (err: Error) => channel.appendLine(`— cannot follow the logs of ${name}: ${err.message} —`),
      )
      .finally(() => abort.abort());
  }

  dispose(): void {
    for (const f of this.follows.values()) {
      f.abort.abort();
      f.channel.dispose();
    }
    this.follows.clear();
  }
}
