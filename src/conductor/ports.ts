// Backend ports: each replica of an app behind the ingress gets its own port on its host, taken
// from a range and never one already in use on that host (by any node there). Each Conductor starts
// at a random place in the range, so two on one machine (two homes, two test runs) seldom reach for
// the same port; when they do, the agent's refusal moves the replica to another port.

export const DEFAULT_PORT_RANGE: [number, number] = [20000, 29999];

export class PortAllocator {
  private next: number;

  constructor(
    private readonly range: [number, number] = DEFAULT_PORT_RANGE,
    random: () => number = Math.random,
  ) {
    this.next = range[0] + Math.floor(random() * (range[1] - range[0] + 1));
  }

  /** A port in the range that is in neither set, or null when the range is exhausted. */
  allocate(inUse: ReadonlySet<number>, refused: ReadonlySet<number>): number | null {
    const [lo, hi] = this.range;
    const size = hi - lo + 1;
    for (let i = 0; i < size; i++) {
      const port = lo + ((this.next - lo + i) % size);
      if (!inUse.has(port) && !refused.has(port)) {
        this.next = port + 1 > hi ? lo : port + 1;
        return port;
      }
    }
    return null;
  }
}
