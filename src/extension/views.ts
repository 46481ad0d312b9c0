// The Skr8tr views (Workloads, Nodes, Rollouts): VS Code tree providers over the pure tree-items
// projection of the cluster model. Each model change refreshes only the elements it touched. Only a
// connected window shows the cluster (view-status.ts): otherwise the views are empty, their welcome
// content offers Start Conductor, and each view's title says since when it is not connected.
import * as vscode from 'vscode';
import type { ModelChange } from './cluster-model';
import type { Connection } from './connection';
import { treeId } from './tree-ids';
import { children, item, parentOf, type ItemSpec, type ViewId } from './tree-items';
import { timeOfDay, viewStatus } from './view-status';

const COLLAPSE: Record<ItemSpec['collapsible'], vscode.TreeItemCollapsibleState> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

export class ClusterTree implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(
    private readonly view: ViewId,
    private readonly connection: Connection,
  ) {}

  getChildren(element?: string): string[] {
    if (!viewStatus(this.connection.state, this.connection.since, timeOfDay).showCluster) return [];
    return children(this.connection.model, this.view, element ?? null);
  }

  getParent(element: string): string | null {
    return parentOf(this.connection.model, element);
  }

  getTreeItem(element: string): vscode.TreeItem {
    const spec = item(this.connection.model, element, Date.now());
    if (!spec) return new vscode.TreeItem(element);
    const t = new vscode.TreeItem(spec.label, COLLAPSE[spec.collapsible]);
    t.id = spec.id;
    t.description = spec.description;
    t.tooltip = spec.tooltip;
    t.iconPath = new vscode.ThemeIcon(spec.icon.id, spec.icon.color ? new vscode.ThemeColor(spec.icon.color) : undefined);
    t.contextValue = spec.contextValue;
    if (spec.command) t.command = { command: spec.command.id, title: spec.command.title, arguments: [spec.command.argument] };
    return t;
  }

  /** Refreshes what a model change touched: the root when the list itself changed, else the changed elements. */
  refresh(change: ModelChange): void {
    if (change.all) return this.emitter.fire(undefined);
    if (this.view === 'workloads') {
      if (change.workloadList) return this.emitter.fire(undefined);
      for (const name of change.workloads) if (this.connection.model.workloads.has(name)) this.emitter.fire(treeId({ kind: 'workload', app: name }));
    } else if (this.view === 'nodes') {
      if (change.nodeList) return this.emitter.fire(undefined);
      for (const id of change.nodes) if (this.connection.model.nodes.has(id)) this.emitter.fire(treeId({ kind: 'node', node: id }));
    } else if (change.rollouts) {
      this.emitter.fire(undefined);
    }
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/** Registers the three views; returns their trees (owned by the returned disposables). */
export function registerViews(connection: Connection, subscriptions: vscode.Disposable[]): Record<ViewId, ClusterTree> {
  const trees = {
    workloads: new ClusterTree('workloads', connection),
    nodes: new ClusterTree('nodes', connection),
    rollouts: new ClusterTree('rollouts', connection),
  };
  const views: vscode.TreeView<string>[] = [];
  for (const [id, tree] of Object.entries(trees)) {
    subscriptions.push(tree);
    const view = vscode.window.createTreeView(`skr8tr.${id}`, { treeDataProvider: tree, showCollapseAll: id !== 'rollouts' });
    subscriptions.push(view);
    views.push(view);
  }
  subscriptions.push(connection.onDidChange((change) => Object.values(trees).forEach((t) => t.refresh(change))));
  // The connection changed: what the views show, and what their titles say.
  const connectionChanged = () => {
    const status = viewStatus(connection.state, connection.since, timeOfDay);
    for (const v of views) v.description = status.description || undefined;
    Object.values(trees).forEach((t) => t.refresh({ all: true, workloads: new Set(), nodes: new Set(), workloadList: true, nodeList: true, rollouts: true, steps: [] }));
  };
  subscriptions.push(connection.onDidChangeState(connectionChanged));
  connectionChanged();
  return trees;
}
