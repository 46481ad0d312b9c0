// How `skr8tr agent` is used: a module of its own so that the CLI's help can say it without
// loading the agent (the CLI runs it from dist/agent.js, see cli/commands/daemons.ts).
export const agentUsage =
  'skr8tr agent [--home DIR] [--join HOST:PORT --token T] [--node ID] [--advertise ADDR] [--state DIR] [--cpu N] [--mem BYTES] [--gpu] [--follow-conductor] [--idle-exit MS] [--log-level LEVEL] [--quiet]';
