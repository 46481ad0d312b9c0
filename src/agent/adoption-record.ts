// What an agent writes down about each replica it runs, so that the next run of the agent (after a
// crash, or a restart within the Conductor's node grace) finds it again: the adoption record. One
// shape a runtime (ARCHITECTURE.md: process today; a container's name and labels, a VM's monitor
// socket later), with what every runtime shares: which replica it is, and where its numbering of
// output lines may go on. A record that is not one of these shapes (an older agent's) is not adopted:
// its replica is stopped.

/** Shared by every runtime's record. */
export interface AdoptionCommon {
  runtime: string;
  id: string;
  app: string;
  generation: number;
  port: number | null;
  startedAt: number;
  drainMs: number;
  /** An agent that adopts the replica numbers its lines from here (log-outbox.ts SEQ_BLOCK). */
  seqFloor: number;
}

/** A process: found again by its pid and the kernel's start time for it (a later process may reuse the pid). */
export interface ProcessAdoption extends AdoptionCommon {
  runtime: 'process';
  /** The process, and its process group (the replica is the leader of its own). */
  pid: number;
  startToken: string | null;
  /** Its named output pipes (replica-output.ts); null: it writes to the old agent's own pipes, which died with it. */
  output: { out: string; err: string } | null;
}

export type AdoptionRecord = ProcessAdoption;

/** A record read back, or null when it is not one this agent can adopt. */
export function readAdoptionRecord(value: unknown): AdoptionRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Partial<ProcessAdoption>;
  if (r.runtime !== 'process') return null;
  const ok =
    typeof r.id === 'string' &&
    typeof r.app === 'string' &&
    Number.isInteger(r.generation) &&
    (r.port === null || Number.isInteger(r.port)) &&
    typeof r.startedAt === 'number' &&
    typeof r.drainMs === 'number' &&
    Number.isSafeInteger(r.seqFloor) &&
    Number.isInteger(r.pid) &&
    r.pid! > 0 &&
    (r.startToken === null || typeof r.startToken === 'string') &&
    (r.output === null || (typeof r.output?.out === 'string' && typeof r.output.err === 'string'));
  return ok ? (r as ProcessAdoption) : null;
}

/** A record's liveness pieces, for records too old to adopt (they are stopped). */
export function legacyProcess(value: unknown): { id: string; pid: number; startToken: string | null; drainMs: number } | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  if (typeof r.id !== 'string' || !Number.isInteger(r.pid) || (r.pid as number) <= 0) return null;
  return { id: r.id, pid: r.pid as number, startToken: typeof r.startToken === 'string' ? r.startToken : null, drainMs: typeof r.drainMs === 'number' ? r.drainMs : 5000 };
}
