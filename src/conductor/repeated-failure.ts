// How a failure that repeats is told (a full disk fails every write, ~50 a second): the first time
// in full, then a count at most once a period while it goes on, and once when it stops. Pure: the
// time is given; the caller logs what it returns.
//
//   quiet ──failed──▶ failing (said in full) ──failed…──▶ failing (a count a period) ──succeeded──▶ quiet (said once)

export interface FailureWords {
  /** `cannot write replica logs` */
  failing: string;
  /** `replica logs are written again` */
  recovered: string;
}

export class RepeatedFailure {
  /** When the current run of failures began (null: none). */
  private since: number | null = null;
  private total = 0;
  private unsaid = 0;
  private lastSaid = 0;

  constructor(
    private readonly words: FailureWords,
    private readonly periodMs = 60_000,
  ) {}

  /** A failure at `now`: the line to log, or null (counted for a later one). */
  failed(now: number, detail: string): string | null {
    this.total++;
    if (this.since === null) {
      this.since = now;
      this.lastSaid = now;
      this.unsaid = 0;
      return `${this.words.failing}: ${detail} (said once: while it goes on, a count every ${Math.round(this.periodMs / 1000)} s)`;
    }
    this.unsaid++;
    const elapsed = now - this.lastSaid;
    if (elapsed < this.periodMs) return null;
    const n = this.unsaid;
    this.unsaid = 0;
    this.lastSaid = now;
    return `${this.words.failing}: ${n} more time${n === 1 ? '' : 's'} in the last ${Math.round(elapsed / 1000)} s (last: ${detail})`;
  }

  /** It worked at `now`: the line that says the failures are over, or null when there were none. */
  succeeded(now: number): string | null {
    if (this.since === null) return null;
    const line = `${this.words.recovered}, after ${this.total} failure${this.total === 1 ? '' : 's'} over ${Math.round((now - this.since) / 1000)} s`;
    this.since = null;
    this.total = 0;
    this.unsaid = 0;
    return line;
  }
}
