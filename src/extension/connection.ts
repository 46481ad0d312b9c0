// The extension's one connection to the Conductor: the event stream that feeds the cluster model
// (and, by being open, holds the Conductor's lease). The link (conductor-link.ts) decides when to
// open, retry or give up; this file feeds the model and tells VS Code. It watches the home folder so
// a Conductor started elsewhere (the CLI, another window) is found without polling.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ConductorClient } from '../shared/client';
import type { ApiEvent } from '../shared/protocol/api';
import { ClusterModel, type ModelChange } from './cluster-model';
import { ConductorLink, realTimer, type LinkState, type Presence } from './conductor-link';
import type { RunningApps } from './language';

export type ConnectionState = LinkState;

/** Who answers for the Conductor's presence and for a crash (daemons.ts). */
export interface ConductorSupervisor {
  presence(): Presence<ConductorClient>;
  /** The Conductor this window was attached to crashed: a new client (restarted) or null. */
  crashed(pid: number): Promise<ConductorClient | null>;
}

export class Connection implements vscode.Disposable {
  readonly model = new ClusterModel();
  private readonly changed = new vscode.EventEmitter<ModelChange>();
  readonly onDidChange = this.changed.event;
  private readonly stateChanged = new vscode.EventEmitter<ConnectionState>();
  readonly onDidChangeState = this.stateChanged.event;
  private readonly link: ConductorLink<ConductorClient>;
  private watcher: fs.FSWatcher | null = null;
  private readonly portsChanged = new vscode.EventEmitter<void>();
  private portsKey = '';
  /** The running apps as the editor needs them (ports for the port-clash check, watching for the Watch lens); fires only when they change. */
  readonly runningApps: RunningApps = {
    list: () =>
      [...this.model.workloads.values()].map((w) => ({ name: w.name, port: w.port, ingress: w.ingress !== null, manifestPath: w.manifestPath, watching: w.watching })),
    onDidChange: this.portsChanged.event,
  };

  constructor(
    private readonly supervisor: ConductorSupervisor,
    private readonly log: (line: string) => void,
  ) {
    this.changed.event(() => {
      const key = JSON.stringify(this.runningApps.list());
      if (key === this.portsKey) return;
      this.portsKey = key;
      this.portsChanged.fire();
    });
    this.link = new ConductorLink<ConductorClient>({
      presence: () => supervisor.presence(),
      open: (client, signal, up) => this.stream(client, signal, up),
      state: (s) => {
        void vscode.commands.executeCommand('setContext', 'skr8tr.connected', s === 'connected');
        this.stateChanged.fire(s);
      },
      lost: (crashedPid) => this.lost(crashedPid),
      log,
      timer: realTimer,
    });
  }

  get state(): ConnectionState {
    return this.link.state;
  }

  get client(): ConductorClient | null {
    return this.link.client;
  }

  /** Watches the home folder: when a Conductor appears there, connect. */
  watch(home: string): void {
    this.watcher?.close();
    this.watcher = null;
    try {
      fs.mkdirSync(home, { recursive: true, mode: 0o700 });
      this.watcher = fs.watch(home, (_event, file) => {
        if (file === 'conductor.json' && this.link.state === 'disconnected') void this.link.connect();
      });
      this.watcher.on('error', () => {});
    } catch (err) {
      this.log(`cannot watch ${home}: ${(err as Error).message}`);
    }
  }

  /** Connects to the running Conductor (or to `client`, just started); resolves once the snapshot arrived (or it failed). */
  connect(client?: ConductorClient): Promise<boolean> {
    return this.link.connect(client);
  }

  /** Drops the connection (and with it this window's hold on the lease). */
  disconnect(): void {
    this.link.disconnect();
  }

  private async stream(client: ConductorClient, signal: AbortSignal, up: () => void): Promise<void> {
    const onEvent = (e: ApiEvent) => {
      const change = this.model.apply(e);
      if (e.type === 'snapshot' || e.type === 'resumed') {
        up();
        void this.loadHistory(client);
      }
      void vscode.commands.executeCommand('setContext', 'skr8tr.hasWorkloads', this.model.workloads.size > 0);
      this.changed.fire(change);
    };
    await client.events(onEvent, this.model.position, signal);
  }

  /** Rollout history is not in the stream's snapshot: fetch it once a connection. */
  private async loadHistory(client: ConductorClient): Promise<void> {
    try {
      const workloads = await client.call('workloads', {});
      this.model.addHistory(workloads.flatMap((w) => w.history));
      this.changed.fire({ all: false, workloads: new Set(), nodes: new Set(), workloadList: false, nodeList: false, rollouts: true, steps: [] });
    } catch (err) {
      this.log(`cannot read rollout history: ${(err as Error).message}`);
    }
  }

  private lost(crashedPid: number | null): void {
    this.model.clear();
    this.changed.fire({ all: true, workloads: new Set(), nodes: new Set(), workloadList: true, nodeList: true, rollouts: true, steps: [] });
    void vscode.commands.executeCommand('setContext', 'skr8tr.hasWorkloads', false);
    if (crashedPid === null) return;
    void this.supervisor.crashed(crashedPid).then((client) => {
      if (client) void this.link.connect(client);
    });
  }

  dispose(): void {
    this.link.dispose();
    this.watcher?.close();
    this.changed.dispose();
    this.stateChanged.dispose();
    this.portsChanged.dispose();
  }
}
