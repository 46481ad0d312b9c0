// A benchmark's bound in time: past it, the next check throws, and the benchmark's own `finally`
// cleans up, so a run that hangs still ends (and says where it was).
export interface Deadline {
  /** Throws once the benchmark is out of time, naming what it was doing. */
  inTime(what: string): void;
  /** Polls `check` every `everyMs` until it returns true; `check` may say where things stand instead. */
  until(what: string, check: () => Promise<true | string> | true | string, timeoutMs: number, everyMs: number): Promise<void>;
}

export function deadline(minutes: number): Deadline {
  const at = Date.now() + minutes * 60_000;
  const inTime = (what: string) => {
    if (Date.now() > at) throw new Error(`the benchmark ran out of time (${minutes} min) during ${what}`);
  };
  return {
    inTime,
    async until(what, check, timeoutMs, everyMs) {
      const giveUp = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        inTime(what);
        const r = await check();
        if (r === true) return;
        last = r;
        if (Date.now() > giveUp) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    },
  };
}
