// Words of a replica's failure reason that clients recognise, declared once: the Conductor writes
// them (conductor/failure-hints.ts), the editor reads them (a manifest's `port` advice is a hint
// until a replica actually failed this way).

/** Ends the reason of a replica that tried to listen on the port its app's ingress holds. */
export function ingressPortTakenHint(port: number): string {
  return `it tried to listen on ${port}, which the ingress holds: make it listen on $PORT (given to each replica), or add "ingress off"`;
}

/** Whether a failure reason says the replica tried to listen on its ingress's port. */
export function triedIngressPort(reason: string | null): boolean {
  return reason !== null && /it tried to listen on \d+, which the ingress holds/.test(reason);
}
