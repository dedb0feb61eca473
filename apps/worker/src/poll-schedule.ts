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

/** The one next-check policy of a waiting order, `nowMs` being when it is checked: its regular
 *  next check (nextPollDelayMs), never past its expiry (expiry must happen within seconds of
 *  expiresAt). */
export function nextCheckAt(
  order: { createdAt: Date; expiresAt: Date },
  nowMs: number,
  pollIntervalMs: number,
): number {
  const next = nowMs + nextPollDelayMs(nowMs - order.createdAt.getTime(), pollIntervalMs);
  return Math.min(next, Math.max(order.expiresAt.getTime(), nowMs));
}

/** The check a claim at `nowMs` may already schedule (claiming is scheduling): the regular
 *  next check of an ACTIVE or CODE_RECEIVED order — or nothing when the order is about to
 *  expire (its check comes sooner than the regular one, so this pass settles it and writes
 *  it, with a full lease) or is not waiting for a code. */
export function scheduledCheckAt(
  order: {
    status: string;
    providerId: string | null;
    upstreamRef: string | null;
    createdAt: Date;
    expiresAt: Date;
  },
  nowMs: number,
  pollIntervalMs: number,
): number | undefined {
  if (order.status !== 'ACTIVE' && order.status !== 'CODE_RECEIVED') return undefined;
  if (!order.providerId || !order.upstreamRef) return undefined;
  const regular = nowMs + nextPollDelayMs(nowMs - order.createdAt.getTime(), pollIntervalMs);
  return regular <= order.expiresAt.getTime() ? regular : undefined;
}
