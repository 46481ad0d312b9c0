// How `skr8tr conductor` is used: a module of its own so that the CLI's help can say it without
// loading the Conductor (the CLI runs it from dist/conductor.js, see cli/commands/daemons.ts).
export const conductorUsage =
  'skr8tr conductor [--home DIR] [--listen HOST:PORT] [--agents HOST:PORT] [--ingress-address ADDR] [--expiry MS] [--node-grace MS] [--lease MS] [--port-range LO-HI] [--placement auto|strict|relaxed] [--log-budget BYTES] [--log-level LEVEL] [--quiet]';
