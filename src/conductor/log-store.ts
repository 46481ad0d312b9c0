// Replica logs as the Conductor keeps them: the lines agents send, in a bounded ring a replica,
// served as a tail and followed by subscribers. Only lines that arrived from an agent for that
// replica are here; nothing reads files on behalf of a client.
import type { LogLine } from '../shared/protocol/api';
import { Ring } from '../shared/ring';

const LINES_PER_REPLICA = 2000;

export class LogStore {
  private readonly rings = new Map<string, Ring<LogLine>>();
  private readonly followers = new Set<{ filter: (l: LogLine) => boolean; send: (l: LogLine) => void }>();

  append(replica: string, lines: readonly Omit<LogLine, 'replica'>[]): void {
    let ring = this.rings.get(replica);
    if (!ring) this.rings.set(replica, (ring = new Ring(LINES_PER_REPLICA)));
    for (const l of lines) {
      const line: LogLine = { replica, at: l.at, stream: l.stream, text: l.text };
      ring.push(line);
      for (const f of this.followers) if (f.filter(line)) f.send(line);
    }
  }

  tail(replicas: readonly string[], n: number): LogLine[] {
    const lines = replicas.flatMap((id) => this.rings.get(id)?.tail(n) ?? []);
    lines.sort((a, b) => a.at - b.at);
    return lines.slice(Math.max(0, lines.length - n));
  }

  follow(filter: (l: LogLine) => boolean, send: (l: LogLine) => void): () => void {
    const f = { filter, send };
    this.followers.add(f);
    return () => this.followers.delete(f);
  }

  forget(replica: string): void {
    this.rings.delete(replica);
  }
}
