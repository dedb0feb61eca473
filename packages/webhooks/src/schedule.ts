/** Seconds after each failed attempt before the next one: the first attempt is immediate, then
 *  5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (Svix's schedule); after the 8th failure, FAILED. */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [
  5, 300, 1800, 7200, 18000, 36000, 36000,
];

/** When to try again after failure number `step + 1` of this round, or null when spent. */
export function nextAttemptAt(
  step: number,
  now: Date,
  schedule: readonly number[] = DEFAULT_RETRY_SCHEDULE_SECONDS,
): Date | null {
  const delay = schedule[step];
  return delay === undefined ? null : new Date(now.getTime() + delay * 1000);
}
