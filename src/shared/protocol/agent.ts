// The agent protocol, declared once: newline-delimited JSON frames over TCP (or a unix socket)
// between an agent and the Conductor. The agent dials; its first frame is `hello` with the join
// token. Every frame is validated on receipt; an invalid one closes that connection with a reason.
//
//   agent                                   Conductor
//     hello {token, node, replicas...}  ──▶
//                                       ◀──  welcome {node}            (or refused {reason}, close)
//     heartbeat {cpu, memFree} every 1 s ─▶
//                                       ◀──  launch {id, spec, port} / stop {id, graceMs}
//     launched / launch-failed / exited / restarted / logs  ──▶
//                                       ◀──  logs-ack {id, seq}        (written: the agent forgets them)
import * as z from 'zod/mini';
import './zod-messages';

export const AGENT_PROTOCOL_VERSION = 1;
/**
 * Largest frame either side accepts. A launch carries one app's resolved spec: at most a 1 MiB
 * manifest's worth, but `${REPLICA}` and the like expand in env and args, so the Conductor checks a
 * launch's size before sending it and fails the replica with the reason when it is too large.
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Longest line of a replica's output a `logs` frame carries; the agent splits longer ones (line-splitter.ts). */
export const MAX_LINE_CHARS = 16_384;

// zod/mini spells the checks as functions: `z.string().check(z.minLength(1))` is zod's `z.string().min(1)`.
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const int = () => z.number().check(z.int());
const count = () => z.number().check(z.int(), z.nonnegative());
const port = () => z.number().check(z.int(), z.gte(1), z.lte(65535));
const id = text(1, 200);
const pid = z.number().check(z.int(), z.positive());

/** What an agent runs: a resolved spec, with every path absolute and every variable expanded. */
export const LaunchSpec = z.object({
  app: text(1, 63),
  generation: count(),
  type: z.enum(['service', 'job', 'wasm', 'vm']),
  exec: z.nullable(z.string().check(z.minLength(1))),
  args: z.array(z.string()),
  cwd: z.string().check(z.minLength(1)),
  env: z.record(z.string(), z.string()),
  /** Names of env entries that are secrets: their values are never logged by the agent. */
  secretKeys: z.array(z.string()),
  restart: z.enum(['always', 'on-failure', 'never']),
  drainMs: count(),
  /** Folders to create before launch. */
  volumes: z.array(z.string()),
  /** Static file serving (apps with no exec): the folder, and where misses go. */
  serveStatic: z.nullable(z.string()),
  serveProxy: z.nullable(z.string()),
  port: z.nullable(port()),
});
export type LaunchSpec = z.infer<typeof LaunchSpec>;

export const ReplicaReport = z.object({
  id,
  app: z.string(),
  generation: count(),
  pid: z.nullable(pid),
  port: z.nullable(port()),
  startedAt: z.number(),
  /** `running`, or `exited` while the Conductor was away. */
  state: z.enum(['running', 'exited']),
  exitCode: z.nullable(int()),
  signal: z.nullable(z.string()),
});
export type ReplicaReport = z.infer<typeof ReplicaReport>;

export const AgentFrame = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('hello'),
    v: int(),
    token: z.string().check(z.maxLength(512)),
    node: z.string().check(z.minLength(1), z.maxLength(100), z.regex(/^[A-Za-z0-9_.:-]+$/)),
    /** Address the Conductor reaches this node's replicas at; null: the address the connection came from. */
    address: z.nullable(z.string().check(z.maxLength(100))),
    capacity: z.object({ cpu: z.number().check(z.positive()), memBytes: z.number().check(z.nonnegative()), gpu: z.boolean() }),
    version: z.string().check(z.maxLength(50)),
    replicas: z.array(ReplicaReport).check(z.maxLength(10_000)),
    /** Started with the Conductor (by the extension): it exits when the Conductor shuts down for good. */
    followsConductor: z.boolean(),
  }),
  z.object({ t: z.literal('heartbeat'), cpu: z.number().check(z.gte(0), z.lte(1)), memFree: z.number().check(z.nonnegative()) }),
  z.object({ t: z.literal('launched'), id, pid }),
  z.object({ t: z.literal('launch-failed'), id, reason: z.string().check(z.maxLength(4096)) }),
  z.object({
    t: z.literal('exited'),
    id,
    code: z.nullable(int()),
    signal: z.nullable(z.string()),
    /** True when the agent restarts it in place (restart policy); a `restarted` frame follows. */
    restarting: z.boolean(),
  }),
  z.object({ t: z.literal('restarted'), id, pid }),
  z.object({
    t: z.literal('logs'),
    id,
    /** Each line numbered by its replica (from 1, without gaps unless lines were dropped): the Conductor keeps each once. */
    lines: z
      .array(z.object({ seq: z.number().check(z.int(), z.positive()), at: z.number(), stream: z.enum(['out', 'err']), text: z.string().check(z.maxLength(MAX_LINE_CHARS)) }))
      .check(z.maxLength(1000)),
    dropped: count(),
  }),
]);
export type AgentFrame = z.infer<typeof AgentFrame>;

export const ConductorFrame = z.discriminatedUnion('t', [
  z.object({ t: z.literal('welcome'), v: int(), node: z.string(), version: z.string() }),
  /** The connection ends, and why; `logs`: the replica whose `logs` frame was refused (the agent drops those lines rather than send them again). */
  z.object({ t: z.literal('refused'), reason: z.string(), logs: z.optional(z.string()) }),
  z.object({ t: z.literal('launch'), id, spec: LaunchSpec }),
  z.object({ t: z.literal('stop'), id, graceMs: count() }),
  /** The Conductor is going away for good: an agent that follows it stops its replicas and exits. */
  z.object({ t: z.literal('shutdown') }),
  /** The replica's lines up to `seq` are written: the agent may forget them. */
  z.object({ t: z.literal('logs-ack'), id, seq: count() }),
]);
export type ConductorFrame = z.infer<typeof ConductorFrame>;

/** A short description of why a value is not a valid frame, naming the field. */
export function describeInvalid(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid frame';
  const where = issue.path.length > 0 ? issue.path.join('.') : 'frame';
  return `${where}: ${issue.message}`;
}
