import {
  planPurchase,
  type CodeRateTable,
  type PlannedAttempt,
  type ProviderHealth,
  type PurchasePlan,
  type RankedOffer,
} from '@numbroker/core';
import type { AppDeps } from '../services/app-deps.js';
import type { ProviderStateRecord } from '../services/api-store.js';

/** At most this many providers are tried for one order. */
const MAX_ATTEMPTS = 5;

/** What ranking knows of a provider for one route: usable, and how often its orders of this
 *  service and country got a code in the window. */
export function routeHealth(
  deps: AppDeps,
  states: ReadonlyMap<string, ProviderStateRecord>,
  codeRates: CodeRateTable,
): (providerId: string, route: { service: string; country: string }) => ProviderHealth {
  return (providerId, route) => {
    const stats = codeRates.route({ providerId, ...route });
    return {
      healthy: deps.adapters.has(providerId) && (states.get(providerId)?.healthy ?? true),
      samples: stats.samples,
      ...(stats.codeRate === undefined ? {} : { codeRate: stats.codeRate }),
    };
  };
}

/** The offers one buy tries, under the configured failover-loss limit and exploration share
 *  (core's planPurchase). */
export function planBuy(deps: AppDeps, ranked: readonly RankedOffer[]): PurchasePlan {
  const { config } = deps;
  return planPurchase(ranked, {
    maxAttempts: MAX_ATTEMPTS,
    maxFailoverLossMinor: BigInt(config.pricing.maxFailoverLoss),
    exchangeRates: config.exchangeRates,
    explorationShare: config.routing.explorationShare,
    random: () => deps.random(),
  });
}

/** Once the order is created (not an idempotent repeat, not refused for funds): what the plan
 *  left out and whom it explored, in the metrics. */
export function countPlan(deps: AppDeps, plan: PurchasePlan): void {
  for (const { offer } of plan.skipped) {
    deps.metrics.failoverSkipped.inc({ provider: offer.providerId });
  }
  if (plan.explored !== undefined) {
    deps.metrics.routingExplorations.inc({ provider: plan.explored });
  }
}

/** After a provider sold at the held price: what that gave up, when it was a dearer one. */
export function countSale(deps: AppDeps, attempt: PlannedAttempt): void {
  const labels = { currency: attempt.marginGivenUp.currency, provider: attempt.offer.providerId };
  if (attempt.marginGivenUp.minor > 0n) {
    deps.metrics.failoverMarginGivenUp.inc(labels, Number(attempt.marginGivenUp.minor));
  }
  if (attempt.loss.minor > 0n) {
    deps.metrics.failoverLoss.inc(labels, Number(attempt.loss.minor));
    deps.logger.info(
      {
        provider: attempt.offer.providerId,
        loss: attempt.loss.format(),
        currency: labels.currency,
      },
      'sold below upstream cost on failover (within pricing.maxFailoverLoss)',
    );
  }
}
