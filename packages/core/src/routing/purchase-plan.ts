import { convertMoney, Money, MoneyError, type ExchangeRates } from '../money/index.js';
import type { RankedOffer } from './rank-offers.js';

export interface PurchasePolicy {
  /** At most this many offers are tried for one order. */
  maxAttempts: number;
  /** Platform-currency minor units one order may lose when an offer whose upstream cost is
   *  above the held price steps in (config `pricing.maxFailoverLoss`). 0: such offers are
   *  skipped; the reseller never sells below cost by surprise. */
  maxFailoverLossMinor: bigint;
  /** To compare an upstream cost with the held price. */
  exchangeRates: ExchangeRates;
  /** Share of purchases, 0..1, that try a non-best provider first so its code rate stays
   *  known (config `routing.explorationShare`). */
  explorationShare: number;
  /** Uniform in [0, 1); injected so tests decide. */
  random: () => number;
}

export interface PlannedAttempt {
  offer: RankedOffer;
  /** What this offer would sell for minus the held price: the markup not charged. */
  marginGivenUp: Money;
  /** Its upstream cost above the held price: what the reseller loses selling it. */
  loss: Money;
}

export interface PurchasePlan {
  /** What the wallet holds and the order is charged: the best (cheapest) offer's price, so a
   *  customer never pays more than quoted whoever steps in. */
  held: Money;
  /** In order: the first is bought first, the rest are the failover. */
  attempts: PlannedAttempt[];
  /** Offers left out because they would lose more than `maxFailoverLossMinor`. */
  skipped: PlannedAttempt[];
  /** The provider tried first to keep its figures fresh, when this purchase explores. */
  explored?: string;
}

/**
 * The offers one purchase tries, from `rankOffers`' order: every offer is charged at the
 * best offer's price, so a dearer one gives up margin, and one whose cost exceeds that price
 * sells at a loss — allowed only up to the policy's limit. Then, for `explorationShare` of
 * purchases (Hyperswitch's success-rate routing keeps a share of traffic on the others the
 * same way), one other provider, drawn uniformly, moves to the front: without it the best
 * provider would be the only one whose code rate ever changes.
 */
export function planPurchase(ranked: readonly RankedOffer[], policy: PurchasePolicy): PurchasePlan {
  const best = ranked[0];
  if (best === undefined) throw new RangeError('planPurchase needs at least one offer');
  if (!(policy.explorationShare >= 0 && policy.explorationShare <= 1))
    throw new RangeError('explorationShare must be between 0 and 1');
  const held = best.price;
  const allowed: PlannedAttempt[] = [];
  const skipped: PlannedAttempt[] = [];
  for (const offer of ranked) {
    const attempt = {
      offer,
      marginGivenUp: positivePart(offer.price.minus(held)),
      loss: positivePart(costIn(offer, held.currency, policy.exchangeRates).minus(held)),
    };
    (attempt.loss.minor <= policy.maxFailoverLossMinor ? allowed : skipped).push(attempt);
  }

  let explored: string | undefined;
  const first = allowed[0];
  const others = first
    ? [...new Set(allowed.map((a) => a.offer.providerId))].filter(
        (id) => id !== first.offer.providerId,
      )
    : [];
  if (
    others.length > 0 &&
    policy.explorationShare > 0 &&
    policy.random() < policy.explorationShare
  ) {
    const pick = others[Math.min(others.length - 1, Math.floor(policy.random() * others.length))]!;
    const index = allowed.findIndex((a) => a.offer.providerId === pick);
    allowed.unshift(...allowed.splice(index, 1));
    explored = pick;
  }
  return {
    held,
    attempts: allowed.slice(0, Math.max(1, policy.maxAttempts)),
    skipped,
    ...(explored === undefined ? {} : { explored }),
  };
}

/** The offer's upstream cost in the held price's currency. Without a known cost, or a rate
 *  to convert it, its sell price stands in: markups are never negative, so it is at least
 *  the cost. */
function costIn(offer: RankedOffer, currency: string, rates: ExchangeRates): Money {
  if (offer.cost === undefined) return offer.price;
  try {
    return convertMoney(offer.cost, currency, rates);
  } catch (error) {
    if (error instanceof MoneyError) return offer.price;
    throw error;
  }
}

function positivePart(amount: Money): Money {
  return amount.isNegative() ? Money.zero(amount.currency) : amount;
}
