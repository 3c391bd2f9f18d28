/**
 * The reminder clock: planning (what is past, who joined after a firing) and firing (which runs
 * are due) read it, so tests can move time forward instead of waiting. Delayed jobs still wake on
 * real time; the reminder tick fires whatever this clock says is due.
 */
let offsetMs = 0;

export function reminderNow(): Date {
  return new Date(Date.now() + offsetMs);
}

/** Tests and benchmarks only: shifts the reminder clock by `ms` from real time (0 resets it). */
export function shiftReminderClock(ms: number) {
  offsetMs = ms;
}
