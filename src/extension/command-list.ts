// The commands the extension contributes, declared once: package.json's `contributes.commands`
// must list exactly these (a unit test checks it), and commands.ts must implement each one (the
// type below makes the compiler check it). `trusted`: it starts or changes processes, so it is
// refused in an untrusted workspace.
export const COMMANDS = {
  'skr8tr.rollout': { title: 'Skr8tr: Rollout', trusted: true },
  'skr8tr.up': { title: 'Skr8tr: Up', trusted: true },
  'skr8tr.down': { title: 'Skr8tr: Down', trusted: true },
  'skr8tr.upWorkspace': { title: 'Skr8tr: Up Workspace', trusted: true },
  'skr8tr.downWorkspace': { title: 'Skr8tr: Down Workspace', trusted: true },
  'skr8tr.openExample': { title: 'Skr8tr: Open an Example Manifest', trusted: false },
  'skr8tr.openManifest': { title: 'Skr8tr: Open Manifest', trusted: false },
  'skr8tr.watch': { title: 'Skr8tr: Watch', trusted: true },
  'skr8tr.unwatch': { title: 'Skr8tr: Stop Watching', trusted: true },
  'skr8tr.scale': { title: 'Skr8tr: Scale', trusted: true },
  'skr8tr.abortRollout': { title: 'Skr8tr: Abort Rollout', trusted: true },
  'skr8tr.pauseRollout': { title: 'Skr8tr: Pause Rollout', trusted: true },
  'skr8tr.resumeRollout': { title: 'Skr8tr: Resume Rollout', trusted: true },
  'skr8tr.rollback': { title: 'Skr8tr: Rollback', trusted: true },
  'skr8tr.showRolloutTimeline': { title: 'Skr8tr: Show Rollout Timeline', trusted: false },
  'skr8tr.showLogs': { title: 'Skr8tr: Show Logs', trusted: false },
  'skr8tr.logs': { title: 'Skr8tr: Logs', trusted: false },
  'skr8tr.filterLogs': { title: 'Skr8tr: Filter Logs', trusted: false },
  'skr8tr.stopReplica': { title: 'Skr8tr: Stop Replica', trusted: true },
  'skr8tr.openInBrowser': { title: 'Skr8tr: Open in Browser', trusted: false },
  'skr8tr.showConductorLog': { title: 'Skr8tr: Show Conductor Log', trusted: false },
  'skr8tr.startConductor': { title: 'Skr8tr: Start Conductor', trusted: true },
  'skr8tr.restartConductor': { title: 'Skr8tr: Restart Conductor', trusted: true },
  'skr8tr.stopConductor': { title: 'Skr8tr: Stop Conductor', trusted: false },
  'skr8tr.refresh': { title: 'Skr8tr: Refresh', trusted: false },
  'skr8tr.exportKubernetes': { title: 'Skr8tr: Export to Kubernetes', trusted: false },
  'skr8tr.exportNomad': { title: 'Skr8tr: Export to Nomad', trusted: false },
  'skr8tr.newManifest': { title: 'Skr8tr: New Manifest…', trusted: false },
} as const;

export type CommandId = keyof typeof COMMANDS;
