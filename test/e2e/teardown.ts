// An e2e suite's cleanup: every step runs whatever the steps before it did (a daemon that would
// not exit must not leave code-server and Chromium running), and the first failure is thrown at the
// end, so the run still reports it.
export async function teardown(steps: Array<() => unknown>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; '));
}
