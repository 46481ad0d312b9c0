// Spawns one at a time, one an event-loop turn. Starting a process blocks the agent's event loop
// until the child has exec'd: a few milliseconds on a quiet machine, but 100–700 ms each while
// hundreds of replicas start on two cores (bench/agent-launch.ts measures it). Back to back, 300
// launches held the loop for 30 s and starved the heartbeat; through this gate the timers (the
// heartbeat, the outbox) run between any two spawns.
export class SpawnGate {
  private readonly waiting: Array<() => void> = [];
  private turning = false;

  /** Resolves when it is this caller's turn to spawn (spawn at once, synchronously, then return). */
  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.next();
    });
  }

  private next(): void {
    if (this.turning || this.waiting.length === 0) return;
    this.turning = true;
    // setImmediate runs after the poll phase; the timers phase comes before the next one.
    setImmediate(() => {
      this.turning = false;
      this.waiting.shift()?.();
      this.next();
    });
  }

  /** Spawns still waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }
}
