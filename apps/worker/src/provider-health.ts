/** A provider's breaker: consecutive failures open it (the provider leaves routing) and a
 *  successful probe closes it. Pure, so both the rules and their edge cases are testable. */
export interface ProviderHealth {
  healthy: boolean;
  consecutiveFailures: number;
  /** While open, no probe is made before this time. */
  breakerOpenUntil: Date | null;
}

export interface BreakerPolicy {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** First open period; doubles per further failure, up to `maxOpenMs`. */
  openMs: number;
  maxOpenMs: number;
}

export const DEFAULT_BREAKER: BreakerPolicy = {
  failureThreshold: 3,
  openMs: 15_000,
  maxOpenMs: 5 * 60_000,
};

export const HEALTHY: ProviderHealth = {
  healthy: true,
  consecutiveFailures: 0,
  breakerOpenUntil: null,
};

export function afterProbe(
  previous: ProviderHealth,
  ok: boolean,
  now: Date,
  policy: BreakerPolicy = DEFAULT_BREAKER,
): ProviderHealth {
  if (ok) return HEALTHY;
  const consecutiveFailures = previous.consecutiveFailures + 1;
  if (consecutiveFailures < policy.failureThreshold) {
    return { healthy: previous.healthy, consecutiveFailures, breakerOpenUntil: null };
  }
  const beyond = consecutiveFailures - policy.failureThreshold;
  const openFor = Math.min(policy.openMs * 2 ** Math.min(beyond, 16), policy.maxOpenMs);
  return {
    healthy: false,
    consecutiveFailures,
    breakerOpenUntil: new Date(now.getTime() + openFor),
  };
}

/** May a probe (catalog sync) run now? Always while closed; after the open period when open. */
export function probeDue(health: ProviderHealth, now: Date): boolean {
  return health.breakerOpenUntil === null || now.getTime() >= health.breakerOpenUntil.getTime();
}
