// The extension's one connection to the Conductor: the event stream that feeds the cluster model
// (and, by being open, holds the Conductor's lease). The link (conductor-link.ts) decides when to
// open, retry or give up; this file feeds the model and tells VS Code. It watches the home folder so
// a Conductor started elsewhere (the CLI, another window) is found without polling.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ConductorClient } from '../shared/client';
import type { ApiEvent } from '../shared/protocol/api';
import { triedIngressPort } from '../shared/start-failures';
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
  /** When this window's connection was lost (null: connected, or never was). */
  private lostAt: number | null = null;
  /** The state last told (the link's own has already changed when it tells). */
  private shown: ConnectionState = 'disconnected';
  private disposed = false;
  /** The running apps as the editor needs them (ports for the port-clash check, watching for the Watch lens); fires only when they change. */
  readonly runningApps: RunningApps = {
    list: () =>
      [...this.model.workloads.values()].map((w) => ({
        name: w.name,
        port: w.port,
        ingress: w.ingress !== null,
        manifestPath: w.manifestPath,
        watching: w.watching,
        triedIngressPort: this.model.replicasOf(w.name).some((r) => triedIngressPort(r.reason)) || [...this.model.rollouts.values()].some((r) => r.app === w.name && triedIngressPort(r.reason)),
      })),
    onDidChange: this.portsChanged.event,
    conductorPid: () => this.conductorPid(),
  };

  constructor(
    private readonly supervisor: ConductorSupervisor,
    private readonly log: (line: string) => void,
    /** The pid of this home's Conductor, when one runs (its conductor.json). */
    private readonly conductorPid: () => number | null,
  ) {
    this.changed.event(() => {
      const key = JSON.stringify(this.runningApps.list());
      if (key === this.portsKey) return;
      this.portsKey = key;
      this.portsChanged.fire();
    });
    void vscode.commands.executeCommand('setContext', 'skr8tr.connection', 'disconnected');
    this.link = new ConductorLink<ConductorClient>({
      presence: () => supervisor.presence(),
      open: (client, signal, up) => this.stream(client, signal, up),
      state: (s) => this.stateIs(s),
      lost: (crashedPid) => this.lost(crashedPid),
      log,
      timer: realTimer,
    });
  }

  get state(): ConnectionState {
    return this.link.state;
  }

  /** When the connection was lost (null while connected, or when it never was). */
  get since(): number | null {
    return this.lostAt;
  }

  /**
   * Not connected: what the model holds may be stale, so it goes (a stream that resumes gets a
   * snapshot); while reconnecting it is kept to resume from, but not shown (views.ts). Connected:
   * checks that ran on a stale answer (the editor's port checks) run again.
   */
  private stateIs(s: ConnectionState): void {
    // The window going away disconnects too: nothing to tell VS Code then.
    if (this.disposed) return;
    if (s === 'connected') this.lostAt = null;
    else if (this.shown === 'connected') this.lostAt = Date.now();
    this.shown = s;
    void vscode.commands.executeCommand('setContext', 'skr8tr.connected', s === 'connected');
    void vscode.commands.executeCommand('setContext', 'skr8tr.connection', s);
    if (s === 'disconnected' && (this.model.position !== null || this.model.workloads.size > 0 || this.model.nodes.size > 0)) {
      this.model.clear();
      void vscode.commands.executeCommand('setContext', 'skr8tr.hasWorkloads', false);
      this.changed.fire({ all: true, workloads: new Set(), nodes: new Set(), workloadList: true, nodeList: true, rollouts: true, steps: [] });
    }
    this.stateChanged.fire(s);
    if (s === 'connected') this.portsChanged.fire();
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
    // The model was cleared as the state went to disconnected (stateIs).
    if (crashedPid === null) return;
    void this.supervisor.crashed(crashedPid).then((client) => {
      if (client) void this.link.connect(client);
    });
  }

  dispose(): void {
    this.disposed = true;
    this.link.dispose();
    this.watcher?.close();
    this.changed.dispose();
    this.stateChanged.dispose();
    this.portsChanged.dispose();
  }
}
