// The extension's one connection to the Conductor: the event stream that feeds the cluster model
// (and, by being open, holds the Conductor's lease). It reconnects with its last sequence number,
// so nothing is missed, and watches the home folder so a Conductor started elsewhere (the CLI,
// another window) is found without polling.
//
//   disconnected ──conductor.json appears / connect()──▶ connecting ──snapshot──▶ connected
//        ▲                                                                    │ stream ends
//        └──────────────────── no Conductor (gone) ◀──── retry with backoff ◀─┘
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ConductorClient } from '../shared/client';
import type { ApiEvent, WorkloadView } from '../shared/protocol/api';
import { ClusterModel, type ModelChange } from './cluster-model';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected';

export class Connection implements vscode.Disposable {
  readonly model = new ClusterModel();
  private readonly changed = new vscode.EventEmitter<ModelChange>();
  readonly onDidChange = this.changed.event;
  private readonly stateChanged = new vscode.EventEmitter<ConnectionState>();
  readonly onDidChangeState = this.stateChanged.event;
  private _state: ConnectionState = 'disconnected';
  private _client: ConductorClient | null = null;
  private abort: AbortController | null = null;
  private retry: NodeJS.Timeout | null = null;
  private watcher: fs.FSWatcher | null = null;
  private disposed = false;
  private backoffMs = 100;

  constructor(
    /** Finds the running Conductor's client (null when none). */
    private readonly find: () => ConductorClient | null,
    /** Called when a connection is lost and no Conductor is running any more. */
    private readonly onGone: () => void,
    private readonly log: (line: string) => void,
  ) {}

  get state(): ConnectionState {
    return this._state;
  }

  get client(): ConductorClient | null {
    return this._state === 'connected' ? this._client : null;
  }

  private setState(s: ConnectionState): void {
    if (s === this._state) return;
    this._state = s;
    void vscode.commands.executeCommand('setContext', 'skr8tr.connected', s === 'connected');
    this.stateChanged.fire(s);
  }

  /** Watches the home folder: when a Conductor appears there, connect. */
  watch(home: string): void {
    this.watcher?.close();
    this.watcher = null;
    try {
      fs.mkdirSync(home, { recursive: true, mode: 0o700 });
      this.watcher = fs.watch(home, (_event, file) => {
        if (file === 'conductor.json' && this._state === 'disconnected') this.connect();
      });
      this.watcher.on('error', () => {});
    } catch (err) {
      this.log(`cannot watch ${home}: ${(err as Error).message}`);
    }
  }

  /** Connects to the running Conductor, if there is one; resolves once the snapshot arrived (or it failed). */
  connect(client?: ConductorClient): Promise<boolean> {
    if (this.disposed) return Promise.resolve(false);
    if (this._state !== 'disconnected' && !client) return Promise.resolve(this._state === 'connected');
    this.abort?.abort();
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    let found: ConductorClient | null;
    try {
      found = client ?? this.find();
    } catch (err) {
      this.log((err as Error).message);
      found = null;
    }
    if (!found) {
      this.setState('disconnected');
      return Promise.resolve(false);
    }
    this._client = found;
    this.setState('connecting');
    const abort = new AbortController();
    this.abort = abort;
    return new Promise<boolean>((resolve) => {
      let settled = false;
      const settle = (ok: boolean) => {
        if (!settled) {
          settled = true;
          resolve(ok);
        }
      };
      const onEvent = (e: ApiEvent) => {
        const change = this.model.apply(e);
        if (e.type === 'snapshot' || e.type === 'resumed') {
          this.backoffMs = 100;
          this.setState('connected');
          void this.loadHistory(found!);
          settle(true);
        }
        void vscode.commands.executeCommand('setContext', 'skr8tr.hasWorkloads', this.model.workloads.size > 0);
        this.changed.fire(change);
      };
      found!
        .events(onEvent, this.model.position, abort.signal)
        .catch((err: Error) => this.log(`event stream: ${err.message}`))
        .finally(() => {
          settle(false);
          if (abort.signal.aborted || this.disposed) return;
          this.lost();
        });
    });
  }

  /** Rollout history is not in the stream's snapshot: fetch it once a connection. */
  private async loadHistory(client: ConductorClient): Promise<void> {
    try {
      const workloads = await client.request<WorkloadView[]>('GET', '/v1/workloads');
      this.model.addHistory(workloads.flatMap((w) => w.history));
      this.changed.fire({ all: false, workloads: new Set(), nodes: new Set(), workloadList: false, nodeList: false, rollouts: true, steps: [] });
    } catch (err) {
      this.log(`cannot read rollout history: ${(err as Error).message}`);
    }
  }

  private lost(): void {
    let next: ConductorClient | null = null;
    try {
      next = this.find();
    } catch {
      next = null;
    }
    if (!next) {
      this.log('the Conductor is gone');
      this._client = null;
      this.model.clear();
      this.setState('disconnected');
      this.changed.fire({ all: true, workloads: new Set(), nodes: new Set(), workloadList: true, nodeList: true, rollouts: true, steps: [] });
      void vscode.commands.executeCommand('setContext', 'skr8tr.hasWorkloads', false);
      this.onGone();
      return;
    }
    this.setState('connecting');
    this.retry = setTimeout(() => {
      this.retry = null;
      this._state = 'disconnected';
      void this.connect();
    }, this.backoffMs);
    this.backoffMs = Math.min(5_000, this.backoffMs * 2);
  }

  /** Drops the connection (and with it this window's hold on the lease). */
  disconnect(): void {
    this.abort?.abort();
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this._client = null;
    this.setState('disconnected');
  }

  dispose(): void {
    this.disposed = true;
    this.disconnect();
    this.watcher?.close();
    this.changed.dispose();
    this.stateChanged.dispose();
  }
}
