// What a daemon that went away gets: restarted within a budget, or left alone, and why. Pure (time
// is an input), so the decisions are unit-tested without processes; daemons.ts acts on them.

/** A few restarts within a window, then no more (vscode-languageclient does the same: 3 in 3 minutes). */
export class RestartBudget {
  private readonly spent: number[] = [];

  constructor(
    readonly count = 3,
    readonly windowMs = 3 * 60_000,
  ) {}

  /** Spends one restart at `now` if the budget allows it. */
  take(now: number): boolean {
    while (this.spent.length > 0 && now - this.spent[0]! >= this.windowMs) this.spent.shift();
    if (this.spent.length >= this.count) return false;
    this.spent.push(now);
    return true;
  }
}

/** Why a daemon is not running: told apart by what it left behind (see daemons.ts). */
export type Departure = 'crashed' | 'stopped';

export type RestartDecision =
  | 'restart'
  /** This window stopped it (Stop/Restart Conductor, replacing another version). */
  | 'stopped-on-purpose'
  /** It stopped cleanly (another window, the CLI, its lease, an idle agent). */
  | 'stopped-cleanly'
  /** Restarting is off here: untrusted workspace or `skr8tr.autoStart` off. */
  | 'not-allowed'
  /** Crashed once too often lately: tell the user, once. */
  | 'budget-spent';

export interface RestartInput {
  departure: Departure;
  onPurpose: boolean;
  allowed: boolean;
  budget: RestartBudget;
  now: number;
}

export function restartDecision(i: RestartInput): RestartDecision {
  if (i.onPurpose) return 'stopped-on-purpose';
  if (i.departure === 'stopped') return 'stopped-cleanly';
  if (!i.allowed) return 'not-allowed';
  return i.budget.take(i.now) ? 'restart' : 'budget-spent';
}
