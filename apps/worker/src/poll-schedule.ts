/** How long after a status check the next one is due. SPEC.md: young orders every
 *  `pollIntervalMs`; orders older than a few minutes less often, but never more than 3× apart,
 *  so a code is always seen within one (current) gap of landing. */
export function nextPollDelayMs(orderAgeMs: number, pollIntervalMs: number): number {
  if (orderAgeMs < 2 * 60_000) return pollIntervalMs;
  if (orderAgeMs < 5 * 60_000) return pollIntervalMs * 2;
  return pollIntervalMs * 3;
}

/** Spreads retries of a failing upstream call: 1×, 2×, 4× … the interval, capped. */
export function backoffDelayMs(attempt: number, baseMs: number, capMs: number): number {
  const exponent = Math.min(Math.max(attempt, 0), 16);
  return Math.min(baseMs * 2 ** exponent, capMs);
}
